"""Working the queue by keyboard alone, in headless Chromium: j and k move through the
queue, c claims, / picks a canned reply, Ctrl+Enter sends, ? lists the shortcuts.

Screenshots are saved under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import always_open_flows, create_account, running_server
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
EMAIL = "priya@example.org"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("console-keyboard")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'console.sqlite3'}",
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
    }
    create_account(env, EMAIL, "champion", areas=("Leeds",), name="Priya", password=PASSWORD)
    with running_server(env, tmp / "server.log") as base:
        yield base


def _parent_asks(browser: object, base_url: str, words: str, council: str = "Leeds") -> None:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=base_url)  # type: ignore[attr-defined]
    chat = context.new_page()
    chat.set_default_timeout(10_000)
    chat.goto("/")
    log = chat.get_by_role("log")
    chat.get_by_role("button", name="OK, let's start").click()
    chat.get_by_role("button", name="Talk to a Parent Champion").click()
    expect(log).to_contain_text("which council do you live in?")
    chat.get_by_label("Your message").fill(council)
    chat.keyboard.press("Enter")
    expect(log).to_contain_text("I've asked a Parent Champion to join this chat")
    chat.get_by_label("Your message").fill(words)
    chat.keyboard.press("Enter")
    expect(log).to_contain_text("I've passed that on")
    context.close()


def test_a_champion_works_a_ticket_by_keyboard_alone(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _parent_asks(browser, base_url, "first family: he was sent home")
        _parent_asks(browser, base_url, "second family: no transport")
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        console = context.new_page()
        console.set_default_timeout(10_000)
        console.goto("/console")
        console.get_by_label("E-mail address").fill(EMAIL)
        console.get_by_label("Password").fill(PASSWORD)
        console.keyboard.press("Enter")
        expect(console.locator("#waiting-count")).to_have_text("2 waiting")

        # "?" lists the shortcuts (so does the button the script shows); Escape closes it.
        expect(console.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
        console.keyboard.press("?")
        shortcuts = console.get_by_role("dialog", name="Keyboard shortcuts")
        expect(shortcuts).to_be_visible()
        expect(shortcuts).to_contain_text("Claim this ticket")
        console.screenshot(path=str(ARTIFACTS / "console-shortcuts.png"))
        console.keyboard.press("Escape")
        expect(shortcuts).to_be_hidden()

        # j moves down the queue, k back up; Enter opens the focused ticket.
        console.keyboard.press("j")
        expect(console.get_by_role("link", name="#1")).to_be_focused()
        console.keyboard.press("j")
        expect(console.get_by_role("link", name="#2")).to_be_focused()
        console.keyboard.press("k")
        expect(console.get_by_role("link", name="#1")).to_be_focused()
        console.keyboard.press("Enter")
        expect(console.get_by_role("heading", name="Ticket #1")).to_be_visible()
        # A key pressed before the new page's scripts run does nothing: wait for them.
        console.wait_for_load_state()

        # c claims; / opens the canned replies, a word and Enter choose one.
        console.keyboard.press("c")
        expect(console.locator("main").get_by_role("status")).to_contain_text(
            "You have claimed this ticket"
        )
        console.wait_for_load_state()  # the claim reloaded the page
        console.keyboard.press("/")
        picker = console.get_by_role("dialog", name="Choose a canned reply")
        expect(picker).to_be_visible()
        console.keyboard.type("sendiass")
        expect(picker.get_by_role("button", name="SENDIASS")).to_be_visible()
        console.screenshot(path=str(ARTIFACTS / "console-canned-picker.png"))
        console.keyboard.press("Enter")
        reply = console.get_by_label("Reply to the parent")
        expect(reply).to_be_focused()
        expect(reply).to_have_value(
            "Your local SENDIASS gives free, impartial advice about SEND and can help with "
            "letters, meetings and appeals. You can find yours on your council's Local Offer page."
        )
        console.keyboard.press("Control+Enter")
        expect(console.locator("#transcript")).to_contain_text("Your local SENDIASS gives free")
        # The live refresh can show the reply before the send's own answer empties the
        # box: type only once it has.
        expect(reply).to_have_value("")

        # Letters typed in the reply box stay in the box: no shortcut fires.
        console.keyboard.type("just checking j and k")
        expect(reply).to_have_value("just checking j and k")
        expect(console.get_by_role("heading", name="Ticket #1")).to_be_visible()

        # Tab out of the box: n goes to the note, and j to the next ticket in the queue.
        # Once the send has finished: until then Send is disabled, so Tab would skip it
        # and land in the note itself, and "n" would be typed there, not tried.
        expect(console.get_by_role("button", name="Send to parent")).to_be_enabled()
        console.keyboard.press("Tab")
        console.keyboard.press("n")
        expect(console.get_by_label("Note", exact=True)).to_be_focused()
        console.keyboard.press("Tab")  # to the "Share with the family" box: not typing
        console.keyboard.press("j")
        expect(console.get_by_role("heading", name="Ticket #2")).to_be_visible()
        console.screenshot(path=str(ARTIFACTS / "console-keyboard-next.png"))
        browser.close()

"""The console in headless Chromium: a champion signs in, sees a parent arrive live,
claims the ticket and replies; the parent's chat page shows the reply without a reload.

Screenshots are saved under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import always_open_flows, create_account, running_server
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
EMAIL = "sam@example.org"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("console-browser")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'console.sqlite3'}",
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
    }
    create_account(env, EMAIL, "champion", areas=("Leeds",), name="Sam", password=PASSWORD)
    with running_server(env, tmp / "server.log") as base:
        yield base


def test_sign_in_claim_and_reply_live(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        champion = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        parent = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 800})
        console, chat = champion.new_page(), parent.new_page()
        for page in (console, chat):
            page.set_default_timeout(10_000)

        console.goto("/console")  # not signed in: sent to the sign-in page
        console.get_by_label("E-mail address").fill(EMAIL)
        console.get_by_label("Password").fill(PASSWORD)
        console.get_by_role("button", name="Sign in").click()
        expect(console.get_by_role("heading", name="Queue")).to_be_visible()
        expect(console.locator("#waiting-count")).to_have_text("0 waiting")

        # A parent asks for a person; the queue shows them without a reload.
        chat.goto("/")
        log = chat.get_by_role("log")
        chat.get_by_role("button", name="OK, let's start").click()
        chat.get_by_role("button", name="Talk to a Parent Champion").click()
        # Answer once the question is there, as a person would (a message typed while
        # the page is still waiting stays in the box unsent).
        expect(log).to_contain_text("which council do you live in?")
        chat.get_by_label("Your message").fill("Leeds")
        chat.keyboard.press("Enter")
        expect(log).to_contain_text("I've asked a Parent Champion to join this chat")
        chat.get_by_label("Your message").fill("He's been <b>sent home</b> again")
        chat.keyboard.press("Enter")
        expect(log).to_contain_text("I've passed that on")

        expect(console.locator("#waiting-count")).to_have_text("1 waiting")
        expect(console).to_have_title("(1) Queue – Champion")
        console.get_by_role("link", name="#1").click()
        transcript = console.locator("#transcript")
        expect(transcript).to_contain_text("He's been <b>sent home</b> again")  # as text
        console.get_by_role("button", name="Claim this ticket").click()
        expect(console.locator("main").get_by_role("status")).to_contain_text(
            "You have claimed this ticket"
        )
        # The claim reloaded the page: choosing a canned reply needs its script running.
        console.wait_for_load_state()
        expect(log).to_contain_text("Sam has joined the chat")

        console.get_by_label("Canned reply").select_option(label="Hello")
        reply_box = console.get_by_label("Reply to the parent")
        expect(reply_box).to_have_value(
            "Hello, I'm a Parent Champion. I've read your chat with the bot so far. Could you tell me a bit more about what's happening?"
        )
        reply_box.fill("Hello, I'm Sam. Which school is he at?")
        console.get_by_role("button", name="Send to parent").click()
        expect(reply_box).to_have_value("")
        expect(transcript).to_contain_text("Which school is he at?")

        champion_message = chat.locator(".msg.champion").last
        expect(champion_message).to_contain_text("Parent Champion")
        expect(champion_message).to_contain_text("Which school is he at?")
        chat.get_by_label("Your message").fill("Oakwood Primary")
        chat.keyboard.press("Enter")
        expect(transcript).to_contain_text("Oakwood Primary")  # live, both ways

        ARTIFACTS.mkdir(exist_ok=True)
        console.screenshot(path=str(ARTIFACTS / "console-ticket.png"), full_page=True)
        chat.screenshot(path=str(ARTIFACTS / "webchat-with-champion.png"), full_page=True)
        champion.close()
        parent.close()
        browser.close()

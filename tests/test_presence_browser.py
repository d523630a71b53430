"""Presence in headless Chromium: an open console page beats every ~45 s by itself,
a champion who presses "Set me available" is reported online to a parent, and each
side sees the other typing once the champion has the chat.

The page's clock is Playwright's fake clock, so 45 seconds pass without waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server import always_open_flows, create_account, running_server
from tests.test_webchat_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
EMAIL = "sam@example.org"
PASSWORD = "a long enough password"
BEAT = "**/console/presence/heartbeat"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("presence-browser")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'presence.sqlite3'}",
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
    }
    create_account(env, EMAIL, "champion", areas=("Leeds",), name="Sam", password=PASSWORD)
    with running_server(env, tmp / "server.log") as base:
        yield base


def test_the_console_beats_the_parent_hears_who_is_online_and_both_see_typing(
    base_url: str,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        champion = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        parent = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 800})
        console, chat = champion.new_page(), parent.new_page()
        console.set_default_timeout(10_000)
        chat.set_default_timeout(10_000)
        console.clock.install()

        console.goto("/console/login")
        console.get_by_label("E-mail address").fill(EMAIL)
        console.get_by_label("Password").fill(PASSWORD)
        with console.expect_request(BEAT) as first:  # the page beats as soon as it opens
            console.get_by_role("button", name="Sign in").click()
        assert first.value.response().status == 204
        expect(console.locator("#presence")).to_contain_text("You're away")

        with console.expect_request(BEAT) as later:  # ... and again 45 seconds on
            console.clock.run_for(46_000)
        assert later.value.response().status == 204

        # The switch is a real button; pressing it reloads the page, now available.
        console.get_by_role("button", name="Set me available").click()
        expect(console.locator("#presence")).to_contain_text("You're available")

        ask_for_a_person(chat)
        log = chat.get_by_role("log")
        expect(log).to_contain_text("A Parent Champion is online now and should reply soon")

        # Typing, both ways: Sam claims the chat and starts a reply; the parent sees it,
        # and Sam sees the parent typing back.
        console.locator("a[href^='/console/tickets/']").first.click()
        console.get_by_role("button", name="Claim this ticket").click()
        # The claim reloads the page: type once its script runs, which tells the parent.
        expect(console.locator("main").get_by_role("status")).to_contain_text(
            "You have claimed this ticket"
        )
        console.wait_for_load_state()
        expect(log).to_contain_text("Sam has joined the chat")
        console.get_by_label("Reply to the parent").press_sequentially("Hello, I'm")
        expect(chat.locator("#typing")).to_have_text("Sam is typing…")
        chat.get_by_label("Your message").press_sequentially("Thank you")
        expect(console.locator("#parent-typing")).to_have_text("The parent is typing…")
        console.get_by_label("Reply to the parent").press_sequentially(" Sam.")
        console.get_by_role("button", name="Send to parent").click()
        expect(log).to_contain_text("Hello, I'm Sam.")
        expect(chat.locator("#typing")).to_have_text("")  # the message replaced it

        # Away again: the next parent is told the truth.
        console.get_by_role("button", name="Set me away").click()
        expect(console.locator("#presence")).to_contain_text("You're away")
        second = browser.new_context(base_url=base_url).new_page()
        ask_for_a_person(second)
        expect(second.get_by_role("log")).to_contain_text("No one is online this minute")
        browser.close()


def ask_for_a_person(chat: Any) -> None:
    from playwright.sync_api import expect

    chat.goto("/")
    chat.get_by_role("button", name="OK, let's start").click()
    chat.get_by_role("button", name="Talk to a Parent Champion").click()
    expect(chat.get_by_role("log")).to_contain_text("which council do you live in?")
    chat.get_by_label("Your message").fill("Leeds")
    chat.keyboard.press("Enter")

"""E-mail alerts end to end with a real server, Chromium and a real SMTP server.

The parent opts in on the chat page; while the page is open a champion's reply shows
there live and no e-mail goes; once the page is closed the next reply is e-mailed by
the server's own scheduler. The hand-off message with its e-mail button and the
unsubscribe page pass axe-core. Slow on purpose: the server waits 30 seconds for an
open page to receive a reply before it e-mails (bot/notify/outbox.py SEEN_GRACE).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.notify.outbox import SEEN_GRACE
from bot.notify.setup import SWEEP_SECONDS
from tests.fakes.smtp_server import MailServer, body_of
from tests.server import always_open_flows, create_account, running_server
from tests.test_accessibility import AXE_JS, assert_none, check_axe
from tests.test_webchat_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "sam@example.org", "a long enough password"
ADDRESS = "parent.two@example.org"
WAIT = SEEN_GRACE.total_seconds() + 3 * SWEEP_SECONDS


@pytest.fixture(scope="module")
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, mail_server: MailServer) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not installed at {AXE_JS} (make test runs npm ci; is npm missing?)")
    tmp = tmp_path_factory.mktemp("email-browser")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'email.sqlite3'}",
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
        "SMTP_URL": mail_server.url,
        "SMTP_FROM": "Champion <no-reply@champion.test>",
        "PUBLIC_URL": "http://champion.test",
    }
    create_account(env, EMAIL, "champion", areas=("Leeds",), name="Sam", password=PASSWORD)
    with running_server(env, tmp / "server.log") as base:
        yield base


def wait_for_mail(server: MailServer, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len(server.received) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def test_open_page_gets_no_email_closed_page_does(base_url: str, mail_server: MailServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        champion = browser.new_context(base_url=base_url)
        # bypass_csp: the Content-Security-Policy rightly refuses axe's injected script.
        parent = browser.new_context(
            base_url=base_url, viewport={"width": 390, "height": 800}, bypass_csp=True
        )
        console, chat = champion.new_page(), parent.new_page()
        for page in (console, chat):
            page.set_default_timeout(10_000)

        chat.goto("/")
        log = chat.get_by_role("log")
        chat.get_by_role("button", name="OK, let's start").click()
        chat.get_by_role("button", name="Talk to a Parent Champion").click()
        expect(log).to_contain_text("which council do you live in?")
        chat.get_by_label("Your message").fill("Leeds")
        chat.keyboard.press("Enter")
        expect(log).to_contain_text("I've asked a Parent Champion to join this chat")
        email_button = chat.get_by_role("button", name="Email me when they reply")
        expect(email_button).to_be_visible()
        check_axe(chat, "chat-handoff-email", failures)
        email_button.click()
        expect(log).to_contain_text("What e-mail address should I use?")
        chat.get_by_label("Your message").fill(ADDRESS)
        chat.keyboard.press("Enter")
        expect(log).to_contain_text("I've sent a 6-digit code")
        wait_for_mail(mail_server, 1, 3 * SWEEP_SECONDS)  # the server's own scheduler
        assert len(mail_server.received) == 1, "no code e-mail arrived"
        code = re.search(r"\b(\d{6})\b", body_of(mail_server.received[0]))
        assert code is not None
        chat.get_by_label("Your message").fill(code.group(1))
        chat.keyboard.press("Enter")
        expect(log).to_contain_text("Done: we'll e-mail you when a Parent Champion replies")

        console.goto("/console")
        console.get_by_label("E-mail address").fill(EMAIL)
        console.get_by_label("Password").fill(PASSWORD)
        console.get_by_role("button", name="Sign in").click()
        console.get_by_role("link", name="#1").click()
        console.get_by_role("button", name="Claim this ticket").click()
        # The claim reloads the page: send once console.js runs (else the reply posts the
        # plain way and reloads the page again).
        expect(console.locator("main").get_by_role("status")).to_contain_text(
            "You have claimed this ticket"
        )
        console.wait_for_load_state()
        reply_box = console.get_by_label("Reply to the parent")

        # The page is open: the reply shows there, and no e-mail follows.
        reply_box.fill("Hello, I'm Sam. Which school is he at?")
        console.get_by_role("button", name="Send to parent").click()
        expect(chat.locator(".msg.champion").last).to_contain_text("Which school is he at?")
        time.sleep(WAIT)
        assert len(mail_server.received) == 1, "e-mailed about a reply the page showed"

        # The parent closes the page; the next reply is e-mailed.
        chat.close()
        expect(reply_box).to_have_value("")
        reply_box.fill("Could you send me the school's letter?")
        console.get_by_role("button", name="Send to parent").click()
        expect(reply_box).to_have_value("")
        wait_for_mail(mail_server, 2, WAIT + 10)
        assert len(mail_server.received) == 2, "no e-mail after the page was closed"
        notice = mail_server.received[1]
        assert notice["Subject"] == "You have a new message"
        body = body_of(notice)
        assert "letter" not in body and "A Parent Champion has replied" in body
        link = re.search(r"http://champion\.test(/email/unsubscribe\?\S+)", body)
        assert link is not None

        page = parent.new_page()
        page.goto(link.group(1))
        expect(page.get_by_role("button", name="Stop the e-mails")).to_be_visible()
        check_axe(page, "email-unsubscribe", failures)
        page.get_by_role("button", name="Stop the e-mails").click()
        expect(page.get_by_role("status")).to_contain_text("You won't get these e-mails any more")
        check_axe(page, "email-unsubscribed", failures)
        browser.close()
    assert_none(failures, "email-notify")

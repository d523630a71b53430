"""The admin editor in headless Chromium: edit -> try in the preview -> publish.

Screenshots are saved under test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import create_account, running_server
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "admin@example.org", "a long enough password"
OLD = "What would you like help with?"
NEW = "What can I help you with today?"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("content-browser")
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'content.sqlite3'}", "DATA_DIR": str(tmp)}
    create_account(env, EMAIL, "admin", password=PASSWORD)
    with running_server(env, tmp / "server.log") as base:
        yield base


def test_edit_preview_publish(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        admin = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        parent = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 800})
        page, chat = admin.new_page(), parent.new_page()
        for p in (page, chat):
            p.set_default_timeout(10_000)

        page.goto("/console/content")
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Flows and knowledge")).to_be_visible()
        page.get_by_role("link", name="flows/main.yml").click()
        editor = page.get_by_label("Text of flows/main.yml")
        editor.fill(editor.input_value().replace(OLD, NEW))
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("main").get_by_role("status")).to_contain_text("Saved as a draft")
        expect(page.locator("#no-problems")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "editor-draft.png"), full_page=False)

        # Try it: the preview runs the draft...
        page.goto("/console/content")
        page.get_by_role("link", name="Try the drafts in a test chat").click()
        preview_log = page.get_by_role("log")
        page.get_by_role("button", name="OK, let's start").click()
        expect(preview_log).to_contain_text(NEW)
        # ...while parents still get the published words.
        chat.goto("/")
        chat.get_by_role("button", name="OK, let's start").click()
        expect(chat.get_by_role("log")).to_contain_text(OLD)

        page.goto("/console/content")
        page.get_by_label("What changed (for the history)").fill("Friendlier menu question")
        page.get_by_role("button", name="Publish").click()
        expect(page.locator("main").get_by_role("status")).to_contain_text("Published")
        expect(page.locator(".diff")).to_contain_text("+    say: " + NEW)
        page.screenshot(path=str(ARTIFACTS / "editor-published.png"), full_page=True)

        chat.get_by_label("Your message").fill("menu")
        chat.keyboard.press("Enter")
        expect(chat.get_by_role("log")).to_contain_text(NEW)
        admin.close()
        parent.close()
        browser.close()

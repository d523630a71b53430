"""The web chat's Copy button for a letter (issue #19): the clipboard where the
browser allows it, else the letter's text is selected for the parent to copy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import running_server
from tests.test_webchat_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("letters-browser")
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'chat.sqlite3'}", "DATA_DIR": str(tmp)}
    with running_server(env, tmp / "server.log") as base:
        yield base


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 1024, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()


ANSWERS = ["Sam Okafor", "12 Park Road, Leeds, LS6 2AB", "Ayo", "14/03/2015", "Meadow Lane"]


def write_records_letter(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    log = page.get_by_role("log")
    page.get_by_role("button", name="OK, let's start").click()
    page.get_by_role("button", name="Model letters").click()
    page.get_by_role("button", name="Ask for my child's records").click()
    box = page.get_by_label("Your message")
    for answer in ANSWERS:
        expect(box).to_be_enabled()
        box.fill(answer)
        box.press("Enter")
        expect(log).to_contain_text(answer)
    expect(log).to_contain_text("Please check your answers")
    page.get_by_role("button", name="Make the letter").click()
    expect(log).to_contain_text("Re: Ayo, date of birth 14 March 2015")


def test_copy_puts_the_letter_on_the_clipboard(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    write_records_letter(page)
    page.get_by_role("button", name="Copy the letter").click()
    expect(page.get_by_role("status")).to_contain_text("The letter is copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Sam Okafor\n12 Park Road")
    assert "Re: Ayo, date of birth 14 March 2015" in copied
    assert copied.rstrip().endswith("Sam Okafor")


def test_without_a_clipboard_the_letter_is_selected(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    write_records_letter(page)
    page.get_by_role("button", name="Copy the letter").click()
    expect(page.get_by_role("status")).to_contain_text("The letter is selected")
    selected = page.evaluate("window.getSelection().toString()")
    assert "Re: Ayo, date of birth 14 March 2015" in selected
    assert "Meadow Lane" in selected

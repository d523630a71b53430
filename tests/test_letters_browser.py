"""The web chat's Copy button for a letter (issue #19): the clipboard where the
browser allows it, else the letter's text is selected for the parent to copy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_webchat_browser import browser_page, chat_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chat_server(tmp_path_factory, "letters-browser") as base:
        yield base


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    with browser_page(base_url) as page:
        yield page


ANSWERS = ["Sam Okafor", "12 Park Road, Leeds, LS6 2AB", "Ayo", "14/03/2015", "Meadow Lane"]


def write_records_letter(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    log = page.get_by_role("log")
    page.get_by_role("button", name="OK, let's start").click()
    page.get_by_role("button", name="Model letters").click()
    page.get_by_role("button", name="Ask for my child's records").click()
    box = page.get_by_label("Your message")
    send = page.locator("#send")
    for answer in ANSWERS:
        # Enter while a reply is awaited is ignored (the words stay in the box), and
        # the address question's own example is this address: so wait for the reply,
        # then for the parent's own bubble, not just the words anywhere in the log.
        expect(send).to_be_enabled(timeout=15_000)  # a loaded CI machine is slow
        box.fill(answer)
        box.press("Enter")
        expect(box).to_have_value("")
        expect(page.locator(".msg.me").last).to_contain_text(answer, timeout=15_000)
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

"""The web chat in headless Chromium with JavaScript switched off: the same page, its
form posting to / and each reply arriving as a new page, scrolled to the new reply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_webchat_browser import ARTIFACTS, browser_page, chat_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chat_server(tmp_path_factory, "form-browser") as base:
        yield base


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    with browser_page(
        base_url, viewport={"width": 390, "height": 740}, java_script_enabled=False
    ) as page:
        yield page


def test_a_parent_without_javascript_chats_and_ends_the_chat(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_label("Your message").fill("hello")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="OK, let's start").click()
    expect(page.get_by_text("What would you like help with?")).to_be_visible()
    question = "how long does the council have to decide whether to assess my son"
    page.get_by_label("Your message").fill(question)
    page.get_by_role("button", name="Send").click()
    latest = page.locator("#latest")
    expect(latest).to_contain_text("6 weeks")
    assert page.url.endswith("/#latest")  # no words, id or secret in the address
    box = latest.bounding_box()
    assert box is not None and 0 <= box["y"] < 740, box  # the new reply is on screen
    page.locator("details.sources summary").first.click()
    expect(page.locator("details.sources a").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-without-javascript.png"), full_page=True)
    cookies = page.context.cookies()
    assert [c["httpOnly"] for c in cookies if c["name"] == "champion_chat"] == [True]
    page.get_by_role("button", name="End and clear this chat").click()
    expect(page.get_by_text("ended and cleared from this device")).to_be_visible()
    expect(page.get_by_text(question)).to_have_count(0)
    assert not [c for c in page.context.cookies() if c["name"] == "champion_chat"]

"""The chat page keeps its promises (issue #17), in headless Chromium.

The greeting is in the HTML; typed questions focus the box, not "Skip"; "Done"
stays in view; Quick exit (and Esc twice) leaves for a neutral site without
leaving the chat in the back button or ending it; "Read aloud" uses the
browser's speech, and is hidden where there is none.

Screenshots are saved under test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, base_url

pytestmark = pytest.mark.browser
__all__ = ["base_url"]  # the module-scoped server fixture, shared

NEUTRAL = "https://www.bbc.co.uk/weather"
# Records what would be spoken, instead of speaking (headless Chromium has no voices).
FAKE_SPEECH = """
window.__spoken = [];
window.speechSynthesis.speak = (u) => { window.__spoken.push(u.text); setTimeout(() => u.onend && u.onend(), 50); };
window.speechSynthesis.cancel = () => {};
"""
NO_SPEECH = """
Object.defineProperty(window, "speechSynthesis", { value: undefined, configurable: true });
"""


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser, base_url: str, width: int = 390, height: int = 700, script: str = ""):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    if script:
        context.add_init_script(script)
    # The neutral site, served locally: the test network is closed.
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title><p>Weather</p>"
        ),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_the_greeting_is_in_the_html(base_url: str) -> None:
    page = httpx.get(base_url + "/").text
    assert 'id="greeting"' in page
    assert "Hello, I&#x27;m Champion" in page or "Hello, I'm Champion" in page


def test_the_greeting_shows_without_javascript_and_once_with_it(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    still = context.new_page()
    still.goto("/")
    expect(still.get_by_role("log")).to_contain_text("Hello, I'm Champion")
    context.close()

    page = new_page(browser, base_url)
    page.goto("/")
    log = page.get_by_role("log")
    expect(log).to_contain_text("Your privacy")
    assert log.inner_text().count("Hello, I'm Champion") == 1
    expect(page.locator("#greeting")).to_have_count(0)


def test_typed_questions_focus_the_box_and_done_stays_in_view(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = new_page(browser, base_url, 360, 640)
    page.goto("/")
    page.get_by_role("button", name="OK, let's start").click()
    page.get_by_role("button", name="Tell us what's happening").click()
    expect(page.get_by_role("log")).to_contain_text("How old is your child?")
    box = page.get_by_label("Your message")
    expect(box).to_be_focused()  # not "Skip this question"
    box.fill("9")
    box.press("Enter")
    page.get_by_role("button", name="Mainstream school").click()
    # A choice question still gives its first choice the focus.
    expect(page.get_by_role("button", name="No", exact=True)).to_be_focused()
    page.get_by_role("button", name="We've asked for one").click()
    page.get_by_role("button", name="Part-time timetable").click()
    done = page.get_by_role("button", name="Done", exact=True)
    expect(done).to_be_enabled()
    expect(done).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-multi-select-done-360.png"))


def test_quick_exit_leaves_nothing_in_the_back_button_and_keeps_the_chat(
    browser,  # type: ignore[no-untyped-def]
    base_url: str,
) -> None:
    from playwright.sync_api import expect

    page = new_page(browser, base_url, 360, 640)
    page.goto("/healthz")
    page.goto("/")
    page.get_by_role("button", name="OK, let's start").click()
    log = page.get_by_role("log")
    expect(log).to_contain_text("What would you like help with?")
    exit_link = page.get_by_role("link", name="Quick exit")
    expect(exit_link).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-quick-exit-360.png"))
    exit_link.click()
    page.wait_for_url(NEUTRAL)
    page.go_back()
    page.wait_for_load_state()
    assert "/healthz" in page.url  # the chat is not in the history
    # Nothing was ended or deleted: the chat is still there when the parent comes back.
    page.goto("/")
    expect(log).to_contain_text("What would you like help with?")

    # Esc twice does the same, from anywhere on the page.
    page.get_by_label("Your message").focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    page.go_back()
    page.wait_for_load_state()
    assert "/healthz" in page.url


def test_one_escape_does_not_leave(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = new_page(browser, base_url)
    page.goto("/")
    expect(page.get_by_role("log")).to_contain_text("Your privacy")
    page.keyboard.press("Escape")
    page.wait_for_timeout(1700)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url.startswith(base_url)


def test_the_no_javascript_page_has_a_quick_exit_link(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        page = client.post("/", data={"message": "hello"}, headers={"Origin": base_url})
    assert page.status_code == 200, page.text
    assert f'class="quick-exit" href="{NEUTRAL}"' in page.text


def test_read_aloud_speaks_a_bot_message(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = new_page(browser, base_url, script=FAKE_SPEECH)
    page.goto("/")
    log = page.get_by_role("log")
    expect(log).to_contain_text("Your privacy")
    reader = page.locator(".msg.bot").first.get_by_role("button", name="Read aloud")
    reader.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and spoken[0].startswith("Hello, I'm Champion")
    # Only bot messages have it, not the parent's own.
    page.get_by_role("button", name="OK, let's start").click()
    expect(log).to_contain_text("What would you like help with?")
    expect(page.locator(".msg.me .read-aloud")).to_have_count(0)


def test_read_aloud_is_hidden_without_speech(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = new_page(browser, base_url, script=NO_SPEECH)
    page.goto("/")
    expect(page.get_by_role("log")).to_contain_text("Your privacy")
    expect(page.get_by_role("button", name="Read aloud")).to_have_count(0)

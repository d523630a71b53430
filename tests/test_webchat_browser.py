"""The web chat page in headless Chromium: a parent moves through the menus by keyboard.

Screenshots are saved under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from tests.server import running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# Flags for a closed network: without them Chromium keeps dialling Google's hosts.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@contextmanager
def chat_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """A real `bot serve` on a fresh SQLite file, for one test module's pages."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp(name)
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'chat.sqlite3'}", "DATA_DIR": str(tmp)}
    with running_server(env, tmp / "server.log") as base:
        yield base


@contextmanager
def browser_page(base_url: str, **context_options: Any) -> Iterator[Any]:
    """A page in headless Chromium (a 1024 x 800 window unless told otherwise)."""
    from playwright.sync_api import sync_playwright

    options = {"viewport": {"width": 1024, "height": 800}} | context_options
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, **options)
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chat_server(tmp_path_factory, "browser") as base:
        yield base


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    with browser_page(base_url) as page:
        yield page


def test_a_parent_moves_through_the_menus_with_the_keyboard(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    log = page.get_by_role("log")
    expect(log).to_contain_text("Hello, I'm Champion")
    expect(log).to_contain_text("Your privacy")

    # The first choice has focus; Enter presses it.
    expect(page.get_by_role("button", name="OK, let's start")).to_be_focused()
    page.keyboard.press("Enter")
    expect(log).to_contain_text("What would you like help with?")
    expect(page.get_by_role("button", name="Your child's rights at school")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="EHC plans")).to_be_focused()
    page.keyboard.press("Enter")
    expect(log).to_contain_text("Education, Health and Care plan (EHCP) is a legal document")
    # Buttons of earlier steps can no longer be pressed.
    expect(page.get_by_role("button", name="OK, let's start")).to_be_disabled()

    # Typing works too, with a labelled message box.
    box = page.get_by_label("Your message")
    box.fill("Work out my deadlines")
    box.press("Enter")
    expect(log).to_contain_text("What date did the council get your request")
    box.fill("14/03/2025")
    box.press("Enter")
    expect(log).to_contain_text("Friday 14 March 2025")
    expect(box).to_be_focused()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-desktop.png"), full_page=True)

    # A reload keeps the whole conversation, and the latest buttons still work.
    page.reload()
    expect(log).to_contain_text("Friday 14 March 2025")
    expect(log).to_contain_text("Education, Health and Care plan (EHCP) is a legal document")
    main_menu = page.get_by_role("button", name="Main menu").last
    expect(main_menu).to_be_enabled()
    main_menu.click()
    expect(page.get_by_role("button", name="Drop-in sessions").last).to_be_enabled()


def test_html_typed_by_a_parent_is_shown_as_text(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    expect(page.get_by_role("log")).to_contain_text("Hello, I'm Champion")
    # The greeting is in the page's HTML; Enter is ignored until the chat's first reply
    # is in (the page is waiting for it), so wait for that.
    expect(page.get_by_role("log")).to_contain_text("Your privacy")
    box = page.get_by_label("Your message")
    box.fill(
        '<img src=x onerror="document.title=\'owned\'"><script>document.title="owned"</script>'
    )
    box.press("Enter")
    mine = page.locator(".msg.me").last
    expect(mine).to_contain_text("<script>document.title=")
    assert page.title() != "owned"
    assert page.locator(".log script, .log img").count() == 0


def test_readable_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    expect(page.get_by_role("log")).to_contain_text("Hello, I'm Champion")
    # Measured with the chat's replies and buttons shown, not the HTML greeting alone.
    expect(page.get_by_role("button", name="OK, let's start")).to_be_visible()
    no_sideways_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll
    button_height = page.get_by_role("button", name="OK, let's start").bounding_box()["height"]
    assert button_height >= 44  # a comfortable tap target
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-phone.png"), full_page=True)


def test_a_crisis_reply_is_scrolled_to_its_first_line_with_tappable_numbers(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 700})  # a phone
    page.goto("/")
    log = page.get_by_role("log")
    expect(log).to_contain_text("Your privacy")
    page.get_by_role("button", name="OK, let's start").click()
    expect(log).to_contain_text("What would you like help with?")
    story = (
        "We have waited 24 weeks for the EHCP and the school keep sending him home. "
        "Last night he told me he wants to kill himself. How long does the council have?"
    )
    page.get_by_label("Your message").fill(story)
    page.keyboard.press("Enter")
    crisis = page.locator(".msg.crisis").last
    expect(crisis).to_contain_text("999")
    # The numbers are links a phone can dial or text.
    expect(crisis.locator('a[href="tel:999"]')).to_have_count(1)
    expect(crisis.locator('a[href="tel:116123"]')).to_have_count(1)
    expect(crisis.locator('a[href="tel:08001111"]')).to_have_count(1)
    expect(crisis.locator('a[href^="sms:85258"]')).to_have_count(1)
    # Its first line is on screen, not scrolled past, even with the answer below it.
    top = page.evaluate(
        "() => { const m = [...document.querySelectorAll('.msg.crisis')].pop();"
        " const log = document.getElementById('log');"
        " return m.getBoundingClientRect().top - log.getBoundingClientRect().top; }"
    )
    assert 0 <= top < 80, top
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-crisis.png"))


def top_in_log(page, words: str) -> float:  # type: ignore[no-untyped-def]
    """How far below the top of the chat log the last bot message with `words` starts."""
    return float(
        page.evaluate(
            "(words) => { const m = [...document.querySelectorAll('.msg.bot')]"
            ".filter(e => e.textContent.includes(words)).pop();"
            " const log = document.getElementById('log');"
            " return m.getBoundingClientRect().top - log.getBoundingClientRect().top; }",
            words,
        )
    )


def test_an_answer_starts_on_screen_with_its_sources_folded(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 640})  # a phone
    page.goto("/")
    log = page.get_by_role("log")
    page.get_by_role("button", name="OK, let's start").click()
    expect(log).to_contain_text("What would you like help with?")
    page.get_by_label("Your message").fill(
        "how long does the council have to decide whether to assess my son for an ehcp"
    )
    page.keyboard.press("Enter")
    answer = page.locator(".msg.bot").filter(has_text="6 weeks").last
    expect(answer).to_be_visible()
    # The fact is read from its start: the answer's first line is in view.
    top = top_in_log(page, "6 weeks")
    assert 0 <= top < 80, top
    # Links are folded under "Sources", closed until the parent opens them.
    sources = answer.locator("details.sources")
    expect(sources).to_have_count(1)
    link = sources.locator("a").first
    expect(link).to_be_hidden()
    sources.locator("summary").click()
    expect(link).to_be_visible()
    expect(link).to_have_attribute(
        "href", "https://www.legislation.gov.uk/uksi/2014/1530/regulation/5"
    )
    # "Read more" gives the whole article, its sources folded the same way.
    page.get_by_role("button", name="Read more").last.click()
    article = page.locator(".msg.bot").filter(has_text="Where this comes from").last
    expect(article.locator("details.sources")).to_have_count(1)
    article_top = top_in_log(page, "Where this comes from")
    assert 0 <= article_top < 80, article_top
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-answer.png"))


def test_the_secret_stays_out_of_urls_and_the_chat_can_be_ended(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    seen: list[tuple[str, str | None]] = []
    page.on("request", lambda r: seen.append((r.url, r.headers.get("authorization"))))
    page.goto("/")
    log = page.get_by_role("log")
    page.get_by_role("button", name="OK, let's start").click()
    # Typed once the reply is in: Enter while the chat waits for one is ignored.
    expect(log).to_contain_text("What would you like help with?")
    box = page.get_by_label("Your message")
    box.fill("my son was sent home from school again today")
    box.press("Enter")
    expect(log).to_contain_text("You said: my son was sent home")
    # The parent's words show before they are sent: reload only once the reply is in
    # (Send is pressable again), or the reload can cut the message off.
    expect(page.locator("#send")).to_be_enabled()
    session = page.evaluate("localStorage.getItem('champion-session')")
    token = page.evaluate("localStorage.getItem('champion-session-token')")
    assert session and token

    # A reload shows the conversation again, fetched with the secret in a header.
    page.reload()
    expect(log).to_contain_text("my son was sent home from school again today")
    assert not any(session in url or token in url for url, _auth in seen)
    history = [auth for url, auth in seen if "/api/chat/history" in url]
    assert history and history[-1] == f"Bearer {token}"

    # "Get a copy of my data" arrives as a file saved from memory, not a link.
    box.fill("mydata")
    box.press("Enter")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").last.click()
    assert b"sent home from school" in Path(download.value.path()).read_bytes()

    # Ending the chat clears the page, and the old secret opens nothing any more.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End and clear this chat").click()
    expect(log).to_contain_text("This chat has been ended and cleared")
    expect(log).not_to_contain_text("sent home from school")
    expect(log).to_contain_text("Hello, I'm Champion")
    page.wait_for_function(f"localStorage.getItem('champion-session') !== '{session}'")
    old = page.request.get("/api/chat/history", headers={"Authorization": f"Bearer {token}"})
    assert old.status == 401
    page.screenshot(path=str(ARTIFACTS / "webchat-ended.png"), full_page=True)


def test_a_page_whose_secret_no_longer_works_starts_a_new_chat(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    log = page.get_by_role("log")
    expect(log).to_contain_text("Hello, I'm Champion")
    # The greeting is in the HTML: wait for the first reply, which stores the real
    # secret, or it would overwrite the broken one set here.
    expect(page.get_by_role("button", name="OK, let's start")).to_be_visible()
    page.evaluate("localStorage.setItem('champion-session-token', 'x'.repeat(43))")
    page.reload()
    expect(log).to_contain_text("started a new one for you")
    expect(log).to_contain_text("Hello, I'm Champion")
    expect(page.get_by_role("button", name="OK, let's start")).to_be_enabled()

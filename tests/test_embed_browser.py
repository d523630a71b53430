"""The chat embedded in a council's page, in headless Chromium with third-party cookies
blocked (issue #17).

The council's page is served from `localhost` and Champion from `127.0.0.1`: two
different *sites* (ports alone would be one site), so the chat's frame is third-party
and its storage is partitioned, as on a real council's Local Offer page.
Screenshots go under test-artifacts/.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.server import free_port, running_server
from tests.test_accessibility import AXE_JS, axe_violations
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

# Chromium blocks third-party cookies, as a browser with the setting on does.
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"
PRETENDED = "https://www.leeds.gov.uk"
HOST_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>Support for children and young people with SEND.</p></main>
<script src="{champion}/widget.js" {attributes} async></script></body></html>"""


@contextmanager
def council_site(pages: dict[str, str]) -> Iterator[str]:
    """A council's web server: `pages` by path, on http://localhost:<port>."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "Not found").encode())

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the council's page, Champion), Champion allowing only the council's origin."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    pages: dict[str, str] = {}
    with council_site(pages) as council:
        tmp = tmp_path_factory.mktemp("embed")
        env = {
            "DATABASE_URL": f"sqlite:///{tmp / 'chat.sqlite3'}",
            "DATA_DIR": str(tmp),
            # Leeds's real site is allowed too, so a page can pretend to be it.
            "EMBED_ALLOWED_ORIGINS": f"{council}=Leeds, {PRETENDED}",
        }
        with running_server(env, tmp / "server.log") as champion:
            snippet = 'data-council="Leeds" data-colour="#ffdd00" data-title="Leeds SEND chat"'
            pages["/local-offer"] = HOST_PAGE.format(
                title="Leeds Local Offer", champion=champion, attributes=snippet
            )
            pages["/typo"] = HOST_PAGE.format(
                title="Typo", champion=champion, attributes='data-council="Leeds Citty"'
            )
            pages["/framed-by-hand"] = (
                '<!doctype html><html lang="en"><head><title>Pretends</title></head><body>'
                f'<iframe title="chat" src="{champion}/embed?origin={PRETENDED}'
                '&council=Leeds"></iframe></body></html>'
            )
            yield council, champion


@pytest.fixture
def browser(sites: tuple[str, str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]
        )
        yield chromium
        chromium.close()


def new_page(browser: Any, base_url: str, **options: Any) -> Any:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1024, "height": 800}, **options
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def chat_frame(page: Any) -> Any:
    """The chat's frame, once the launcher has opened it and its page has loaded."""
    from playwright.sync_api import expect

    locator = page.frame_locator("iframe[title='Leeds SEND chat']")
    expect(locator.get_by_role("log")).to_contain_text("Hello, I'm Champion")
    return locator


def test_a_parent_chats_on_the_council_page_and_a_reload_keeps_the_chat(  # type: ignore[no-untyped-def]
    browser, sites
) -> None:
    from playwright.sync_api import expect

    council, champion = sites
    page = new_page(browser, council)
    page.goto("/local-offer")
    launcher = page.get_by_role("button", name="Leeds SEND chat")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert page.locator("iframe").count() == 0  # nothing loads until a parent asks
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    chat = chat_frame(page)
    frame = page.frame(url=re.compile(r"/embed\?"))
    assert frame is not None and frame.url.startswith(champion)
    # The frame is third-party and its cookies are blocked: it gets by without them.
    assert not frame.evaluate(
        "() => { document.cookie = 'probe=1; SameSite=None; Secure'; "
        "return document.cookie.includes('probe'); }"
    )

    chat.get_by_role("button", name="OK, let's start").click()
    log = chat.get_by_role("log")
    # Typed only once the reply is in: Enter while the chat waits for one is ignored.
    expect(log).to_contain_text("What would you like help with?")
    box = chat.get_by_label("Your message")
    box.fill("can I book a drop in session please")
    box.press("Enter")
    # Leeds was preset, so the parent is not asked for their council.
    expect(log).to_contain_text("There are no drop-in sessions coming up")
    expect(log).not_to_contain_text("Which council area do you live in?")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-on-council-page.png"))

    # The council's page reloads: the chat's secret survived in the frame's storage.
    page.reload()
    page.get_by_role("button", name="Leeds SEND chat").click()
    log = chat_frame(page).get_by_role("log")
    expect(log).to_contain_text("can I book a drop in session please")
    expect(log).to_contain_text("There are no drop-in sessions coming up")

    # Close chat gives focus back to the launcher.
    page.get_by_role("button", name="Close chat").click()
    expect(page.get_by_role("button", name="Leeds SEND chat")).to_be_focused()
    expect(page.locator("iframe")).to_be_hidden()


def test_quick_exit_in_the_frame_leaves_the_whole_council_page(browser, sites) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    council, _champion = sites
    page = new_page(browser, council)
    # The closed network has no BBC: the neutral page is answered here.
    page.context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(
            body="<!doctype html><title>Weather</title><p>Weather</p>", content_type="text/html"
        ),
    )
    page.goto("/local-offer")
    page.get_by_role("button", name="Leeds SEND chat").click()
    chat = chat_frame(page)
    # The greeting is in the page's HTML: wait for the chat's scripts, without which the
    # link leaves in the frame only.
    expect(chat.get_by_role("button", name="OK, let's start")).to_be_visible()
    chat.get_by_role("link", name=re.compile("Quick exit")).click()
    page.wait_for_url("https://www.bbc.co.uk/weather")
    expect(page).to_have_title("Weather")


def test_escape_in_the_frame_closes_the_chat_and_twice_leaves(browser, sites) -> None:  # type: ignore[no-untyped-def]
    """Escape in the chat (inside the frame, another site) closes the panel on the
    council's page and gives focus back to the launcher; Esc twice still leaves."""
    from playwright.sync_api import expect

    council, _champion = sites
    page = new_page(browser, council)
    page.context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(
            body="<!doctype html><title>Weather</title><p>Weather</p>", content_type="text/html"
        ),
    )
    page.goto("/local-offer")
    launcher = page.get_by_role("button", name="Leeds SEND chat")
    launcher.click()
    chat = chat_frame(page)
    # The greeting is in the page's HTML: wait for the chat's scripts to have run.
    expect(chat.get_by_role("button", name="OK, let's start")).to_be_visible()
    box = chat.get_by_label("Your message")
    box.fill("Escape keeps what I typed")
    box.press("Escape")
    expect(page.locator("iframe")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

    # Only the chat's own frame may close it: a message from the page itself does not.
    launcher.click()
    expect(box).to_have_value("Escape keeps what I typed")  # closing lost nothing
    page.evaluate("() => window.postMessage({ champion: 'escape' }, '*')")
    page.wait_for_timeout(300)
    expect(page.locator("iframe")).to_be_visible()

    # Escape on the panel's own button closes it too; a second one long after stays.
    page.wait_for_timeout(1700)  # two Escapes within 1.5 seconds leave, wherever they land
    page.get_by_role("button", name="Close chat").focus()
    page.keyboard.press("Escape")
    expect(page.locator("iframe")).to_be_hidden()
    expect(launcher).to_be_focused()
    page.wait_for_timeout(1700)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url.startswith(council)

    # Esc twice from the chat leaves the whole council page, as in the chat itself.
    launcher.click()
    box.focus()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    page.keyboard.press("Escape")
    page.wait_for_url("https://www.bbc.co.uk/weather")


def test_an_unknown_council_is_warned_about_in_the_console(browser, sites) -> None:  # type: ignore[no-untyped-def]
    council, _champion = sites
    page = new_page(browser, council)
    warnings: list[str] = []
    page.on(
        "console",
        lambda message: warnings.append(message.text) if message.type == "warning" else None,
    )
    with page.expect_console_message(lambda message: "Leeds Citty" in message.text):
        page.goto("/typo")
    assert any('data-council "Leeds Citty" is not a council Champion knows' in w for w in warnings)


def test_a_site_that_claims_to_be_another_cannot_frame_the_chat(browser, sites) -> None:  # type: ignore[no-untyped-def]
    council, _champion = sites
    page = new_page(browser, council)
    page.goto("/framed-by-hand", wait_until="load")  # "load" waits for the frame too
    frame = page.frame(url=re.compile(r"/embed\?"))
    # The URL says the frame is on www.leeds.gov.uk, so frame-ancestors names only that
    # site: Chromium refuses to show the chat inside this one.
    shown = frame.evaluate("() => document.body ? document.body.innerText : ''") if frame else ""
    assert "Champion" not in shown and "Your message" not in shown


def test_the_embedded_chat_has_no_wcag_violations(browser, sites) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    if not AXE_JS.exists():
        pytest.skip("axe-core is not installed (npm ci --ignore-scripts)")
    council, _champion = sites
    page = new_page(browser, council)
    page.goto("/local-offer")
    page.get_by_role("button", name="Leeds SEND chat").click()
    chat = chat_frame(page)
    expect(chat.get_by_role("button", name="OK, let's start")).to_be_visible()
    frame = page.frame(url=re.compile(r"/embed\?"))
    assert frame is not None
    # Evaluated through the debugging protocol, which the frame's CSP does not govern.
    frame.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    failures = [
        f"{v['id']} ({v['impact']}) at {t}: {v['help']}"
        for v in axe_violations(frame, "embed-frame")
        for t in v["targets"]
    ]
    # The council's yellow is behind black text; the launcher on the council's page too.
    failures += [
        f"host page: {v['id']} at {t}"
        for v in axe_violations(page, "embed-host-page")
        for t in v["targets"]
        if v["id"] == "color-contrast"
    ]
    assert not failures, "\n".join(failures)


def test_on_a_phone_the_chat_fills_the_screen_and_closes(browser, sites) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    council, _champion = sites
    page = new_page(browser, council)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/local-offer")
    launcher = page.get_by_role("button", name="Leeds SEND chat")
    launcher.click()
    chat_frame(page)
    box = page.locator("iframe").bounding_box()
    assert box is not None and box["width"] == 360 and box["height"] > 600
    expect(launcher).to_be_hidden()  # it would cover the Send button
    page.screenshot(path=str(ARTIFACTS / "embed-on-a-phone.png"))
    page.get_by_role("button", name="Close chat").click()
    expect(launcher).to_be_focused()


def test_a_reply_leaves_focus_where_the_parent_put_it_on_the_council_page(  # type: ignore[no-untyped-def]
    browser, sites
) -> None:
    """The parent sends, then moves to the council's page before the reply is in:
    the reply must not pull focus back into the chat's frame."""
    from playwright.sync_api import expect

    council, _champion = sites
    page = new_page(browser, council)
    page.goto("/local-offer")
    launcher = page.get_by_role("button", name="Leeds SEND chat")
    launcher.click()
    chat = chat_frame(page)
    log = chat.get_by_role("log")
    chat.get_by_role("button", name="OK, let's start").click()
    expect(log).to_contain_text("What would you like help with?")
    chat.get_by_role("button", name="Drop-in sessions").click()
    launcher.focus()  # back on the council's page while the reply is on its way
    expect(log).to_contain_text("There are no drop-in sessions coming up")
    page.wait_for_timeout(500)  # the chat moves focus 100 ms after a reply
    expect(launcher).to_be_focused()

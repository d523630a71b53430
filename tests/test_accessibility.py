"""Accessibility, measured: axe-core checks every page and state of the chat and the
console against WCAG 2.0, 2.1 and 2.2 A and AA, in headless Chromium (issue #17).

axe-core comes from npm, pinned in package.json and package-lock.json; `make test`
installs it with `npm ci --ignore-scripts`. Without it these tests are skipped.
Each page's results are saved as JSON under test-artifacts/axe/ for a person to read.
Set AXE_RECORD_ONLY=1 to record violations without failing (to survey a change).

Also checked, as the manual review asked: scrollable regions can be reached by
keyboard, the focus ring has at least 3:1 contrast, the console reflows at 320 CSS px
without sideways scrolling, and at 200% zoom more than one chat message shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.server import always_open_flows, create_account, running_server
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RECORD_ONLY = os.environ.get("AXE_RECORD_ONLY") == "1"
CHAMPION, ADMIN = "sam@example.org", "ada@example.org"
PASSWORD = "a long enough password"


def axe_violations(page, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core on the page as it is now; save the results; return the violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        WCAG_TAGS,
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]],
        }
        for v in results["violations"]
    ]
    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, indent=2), encoding="utf-8"
    )
    return violations


def check_axe(page, name: str, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Add one line per violation (id, impact, target) to `failures`."""
    for v in axe_violations(page, name):
        for target in v["targets"]:
            failures.append(f"{name}: {v['id']} ({v['impact']}) at {target}: {v['help']}")


def assert_none(failures: list[str], name: str) -> None:
    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}-failures.txt").write_text("".join(f + "\n" for f in failures))
    if failures and not RECORD_ONLY:
        pytest.fail(f"{len(failures)} WCAG violations found by axe-core:\n" + "\n".join(failures))


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not installed at {AXE_JS} (make test runs npm ci; is npm missing?)")
    tmp = tmp_path_factory.mktemp("accessibility")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'a11y.sqlite3'}",
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
    }
    create_account(env, CHAMPION, "champion", areas=("Leeds",), name="Sam", password=PASSWORD)
    create_account(env, ADMIN, "admin", areas=("Leeds",), name="Ada", password=PASSWORD)
    with running_server(env, tmp / "server.log") as base:
        yield base


@pytest.fixture
def browser(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser, base_url: str, width: int = 1280, height: int = 900, **options):  # type: ignore[no-untyped-def]
    # bypass_csp: the Content-Security-Policy rightly refuses axe's injected script.
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, bypass_csp=True, **options
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/console/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The queue itself: "/console/login" would match a looser pattern before signing in ends.
    page.wait_for_url(re.compile(r"/console/?$"))


def send_reply(sam, text: str) -> None:  # type: ignore[no-untyped-def]
    """Send a reply from a ticket page and wait until it is in the transcript.

    Straight after a claim (a full page load) the button can be pressed before
    console.js has loaded; the form then posts the plain way and the page reloads.
    Waiting for the reply in the transcript waits out either path, so nothing typed
    next lands on a page that is about to be replaced.
    """
    from playwright.sync_api import expect

    sam.get_by_label("Reply to the parent").fill(text)
    sam.get_by_role("button", name="Send to parent").click()
    expect(sam.locator("#transcript")).to_contain_text(text)
    sam.wait_for_load_state()


def newest_ticket(page) -> int:  # type: ignore[no-untyped-def]
    """The highest ticket number linked from this (queue) page: the newest request.
    Earlier tests in a module leave other tickets, so not simply the first link."""
    links = page.locator("a[href^='/console/tickets/']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return max(int(re.search(r"/console/tickets/(\d+)", link).group(1)) for link in links)


def ask_for_a_champion(chat) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    log = chat.get_by_role("log")
    chat.goto("/")
    chat.get_by_role("button", name="OK, let's start").click()
    chat.get_by_role("button", name="Talk to a Parent Champion").click()
    expect(log).to_contain_text("which council do you live in?")
    chat.get_by_label("Your message").fill("Leeds")
    chat.keyboard.press("Enter")
    expect(log).to_contain_text("I've asked a Parent Champion to join this chat")


def test_every_chat_state_has_no_wcag_violations(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    failures: list[str] = []
    page = new_page(browser, base_url, 390, 800)
    log = page.get_by_role("log")
    page.goto("/")
    expect(log).to_contain_text("Hello, I'm Champion")
    check_axe(page, "chat-start", failures)

    page.get_by_role("button", name="OK, let's start").click()
    expect(log).to_contain_text("What would you like help with?")
    page.get_by_label("Your message").fill(
        "how long does the council have to decide whether to assess my son for an ehcp"
    )
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot").filter(has_text="6 weeks").last).to_be_visible()
    page.locator("details.sources summary").last.click()
    check_axe(page, "chat-answer", failures)

    # A multi-select question (triage: "What are you worried about?").
    box = page.get_by_label("Your message")
    box.fill("start triage")
    box.press("Enter")
    expect(log).to_contain_text("How old is your child?")
    box.fill("8")
    box.press("Enter")
    page.get_by_role("button", name="Mainstream school").last.click()
    page.get_by_role("button", name="No", exact=True).last.click()
    expect(log).to_contain_text("Pick all that apply")
    page.get_by_role("button", name="EHC plans").last.click()
    check_axe(page, "chat-multi-select", failures)

    handoff = new_page(browser, base_url, 390, 800)
    ask_for_a_champion(handoff)
    check_axe(handoff, "chat-handoff", failures)

    crisis = new_page(browser, base_url, 390, 800)
    crisis.goto("/")
    crisis.get_by_role("button", name="OK, let's start").click()
    expect(crisis.get_by_role("log")).to_contain_text("What would you like help with?")
    crisis.get_by_label("Your message").fill(
        "Last night he told me he wants to kill himself. How long does the council have?"
    )
    crisis.keyboard.press("Enter")
    expect(crisis.locator(".msg.crisis").last).to_contain_text("999")
    check_axe(crisis, "chat-crisis", failures)

    # Without JavaScript: the form posts to / and the reply is a page from the server.
    # axe itself is JavaScript, so it is injected through DevTools into a copy of that
    # page opened with JavaScript on (the page is the same HTML either way).
    nojs = new_page(browser, base_url, 390, 800, java_script_enabled=False)
    nojs.goto("/")
    nojs.get_by_label("Your message").fill("hello")
    nojs.get_by_role("button", name="Send").click()
    nojs.get_by_role("button", name="OK, let's start").click()
    nojs.get_by_label("Your message").fill("how long does the council have to decide")
    nojs.get_by_role("button", name="Send").click()
    expect(nojs.locator("#latest")).to_be_visible()
    html = nojs.content()
    rendered = new_page(browser, base_url, 390, 800)
    rendered.route(
        f"{base_url}/rendered", lambda route: route.fulfill(body=html, content_type="text/html")
    )
    rendered.route(re.compile(r".*\.js$"), lambda route: route.abort())
    rendered.goto("/rendered")
    check_axe(rendered, "chat-no-javascript", failures)
    assert_none(failures, "chat")


def test_at_200_percent_zoom_more_than_one_message_shows(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    """200% zoom of a 1280x720 laptop window is a 640x360 CSS px viewport."""
    from playwright.sync_api import expect

    page = new_page(browser, base_url, 640, 360, device_scale_factor=2)
    page.goto("/")
    page.get_by_role("button", name="OK, let's start").click()
    expect(page.get_by_role("log")).to_contain_text("What would you like help with?")
    page.get_by_label("Your message").fill("hello")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.me")).to_have_count(2)  # "OK, let's start" and "hello"
    # Send comes back once the reply is drawn (and scrolled to): count after that, not
    # after a guess at how long the reply takes.
    expect(page.locator("#send")).to_be_enabled()
    # The newest reply is kept at the top of the log (read from its start), so count
    # from the top of the conversation: the greeting and what follows it.
    page.evaluate("document.getElementById('log').scrollTop = 0")
    log_height = page.evaluate("document.getElementById('log').getBoundingClientRect().height")
    assert log_height >= 180, f"the messages get {log_height}px of a 360px window"
    shown = page.evaluate(
        """() => { const log = document.getElementById('log').getBoundingClientRect();
        return [...document.querySelectorAll('#log .msg')].filter(m => {
            const r = m.getBoundingClientRect();
            return Math.min(r.bottom, log.bottom, innerHeight) - Math.max(r.top, log.top, 0) >= 20;
        }).length; }"""
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-zoom-200.png"))
    assert shown >= 2, f"only {shown} message(s) visible at 200% zoom"


# The innermost elements that reach past the right edge, to say what to fix.
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 321
        && ![...e.children].some(c => c.getBoundingClientRect().right > 321))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
        + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""


def console_pages(browser, base_url: str) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """Walk every console page and state, yielding (name, page) at each."""
    from playwright.sync_api import expect

    parent = new_page(browser, base_url, 390, 800)
    ask_for_a_champion(parent)

    sam = new_page(browser, base_url)
    sam.goto("/console/login")
    yield "console-login", sam
    sign_in(sam, CHAMPION)
    expect(sam.get_by_role("heading", name="Queue")).to_be_visible()
    yield "console-queue", sam
    sam.locator("a[href^='/console/tickets/']").first.click()
    expect(sam.locator("#transcript")).to_contain_text("Bot")
    yield "console-ticket", sam
    sam.get_by_role("button", name="Claim this ticket").click()
    expect(sam.locator("main").get_by_role("status")).to_contain_text(
        "You have claimed this ticket"
    )
    send_reply(sam, "Hello, I'm Sam.")
    sam.get_by_label("Note", exact=True).fill("Mum prefers a call after 3pm.")
    sam.get_by_label("Share with the family").check()
    sam.get_by_role("button", name="Save note").click()
    expect(sam.locator("body")).to_contain_text("Mum prefers a call after 3pm.")
    yield "console-ticket-notes", sam
    # "Check back with this family": a follow-up with a message, then its error state.
    sam.get_by_label("Day", exact=True).fill(f"{dt.date.today() + dt.timedelta(days=2):%Y-%m-%d}")
    sam.get_by_label("Message to the parent (optional)").fill("How did the meeting go?")
    sam.get_by_role("button", name="Set follow-up").click()
    expect(sam.locator("#follow-up-list")).to_contain_text("How did the meeting go?")
    yield "console-ticket-follow-up", sam
    sam.get_by_label("Day", exact=True).fill("2001-01-01")
    sam.get_by_role("button", name="Set follow-up").click()
    expect(sam.locator("#form-error")).to_contain_text("That day has passed.")
    yield "console-ticket-follow-up-error", sam
    sam.goto("/console/sessions")
    yield "console-dropins", sam
    sam.get_by_label("Title").fill("Coffee morning")
    sam.get_by_label("Council area").select_option(label="Leeds")
    sam.get_by_label("Venue (leave empty for an online session)").fill("Library")
    sam.get_by_label("Address").fill("1 High Street, Leeds")
    sam.get_by_label("Date").fill("2030-01-15")
    sam.get_by_label("Starts (UK time)").fill("10:00")
    sam.get_by_label("Ends (UK time)").fill("12:00")
    sam.get_by_label("Places").fill("10")
    sam.locator("form:has(#title) button[type=submit]").first.click()
    # Adding a session opens its own page (bookings, attendance, message, cancel).
    expect(sam.get_by_role("heading", name="Coffee morning")).to_be_visible()
    yield "console-dropin", sam

    sam.goto("/console/password")
    yield "console-password", sam
    sam.goto("/console/ratings")
    expect(sam.get_by_role("heading", name="My ratings")).to_be_visible()
    yield "console-my-ratings", sam
    # "How did it go?": Sam answers a new parent, closes the chat, the parent rates it,
    # and it shows (issue #18). Their own ticket, the newest: earlier tests in this module
    # leave others (a crisis one first in the queue), and a crisis chat is not rated.
    rater = new_page(browser, base_url, 390, 800)
    ask_for_a_champion(rater)
    sam.goto("/console")
    sam.goto(f"/console/tickets/{newest_ticket(sam)}")
    sam.get_by_role("button", name="Claim this ticket").click()
    send_reply(sam, "Hello, I'm Sam.")
    expect(rater.get_by_role("log")).to_contain_text("Hello, I'm Sam.")
    sam.get_by_label("Outcome").select_option("advice_given")
    sam.get_by_label("Yes, close this ticket").check()
    sam.get_by_role("button", name="Close and hand back to the bot").click()
    rater.get_by_role("button", name="5 Very helpful").click()
    expect(rater.get_by_role("log")).to_contain_text("Anything you'd like to add?")
    yield "chat-rating-comment", rater
    rater.get_by_label("Your message").fill("Sam was kind and clear.")
    rater.keyboard.press("Enter")
    expect(rater.get_by_role("log")).to_contain_text("Thank you for telling us")
    sam.goto("/console/ratings")
    expect(sam.locator("main")).to_contain_text("Sam was kind and clear.")
    yield "console-my-ratings-with-one", sam

    ada = new_page(browser, base_url)
    sign_in(ada, ADMIN)
    # An account's own page (role, councils by region), a reset link, and its page.
    ada.goto("/console/users")
    ada.get_by_role("link", name=re.compile("Role, council list and password reset")).first.click()
    expect(ada.get_by_role("button", name="Make a password-reset link")).to_be_visible()
    yield "console-account", ada
    ada.get_by_role("button", name="Make a password-reset link").click()
    link = ada.get_by_label(re.compile("One-time link for")).input_value()
    yield "console-account-reset-link", ada
    stranger = new_page(browser, base_url)
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="Choose a new password")).to_be_visible()
    yield "console-reset", stranger
    for name, path in [
        ("console-dropins-import", "/console/sessions/import"),
        ("console-reports", "/console/reports"),
        ("console-accounts", "/console/users"),
        ("console-audit", "/console/audit"),
        ("console-content", "/console/content"),
    ]:
        ada.goto(path)
        yield name, ada
    ada.get_by_role("link", name="flows/main.yml").click()
    editor = ada.get_by_label("Text of flows/main.yml")
    yield "console-content-edit", ada
    old, new = "What would you like help with?", "What can I help you with today?"
    editor.fill(editor.input_value().replace(old, new))
    ada.get_by_role("button", name="Save draft").click()
    expect(ada.locator("main").get_by_role("status")).to_contain_text("Saved as a draft")
    yield "console-content-draft-saved", ada
    ada.goto("/console/content")
    yield "console-content-with-draft", ada
    ada.get_by_label("What changed (for the history)").fill("Friendlier menu question")
    ada.get_by_role("button", name="Publish").click()
    expect(ada.locator("main").get_by_role("status")).to_contain_text("Published")
    expect(ada.locator("pre.diff")).to_be_visible()
    yield "console-content-published-diff", ada
    ada.goto("/console/content/history")
    yield "console-content-history", ada
    ada.locator("a[href^='/console/content/releases/']").first.click()
    expect(ada.locator("pre.diff")).to_be_visible()
    yield "console-content-release-diff", ada
    ada.goto("/console/content/preview")
    ada.get_by_role("button", name="OK, let's start").click()
    expect(ada.get_by_role("log")).to_contain_text(new)
    yield "console-content-preview", ada


def test_every_console_page_has_no_wcag_violations_and_reflows_at_320px(  # type: ignore[no-untyped-def]
    browser, base_url: str
) -> None:
    failures: list[str] = []
    for name, page in console_pages(browser, base_url):
        check_axe(page, name, failures)
        width = page.viewport_size["width"]  # type: ignore[attr-defined]
        page.set_viewport_size({"width": 320, "height": 640})
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll > 320:
            wide = page.evaluate(WIDEST)
            failures.append(f"{name}: scrolls sideways at 320 CSS px ({scroll}px wide): {wide}")
        page.screenshot(path=str(ARTIFACTS / "axe" / f"{name}-320.png"), full_page=True)
        page.set_viewport_size({"width": width, "height": 900})
    assert_none(failures, "console")


def test_scrollable_regions_are_focusable_and_the_focus_ring_shows(  # type: ignore[no-untyped-def]
    browser, base_url: str
) -> None:
    """#transcript and pre.diff take focus and have a name; the ring has 3:1 contrast."""
    from playwright.sync_api import expect

    parent = new_page(browser, base_url, 390, 800)
    ask_for_a_champion(parent)
    sam = new_page(browser, base_url)
    sign_in(sam, CHAMPION)
    sam.locator("a[href^='/console/tickets/']").first.click()
    transcript = sam.locator("#transcript")
    expect(transcript).to_have_attribute("tabindex", "0")
    expect(transcript).to_have_accessible_name(re.compile(r"\S"))
    transcript.focus()
    ring = sam.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineColor, s.outlineWidth, s.boxShadow]; }"""
    )
    assert ring[0] != "none" and contrast(ring[1], "rgb(255, 255, 255)") >= 3, ring

    ada = new_page(browser, base_url)
    sign_in(ada, ADMIN)
    ada.goto("/console/content/history")
    releases = ada.locator("a[href^='/console/content/releases/']")
    if releases.count():
        releases.first.click()
        diff = ada.locator("pre.diff").first
        expect(diff).to_have_attribute("tabindex", "0")
        expect(diff).to_have_accessible_name(re.compile(r"\S"))


def _luminance(colour: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", colour)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)

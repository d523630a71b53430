"""A champion's afternoon in headless Chromium (issue #18): on a ticket page, alerted to
a new crisis; working the ticket by keyboard alone; seeing the family's earlier request
and its note; transferring with a handover note. Then the new-request alert on a page
other than the queue, only for the champion's areas, and the "Turn on desktop alerts"
button.

System notifications are watched by an init script that records each one the page
constructs (and still makes the real one). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import always_open_flows, create_account, running_server
from tests.test_accessibility import assert_none, check_axe, sign_in
from tests.test_console_keyboard import _parent_asks
from tests.test_crisis_in_conversation import CRISIS
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
ASHA, BEN = "asha@example.org", "ben@example.org"  # both cover Leeds
EARLIER_NOTE = "Rang the school: they will review his transport in March."

# Records every system notification the page makes, and every permission request;
# and how many "count" events the page's alert stream has sent: the stream sends its
# first one once it is listening, so a crisis or request after that is heard.
WATCH_NOTIFICATIONS = """
(() => {
  window.alertCountsHeard = 0;
  const RealSource = window.EventSource;
  if (RealSource) {
    window.EventSource = class extends RealSource {
      constructor(url, options) {
        super(url, options);
        if (new URL(url, location.href).pathname === "/console/alerts") {
          this.addEventListener("count", () => { window.alertCountsHeard += 1; });
        }
      }
    };
  }
  const Real = window.Notification;
  if (!Real) return;
  window.shownNotifications = [];
  window.permissionRequests = 0;
  function Watched(title, options) {
    window.shownNotifications.push({ title: title, body: (options || {}).body || "" });
    return new Real(title, options);
  }
  Object.defineProperty(Watched, "permission", { get: () => Real.permission });
  Watched.requestPermission = function () {
    window.permissionRequests += 1;
    return Real.requestPermission.apply(Real, arguments);
  };
  window.Notification = Watched;
})();
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    tmp = tmp_path_factory.mktemp("console-journey")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'console.sqlite3'}",
        "DATA_DIR": str(tmp),
        "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
    }
    create_account(env, ASHA, "champion", areas=("Leeds",), name="Asha Patel")
    create_account(env, BEN, "champion", areas=("Leeds",), name="Ben Okafor")
    with running_server(env, tmp / "server.log") as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def champion_page(browser: Any, base_url: str, email: str, notifications: bool) -> Any:
    """A champion signed in, in their own browser; `notifications`: allowed or not asked."""
    from playwright.sync_api import expect

    # bypass_csp: only so axe-core's script can be added (tests/test_accessibility.py).
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    if notifications:
        context.grant_permissions(["notifications"])
    context.add_init_script(WATCH_NOTIFICATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, email)
    # sign_in's wait also matches the sign-in page's own address (/console/login): wait
    # for the queue, and its scripts (the keyboard shortcuts), before going anywhere.
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.wait_for_load_state()
    return page


def shown(page: Any) -> list[dict[str, str]]:
    return page.evaluate("window.shownNotifications")


def alerts_listening(page: Any) -> None:
    """Wait until this page's alert stream listens (its first count has arrived): a crisis
    heard before that would not be announced on this page."""
    page.wait_for_function("window.alertCountsHeard > 0")


def site_permission(page: Any, origin: str, setting: str) -> None:
    """Set the site's notifications permission as a person would in the browser's site
    settings (Playwright can only grant; Chromium's own protocol can also refuse)."""
    target = page.context.new_cdp_session(page).send("Target.getTargetInfo")["targetInfo"]
    page.context.browser.new_browser_cdp_session().send(
        "Browser.setPermission",
        {
            "permission": {"name": "notifications"},
            "setting": setting,
            "origin": origin,
            "browserContextId": target["browserContextId"],
        },
    )


def crisis_through_the_chat_api(base_url: str) -> None:
    """Another parent, on another device, writes a crisis message (POST /api/chat)."""
    session = f"journey-{uuid.uuid4().hex}"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        started = client.post("/api/chat", json={"session": session, "payload": "global:start"})
        assert started.status_code == 200, started.text
        token = started.json()["token"]
        said = client.post(
            "/api/chat",
            json={"session": session, "text": CRISIS},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert said.status_code == 200, said.text


def test_a_champion_on_a_ticket_is_alerted_works_it_by_keyboard_and_hands_it_over(
    browser: Any, base_url: str
) -> None:
    from playwright.sync_api import expect

    # A parent asks for a champion; Ben helps, notes what he did and closes the ticket.
    parent = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 800})
    chat = parent.new_page()
    chat.set_default_timeout(15_000)
    log = chat.get_by_role("log")
    chat.goto("/")
    chat.get_by_role("button", name="OK, let's start").click()
    chat.get_by_role("button", name="Talk to a Parent Champion").click()
    expect(log).to_contain_text("which council do you live in?")
    chat.get_by_label("Your message").fill("Leeds")
    chat.keyboard.press("Enter")
    expect(log).to_contain_text("I've asked a Parent Champion to join this chat")
    chat.get_by_label("Your message").fill("The taxi to school has stopped coming")
    chat.keyboard.press("Enter")
    expect(log).to_contain_text("I've passed that on")

    ben = champion_page(browser, base_url, BEN, notifications=False)
    ben.goto("/console/tickets/1")
    ben.get_by_role("button", name="Claim this ticket").click()
    # The claim reloads the page and the note box is on both: write once the new one is
    # in (the parent hearing of Ben says only that the server has the claim).
    expect(ben.locator("main").get_by_role("status")).to_contain_text(
        "You have claimed this ticket"
    )
    expect(log).to_contain_text("Ben has joined the chat")
    ben.get_by_label("Note", exact=True).fill(EARLIER_NOTE)
    ben.get_by_role("button", name="Save note").click()
    expect(ben.locator("main").get_by_role("status")).to_contain_text("Note saved")
    ben.get_by_label("Outcome").select_option(label="Advice given")
    ben.get_by_label("Yes, close this ticket").check()
    ben.get_by_role("button", name="Close and hand back to the bot").click()
    expect(log).to_contain_text("The Parent Champion has closed this chat")
    chat.screenshot(path=str(ARTIFACTS / "journey-1-earlier-ticket-closed.png"), full_page=True)

    # The same parent asks again, weeks later as far as anyone is concerned.
    chat.get_by_role("button", name="Talk to a Parent Champion again").last.click()
    latest = log.locator(".msg").last
    expect(latest).to_contain_text(re.compile("which council do you live in|I've asked a Parent"))
    if "which council" in (latest.text_content() or ""):
        chat.get_by_label("Your message").fill("Leeds")
        chat.keyboard.press("Enter")
    expect(log.locator(".msg").last).to_contain_text(
        "I've asked a Parent Champion to join this chat"
    )
    chat.get_by_label("Your message").fill("Still no taxi, and now he is missing school")
    chat.keyboard.press("Enter")
    expect(log.locator(".msg").last).to_contain_text("I've passed that on")

    # Asha signs in and works the new ticket by keyboard alone.
    asha = champion_page(browser, base_url, ASHA, notifications=True)
    expect(asha.locator("#waiting-count")).to_have_text("1 waiting")
    asha.keyboard.press("j")
    expect(asha.get_by_role("link", name="#2")).to_be_focused()
    asha.keyboard.press("Enter")
    expect(asha.get_by_role("heading", name="Ticket #2")).to_be_visible()
    asha.wait_for_load_state()  # the new page's shortcuts listen before "c" is pressed
    expect(asha).to_have_title("(1) Ticket #2 – Champion")  # waiting in her areas
    # Desktop alerts are allowed already: no button to turn them on.
    expect(asha.get_by_role("button", name="Turn on desktop alerts")).to_be_hidden()

    # The family's earlier request is there, with Ben's note: no need to ask again.
    history = asha.locator("#family-history")
    expect(history.get_by_role("link", name="#1")).to_be_visible()
    expect(history).to_contain_text("Closed: Advice given")
    expect(history).to_contain_text(f"Ben Okafor: {EARLIER_NOTE}")
    asha.screenshot(path=str(ARTIFACTS / "journey-2-family-history.png"), full_page=True)

    asha.keyboard.press("c")
    expect(asha.locator("main").get_by_role("status")).to_contain_text(
        "You have claimed this ticket"
    )
    asha.wait_for_load_state()  # the claim reloaded the page: its shortcuts, before "r"
    expect(log).to_contain_text("Asha has joined the chat")
    expect(asha).to_have_title("Ticket #2 – Champion")  # nothing else waiting
    asha.keyboard.press("r")
    expect(asha.get_by_label("Reply to the parent")).to_be_focused()
    asha.keyboard.press("Tab")  # out of the box, so "/" is a shortcut again
    asha.keyboard.press("/")
    picker = asha.get_by_role("dialog", name="Choose a canned reply")
    expect(picker).to_be_visible()
    asha.keyboard.type("sendiass")
    expect(picker.get_by_role("button", name="SENDIASS")).to_be_visible()
    asha.keyboard.press("Enter")
    reply = asha.get_by_label("Reply to the parent")
    expect(reply).to_be_focused()
    expect(reply).to_have_value(re.compile("^Your local SENDIASS gives free"))

    # The server is slow to take the reply: Asha moves on to her note before it has. When
    # the send finishes, the note keeps her focus, so her private words cannot land in
    # the next reply to the parent.
    held = []

    def hold(route) -> None:  # type: ignore[no-untyped-def]
        held.append(route)

    asha.route(re.compile(r"/console/tickets/\d+/reply$"), hold)
    asha.keyboard.press("Control+Enter")
    for _ in range(100):
        if held:
            break
        asha.wait_for_timeout(50)
    assert held, "the reply was never sent"
    asha.keyboard.press("Tab")
    asha.keyboard.press("n")
    note = asha.get_by_label("Note", exact=True)
    expect(note).to_be_focused()
    asha.keyboard.type("Sent SENDIASS details; transport is the council's duty.")
    held[0].continue_()
    asha.unroute(re.compile(r"/console/tickets/\d+/reply$"), hold)
    expect(asha.locator("#transcript")).to_contain_text("Your local SENDIASS gives free")
    expect(log).to_contain_text("Your local SENDIASS gives free")
    expect(asha.get_by_role("button", name="Send to parent")).to_be_enabled()  # send done
    expect(note).to_be_focused()
    expect(note).to_have_value("Sent SENDIASS details; transport is the council's duty.")
    expect(reply).to_have_value("")
    asha.keyboard.press("Tab")  # the "Share with the family" box, left unticked
    asha.keyboard.press("Tab")  # the Save note button
    asha.keyboard.press("Enter")
    expect(asha.locator("main").get_by_role("status")).to_contain_text("Note saved")
    asha.screenshot(path=str(ARTIFACTS / "journey-3-worked-by-keyboard.png"), full_page=True)

    # Meanwhile another parent writes a crisis message; Asha is still on the ticket (the
    # page the note reloaded, listening by now).
    alerts_listening(asha)
    assert shown(asha) == []
    crisis_through_the_chat_api(base_url)
    crisis = asha.get_by_role("alert").filter(has_text="Crisis")
    expect(crisis).to_contain_text("Crisis: a parent on the web chat needs urgent help now.")
    expect(crisis.get_by_role("link", name="Open the queue")).to_be_visible()
    expect(asha.get_by_role("heading", name="Ticket #2")).to_be_visible()  # not taken away
    asha.wait_for_function("window.shownNotifications.length > 0")
    assert shown(asha)[0] == {
        "title": "Champion: crisis",
        "body": "A parent on the web chat needs urgent help now.",
    }
    # Its ticket follows: a polite line with a link (no area yet: every champion sees it).
    new_request = asha.locator("#new-request")
    expect(new_request).to_contain_text("New request waiting: #3, crisis, area not known.")
    expect(new_request.get_by_role("link", name="Open request #3")).to_have_attribute(
        "href", "/console/tickets/3"
    )
    expect(asha).to_have_title("(1) Ticket #2 – Champion")
    asha.screenshot(path=str(ARTIFACTS / "journey-4-crisis-alert.png"), full_page=True)
    failures: list[str] = []
    check_axe(asha, "console-ticket-with-alerts", failures)
    assert_none(failures, "console-ticket-with-alerts")
    # No parent's words in any notification.
    assert all(CRISIS not in n["body"] and "taxi" not in n["body"] for n in shown(asha))

    # Asha hands the ticket to Ben with a handover note, confirming the transfer.
    handover = asha.locator("#transfer-member")
    handover.get_by_label("To another champion").select_option(label="Ben Okafor (Leeds)")
    handover.get_by_label("Handover note").fill("Parent waiting on transport; SENDIASS sent.")
    handover.get_by_role("button", name="Transfer to champion").click()
    # The confirmation box is required: nothing moves until it is ticked.
    expect(asha.get_by_role("heading", name="Ticket #2")).to_be_visible()
    expect(log).not_to_contain_text("taking over this chat")
    handover.get_by_label("Yes, transfer this ticket").check()
    handover.get_by_role("button", name="Transfer to champion").click()
    expect(asha.locator("main").get_by_role("status")).to_contain_text("Ticket transferred.")
    expect(asha.locator("#not-yours")).to_contain_text("Ben Okafor has this ticket")
    expect(asha).to_have_title("(1) Ticket #2 – Champion")  # the count, from a fresh page
    expect(log).to_contain_text("Ben from our team is taking over this chat.")
    expect(log).not_to_contain_text("Okafor")  # parents see a first name only
    asha.screenshot(path=str(ARTIFACTS / "journey-5-transferred.png"), full_page=True)
    chat.screenshot(path=str(ARTIFACTS / "journey-5-parent-sees-ben.png"), full_page=True)
    parent.close()


def test_new_requests_are_announced_on_other_pages_for_the_champions_areas(
    browser: Any, base_url: str
) -> None:
    from playwright.sync_api import expect

    asha = champion_page(browser, base_url, ASHA, notifications=True)
    asha.goto("/console/password")
    expect(asha.get_by_role("heading", name="Your password")).to_be_visible()
    line = asha.get_by_role("status").filter(has_text="New request waiting")
    alerts_listening(asha)
    before = asha.evaluate("window.shownNotifications.length")

    # A parent in Kent: not Asha's area, so nothing on her page.
    _parent_asks(browser, base_url, "no school place for September", council="Kent")
    # A parent in Leeds: announced, politely, with a link, a count and a notification.
    _parent_asks(browser, base_url, "the annual review was cancelled", council="Leeds")
    expect(line).to_contain_text(re.compile(r"New request waiting: #\d+, from Leeds\."))
    number = re.search(r"#(\d+)", line.text_content() or "")
    assert number
    expect(line.get_by_role("link", name=f"Open request #{number[1]}")).to_have_attribute(
        "href", f"/console/tickets/{number[1]}"
    )
    expect(asha).to_have_title(re.compile(r"^\(\d+\) Your password – Champion$"))
    asha.wait_for_function(f"window.shownNotifications.length > {before}")
    assert shown(asha)[before:] == [
        {"title": "Champion: new request", "body": f"#{number[1]}, from Leeds"}
    ]
    asha.screenshot(path=str(ARTIFACTS / "journey-new-request-alert.png"), full_page=True)
    failures: list[str] = []
    check_axe(asha, "console-new-request-alert", failures)
    assert_none(failures, "console-new-request-alert")
    line.get_by_role("link").click()
    expect(asha.get_by_role("heading", name=f"Ticket #{number[1]}")).to_be_visible()


def test_the_desktop_alerts_button_asks_only_when_clicked(browser: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    ben = champion_page(browser, base_url, BEN, notifications=False)
    ben.goto("/console/sessions")
    button = ben.get_by_role("button", name="Turn on desktop alerts")
    expect(button).to_be_visible()
    # Using the page does not ask; only the button does (browsers need a click to ask).
    ben.get_by_role("heading").first.click()
    ben.keyboard.press("j")
    assert ben.evaluate("window.permissionRequests") == 0
    ben.screenshot(path=str(ARTIFACTS / "journey-desktop-alerts-button.png"))
    failures: list[str] = []
    check_axe(ben, "console-desktop-alerts-button", failures)
    button.click()
    assert ben.evaluate("window.permissionRequests") == 1

    # Refused in the browser: a short note on how to allow it instead of the button.
    site_permission(ben, base_url, "denied")
    ben.reload()
    expect(button).to_be_hidden()
    note = ben.locator("#desktop-alerts")
    expect(note).to_contain_text("Desktop alerts are blocked for this site.")
    expect(note).to_contain_text("set Notifications to Allow")
    ben.screenshot(path=str(ARTIFACTS / "journey-desktop-alerts-blocked.png"))
    check_axe(ben, "console-desktop-alerts-blocked", failures)
    assert_none(failures, "console-desktop-alerts")

    # Allowed: nothing to show.
    site_permission(ben, base_url, "granted")
    ben.reload()
    expect(note).to_be_hidden()
    expect(button).to_be_hidden()

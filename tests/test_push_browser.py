"""Web Push on the chat page, in headless Chromium against a real `bot serve` (issue #17).

Headless Chromium can't subscribe at a real push service offline, so the page's side
is tested in two halves: the page registers the service worker when the parent asks
for notifications, and DevTools' `ServiceWorker.deliverPushMessage` delivers a push
to it, which must show the neutral notification; and a subscription made through
the API (a stand-in push service's, tests/fakes/push_service.py) shows on a
reloaded page as on, with "Stop notifications" turning it off. In a council's frame,
where browsers don't ask, the chat opens its own page in a new tab with the same
conversation, and notifications are offered there. The sending side,
encryption and VAPID included, is tests/test_push_notify.py. Screenshots and axe
results go to test-artifacts/.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.notify.outbox import SEEN_GRACE
from bot.notify.push_keys import generate
from bot.notify.push_setup import SWEEP_SECONDS
from tests.chat import Parent
from tests.console import Champion
from tests.console import ask_for_a_champion as ask_by_api
from tests.fakes.push_service import PushService
from tests.server import PASSWORD, always_open_flows, create_account, running_server
from tests.test_accessibility import AXE_JS, assert_none, check_axe
from tests.test_embed_browser import BLOCK_THIRD_PARTY_COOKIES, HOST_PAGE, council_site
from tests.test_webchat_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
KEYS = generate()
NEUTRAL = "A Parent Champion has replied"
TURN_ON = "Tell me when a Parent Champion replies"
REMINDER = "You have a reminder from Champion"
OPEN_OWN_PAGE = "Get notifications: open this chat in a new tab"
EMAIL = "sam@example.org"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(a council's page with the widget, Champion with push on)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)")
    if not AXE_JS.exists():
        pytest.skip(f"axe-core not installed at {AXE_JS} (make test runs npm ci; is npm missing?)")
    pages: dict[str, str] = {}
    with council_site(pages) as council:
        tmp = tmp_path_factory.mktemp("push-browser")
        env = {
            "DATABASE_URL": f"sqlite:///{tmp / 'push.sqlite3'}",
            "DATA_DIR": str(tmp),
            "FLOWS_DIR": str(always_open_flows(tmp / "flows")),
            "VAPID_PUBLIC_KEY": KEYS.public,
            "VAPID_PRIVATE_KEY": KEYS.private,
            "PUSH_ALLOW_LOCAL_ENDPOINTS": "true",
            "VAPID_SUBJECT": "mailto:ops@champion.test",
            "EMBED_ALLOWED_ORIGINS": f"{council}=Leeds",
        }
        create_account(env, EMAIL, "champion", areas=("Leeds",), name="Sam")
        with running_server(env, tmp / "server.log") as champion:
            pages["/local-offer"] = HOST_PAGE.format(
                title="Leeds Local Offer",
                champion=champion,
                attributes='data-council="Leeds" data-title="Leeds SEND chat"',
            )
            yield council, champion


@pytest.fixture(scope="module")
def base_url(sites: tuple[str, str]) -> str:
    return sites[1]


def ask_for_a_champion(chat) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    log = chat.get_by_role("log")
    chat.get_by_role("button", name="OK, let's start").click()
    chat.get_by_role("button", name="Talk to a Parent Champion").click()
    expect(log).to_contain_text("which council do you live in?")
    chat.get_by_label("Your message").fill("Leeds")
    chat.keyboard.press("Enter")
    expect(log).to_contain_text("I've asked a Parent Champion to join this chat")


def notifications_shown(page, count: int, seconds: float = 10) -> list[dict]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    shown: list[dict] = []
    while time.monotonic() < deadline:
        shown = page.evaluate(
            """async () => {
                const registration = await navigator.serviceWorker.getRegistration("/");
                if (!registration) return [];
                const shown = await registration.getNotifications();
                return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
            }"""
        )
        if len(shown) >= count:
            break
        time.sleep(0.2)
    return shown


def test_the_page_offers_push_and_its_worker_shows_the_neutral_notification(
    base_url: str,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    failures: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # bypass_csp: the Content-Security-Policy rightly refuses axe's injected script.
        context = browser.new_context(
            base_url=base_url, viewport={"width": 390, "height": 800}, bypass_csp=True
        )
        context.grant_permissions(["notifications"], origin=base_url)
        chat = context.new_page()
        chat.set_default_timeout(10_000)
        chat.goto("/")
        turn_on = chat.get_by_role("button", name=TURN_ON)
        expect(chat.get_by_role("button", name="OK, let's start")).to_be_visible()
        expect(turn_on).to_be_hidden()  # nothing to be told about yet
        ask_for_a_champion(chat)
        expect(turn_on).to_be_visible()
        check_axe(chat, "chat-handoff-push", failures)
        chat.screenshot(path=str(ARTIFACTS / "chat-push-offer-390.png"), full_page=True)

        # DevTools sees the worker the page registers when the parent asks.
        cdp = context.new_cdp_session(chat)
        registrations: list[dict] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        turn_on.click()
        # Offline, Chromium's own push service can't be reached, so subscribing ends
        # in the page's apology; the worker is registered all the same.
        expect(chat.locator("#push-note")).to_contain_text(
            "couldn't turn notifications on", timeout=20_000
        )
        deadline = time.monotonic() + 10
        while not any(r["scopeURL"] == f"{base_url}/" for r in registrations):
            assert time.monotonic() < deadline, f"no service worker registered: {registrations}"
            chat.wait_for_timeout(100)
        registration = next(r for r in registrations if r["scopeURL"] == f"{base_url}/")
        chat.evaluate("navigator.serviceWorker.ready.then(() => true)")

        # A push arrives, even one carrying other words: the notification is the fixed one.
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": base_url,
                "registrationId": registration["registrationId"],
                "data": "Sam: about the exclusion letter",
            },
        )
        [shown] = notifications_shown(chat, 1)
        assert shown["title"] == NEUTRAL
        assert "Sam" not in shown["body"] and "exclusion" not in shown["body"]
        chat.screenshot(path=str(ARTIFACTS / "chat-push-delivered-390.png"), full_page=True)

        # A reminder's push says only its kind: the worker shows its own reminder sentence.
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": base_url,
                "registrationId": registration["registrationId"],
                "data": '{"kind": "reminder", "message": "Appeal due 3 March"}',
            },
        )
        shown_now = notifications_shown(chat, 2)
        assert sorted(n["title"] for n in shown_now) == sorted([NEUTRAL, REMINDER])
        assert all("Appeal" not in n["body"] for n in shown_now)
        browser.close()
    assert_none(failures, "push-browser")


def test_for_a_reminder_the_button_offers_the_reminder_not_a_champions_reply(
    base_url: str,
) -> None:
    import datetime as dt

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 800})
        chat = context.new_page()
        chat.set_default_timeout(10_000)
        chat.goto("/")
        log = chat.get_by_role("log")
        chat.get_by_role("button", name="OK, let's start").click()
        chat.get_by_role("button", name="EHC plans").click()
        chat.get_by_role("button", name="Other deadlines").click()
        chat.get_by_role("button", name="An appeal").click()
        # Typed once the question is in: Enter while the chat waits for a reply is ignored.
        expect(log).to_contain_text("What date is on the council's decision letter?")
        box = chat.get_by_label("Your message")
        box.fill(f"{dt.date.today() - dt.timedelta(days=3):%d/%m/%Y}")
        box.press("Enter")
        chat.get_by_role("button", name="Skip this question").last.click()
        chat.get_by_role("button", name="Yes", exact=True).last.click()
        expect(log).to_contain_text("I'll send you a reminder here on")
        # Offered with the next check (each reply prompts one): no champion is involved.
        expect(chat.get_by_role("button", name="Send my reminders to this browser")).to_be_visible()
        expect(chat.get_by_role("button", name=TURN_ON)).to_be_hidden()
        browser.close()


def test_notifications_on_show_stop_and_stopping_turns_them_off(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    failures: list[str] = []
    service = PushService()  # never started: only its subscriptions are used here
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base_url, viewport={"width": 390, "height": 800}, bypass_csp=True
        )
        chat = context.new_page()
        chat.set_default_timeout(10_000)
        chat.goto("/")
        ask_for_a_champion(chat)
        token = chat.evaluate("localStorage.getItem('champion-session-token')")
        auth = {"Authorization": f"Bearer {token}"}
        # As the page would after a browser subscribed (see the docstring).
        made = httpx.post(
            f"{base_url}/api/chat/push", json=service.subscribe(KEYS.public).to_json(), headers=auth
        )
        assert made.status_code == 200, made.text

        chat.reload()
        stop = chat.get_by_role("button", name="Stop notifications")
        expect(stop).to_be_visible()
        expect(chat.get_by_role("button", name=TURN_ON)).to_be_hidden()
        check_axe(chat, "chat-push-on", failures)
        stop.click()
        expect(chat.get_by_role("status").filter(has_text="Notifications are off")).to_be_visible()
        expect(chat.get_by_role("button", name=TURN_ON)).to_be_visible()
        assert httpx.get(f"{base_url}/api/chat/push", headers=auth).json()["on"] is False
        chat.screenshot(path=str(ARTIFACTS / "chat-push-stopped-390.png"), full_page=True)
        browser.close()
    assert_none(failures, "push-browser-stop")


def test_in_a_council_frame_the_chat_opens_its_own_page_to_set_up_push(
    sites: tuple[str, str],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    council, champion = sites
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]
        )
        context = browser.new_context(base_url=council, viewport={"width": 1024, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/local-offer")
        page.get_by_role("button", name="Leeds SEND chat").click()
        chat = page.frame_locator("iframe[title='Leeds SEND chat']")
        chat.get_by_role("button", name="OK, let's start").click()
        chat.get_by_role("button", name="Talk to a Parent Champion").click()
        expect(chat.get_by_role("log")).to_contain_text("I've asked a Parent Champion")
        open_own_page = chat.get_by_role("button", name=OPEN_OWN_PAGE)
        expect(open_own_page).to_be_visible()
        expect(chat.get_by_role("button", name=TURN_ON)).to_be_hidden()  # not in a frame

        with context.expect_page() as opening:
            open_own_page.click()
        own = opening.value
        own.set_default_timeout(10_000)
        # The same conversation, on the chat's own page, with no secret in its address.
        expect(own.get_by_role("log")).to_contain_text("I've asked a Parent Champion")
        expect(own.get_by_role("button", name=TURN_ON)).to_be_visible()
        expect(chat.locator("#push-note")).to_contain_text("open in a new tab")
        assert own.url == f"{champion}/"
        frame = page.frame(url=re.compile(r"/embed\?"))
        assert frame is not None
        framed = frame.evaluate("window.championStorage.store.getItem('champion-session')")
        assert own.evaluate("localStorage.getItem('champion-session')") == framed
        own.screenshot(path=str(ARTIFACTS / "chat-push-from-frame-1024.png"))
        # This page keeps the Content-Security-Policy (no bypass): the worker may load.
        scope = own.evaluate(
            "navigator.serviceWorker.register('/push-worker.js').then((r) => r.scope)"
        )
        assert scope == f"{champion}/"
        # Permission not given (nobody answers the prompt here): the page says so.
        own.get_by_role("button", name=TURN_ON).click()
        expect(own.locator("#push-note")).to_contain_text("blocking notifications")
        browser.close()


def delivered_within(service: PushService, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not service.delivered and time.monotonic() < deadline:
        time.sleep(0.5)


async def test_the_servers_own_scheduler_pushes_when_a_champion_replies(base_url: str) -> None:
    """The whole chain in a real `serve`: the parent (chat API) turns notifications on
    and leaves, a champion replies in the console, and the server's scheduler sends one
    push, which the stand-in decrypts."""
    service = PushService()
    service.start()
    try:
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=10) as parent_client,
            httpx.AsyncClient(base_url=base_url, timeout=10) as console_client,
        ):
            parent = Parent(parent_client)
            await ask_by_api(parent, "Leeds")
            browser = service.subscribe(KEYS.public)
            made = await parent_client.post(
                "/api/chat/push", json=browser.to_json(), headers=parent.auth
            )
            assert made.status_code == 200, made.text
            sam = Champion(console_client, EMAIL)
            assert (await sam.sign_in(PASSWORD)).status_code == 303
            queue = (await console_client.get("/console")).text
            ticket = max(int(n) for n in re.findall(r"/console/tickets/(\d+)", queue))
            assert (await sam.claim(ticket)).status_code == 303
            secret = "Ask the head about the lunchtime exclusions"
            assert (await sam.reply(ticket, secret)).status_code == 303
        wait = SEEN_GRACE.total_seconds() + 4 * SWEEP_SECONDS + 10
        await asyncio.to_thread(delivered_within, service, wait)
        assert service.received_by(browser) == [NEUTRAL], service.refused
        await asyncio.sleep(2 * SWEEP_SECONDS)
        assert len(service.delivered) == 1 and service.refused == []
    finally:
        service.stop()

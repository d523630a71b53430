"""Web Push "A Parent Champion has replied" for the web chat (issue #17).

A stand-in push service on 127.0.0.1 (tests/fakes/push_service.py) makes the
subscriptions as a browser would and receives what the server sends with pywebpush:
it checks the VAPID header and decrypts the body with the subscription's private key.
The parent uses the chat API, the champion the console; the sweep is the scheduler's
job, run here with a clock moved past the wait that lets an open page see the reply.
SQLite and PostgreSQL (the `settings` fixture runs both).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.config import Settings, SettingsError, load_settings
from bot.notify import push_store
from bot.notify.push_keys import generate
from bot.notify.push_send import PushSetup, send_due
from bot.notify.push_setup import push_setup
from bot.notify.push_tables import PushSend, PushSubscription
from bot.store.models import utcnow
from tests.chat import Parent
from tests.conftest import running_app
from tests.console import ask_for_a_champion
from tests.fakes.push_service import FakeSubscription, PushService
from tests.test_handoff import champion_of, ticket_of

KEYS = generate()
NEUTRAL = "A Parent Champion has replied"
LATER = dt.timedelta(minutes=2)  # past the wait for an open page to see the reply
SECRET = "Ask the head about the lunchtime exclusions at Oakfield"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    service.start()
    yield service
    service.stop()


@pytest.fixture
async def app_with_push(settings: Settings) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    pushing = settings.model_copy(
        update={
            "vapid_public_key": KEYS.public,
            "vapid_private_key": KEYS.private,
            "vapid_subject": "mailto:ops@champion.test",
            "push_allow_local_endpoints": True,
        }
    )
    async with running_app(pushing) as pair:
        yield pair


async def sweep(app: Any, later: dt.timedelta = dt.timedelta(0)) -> int:
    services = app.state.services
    setup = push_setup(services)
    assert setup is not None
    return await send_due(services.database, setup, utcnow() + later)


async def rows(app: Any, table: Any) -> list[Any]:
    return await app.state.services.database.read(
        lambda c: list(c.execute(select(table.__table__)).all())
    )


async def subscribed_parent(
    app: Any, client: httpx.AsyncClient, service: PushService
) -> tuple[Parent, FakeSubscription]:
    """A Leeds parent waiting for a champion who turned notifications on in a browser."""
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    status = await client.get("/api/chat/push", headers=parent.auth)
    assert status.status_code == 200
    assert status.json() == {
        "available": True,
        "key": KEYS.public,
        "offer": True,
        "on": False,
        "about": "replies",  # the page's button: "Tell me when a Parent Champion replies"
    }
    browser = service.subscribe(status.json()["key"])
    response = await client.post("/api/chat/push", json=browser.to_json(), headers=parent.auth)
    assert response.status_code == 200, response.text
    assert response.json() == {"on": True}
    return parent, browser


async def test_a_parent_who_left_gets_one_neutral_push_decrypted_by_the_browser(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, browser = await subscribed_parent(app, client, push_service)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    assert (await sam.reply(ticket.id, SECRET)).status_code == 303
    assert (await sam.reply(ticket.id, "And keep the letters")).status_code == 303
    [queued] = await rows(app, PushSend)  # two replies in a row: one push
    assert queued.status == "pending"

    await sweep(app)  # not yet: an open page would have shown it by now
    assert push_service.attempts == 0
    await sweep(app, LATER)
    assert push_service.received_by(browser) == [NEUTRAL]
    [delivery] = push_service.delivered
    assert delivery.claims["aud"] == push_service.origin
    assert delivery.claims["sub"] == "mailto:ops@champion.test"
    assert SECRET not in delivery.text and "Sam" not in delivery.text
    [sent] = await rows(app, PushSend)
    assert sent.status == "sent"
    await sweep(app, LATER * 2)  # goes once
    assert len(push_service.delivered) == 1 and push_service.refused == []


async def test_no_push_for_a_reply_the_open_page_has_seen(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, _browser = await subscribed_parent(app, client, push_service)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    # The parent's page is open and shows it (a reopened page fetches the history).
    assert "Hello, I'm Sam" in [m["text"] for m in await parent.history()]
    await sweep(app, LATER)
    assert push_service.attempts == 0
    [skipped] = await rows(app, PushSend)
    assert skipped.status == "skipped"


async def test_gone_subscription_is_deleted_and_a_busy_service_is_tried_again(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, phone = await subscribed_parent(app, client, push_service)
    laptop = push_service.subscribe(KEYS.public)
    added = await client.post("/api/chat/push", json=laptop.to_json(), headers=parent.auth)
    assert added.status_code == 200
    phone.answers = [410]  # the parent turned notifications off in the phone's browser
    laptop.answers = [503]  # the laptop's push service is having a bad minute
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    assert len(await rows(app, PushSend)) == 2

    await sweep(app, LATER)
    [left] = await rows(app, PushSubscription)
    assert left.endpoint == laptop.endpoint  # the phone's is gone, with its push
    [waiting] = await rows(app, PushSend)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "503")
    assert push_service.delivered == []

    await sweep(app, LATER + dt.timedelta(minutes=2))  # after the first retry gap
    assert push_service.received_by(laptop) == [NEUTRAL]
    assert push_service.received_by(phone) == []


async def test_a_push_is_leased_to_one_sweep(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, _browser = await subscribed_parent(app, client, push_service)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    database = app.state.services.database
    now = utcnow() + LATER
    async with database.transaction() as transaction:
        first = await transaction.run(push_store.claim_due, now)
    async with database.transaction() as transaction:
        second = await transaction.run(push_store.claim_due, now)
    assert len(first) == 1 and second == []  # a second process finds it taken
    # A sender that died mid-push: once its lease runs out another sweep sends it.
    await sweep(app, LATER + push_store.LEASE + dt.timedelta(seconds=1))
    assert len(push_service.delivered) == 1
    # The first sender comes back late: its lease was lost, so what it would record
    # (failed, or "try again") is not written over the second sweep's "sent".
    async with database.transaction() as transaction:
        assert await transaction.run(push_store.finish, first[0], "failed", now) is False
        assert await transaction.run(push_store.retry, first[0], now, "503") == "lease lost"
    assert [row.status for row in await rows(app, PushSend)] == ["sent"]


async def test_stop_notifications_removes_this_browser(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, browser = await subscribed_parent(app, client, push_service)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    stopped = await client.request(
        "DELETE", "/api/chat/push", json={"endpoint": browser.endpoint}, headers=parent.auth
    )
    assert stopped.status_code == 200 and stopped.json() == {"on": False}
    assert await rows(app, PushSubscription) == [] and await rows(app, PushSend) == []
    await sweep(app, LATER)
    assert push_service.attempts == 0
    status = await client.get("/api/chat/push", headers=parent.auth)
    assert status.json()["on"] is False and status.json()["offer"] is True


async def test_my_data_says_notifications_are_on_and_delete_erases_them(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, browser = await subscribed_parent(app, client, push_service)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")  # a push waiting to go
    await parent.say("mydata")
    document = next(r["document"] for r in parent.replies if "document" in r)
    exported = (await parent.download(document["url"])).content.decode()
    [held] = json.loads(exported)["browser_notifications_when_a_parent_champion_replies"]
    assert held["browser_notifications"] == "on" and held["push_service"] == "127.0.0.1"
    # The endpoint is a capability, and the keys are the browser's: none is exported.
    assert browser.id not in exported and browser.to_json()["keys"]["auth"] not in exported

    await parent.say("delete")
    await parent.press("Yes")
    assert "has been deleted" in parent.text
    assert await rows(app, PushSubscription) == []
    assert await rows(app, PushSend) == []
    await sweep(app, LATER)
    assert push_service.attempts == 0


async def test_subscriptions_are_checked_strictly(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    good = push_service.subscribe(KEYS.public).to_json()
    keys = good["keys"]

    async def refused(body: Any, status: int = 400, **kwargs: Any) -> str:
        content = json.dumps(body).encode() if not isinstance(body, bytes) else body
        response = await client.post(
            "/api/chat/push", content=content, headers={**parent.auth, **kwargs}
        )
        assert response.status_code == status, response.text
        return str(response.json()["detail"])

    assert "JSON" in await refused(b"{not json")
    assert "JSON object" in await refused([good])
    assert "https://" in await refused({**good, "endpoint": "http://push.example.org/x"})
    assert "https://" in await refused({**good, "endpoint": "ftp://127.0.0.1/x"})
    assert "web address" in await refused({**good, "endpoint": "https:///nohost"})
    assert "web address" in await refused({**good, "endpoint": "https://push.example.org/a\x00b"})
    assert "web address" in await refused({**good, "endpoint": "https://user:pw@push.example.org/"})
    assert "longer than" in await refused(
        {**good, "endpoint": "https://push.example.org/" + "a" * 2100}
    )
    # Inside the server's own network: a chat user must not aim the server's requests there.
    for inside in (
        "https://10.0.0.5/push",
        "https://127.0.0.1:8443/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data",
        "https://intranet/x",
        "https://printer.local/x",
    ):
        assert "public address" in await refused({**good, "endpoint": inside})
    assert "unexpected field 'extra'" in await refused({**good, "extra": 1})
    assert "keys must hold" in await refused({**good, "keys": {"p256dh": keys["p256dh"]}})
    assert "keys.p256dh" in await refused({**good, "keys": {**keys, "p256dh": "AAAA"}})
    assert "keys.auth" in await refused({**good, "keys": {**keys, "auth": "!!not base64!!"}})
    assert "expirationTime" in await refused({**good, "expirationTime": "soon"})
    assert "too big" in await refused({**good, "pad": "x" * 5000}, status=413)
    assert await rows(app, PushSubscription) == []  # nothing bad was kept
    # Without the chat's secret: 401 in the replies shape, as /api/chat.
    anonymous = await client.post("/api/chat/push", json=good)
    assert anonymous.status_code == 401 and "replies" in anonymous.json()
    wrong = await client.post(
        "/api/chat/push", json=good, headers={"Authorization": "Bearer not-the-secret"}
    )
    assert wrong.status_code == 401
    assert (await client.get("/api/chat/push")).status_code == 401


async def test_no_consent_no_subscription(app_with_push: tuple, push_service: PushService) -> None:
    app, client = app_with_push
    parent = Parent(client)
    await parent.open_chat()  # the privacy notice is shown, not agreed
    status = await client.get("/api/chat/push", headers=parent.auth)
    assert status.json()["offer"] is False
    browser = push_service.subscribe(KEYS.public)
    response = await client.post("/api/chat/push", json=browser.to_json(), headers=parent.auth)
    assert response.status_code == 403
    assert "privacy notice" in response.json()["detail"]
    assert await rows(app, PushSubscription) == []


async def test_plain_http_endpoints_need_the_test_setting(
    settings: Settings, push_service: PushService
) -> None:
    production = settings.model_copy(
        update={"vapid_public_key": KEYS.public, "vapid_private_key": KEYS.private}
    )
    async with running_app(production) as (_app, client):
        parent = Parent(client)
        await ask_for_a_champion(parent, "Leeds")
        browser = push_service.subscribe(KEYS.public)
        response = await client.post("/api/chat/push", json=browser.to_json(), headers=parent.auth)
        assert response.status_code == 400
        assert "https://" in response.json()["detail"]


async def test_without_keys_push_is_not_offered(app_and_client: tuple) -> None:
    _app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    status = await client.get("/api/chat/push", headers=parent.auth)
    assert status.json() == {
        "available": False,
        "key": None,
        "offer": False,
        "on": False,
        "about": "replies",
    }
    service = PushService()  # not started: nothing is sent to it
    browser = service.subscribe(KEYS.public)
    response = await client.post("/api/chat/push", json=browser.to_json(), headers=parent.auth)
    assert response.status_code == 404
    assert "aren't available" in response.json()["detail"]


async def test_the_service_worker_is_served_from_the_chat_origin(app_and_client: tuple) -> None:
    _app, client = app_and_client
    response = await client.get("/push-worker.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert NEUTRAL in response.text and "showNotification" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_vapid_settings_are_checked() -> None:
    other = generate()
    with pytest.raises(SettingsError, match="VAPID_PUBLIC_KEY is not the public half"):
        load_settings(vapid_public_key=KEYS.public, vapid_private_key=other.private)
    with pytest.raises(SettingsError, match="set both"):
        load_settings(vapid_public_key=KEYS.public)
    with pytest.raises(SettingsError, match="not a P-256 private key"):
        load_settings(vapid_public_key=KEYS.public, vapid_private_key="not a key")
    with pytest.raises(SettingsError, match="needs VAPID_SUBJECT"):
        load_settings(vapid_public_key=KEYS.public, vapid_private_key=KEYS.private)
    with pytest.raises(SettingsError, match="VAPID_SUBJECT must start with mailto"):
        load_settings(
            vapid_public_key=KEYS.public, vapid_private_key=KEYS.private, vapid_subject="ops"
        )
    assert load_settings(
        vapid_public_key=KEYS.public,
        vapid_private_key=KEYS.private,
        public_url="https://champion.example.org",
    )


def test_vapid_keys_command_prints_a_pair_the_settings_accept() -> None:
    import subprocess
    import sys

    from bot.config import PROJECT_ROOT

    done = subprocess.run(
        [sys.executable, "-m", "bot", "vapid-keys"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    lines = dict(
        line.split("=", 1) for line in done.stdout.splitlines() if not line.startswith("#")
    )
    settings = load_settings(
        vapid_public_key=lines["VAPID_PUBLIC_KEY"],
        vapid_private_key=lines["VAPID_PRIVATE_KEY"],
        vapid_subject="mailto:ops@example.org",
    )
    assert settings.vapid_public_key != KEYS.public  # a new pair each time


async def test_ending_the_chat_stops_its_notifications(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, _browser = await subscribed_parent(app, client, push_service)
    ended = await client.post("/api/chat/end", headers=parent.auth)
    assert ended.status_code == 200
    assert await rows(app, PushSubscription) == []  # a shared computer tells nobody
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    await sweep(app, LATER)
    assert push_service.attempts == 0


async def test_a_browser_that_subscribes_for_a_later_chat_is_that_chats_alone(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    first, browser = await subscribed_parent(app, client, push_service)
    first_ticket = await ticket_of(app, first)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(first_ticket.id)
    await sam.reply(first_ticket.id, "Hello, I'm Sam")  # queued for the first chat
    # Someone else starts a chat on the same computer and turns notifications on.
    second = Parent(client)
    await ask_for_a_champion(second, "Leeds")
    again = await client.post("/api/chat/push", json=browser.to_json(), headers=second.auth)
    assert again.status_code == 200
    [held] = await rows(app, PushSubscription)
    assert held.parent_id != (await ticket_of(app, first)).parent_id
    assert await rows(app, PushSend) == []  # the first chat's push no longer goes here
    first_status = await client.get("/api/chat/push", headers=first.auth)
    assert first_status.json()["on"] is False
    await sweep(app, LATER)
    assert push_service.attempts == 0


async def test_a_push_that_cannot_be_signed_is_kept_for_later_not_lost(
    app_with_push: tuple, push_service: PushService
) -> None:
    app, client = app_with_push
    parent, _browser = await subscribed_parent(app, client, push_service)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    good = push_setup(app.state.services)
    assert good is not None
    refused = PushSetup(keys=good.keys, subject="http://not-allowed.example")  # py_vapid says no
    await send_due(app.state.services.database, refused, utcnow() + LATER)
    [waiting] = await rows(app, PushSend)
    assert (waiting.status, waiting.attempts, waiting.last_error) == (
        "pending",
        1,
        "VapidException",
    )
    assert push_service.attempts == 0
    await sweep(app, LATER + dt.timedelta(minutes=2))
    assert len(push_service.delivered) == 1

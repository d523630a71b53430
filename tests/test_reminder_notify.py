"""A web chat parent who has left is told a reminder arrived, by e-mail and Web Push (#17).

A real SMTP server (aiosmtpd) and the stand-in push service (which decrypts what
pywebpush sends) receive the notifications; the reminder sweep runs at the due time as
the scheduler would. Only a web parent who asked (a confirmed e-mail address, a browser
subscription) is told, and only in neutral words. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.booking.reminders import sweep
from bot.config import Settings
from bot.core.text import date_in_words
from bot.notify import push_store
from bot.notify.outbox import send_due as send_mail
from bot.notify.push_send import send_due as send_push
from bot.notify.push_setup import push_setup
from bot.notify.push_tables import PushSend
from bot.notify.setup import mail_setup
from bot.notify.tables import NotificationContact, NotificationMail
from bot.store.models import Parent as ParentRow
from bot.store.models import utcnow
from tests.chat import Parent
from tests.conftest import running_app
from tests.fakes.push_service import PushService
from tests.fakes.smtp_server import MailServer, body_of
from tests.test_email_notify import SENDER, mails_arrive, opted_in_parent, rows
from tests.test_push_notify import KEYS
from tests.test_reminders import add_parent, add_reminder, renderer

NEUTRAL = "You have a reminder from Champion"
LATER = dt.timedelta(minutes=2)  # past the wait for an open page to see the reminder


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    service.start()
    yield service
    service.stop()


@pytest.fixture
async def app_telling(
    settings: Settings, mail_server: MailServer
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    telling = settings.model_copy(
        update={
            "smtp_url": mail_server.url,
            "smtp_from": SENDER,
            "public_url": "http://champion.test",
            "vapid_public_key": KEYS.public,
            "vapid_private_key": KEYS.private,
            "vapid_subject": "mailto:ops@champion.test",
            "push_allow_local_endpoints": True,
        }
    )
    async with running_app(telling) as pair:
        yield pair


async def parent_id_of(app: Any, chat_id: str) -> int:
    parents = ParentRow.__table__
    return await app.state.services.database.read(
        lambda c: c.execute(select(parents.c.id).where(parents.c.chat_id == chat_id)).scalar_one()
    )


async def send_notifications(app: Any, later: dt.timedelta) -> None:
    services = app.state.services
    mailing, pushing = mail_setup(services), push_setup(services)
    assert mailing is not None and pushing is not None
    await send_mail(services.database, mailing, utcnow() + later)
    await send_push(services.database, pushing, utcnow() + later)


def sent_to(found: list[Any], parent_id: int) -> list[Any]:
    return [row for row in found if row.parent_id == parent_id]


async def test_a_web_parent_who_left_is_told_of_a_reminder_and_no_one_else_is(
    app_telling: tuple, mail_server: MailServer, push_service: PushService
) -> None:
    app, client = app_telling
    database = app.state.services.database
    # A web parent who confirmed an e-mail address (in a hand-off) and turned on
    # notifications in a browser.
    parent = await opted_in_parent(app, client, mail_server)
    status = await client.get("/api/chat/push", headers=parent.auth)
    browser = push_service.subscribe(status.json()["key"])
    subscribed = await client.post("/api/chat/push", json=browser.to_json(), headers=parent.auth)
    assert subscribed.json() == {"on": True}
    told = await parent_id_of(app, parent.session)
    # A web parent who asked for nothing, and a Telegram parent with an address and a
    # browser on record (as if from elsewhere): neither is told.
    plain, _ = await add_parent(app)
    telegram, _ = await add_parent(app, "telegram")
    other_browser = push_service.subscribe(KEYS.public)
    async with database.transaction() as transaction:
        await transaction.run(
            lambda c: c.execute(
                NotificationContact.__table__.insert().values(
                    parent_id=telegram,
                    address="telegram.parent@example.org",
                    confirmed_at=utcnow(),
                    seen_message_id=0,
                    code_attempts=0,
                    created_at=utcnow(),
                )
            )
        )
        subscription = push_store.parse_subscription(other_browser.to_json(), allow_local=True)
        await transaction.run(push_store.subscribe, telegram, subscription)

    due = utcnow() - dt.timedelta(minutes=1)
    async with database.transaction() as transaction:
        for parent_id in (told, plain, telegram):
            await transaction.run(add_reminder, parent_id, due)
    async with database.transaction() as transaction:
        await transaction.run(sweep, renderer(app), None, frozenset({"web", "telegram"}))

    mails = [m for m in await rows(app, NotificationMail) if m.kind == "reminder"]
    assert [m.parent_id for m in mails] == [told]
    assert [p.parent_id for p in await rows(app, PushSend)] == [told]

    before = len(mail_server.received)  # the confirmation code
    await send_notifications(app, dt.timedelta(0))  # not yet: an open page would show it
    assert len(mail_server.received) == before and push_service.attempts == 0
    await send_notifications(app, LATER)
    received = await mails_arrive(mail_server, before + 1)
    [reminder_mail] = received[before:]
    assert reminder_mail["Subject"] == NEUTRAL
    body = body_of(reminder_mail)
    assert NEUTRAL in body and "/email/unsubscribe?contact=" in body
    due_on = date_in_words((due + dt.timedelta(days=7)).date())  # as add_reminder sets it
    assert due_on in (await parent.history())[-1]["text"]  # the chat has the reminder...
    assert due_on not in body  # ...the e-mail only says there is one
    [push] = push_service.received_by(browser)
    assert json.loads(push) == {"kind": "reminder", "message": NEUTRAL}
    assert push_service.received_by(other_browser) == []

    await send_notifications(app, LATER * 2)  # each goes once
    assert len(mail_server.received) == before + 1 and len(push_service.delivered) == 1


async def test_no_notification_for_a_reminder_the_open_page_showed(
    app_telling: tuple, mail_server: MailServer, push_service: PushService
) -> None:
    app, client = app_telling
    database = app.state.services.database
    parent = await opted_in_parent(app, client, mail_server)
    status = await client.get("/api/chat/push", headers=parent.auth)
    browser = push_service.subscribe(status.json()["key"])
    await client.post("/api/chat/push", json=browser.to_json(), headers=parent.auth)
    parent_id = await parent_id_of(app, parent.session)
    async with database.transaction() as transaction:
        await transaction.run(add_reminder, parent_id, utcnow() - dt.timedelta(minutes=1))
    async with database.transaction() as transaction:
        await transaction.run(sweep, renderer(app))
    await parent.history()  # the page is open: it shows the reminder
    before = len(mail_server.received)
    await send_notifications(app, LATER)
    assert len(mail_server.received) == before and push_service.delivered == []
    [mail] = [m for m in await rows(app, NotificationMail) if m.kind == "reminder"]
    assert mail.status == "skipped"
    assert [p.status for p in await rows(app, PushSend)] == ["skipped"]


async def test_the_chat_offers_notifications_once_a_reminder_is_set(
    app_telling: tuple,
) -> None:
    _app, client = app_telling
    parent = Parent(client)
    await parent.at_main_menu()

    async def offered() -> bool:
        response = await client.get("/api/chat/push", headers=parent.auth)
        assert response.status_code == 200
        return response.json()["offer"]

    assert not await offered()  # no hand-off, no reminder: nothing to tell
    await parent.press("EHC plans")
    await parent.press("Other deadlines")
    await parent.press("An appeal")
    await parent.say(f"{(dt.date.today() - dt.timedelta(days=3)):%d/%m/%Y}")
    await parent.press("Skip this question")
    await parent.press("Yes")
    assert "I'll send you a reminder here on" in parent.text
    assert await offered()  # the page's notifications, for the reminder
    about = await client.get("/api/chat/push", headers=parent.auth)
    assert about.json()["about"] == "reminders"
    # E-mail is set up here: the chat offers it too, and "Yes" starts the same set-up.
    assert "I can e-mail you to say it's here, without saying what it's about" in parent.text
    await parent.press("Yes, e-mail me")
    assert "What e-mail address should I use?" in parent.text

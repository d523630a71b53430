"""E-mail a parent who has left the web chat that a Parent Champion replied (issue #17).

A real SMTP server (aiosmtpd, tests/fakes/smtp_server.py) receives what the service
sends with aiosmtplib; the parent and the champion use the chat API and the console.
The e-mail sweep is the scheduler's job; tests run it themselves (`sweep`) with a
clock moved past the wait that lets an open chat page see the reply first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.notify.mailer import SEND_DEADLINE_SECONDS
from bot.notify.outbox import BATCH, LEASE, send_due
from bot.notify.setup import mail_setup
from bot.notify.tables import NotificationContact, NotificationMail
from bot.store.models import utcnow
from tests.chat import Parent
from tests.conftest import running_app
from tests.console import ask_for_a_champion
from tests.fakes.smtp_server import MailServer, body_of
from tests.test_handoff import champion_of, ticket_of

ADDRESS = "parent.one@example.org"
SENDER = "Champion <no-reply@champion.test>"
EMAIL_BUTTON = "Email me when they reply"
LATER = dt.timedelta(minutes=2)  # past the wait for an open page to see the reply


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def app_with_mail(
    settings: Settings, mail_server: MailServer
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    mailing = settings.model_copy(
        update={
            "smtp_url": mail_server.url,
            "smtp_from": SENDER,
            "public_url": "http://champion.test",
        }
    )
    async with running_app(mailing) as pair:
        yield pair


async def sweep(app: Any, later: dt.timedelta = dt.timedelta(0)) -> None:
    services = app.state.services
    setup = mail_setup(services)
    assert setup is not None
    await send_due(services.database, setup, utcnow() + later)


async def mails_arrive(server: MailServer, count: int) -> list[EmailMessage]:
    """What the server has, once it has `count` (the scheduler may be sending too)."""
    for _ in range(100):
        if len(server.received) >= count:
            break
        await asyncio.sleep(0.05)
    return list(server.received)


async def rows(app: Any, table: Any) -> list[Any]:
    return await app.state.services.database.read(
        lambda c: list(c.execute(select(table.__table__)).all())
    )


async def opted_in_parent(app: Any, client: httpx.AsyncClient, server: MailServer) -> Parent:
    """A Leeds parent who asked for a champion and confirmed their e-mail address."""
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    await parent.press(EMAIL_BUTTON)
    await parent.say(ADDRESS)
    assert "I've sent a 6-digit code" in parent.text
    await sweep(app)
    [code_mail] = await mails_arrive(server, 1)
    code = re.search(r"\b(\d{6})\b", body_of(code_mail))
    assert code is not None
    await parent.say(code.group(1))
    assert "Done: we'll e-mail you when a Parent Champion replies" in parent.text
    return parent


async def test_a_parent_who_left_gets_one_neutral_email_and_can_unsubscribe(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    app, client = app_with_mail
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    assert EMAIL_BUTTON in parent.buttons
    await parent.press(EMAIL_BUTTON)
    assert "What e-mail address should I use?" in parent.text

    await parent.say("my email is parent at example")
    assert "doesn't look like an e-mail address" in parent.text
    assert "What e-mail address should I use?" in parent.text  # asked again
    await parent.say(ADDRESS)
    assert "I've sent a 6-digit code" in parent.text
    await sweep(app)
    [code_mail] = await mails_arrive(mail_server, 1)
    assert code_mail["To"] == ADDRESS and code_mail["From"] == SENDER
    assert code_mail["Subject"] == "Your code"
    code = re.search(r"\b(\d{6})\b", body_of(code_mail))
    assert code is not None
    wrong = f"{(int(code.group(1)) + 1) % 10**6:06d}"
    await parent.say(wrong)
    assert "That code doesn't match" in parent.text and "4 more tries" in parent.text
    await parent.say(code.group(1))
    assert parent.text.startswith("Done: we'll e-mail you when a Parent Champion replies")
    assert "stop emails" in parent.text
    # Back with the champion: what the parent types now is passed on, not answered.
    await parent.say("Thank you, I'll wait for them")
    assert "passed that on" in parent.text or parent.text.startswith("Sent")

    # The parent has closed the page. A champion replies, twice in a row.
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    secret = "Ask the head about the lunchtime exclusions at Oakfield"
    assert (await sam.reply(ticket.id, secret)).status_code == 303
    assert (await sam.reply(ticket.id, "And keep the letters")).status_code == 303
    await sweep(app)  # not yet: an open page would have shown it by now
    assert len(mail_server.received) == 1
    await sweep(app, LATER)
    received = await mails_arrive(mail_server, 2)
    await asyncio.sleep(0.3)  # nothing more is on its way
    assert len(mail_server.received) == 2, "one e-mail for the flurry of replies"
    notice = received[1]
    body = body_of(notice)
    assert notice["To"] == ADDRESS and notice["From"] == SENDER
    assert notice["Subject"] == "You have a new message"
    assert "A Parent Champion has replied" in body and "http://champion.test/" in body
    assert "Oakfield" not in body and "letters" not in body and "SEND" not in notice["Subject"]
    link = re.search(r"http://champion\.test(/email/unsubscribe\?\S+)", body)
    assert link is not None
    assert notice["List-Unsubscribe"] == f"<http://champion.test{link.group(1)}>"

    # The replies themselves are in the chat.
    texts = [m["text"] for m in await parent.history()]
    assert secret in texts and "And keep the letters" in texts

    # The link works without the chat session; opening it (as a mail scanner would)
    # only asks.
    browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")
    async with browser:
        page = await browser.get(link.group(1))
        assert page.status_code == 200 and "Stop the e-mails" in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        assert len(await rows(app, NotificationContact)) == 1
        fields = dict(re.findall(r'name="(contact|token)" value="([^"]+)"', page.text))
        done = await browser.post("/email/unsubscribe", data=fields)
        assert done.status_code == 200 and "You won't get these e-mails any more" in done.text
        assert await rows(app, NotificationContact) == []
        again = await browser.get(link.group(1))
        assert again.status_code == 404 and "doesn't work any more" in again.text
        forged = await browser.post("/email/unsubscribe", data={**fields, "token": "0" * 64})
        assert forged.status_code == 404

    # Unsubscribed: a later reply sends nothing.
    await sam.reply(ticket.id, "Are you still there?")
    await sweep(app, LATER + dt.timedelta(minutes=20))
    await asyncio.sleep(0.3)
    assert len(mail_server.received) == 2


async def test_no_email_for_a_reply_the_parent_has_already_seen(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    app, client = app_with_mail
    parent = await opted_in_parent(app, client, mail_server)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    # The parent's page is open and shows it (a reopened page fetches the history).
    assert "Hello, I'm Sam" in [m["text"] for m in await parent.history()]
    await sweep(app, LATER)
    await asyncio.sleep(0.3)
    assert len(mail_server.received) == 1  # the code only


async def test_smtp_down_the_reply_still_reaches_the_chat_and_the_email_goes_later(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    app, client = app_with_mail
    parent = await opted_in_parent(app, client, mail_server)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)

    mail_server.stop()
    reply = await sam.reply(ticket.id, "Hello, I'm Sam")
    assert reply.status_code == 303
    await sweep(app, LATER)
    [mail] = [m for m in await rows(app, NotificationMail) if m.kind == "reply"]
    assert (mail.status, mail.attempts) == ("pending", 1)  # kept, to try again later

    mail_server.start()
    await sweep(app, LATER + dt.timedelta(minutes=5))
    received = await mails_arrive(mail_server, 2)
    assert received[-1]["Subject"] == "You have a new message"
    await sweep(app, LATER + dt.timedelta(minutes=30))
    await asyncio.sleep(0.3)
    assert len(mail_server.received) == 2  # sent once
    assert "Hello, I'm Sam" in [m["text"] for m in await parent.history()]


async def test_stop_emails_during_the_hand_off_deletes_the_address(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    app, client = app_with_mail
    parent = await opted_in_parent(app, client, mail_server)
    await parent.say("stop emails")
    assert "no more e-mails" in parent.text
    assert await rows(app, NotificationContact) == []
    await parent.say("stop emails")
    assert "nothing to stop" in parent.text


async def test_stop_emails_after_the_hand_off_ended(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    app, client = app_with_mail
    parent = await opted_in_parent(app, client, mail_server)
    await parent.say("bot")  # back to the bot: the hand-off is over
    assert "You're back with the Champion bot" in parent.text
    await parent.say("Stop emails")
    assert "no more e-mails" in parent.text
    assert await rows(app, NotificationContact) == []


async def test_my_data_shows_the_address_and_delete_erases_it(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    app, client = app_with_mail
    parent = await opted_in_parent(app, client, mail_server)
    await parent.say("mydata")
    document = next(r["document"] for r in parent.replies if "document" in r)
    data = json.loads((await parent.download(document["url"])).content)
    [held] = data["email_when_a_parent_champion_replies"]
    assert (held["email"], held["confirmed"]) == (ADDRESS, True)

    await parent.say("delete")
    await parent.press("Yes")
    assert "has been deleted" in parent.text
    assert await rows(app, NotificationContact) == []
    assert await rows(app, NotificationMail) == []


async def test_too_many_wrong_codes_start_again(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    app, client = app_with_mail
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    await parent.press(EMAIL_BUTTON)
    await parent.say(ADDRESS)
    await sweep(app)
    [code_mail] = await mails_arrive(mail_server, 1)
    code = re.search(r"\b(\d{6})\b", body_of(code_mail))
    assert code is not None
    wrong = f"{(int(code.group(1)) + 1) % 10**6:06d}"
    for _ in range(4):
        await parent.say(wrong)
        assert "That code doesn't match" in parent.text
    await parent.say(wrong)
    assert "tried too many times" in parent.text
    assert "What e-mail address should I use?" in parent.text
    await parent.say(code.group(1))  # the old code is no good now, and it isn't an address
    assert "doesn't look like an e-mail address" in parent.text
    [contact] = await rows(app, NotificationContact)
    assert contact.confirmed_at is None


async def test_without_smtp_no_email_is_offered(app_and_client: tuple) -> None:
    _app, client = app_and_client
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    assert "I've asked a Parent Champion" in parent.text
    assert EMAIL_BUTTON not in parent.buttons and "Back to the bot" in parent.buttons


async def test_an_old_unsubscribe_link_does_not_stop_a_later_familys_emails(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    """Review finding (#17): SQLite gives a deleted row's id to the next new row, so a
    link bound to the id alone would stop a later family's e-mails."""
    app, client = app_with_mail
    first = await opted_in_parent(app, client, mail_server)
    old_link = re.search(
        r"http://champion\.test(/email/unsubscribe\?[^>]+)",
        str(mail_server.received[0]["List-Unsubscribe"]),
    )
    assert old_link is not None
    [old_contact] = await rows(app, NotificationContact)
    await first.say("stop emails")
    assert await rows(app, NotificationContact) == []

    later = Parent(client)
    await ask_for_a_champion(later, "Leeds")
    await later.press(EMAIL_BUTTON)
    await later.say("another.family@example.org")
    assert "I've sent a 6-digit code" in later.text
    [new_contact] = await rows(app, NotificationContact)

    def same_id(connection: Any) -> None:
        # What SQLite does by itself; PostgreSQL's sequence never would, so set it.
        table = NotificationContact.__table__
        connection.execute(
            table.update().where(table.c.id == new_contact.id).values(id=old_contact.id)
        )

    async with app.state.services.database.transaction() as transaction:
        await transaction.run(same_id)

    browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")
    async with browser:
        page = await browser.get(old_link.group(1))
        assert page.status_code == 404 and "doesn't work any more" in page.text
        query = dict(re.findall(r"(contact|token)=([^&]+)", old_link.group(1)))
        posted = await browser.post("/email/unsubscribe", data=query)
        assert posted.status_code == 404
    [still_there] = await rows(app, NotificationContact)
    assert still_there.address == "another.family@example.org"


async def ask_for_a_code(app: Any, parent: Parent, address: str) -> None:
    """Type an address (after using up the tries of the code sent before, if one was:
    that is how a parent gets to type another) and let the sweep send the code."""
    if "What e-mail address should I use?" not in parent.text:
        for _ in range(5):
            await parent.say("not the code")
    assert "What e-mail address should I use?" in parent.text
    await parent.say(address)
    await sweep(app)


async def test_code_emails_are_limited_per_parent_and_per_address(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    """Review finding (#17): without a limit, a parent (or anyone with their session)
    could make the service send code e-mails to any address without end."""
    app, client = app_with_mail
    parent = Parent(client)
    await ask_for_a_champion(parent, "Leeds")
    await parent.press(EMAIL_BUTTON)
    for number in range(3):
        await ask_for_a_code(app, parent, f"someone{number}@example.org")
        assert "I've sent a 6-digit code" in parent.text
        await mails_arrive(mail_server, number + 1)
    await ask_for_a_code(app, parent, "someone3@example.org")
    assert "I can't send another one just now" in parent.text
    assert "try again in an hour" in parent.text
    await asyncio.sleep(0.3)
    sent_to = [m["To"] for m in mail_server.received]
    assert sent_to == [f"someone{number}@example.org" for number in range(3)]
    # Back with the champion: what the parent types now is passed on.
    await parent.say("Thank you, I'll wait")
    assert "passed that on" in parent.text or parent.text.startswith("Sent")

    # One address, typed by several parents: five codes an hour to it, however many.
    for times in (3, 2, 1):
        other = Parent(client)
        await ask_for_a_champion(other, "Leeds")
        await other.press(EMAIL_BUTTON)
        for _ in range(times):
            await ask_for_a_code(app, other, "Target@Example.org")
    # The third parent asked once, but the address has had its five.
    assert "I can't send another one just now" in other.text
    await mails_arrive(mail_server, 8)
    await asyncio.sleep(0.3)
    sent_to = [m["To"].lower() for m in mail_server.received]
    assert sent_to.count("target@example.org") == 5 and len(sent_to) == 8


async def test_a_slow_send_is_not_taken_by_another_sweep_nor_sent_twice(
    app_with_mail: tuple, mail_server: MailServer
) -> None:
    """Review finding (#17): a send that outlasted its lease could be taken by another
    sweep, and the first sweep's outcome then overwrote the second's, so it went twice."""
    app, client = app_with_mail
    parent = await opted_in_parent(app, client, mail_server)
    ticket = await ticket_of(app, parent)
    sam = await champion_of(app, ["Leeds"], name="Sam")
    await sam.claim(ticket.id)
    await sam.reply(ticket.id, "Hello, I'm Sam")
    services = app.state.services
    setup = mail_setup(services)
    assert setup is not None
    start = utcnow() + LATER

    # The mail server is slow to answer this one, and then refuses it for now.
    mail_server.answer_next(1.5, "451 4.3.0 Try again later")
    slow = asyncio.create_task(send_due(services.database, setup, start))
    await asyncio.sleep(0.5)
    # Another sweep, as late as the slowest batch of sends could still be going: the
    # mail is still the first sweep's.
    every_send = dt.timedelta(seconds=SEND_DEADLINE_SECONDS * BATCH)
    assert await send_due(services.database, setup, start + every_send) == 0
    # Once the lease has run out (the first sweep might have died) another sweep takes
    # the mail and sends it.
    assert await send_due(services.database, setup, start + LEASE + dt.timedelta(seconds=1)) == 1
    await slow  # the first sweep hears "try again later", after the second sent it
    [mail] = [m for m in await rows(app, NotificationMail) if m.kind == "reply"]
    assert (mail.status, mail.attempts) == ("sent", 0)
    await sweep(app, LEASE + dt.timedelta(hours=2))
    await asyncio.sleep(0.3)
    replies = [m for m in mail_server.received if m["Subject"] == "You have a new message"]
    assert len(replies) == 1

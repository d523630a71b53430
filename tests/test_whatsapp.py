"""WhatsApp: signed webhook bodies from recorded fixtures in, the fake Graph API out."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy import update

from bot.channels.outbox import OutgoingMessage
from bot.channels.whatsapp import WhatsAppSender, numbered_choice
from bot.config import Settings
from bot.core.outbound import push_message
from bot.core.types import Button, Reply
from bot.handoff import tickets
from bot.store.models import Message
from tests.conftest import running_app
from tests.console import Champion, add_account, client_for
from tests.fakes.whatsapp_graph import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    TOKEN,
    VERIFY_TOKEN,
    FakeWhatsApp,
    fake_whatsapp,
    fixture,
    signature,
)


@contextlib.asynccontextmanager
async def whatsapp_app(
    settings: Settings,
) -> AsyncIterator[tuple[Any, httpx.AsyncClient, FakeWhatsApp]]:
    async with fake_whatsapp() as fake:
        changed = {
            "whatsapp_token": TOKEN,
            "whatsapp_app_secret": APP_SECRET,
            "whatsapp_verify_token": VERIFY_TOKEN,
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_api_base": fake.api_base,
        }
        async with running_app(settings.model_copy(update=changed)) as (app, client):
            yield app, client, fake


class WhatsAppParent:
    def __init__(self, client: httpx.AsyncClient, fake: FakeWhatsApp, wa_id: str) -> None:
        self.client, self.fake, self.wa_id = client, fake, wa_id
        self.seen = 0

    async def post(self, name: str, **fields: str) -> httpx.Response:
        body = fixture(
            name,
            wa_id=self.wa_id,
            message_id=fields.pop("message_id", f"wamid.{uuid.uuid4().hex}"),
            **fields,
        )
        return await self.client.post(
            "/whatsapp/webhook", content=body, headers={"X-Hub-Signature-256": signature(body)}
        )

    async def say(self, text: str, **fields: str) -> None:
        assert (await self.post("text", text=text, **fields)).status_code == 200

    async def press(self, payload: str, title: str = "", kind: str = "button_reply") -> None:
        assert (await self.post(kind, payload=payload, title=title)).status_code == 200

    def received(self) -> list[dict[str, Any]]:
        return self.fake.to(self.wa_id)

    async def expect(self, words: str) -> dict[str, Any]:
        def text_of(message: dict[str, Any]) -> str:
            if message["type"] == "text":
                return message["text"]["body"]
            if message["type"] == "interactive":
                return message["interactive"]["body"]["text"] + " | " + " | ".join(choices(message))
            if message["type"] == "template":
                return json.dumps(message["template"])
            return ""

        def found() -> dict[str, Any] | None:
            return next((m for m in self.received()[self.seen :] if words in text_of(m)), None)

        await self.fake.wait_for(lambda: found() is not None)
        message = found()
        assert message is not None
        self.seen = self.received().index(message) + 1
        return message


def choices(message: dict[str, Any]) -> dict[str, str]:
    """title -> id of a message's reply buttons or list rows."""
    interactive = message["interactive"]
    if interactive["type"] == "button":
        return {b["reply"]["title"]: b["reply"]["id"] for b in interactive["action"]["buttons"]}
    rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
    return {r["title"]: r["id"] for r in rows}


async def test_the_verification_handshake(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, _fake):
        query = {
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        }
        ok = await client.get("/whatsapp/webhook", params=query)
        assert ok.status_code == 200 and ok.text == "1158201444"
        wrong = await client.get("/whatsapp/webhook", params={**query, "hub.verify_token": "guess"})
        assert wrong.status_code == 403


async def test_a_conversation_with_reply_buttons_and_a_list(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900001")
        await parent.say("hi")
        await parent.expect("Hello, I'm Champion")
        privacy = await parent.expect("OK, let's start")  # the buttons come on the last part
        assert privacy["interactive"]["type"] == "button"
        start = choices(privacy)
        assert all(len(title) <= 20 for title in start)
        await parent.press(start["OK, let's start"], "OK, let's start")
        menu = await parent.expect("What would you like help with?")
        assert menu["interactive"]["type"] == "list"  # more than three choices
        rows = choices(menu)
        assert all(len(title) <= 24 for title in rows)
        assert len(menu["interactive"]["action"]["button"]) <= 20
        await parent.press(rows["EHC plans"], "EHC plans", kind="list_reply")
        await parent.expect("Education, Health and Care plan")
        assert "**" not in json.dumps(parent.received())  # bold is WhatsApp's *single* asterisks


async def test_bad_signatures_malformed_bodies_and_statuses(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        body = fixture("text", wa_id="447700900002", message_id="wamid.A1", text="hello")
        for header in (
            {},
            {"X-Hub-Signature-256": "sha256=00"},
            {"X-Hub-Signature-256": signature(body, "wrong")},
        ):
            response = await client.post("/whatsapp/webhook", content=body, headers=header)
            assert response.status_code == 403
        malformed = b'{"entry": [ not json'
        response = await client.post(
            "/whatsapp/webhook",
            content=malformed,
            headers={"X-Hub-Signature-256": signature(malformed)},
        )
        assert response.status_code == 400
        status = fixture("status", wa_id="447700900002")
        response = await client.post(
            "/whatsapp/webhook", content=status, headers={"X-Hub-Signature-256": signature(status)}
        )
        assert response.status_code == 200
        await fake.wait_for(lambda: True, 0.5)
        assert fake.sent == []  # nothing was answered


async def test_a_duplicate_delivery_is_answered_once(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900003")
        await parent.say("hello", message_id="wamid.same")
        await parent.say("hello", message_id="wamid.same")
        await parent.expect("OK, let's start")
        welcomes = [m for m in parent.received() if "Hello, I'm Champion" in json.dumps(m)]
        assert len(welcomes) == 1


async def test_photos_get_a_kind_word(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900004")
        await parent.say("hello")
        await parent.expect("OK, let's start")
        assert (await parent.post("image")).status_code == 200
        await parent.expect("I can only read typed messages")


async def test_a_429_from_the_graph_api_is_retried(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        fake.rate_limited = 2
        parent = WhatsAppParent(client, fake, "447700900005")
        await parent.say("hello")
        await parent.expect("OK, let's start")


async def test_more_than_ten_choices_become_a_numbered_menu(settings: Settings) -> None:
    async with whatsapp_app(settings) as (app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900006")
        await parent.say("hello")
        await parent.expect("OK, let's start")
        parent_id = await app.state.services.database.read(
            lambda c: (
                c.execute(
                    tickets.parents.select().where(tickets.parents.c.chat_id == "447700900006")
                )
                .first()
                .id
            )
        )
        buttons = [Button(f"Option {n}", "global:help") for n in range(1, 12)] + [
            Button("Main menu", "global:menu")
        ]
        async with app.state.services.database.transaction() as transaction:
            await transaction.run(push_message, parent_id, Reply("Pick one:", buttons))
        menu = await parent.expect("12. Main menu")
        assert (
            menu["type"] == "text"
            and "Reply with the number of your choice." in menu["text"]["body"]
        )
        await parent.say("12")
        await parent.expect("What would you like help with?")
        assert (
            numbered_choice([{"label": "a", "payload": "x"}] * 3, "2") is None
        )  # short menus: buttons


async def test_reminders_outside_the_24_hour_window_use_the_template(settings: Settings) -> None:
    async with whatsapp_app(settings) as (app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900007")
        await parent.say("hello")
        await parent.expect("OK, let's start")
        database = app.state.services.database
        parent_id = await database.read(
            lambda c: (
                c.execute(
                    tickets.parents.select().where(tickets.parents.c.chat_id == "447700900007")
                )
                .first()
                .id
            )
        )
        reminder = Reply("Reminder: **Coffee morning** is tomorrow at 10am.")
        async with database.transaction() as transaction:
            await transaction.run(push_message, parent_id, reminder, None, "reminder")
        inside = await parent.expect("Reminder: *Coffee morning*")
        assert inside["type"] == "text"  # they wrote to us minutes ago
        old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
        async with database.transaction() as transaction:
            await transaction.run(
                lambda c: c.execute(update(Message.__table__).values(created_at=old))
            )
            await transaction.run(push_message, parent_id, reminder, None, "reminder")
        template = await parent.expect("champion_reminder")
        assert template["type"] == "template"
        assert template["template"]["language"] == {"code": "en_GB"}
        assert template["template"]["components"][0]["parameters"][0]["text"].startswith(
            "Reminder:"
        )


async def test_champion_replies_reach_the_whatsapp_parent(settings: Settings) -> None:
    async with whatsapp_app(settings) as (app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900008")
        await parent.say("hello")
        await parent.expect("OK, let's start")
        await parent.say("agree")  # typed, the same as pressing "OK, let's start"
        await parent.expect("What would you like help with?")
        await parent.say("I want to talk to a person")
        await parent.expect("which council do you live in")
        await parent.say("Leeds")
        await parent.expect("I've asked a Parent Champion")
        [ticket] = await app.state.services.database.read(tickets.queue, None)
        assert ticket.channel == "whatsapp"
        champion = Champion(client_for(app), await add_account(app, "champion", ["Leeds"], "Sam"))
        await champion.sign_in()
        await champion.claim(ticket.id)
        await champion.reply(ticket.id, "Hello from Sam.")
        await parent.expect("Hello from Sam.")


async def test_titles_are_shortened_sensibly_and_kept_distinct() -> None:
    services = type(
        "Services", (), {"content": type("C", (), {"current": type("F", (), {"flows": {}})()})()}
    )()
    settings = Settings(
        whatsapp_token=TOKEN,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
    )
    sender = WhatsAppSender(settings, services)
    labels = ["Talk to a Parent Champion", "Talk to a Parent Champion again", "Main menu"]
    message = OutgoingMessage(
        1,
        1,
        "447700900009",
        "x" * 1500,
        [{"label": b, "payload": f"p{i}"} for i, b in enumerate(labels)],
        None,
        None,
        0,
        dt.datetime.now(dt.UTC),
    )
    calls = sender.render(message)
    assert calls[0]["type"] == "text"  # the part over 1,024 characters goes first, as text
    titles = [b["reply"]["title"] for b in calls[-1]["interactive"]["action"]["buttons"]]
    assert titles[2] == "Main menu"
    assert all(len(t) <= 20 for t in titles) and len(set(titles)) == 3
    assert titles[0].startswith("Talk to a Parent")
    await sender.close()


async def test_a_calendar_file_is_uploaded_then_sent_as_a_document(settings: Settings) -> None:
    from tests.dropins import add_dropin

    async with whatsapp_app(settings) as (app, client, fake):
        await add_dropin(app, "Coffee morning", "Leeds")
        parent = WhatsAppParent(client, fake, "447700900010")
        await parent.say("hello")
        await parent.expect("OK, let's start")
        await parent.say("agree")
        await parent.say("can I book a drop in session")
        await parent.expect("Which council area")
        await parent.say("Leeds")
        listing = await parent.expect("Here are the next drop-in sessions")
        first_title, first_id = next(iter(choices(listing).items()))
        await parent.press(first_id, first_title, kind="list_reply")
        await parent.expect("You're booked")
        await fake.wait_for(lambda: any(m["type"] == "document" for m in parent.received()))
        document = next(m for m in parent.received() if m["type"] == "document")
        assert document["document"]["filename"].endswith(".ics")
        assert fake.uploads[0]["type"] == "text/calendar"
        assert b"BEGIN:VCALENDAR" in fake.uploads[0]["body"]


async def test_a_question_on_whatsapp_gets_the_fact_and_its_next_steps(settings: Settings) -> None:
    async with whatsapp_app(settings) as (_app, client, fake):
        parent = WhatsAppParent(client, fake, "447700900011")
        await parent.say("hi")
        privacy = await parent.expect("OK, let's start")
        await parent.press(choices(privacy)["OK, let's start"], "OK, let's start")
        await parent.expect("What would you like help with?")
        await parent.say("how long does the council have to decide whether to assess my son")
        answer = await parent.expect("6 weeks")
        assert answer["interactive"]["body"]["text"].startswith("The council must")
        rows = choices(answer)
        # Read more, a related answer and a person: nothing dropped, titles within limits.
        assert "Read more" in rows and "Talk to a person" in rows
        limit = 20 if answer["interactive"]["type"] == "button" else 24
        assert all(len(title) <= limit for title in rows)
        await parent.press(rows["Read more"], "Read more")
        await parent.expect("EHC plan timescales")

"""Telegram: the real python-telegram-bot client against tests/fakes/telegram_api.py."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from telegram import Update

from bot.channels.outbox import OutgoingMessage
from bot.channels.rendering import split_text
from bot.channels.telegram import CALLBACK_LIMIT, TelegramSender, make_bot
from bot.config import Settings
from bot.core.content import Content
from bot.handoff import tickets
from tests.conftest import running_app
from tests.console import Champion, add_account, client_for
from tests.dropins import add_dropin
from tests.fakes.telegram_api import TOKEN, FakeTelegram, fake_telegram


@contextlib.asynccontextmanager
async def telegram_app(settings: Settings, **extra: Any) -> AsyncIterator[tuple[Any, FakeTelegram]]:
    async with fake_telegram() as fake:
        changed = {
            "telegram_bot_token": TOKEN,
            "telegram_api_base": fake.url,
            "telegram_poll_timeout": 1,
            **extra,
        }
        async with running_app(settings.model_copy(update=changed)) as (app, _client):
            yield app, fake


class TelegramParent:
    """A parent in a Telegram chat: sends updates to the fake, reads what the bot sent."""

    def __init__(self, fake: FakeTelegram, chat_id: int) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.seen = 0

    def _received(self) -> list[dict[str, Any]]:
        return self.fake.messages_to(self.chat_id)

    async def expect(self, words: str) -> dict[str, Any]:
        """Wait for a new message containing `words`; returns it."""

        def found() -> bool:
            return any(words in m.get("text", "") for m in self._received()[self.seen :])

        await self.fake.wait_for(found)
        message = next(m for m in self._received()[self.seen :] if words in m.get("text", ""))
        self.seen = len(self._received())
        return message

    def say(self, text: str) -> None:
        self.fake.add_text(self.chat_id, text)

    def _button(self, label: str) -> dict[str, str] | None:
        for message in reversed(self._received()):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        return button
        return None

    async def press(self, label: str) -> None:
        """Press a button once it has arrived."""
        await self.fake.wait_for(lambda: self._button(label) is not None)
        button = self._button(label)
        assert button is not None
        self.fake.add_press(self.chat_id, button["callback_data"])


async def test_a_conversation_over_long_polling(settings: Settings) -> None:
    async with telegram_app(settings) as (_app, fake):
        assert [c["command"] for c in fake.commands] == [
            "start",
            "menu",
            "help",
            "human",
            "stop",
            "mydata",
            "delete",
        ]
        assert fake.webhook == {}  # polling: any webhook is removed
        parent = TelegramParent(fake, 4001)
        parent.say("/start")
        welcome = await parent.expect("Hello, I'm Champion")
        assert welcome["parse_mode"] == "HTML"
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        assert fake.answered_callbacks  # the button's spinner was stopped
        await parent.press("EHC plans")
        ehcp = await parent.expect("Education, Health and Care plan")
        assert "<b>" in ehcp["text"] or "EHC" in ehcp["text"]
        parent.say("/menu")
        await parent.expect("What would you like help with?")
        fake.add_photo(4001)
        await parent.expect("I can only read typed messages")


async def test_the_same_update_twice_is_answered_once(settings: Settings) -> None:
    async with telegram_app(settings) as (app, fake):
        update = fake.text_update(4002, "/start", update_id=777)
        fake.push(update)
        parent = TelegramParent(fake, 4002)
        await parent.expect("Hello, I'm Champion")
        # Telegram delivers it again (say our answer to the first delivery was lost).
        channel = app.state.channels.telegram
        await channel.handle_update(Update.de_json(update, channel.bot))
        await app.state.channels.workers["telegram"].send_due()
        welcomes = [m for m in fake.messages_to(4002) if "Hello, I'm Champion" in m.get("text", "")]
        assert len(welcomes) == 1


async def test_the_webhook_checks_its_secret(settings: Settings) -> None:
    extra = {
        "telegram_webhook_url": "https://champion.example.org/telegram/webhook",
        "telegram_webhook_secret": "s3cret-token_1-0123456789abcdefghij",
    }
    async with fake_telegram() as fake:
        changed = {"telegram_bot_token": TOKEN, "telegram_api_base": fake.url, **extra}
        async with running_app(settings.model_copy(update=changed)) as (_app, client):
            assert fake.webhook == {
                "url": "https://champion.example.org/telegram/webhook",
                "secret_token": "s3cret-token_1-0123456789abcdefghij",
            }
            update = fake.text_update(4003, "/start")
            wrong = await client.post(
                "/telegram/webhook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "nope"},
            )
            assert wrong.status_code == 403
            missing = await client.post("/telegram/webhook", json=update)
            assert missing.status_code == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1-0123456789abcdefghij"}
            bad = await client.post("/telegram/webhook", content=b"{not json", headers=headers)
            assert bad.status_code == 400
            ok = await client.post("/telegram/webhook", json=update, headers=headers)
            assert ok.status_code == 200
            again = await client.post("/telegram/webhook", json=update, headers=headers)
            assert again.status_code == 200
            parent = TelegramParent(fake, 4003)
            await parent.expect("Hello, I'm Champion")
            await fake.wait_for(lambda: True)
            welcomes = [
                m for m in fake.messages_to(4003) if "Hello, I'm Champion" in m.get("text", "")
            ]
            assert len(welcomes) == 1


async def test_a_429_is_waited_out_and_nothing_is_lost(settings: Settings) -> None:
    async with telegram_app(settings) as (_app, fake):
        fake.fail_next("sendMessage", retry_after=1, times=2)
        parent = TelegramParent(fake, 4004)
        parent.say("/start")
        started = dt.datetime.now()
        await parent.expect("Hello, I'm Champion")
        assert (dt.datetime.now() - started).total_seconds() >= 1  # Telegram's wait was honoured


async def test_a_booking_sends_its_calendar_file(settings: Settings) -> None:
    async with telegram_app(settings) as (app, fake):
        await add_dropin(app, "Coffee morning", "Leeds")
        parent = TelegramParent(fake, 4005)
        parent.say("/start")
        await parent.expect("Hello, I'm Champion")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("drop-in sessions")
        await parent.expect("Which council area")
        parent.say("Leeds")
        listing = await parent.expect("Here are the next drop-in sessions")
        label = listing["reply_markup"]["inline_keyboard"][0][0]["text"]  # the first session
        await parent.press(label)
        await parent.expect("You're booked")
        await fake.wait_for(
            lambda: any(m["method"] == "sendDocument" for m in fake.messages_to(4005))
        )
        document = next(m for m in fake.messages_to(4005) if m["method"] == "sendDocument")
        filename, body = document["files"]["document"]
        assert filename.endswith(".ics") and b"BEGIN:VCALENDAR" in body


async def test_champion_replies_reach_the_telegram_parent(settings: Settings) -> None:
    async with telegram_app(settings, telegram_staff_chat_id="-100200300") as (app, fake):
        parent = TelegramParent(fake, 4006)
        parent.say("/start")
        await parent.expect("Hello, I'm Champion")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("/human")
        await parent.expect("which council do you live in")
        parent.say("Leeds")
        await parent.expect("I've asked a Parent Champion")
        # The staff chat hears about it, with no personal details.
        staff = TelegramParent(fake, -100200300)
        notice = await staff.expect("hand-off: ticket #")
        assert "Leeds" in notice["text"] and "4006" not in notice["text"]

        [ticket] = await app.state.services.database.read(tickets.queue, None)
        champion = Champion(client_for(app), await add_account(app, "champion", ["Leeds"], "Sam"))
        await champion.sign_in()
        await champion.claim(ticket.id)
        await champion.reply(ticket.id, "Hello from Sam. How can I help?")
        await parent.expect("Hello from Sam. How can I help?")
        parent.say("My son is being sent home at lunch")
        await fake.wait_for(lambda: True)
        await _eventually(lambda: champion.transcript(ticket.id), "sent home at lunch")


async def _eventually(read: Any, words: str) -> None:
    import asyncio

    for _ in range(100):
        if words in await read():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{words!r} never appeared")


async def test_long_text_is_split_at_paragraphs_within_telegram_limits(settings: Settings) -> None:
    paragraphs = [f"Paragraph {n}. " + "Words about support. " * 40 for n in range(12)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 9000
    pieces = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) >= 3
    assert all(p.endswith("support.") for p in pieces)  # cut between paragraphs
    async with fake_telegram() as fake:
        bot = make_bot(TOKEN, fake.url)
        await bot.initialize()
        services = type("Services", (), {"content": None, "database": None})()
        sender = TelegramSender(bot, services)
        buttons = [{"label": "Main menu", "payload": "global:menu"}]
        await sender.send(
            OutgoingMessage(1, 1, "4007", text, buttons, None, None, 0, dt.datetime.now(dt.UTC))
        )
        sent = fake.messages_to(4007)
        assert len(sent) == len(pieces) and all(len(m["text"]) <= 4096 for m in sent)
        assert "reply_markup" in sent[-1] and all("reply_markup" not in m for m in sent[:-1])
        await bot.shutdown()


def test_every_button_payload_fits_in_telegram_callback_data(settings: Settings) -> None:
    from bot.core.actions import default_actions
    from bot.services import load_content

    content: Content = load_content(settings, default_actions()).content
    payloads = []
    for flow_id, flow in content.flows.items():
        for node_id, node in flow.nodes.items():
            for index, _button in enumerate(node.buttons):
                payloads.append(f"{flow_id}:{node_id}:{index}")
            for index, _choice in enumerate(node.choices):
                payloads.append(f"{flow_id}:{node_id}:{index}")
            payloads.append(f"{flow_id}:{node_id}:la152")
    payloads += [f"article:{a}" for a in content.library.articles]
    longest = max(payloads, key=lambda p: len(p.encode()))
    assert len(longest.encode()) <= CALLBACK_LIMIT, longest


async def test_messages_stored_while_telegram_was_off_are_sent_when_it_starts(
    settings: Settings,
) -> None:
    from bot.core.outbound import push_message
    from bot.core.types import Reply
    from bot.store import conversations as store

    # Stored first (the process stopped before sending)...
    async with running_app(settings) as (app, _client):
        database = app.state.services.database
        async with database.transaction() as transaction:
            loaded = await transaction.run(store.load_or_create, "telegram", "4010")
            await transaction.run(
                push_message, loaded.parent_id, Reply("Your drop-in is tomorrow.")
            )
    # ...and sent once a process with Telegram switched on is running.
    async with telegram_app(settings) as (_app, fake):
        await TelegramParent(fake, 4010).expect("Your drop-in is tomorrow.")


async def test_delete_on_telegram_says_goodbye_then_keeps_nothing(settings: Settings) -> None:
    from sqlalchemy import select

    from bot.privacy.erase import erase_inactive
    from bot.store.models import Conversation, Parent

    async with telegram_app(settings) as (app, fake):
        parent = TelegramParent(fake, 4020)
        parent.say("/start")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("/delete")
        await parent.expect("Delete everything?")
        await parent.press("Yes")
        await parent.expect("Everything Champion held about you has been deleted")
        database = app.state.services.database
        conversations = await database.read(
            lambda c: c.execute(select(Conversation.__table__)).all()
        )
        assert conversations == []
        # Only a bare record was kept to send that goodbye; a day later it goes too.
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        async with database.transaction() as transaction:
            await transaction.run(erase_inactive, 12, later)
        parents = await database.read(lambda c: c.execute(select(Parent.__table__)).all())
        assert parents == []


async def test_a_question_on_telegram_gets_the_fact_first(settings: Settings) -> None:
    async with telegram_app(settings) as (_app, fake):
        parent = TelegramParent(fake, 4011)
        parent.say("/start")
        await parent.expect("Hello, I'm Champion")
        await parent.press("OK, let's start")
        await parent.expect("What would you like help with?")
        parent.say("how long does the council have to decide whether to assess my son")
        answer = await parent.expect("6 weeks")
        assert answer["text"].startswith("The council must")  # the fact, not a topic title
        assert "regulation 5(1)" in answer["text"]
        labels = [b["text"] for row in answer["reply_markup"]["inline_keyboard"] for b in row]
        assert "Read more" in labels and "Talk to a person" in labels
        # Every button fits Telegram's 64-byte callback data.
        for row in answer["reply_markup"]["inline_keyboard"]:
            for button in row:
                assert len(button["callback_data"].encode()) <= CALLBACK_LIMIT

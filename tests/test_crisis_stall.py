"""The crisis reply never waits on a database that does not answer, on any channel."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.handoff import tickets
from tests.chat import Parent
from tests.conftest import running_app_behind_stall
from tests.test_telegram import TelegramParent, telegram_app

CRISIS = "my son is having a seizure and it won't stop"


async def test_postgresql_not_answering_still_gets_the_numbers_at_once(
    postgres_database: str, settings: Settings
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("runs once, with the PostgreSQL settings")
    async with running_app_behind_stall(settings, postgres_database) as (app, client, proxy):
        services = app.state.services
        parent = Parent(client)
        await parent.at_main_menu()
        proxy.stall()
        started = time.perf_counter()
        await parent.say(CRISIS)
        assert time.perf_counter() - started < 2.0
        assert "999" in parent.replies[0]["text"] and "116 123" in parent.replies[0]["text"]
        # A crisis as the very first message of a new chat gets the numbers and
        # its secret, so the family can carry on once the database is back.
        newcomer = Parent(client)
        first = await newcomer.post(text=CRISIS)
        assert first.status_code == 200 and "999" in first.json()["replies"][0]["text"]
        assert newcomer.token is not None
        # Liveness never touches the database.
        assert (await client.get("/healthz")).status_code == 200
        # An ordinary message gets a polite "try again", not a hang.
        started = time.perf_counter()
        ordinary = await parent.post(text="how do I ask for an EHC needs assessment")
        assert time.perf_counter() - started < 6.0
        assert ordinary.status_code == 503
        assert "try again in a minute" in ordinary.json()["replies"][0]["text"]
        proxy.resume()
        # Once the database answers again, the urgent ticket is saved.
        await asyncio.wait_for(services.dispatcher.wait_for_saves(), 120)
        queue = await services.database.read(tickets.queue, None)
        assert sorted((t.chat_id, t.urgency) for t in queue) == sorted(
            [(parent.session, "crisis"), (newcomer.session, "crisis")]
        )
        assert len(await newcomer.history()) >= 1  # their secret works


async def test_telegram_gets_the_crisis_reply_directly_while_sqlite_is_locked(
    settings: Settings,
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("this test locks the SQLite file; the PostgreSQL stall is tested above")
    async with telegram_app(settings) as (app, fake):
        parent = TelegramParent(fake, 4301)
        parent.say("hello")
        await parent.expect("Your privacy")
        path = Path(settings.database_url.split("///", 1)[1])
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        try:
            started = time.perf_counter()
            parent.say(CRISIS)
            await fake.wait_for(
                lambda: any("116 123" in m.get("text", "") for m in fake.messages_to(4301)), 2.0
            )
            assert time.perf_counter() - started < 2.0
        finally:
            other.execute("ROLLBACK")
            other.close()
        await asyncio.wait_for(app.state.services.dispatcher.wait_for_saves(), 30)
        # The rest of the step (the hand-off note) follows through the outbox, and the
        # numbers, already sent, are not sent a second time.
        await parent.expect("Parent Champion")
        await asyncio.sleep(1.5)
        crisis_messages = [m for m in fake.messages_to(4301) if "116 123" in m.get("text", "")]
        assert len(crisis_messages) == 1

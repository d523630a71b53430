"""Reminders go out exactly once: two sweeps at once, restarts, cancellations, failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, update

from bot.booking.notices import reminder_text
from bot.booking.reminders import failed_reminders, sweep
from bot.config import Settings
from bot.store import conversations as store
from bot.store.db import Database
from bot.store.models import Message, Reminder, utcnow
from tests.chat import Parent, RemoteParent
from tests.conftest import running_app
from tests.dropins import add_dropin, at_session_list, in_days, session_button
from tests.server import running_server

reminders = Reminder.__table__
messages = Message.__table__


async def add_parent(app: Any, channel: str = "web") -> tuple[int, str]:
    chat_id = f"test-{uuid.uuid4().hex}"
    async with app.state.services.database.transaction() as transaction:
        loaded = await transaction.run(store.load_or_create, channel, chat_id)
    return loaded.parent_id, chat_id


def add_reminder(
    connection: Any, parent_id: int, due_at: dt.datetime, kind: str = "deadline"
) -> int:
    return connection.execute(
        insert(reminders)
        .values(
            parent_id=parent_id,
            kind=kind,
            due_on=(due_at + dt.timedelta(days=7)).date(),
            due_at=due_at,
            status="pending",
            attempts=0,
            created_at=utcnow(),
        )
        .returning(reminders.c.id)
    ).scalar_one()


def statuses(connection: Any) -> dict[int, str]:
    return {r.id: r.status for r in connection.execute(select(reminders.c.id, reminders.c.status))}


def pushed_per_parent(connection: Any) -> dict[int, int]:
    query = (
        select(messages.c.parent_id, func.count())
        .where(messages.c.reply_to_id.is_(None), messages.c.direction == "out")
        .group_by(messages.c.parent_id)
    )
    return {row[0]: row[1] for row in connection.execute(query)}


def renderer(app: Any) -> Any:
    return lambda kind, variables: reminder_text(app.state.services.runner, kind, variables)


async def test_two_sweeps_at_once_send_each_reminder_once(
    app_and_client: tuple, settings: Settings
) -> None:
    app, _client = app_and_client
    database = app.state.services.database
    parent_ids = [(await add_parent(app))[0] for _ in range(40)]
    due = utcnow() - dt.timedelta(minutes=5)
    async with database.transaction() as transaction:
        for parent_id in parent_ids:
            await transaction.run(add_reminder, parent_id, due)
    # A second process's view of the same database: its own engine and connections.
    other = Database(settings.sqlalchemy_url)

    async def one_sweep(db: Database) -> int:
        async with db.transaction() as transaction:
            report, _reached = await transaction.run(sweep, renderer(app))
        return report.sent

    try:
        sent = await asyncio.gather(one_sweep(database), one_sweep(other), one_sweep(other))
    finally:
        await other.dispose()
    assert set((await database.read(statuses)).values()) == {"sent"}
    assert await database.read(pushed_per_parent) == {p: 1 for p in parent_ids}
    assert sum(sent) <= 40  # the app's own scheduler may have sent some first


async def test_reminders_of_a_cancelled_booking_are_never_sent(app_and_client: tuple) -> None:
    app, client = app_and_client
    await add_dropin(app, starts=in_days(3))
    parent = Parent(client)
    await at_session_list(parent)
    await parent.press(session_button(parent))
    await parent.press("My bookings")
    await parent.press("Cancel 1")
    database = app.state.services.database
    async with database.transaction() as transaction:
        # Pretend both reminder times have come.
        await transaction.run(
            lambda c: c.execute(update(reminders).values(due_at=utcnow() - dt.timedelta(minutes=1)))
        )
        report, _ = await transaction.run(sweep, renderer(app))
    assert report.sent == 0
    assert set((await database.read(statuses)).values()) == {"cancelled"}
    assert "Reminder:" not in " ".join(m["text"] for m in await parent.history())


async def test_a_booking_reminder_reaches_the_parent_in_the_chat(app_and_client: tuple) -> None:
    app, client = app_and_client
    await add_dropin(app, "Coffee morning", starts=in_days(3))
    parent = Parent(client)
    await at_session_list(parent)
    await parent.press(session_button(parent))
    database = app.state.services.database
    async with database.transaction() as transaction:
        await transaction.run(
            lambda c: c.execute(
                update(reminders)
                .where(reminders.c.kind == "dropin_24h")
                .values(due_at=utcnow() - dt.timedelta(minutes=1))
            )
        )
        report, reached = await transaction.run(sweep, renderer(app))
    assert report.sent == 1 and reached == [("web", parent.session)]
    last = (await parent.history())[-1]
    assert last["text"].startswith("Reminder: **Coffee morning** is on ")
    assert "Central Library" in last["text"]


async def test_a_channel_that_is_not_switched_on_is_retried_then_marked_failed(
    settings: Settings,
) -> None:
    # This test is the only sweeper, so it can step the clock itself.
    quiet = settings.model_copy(update={"reminder_sweep_seconds": 0})
    async with running_app(quiet) as (app, _client):
        await _retry_then_fail(app)


async def _retry_then_fail(app: Any) -> None:
    database = app.state.services.database
    parent_id, _chat = await add_parent(app, channel="telegram")
    now = utcnow()
    async with database.transaction() as transaction:
        await transaction.run(add_reminder, parent_id, now - dt.timedelta(minutes=1))
    gaps = []
    for _attempt in range(5):
        async with database.transaction() as transaction:
            await transaction.run(sweep, renderer(app), now)
        row = await database.read(
            lambda c: c.execute(select(reminders.c.status, reminders.c.next_attempt_at)).one()
        )
        if row.status == "failed":
            break
        next_at = (
            row.next_attempt_at
            if row.next_attempt_at.tzinfo
            else row.next_attempt_at.replace(tzinfo=dt.UTC)
        )
        gaps.append((next_at - now).total_seconds())
        # Too early: the sweep leaves it alone until its next attempt is due.
        async with database.transaction() as transaction:
            early, _ = await transaction.run(sweep, renderer(app), now + dt.timedelta(seconds=1))
        assert early.retried == 0
        now = next_at
    assert gaps == [30, 60, 120, 240]  # backing off
    failed = await database.read(failed_reminders)
    assert len(failed) == 1 and "channel telegram is not switched on" in failed[0].last_error


def test_after_a_restart_late_reminders_go_out_and_very_late_ones_are_dropped(
    tmp_path: Path,
) -> None:
    database_file = tmp_path / "restart.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{database_file}",
        "DATA_DIR": str(tmp_path),
        "REMINDER_SWEEP_SECONDS": "1",
    }
    log = tmp_path / "server.log"
    with running_server(env, log) as base:
        parent = RemoteParent(base)
        parent.post(payload="global:start")
    session = parent.session
    # While the server is down, two reminders fall due: one an hour ago, one two days ago.
    engine = create_engine(f"sqlite:///{database_file}")
    with engine.begin() as connection:
        parent_id = connection.execute(
            select(store.parents.c.id).where(store.parents.c.chat_id == session)
        ).scalar_one()
        late = add_reminder(connection, parent_id, utcnow() - dt.timedelta(hours=1))
        too_late = add_reminder(connection, parent_id, utcnow() - dt.timedelta(days=2))
    with running_server(env, log) as base:
        parent.base = base
        deadline = time.monotonic() + 15
        texts: list[str] = []
        while time.monotonic() < deadline:
            texts = [m["text"] for m in parent.history()]
            if any(t.startswith("Reminder:") for t in texts):
                break
            time.sleep(0.2)
    assert sum(t.startswith("Reminder:") for t in texts) == 1
    with engine.connect() as connection:
        assert statuses(connection) == {late: "sent", too_late: "dropped"}
    engine.dispose()
    assert f"reminder {too_late} (deadline) dropped" in log.read_text()

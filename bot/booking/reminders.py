"""The reminder sweep: every due reminder goes out once, however many processes sweep.

Each sweep is one transaction. Due rows are claimed with `FOR UPDATE SKIP LOCKED`
on PostgreSQL, so two sweeps at once take different rows; on SQLite the sweep
holds the single write lock, and every row is moved on with a compare-and-set
update (`... WHERE status = 'pending'`) so a row is never taken twice. Sending
is writing the outgoing message (bot/core/outbound.py) in that same transaction,
so "sent" and the message itself can never disagree, even across a crash. A web
chat parent who asked to be told also gets a neutral e-mail and push queued in that
transaction (issue #17), skipped if their open page shows the reminder first.

A reminder more than a day late (the server was down) is dropped with a log
line: "your session is tomorrow" two days later would be wrong. A failed send is
retried with growing gaps and then marked failed for a champion to see.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from bot.booking.bookings import booking_of
from bot.core.outbound import ParentGone, channel_of, push_message
from bot.core.types import Reply
from bot.notify.outbox import queue_reminder_notice
from bot.notify.push_store import queue_reminder_push
from bot.store.models import Reminder, as_utc, utcnow

log = logging.getLogger(__name__)
reminders = Reminder.__table__

BATCH = 100
TOO_LATE = dt.timedelta(days=1)
MAX_ATTEMPTS = 5
FIRST_RETRY = dt.timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class DueReminder:
    id: int
    parent_id: int
    kind: str
    due_on: dt.date
    due_at: dt.datetime
    booking_id: int | None
    attempts: int


# Builds the words of a reminder: (kind, variables) -> the message, or None if the
# reminder no longer applies. Given by the service so the words come from flows/.
Render = Callable[[str, dict[str, Any]], Reply | None]


@dataclass(slots=True)
class SweepReport:
    sent: int = 0
    dropped: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0


def claim_due(connection: Connection, now: dt.datetime, limit: int = BATCH) -> list[DueReminder]:
    query = (
        select(
            reminders.c.id,
            reminders.c.parent_id,
            reminders.c.kind,
            reminders.c.due_on,
            reminders.c.due_at,
            reminders.c.booking_id,
            reminders.c.attempts,
        )
        .where(
            reminders.c.status == "pending",
            reminders.c.due_at <= now,
            or_(reminders.c.next_attempt_at.is_(None), reminders.c.next_attempt_at <= now),
        )
        .order_by(reminders.c.due_at)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [
        DueReminder(r.id, r.parent_id, r.kind, r.due_on, as_utc(r.due_at), r.booking_id, r.attempts)
        for r in connection.execute(query)
    ]


def _finish(connection: Connection, reminder_id: int, **values: Any) -> bool:
    """Compare-and-set: only a reminder still pending is moved on."""
    result = connection.execute(
        update(reminders)
        .where(and_(reminders.c.id == reminder_id, reminders.c.status == "pending"))
        .values(**values)
    )
    return result.rowcount == 1


def _variables(connection: Connection, reminder: DueReminder) -> dict[str, Any] | None:
    from bot.core.text import date_in_words

    variables: dict[str, Any] = {"reminder_date": date_in_words(reminder.due_on)}
    if reminder.booking_id is not None:
        booked = booking_of(connection, reminder.booking_id)
        if booked is None or booked[1].status != "scheduled":
            return None  # the booking or the session was cancelled
        variables |= booked[1].variables()
    return variables


class ChannelUnavailable(RuntimeError):
    """The parent's channel is not switched on in this service (say Telegram's token was
    removed); the reminder waits and is retried."""


def sweep(
    connection: Connection,
    render: Render,
    now: dt.datetime | None = None,
    channels: frozenset[str] = frozenset({"web"}),
) -> tuple[SweepReport, list[tuple[str, str]]]:
    """Send what is due. Returns a report and the (channel, chat id) of each parent sent to.

    `channels` are the channels this service can deliver on now.
    """
    now = now or utcnow()
    report = SweepReport()
    reached: list[tuple[str, str]] = []
    for reminder in claim_due(connection, now):
        if now - reminder.due_at > TOO_LATE:
            if _finish(
                connection, reminder.id, status="dropped", last_error="more than a day late"
            ):
                report.dropped += 1
                log.warning(
                    "reminder %d (%s) dropped: due %s, more than a day ago",
                    reminder.id,
                    reminder.kind,
                    reminder.due_at.isoformat(),
                )
            continue
        variables = _variables(connection, reminder)
        reply = render(reminder.kind, variables) if variables is not None else None
        if reply is None:
            if _finish(connection, reminder.id, status="cancelled"):
                report.cancelled += 1
            continue
        savepoint = connection.begin_nested()
        try:
            channel = channel_of(connection, reminder.parent_id)
            if channel is not None and channel not in channels:
                raise ChannelUnavailable(f"channel {channel} is not switched on")
            pushed = push_message(connection, reminder.parent_id, reply, purpose="reminder")
            if pushed.channel == "web":  # a closed tab shows nothing: tell them, if they asked
                queue_reminder_notice(connection, reminder.parent_id, pushed.message_id, now)
                queue_reminder_push(connection, reminder.parent_id, pushed.message_id, now)
            if not _finish(connection, reminder.id, status="sent", sent_at=now):
                savepoint.rollback()  # someone else moved it on: their send stands
                continue
            savepoint.commit()
        except ParentGone:
            savepoint.rollback()
            _finish(connection, reminder.id, status="cancelled", last_error="parent deleted")
            report.cancelled += 1
            continue
        except Exception as exc:  # a channel refused it: try again later
            savepoint.rollback()
            _retry_later(connection, reminder, now, str(exc) or type(exc).__name__, report)
            continue
        report.sent += 1
        reached.append((pushed.channel, pushed.chat_id))
    return report, reached


def _retry_later(
    connection: Connection, reminder: DueReminder, now: dt.datetime, error: str, report: SweepReport
) -> None:
    attempts = reminder.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _finish(connection, reminder.id, status="failed", attempts=attempts, last_error=error[:200])
        report.failed += 1
        log.error("reminder %d failed after %d attempts (%s)", reminder.id, attempts, error)
        return
    delay = FIRST_RETRY * 2 ** (attempts - 1)
    _finish(
        connection,
        reminder.id,
        attempts=attempts,
        next_attempt_at=now + delay,
        last_error=error[:200],
    )
    report.retried += 1


def has_pending(connection: Connection, parent_id: int) -> bool:
    """The parent has a reminder still to come (the chat page offers notifications)."""
    found = connection.execute(
        select(reminders.c.id)
        .where(reminders.c.parent_id == parent_id, reminders.c.status == "pending")
        .limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True, slots=True)
class FailedReminder:
    id: int
    kind: str
    due_at: dt.datetime
    attempts: int
    last_error: str | None


def failed_reminders(connection: Connection, limit: int = 100) -> list[FailedReminder]:
    """For the console: reminders that could not be sent."""
    rows = connection.execute(
        select(reminders)
        .where(reminders.c.status == "failed")
        .order_by(reminders.c.due_at.desc())
        .limit(limit)
    )
    return [FailedReminder(r.id, r.kind, as_utc(r.due_at), r.attempts, r.last_error) for r in rows]

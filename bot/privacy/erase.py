"""Erasing a parent: on request ("delete my data") and after RETENTION_MONTHS of silence.

Everything that is about the family goes: messages, answers, referral answers,
reminders, the chat id, champions' notes. What reports count survives with no
link to anyone: a ticket keeps its category, urgency, area, times and outcome; a
referral its category and urgency; a past booking whether someone came. Places
they held at future sessions are given up (and offered to the waitlist).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Connection, delete, func, select, update

from bot.booking.bookings import cancel_booking
from bot.store.db import erasure_in_progress
from bot.store.models import (
    Booking,
    Conversation,
    DropInSession,
    Message,
    Parent,
    Referral,
    Ticket,
    TicketNote,
    utcnow,
)

log = logging.getLogger(__name__)
parents = Parent.__table__
conversations = Conversation.__table__
messages = Message.__table__
tickets = Ticket.__table__
notes = TicketNote.__table__
referrals = Referral.__table__
bookings = Booking.__table__
sessions = DropInSession.__table__


def erase_parent(
    connection: Connection, parent_id: int, hours_before: list[int] | None = None
) -> list[int]:
    """Erase one parent. Returns parents moved up from a waitlist (to be told)."""
    erasure_in_progress(connection)  # SQLite: empty the write-ahead log after commit
    now = utcnow()
    promoted: list[int] = []
    future = (
        connection.execute(
            select(bookings.c.id)
            .join(sessions, sessions.c.id == bookings.c.session_id)
            .where(
                bookings.c.parent_id == parent_id,
                bookings.c.status.in_(("booked", "waitlisted")),
                sessions.c.starts_at > now,
            )
        )
        .scalars()
        .all()
    )
    for booking_id in future:
        result = cancel_booking(connection, booking_id, parent_id, now, hours_before or [24, 2])
        if result.promoted_parent_id is not None:
            promoted.append(result.promoted_parent_id)
    ticket_ids = (
        connection.execute(select(tickets.c.id).where(tickets.c.parent_id == parent_id))
        .scalars()
        .all()
    )
    if ticket_ids:
        connection.execute(delete(notes).where(notes.c.ticket_id.in_(ticket_ids)))
        connection.execute(
            update(tickets)
            .where(tickets.c.id.in_(ticket_ids))
            .values(
                parent_id=None,
                summary={},
                came_from=None,
                status="closed",
                relaying=False,
                outcome=func.coalesce(tickets.c.outcome, "parent_deleted"),
                closed_at=func.coalesce(tickets.c.closed_at, now),
            )
        )
    connection.execute(
        update(referrals)
        .where(referrals.c.parent_id == parent_id)
        .values(parent_id=None, answers={})
    )
    connection.execute(
        update(bookings).where(bookings.c.parent_id == parent_id).values(parent_id=None)
    )
    # Messages, the conversation and reminders go with the parent (ON DELETE CASCADE);
    # deleting them first as well keeps SQLite honest if foreign keys were ever off.
    connection.execute(delete(messages).where(messages.c.parent_id == parent_id))
    connection.execute(delete(conversations).where(conversations.c.parent_id == parent_id))
    connection.execute(delete(parents).where(parents.c.id == parent_id))
    return promoted


def inactive_parents(connection: Connection, before: dt.datetime, limit: int = 500) -> list[int]:
    """Parents whose conversation has not moved since `before`."""
    query = (
        select(parents.c.id)
        .join(conversations, conversations.c.parent_id == parents.c.id)
        .where(conversations.c.updated_at < before)
        .limit(limit)
    )
    return list(connection.execute(query).scalars())


def finished_goodbyes(connection: Connection, before: dt.datetime) -> list[int]:
    """Bare records kept only to send "your data is deleted" on Telegram or WhatsApp:
    no conversation, nothing left to send, and older than `before`."""
    unsent = (
        select(messages.c.id)
        .where(
            messages.c.parent_id == parents.c.id, messages.c.delivery.in_(("pending", "sending"))
        )
        .exists()
    )
    query = (
        select(parents.c.id)
        .select_from(parents.outerjoin(conversations, conversations.c.parent_id == parents.c.id))
        .where(conversations.c.parent_id.is_(None), parents.c.created_at < before, ~unsent)
        .limit(500)
    )
    return list(connection.execute(query).scalars())


def erase_inactive(connection: Connection, months: int, now: dt.datetime | None = None) -> int:
    """The retention sweep: erase parents silent for `months`, and spent goodbyes."""
    now = now or utcnow()
    before = now - dt.timedelta(days=round(months * 30.44))
    erased = 0
    for parent_id in inactive_parents(connection, before):
        erase_parent(connection, parent_id)
        erased += 1
    for parent_id in finished_goodbyes(connection, now - dt.timedelta(days=1)):
        erase_parent(connection, parent_id)
    return erased

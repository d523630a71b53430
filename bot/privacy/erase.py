"""Erasing a parent: on request ("delete my data") and after RETENTION_MONTHS of silence.

Everything that is about the family goes: messages, answers, referral answers,
reminders, the chat id, champions' notes, the e-mail address for reply alerts. What
reports count survives with no link to anyone: a ticket keeps its category, urgency,
area, times and outcome; a referral its category and urgency; a past booking whether
someone came. Places they held at future sessions are given up (and offered to the
waitlist).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Connection, delete, func, select, update

from bot.booking.bookings import cancel_booking
from bot.handoff import follow_ups
from bot.handoff.ratings import erase as erase_ratings
from bot.notify import contacts as notify_contacts
from bot.notify import push_store
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
    return erase_parents(connection, [parent_id], hours_before)


def erase_parents(
    connection: Connection, parent_ids: list[int], hours_before: list[int] | None = None
) -> list[int]:
    """Erase these parents together, a statement per table rather than per parent, so
    the retention sweep's 500 a call cost a handful of round trips, not thousands.
    Returns parents moved up from a waitlist (to be told)."""
    if not parent_ids:
        return []
    erasure_in_progress(connection)  # SQLite: empty the write-ahead log after commit
    now = utcnow()
    promoted: list[int] = []
    future = connection.execute(
        select(bookings.c.id, bookings.c.parent_id)
        .join(sessions, sessions.c.id == bookings.c.session_id)
        .where(
            bookings.c.parent_id.in_(parent_ids),
            bookings.c.status.in_(("booked", "waitlisted")),
            sessions.c.starts_at > now,
        )
    ).all()
    # One at a time: each freed place goes to the next on that session's waitlist.
    for booking_id, owner in future:
        result = cancel_booking(connection, booking_id, owner, now, hours_before or [24, 2])
        if result.promoted_parent_id is not None and result.promoted_parent_id not in parent_ids:
            promoted.append(result.promoted_parent_id)
    their_tickets = select(tickets.c.id).where(tickets.c.parent_id.in_(parent_ids))
    connection.execute(delete(notes).where(notes.c.ticket_id.in_(their_tickets)))
    connection.execute(
        update(tickets)
        .where(tickets.c.parent_id.in_(parent_ids))
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
        .where(referrals.c.parent_id.in_(parent_ids))
        .values(parent_id=None, answers={})
    )
    connection.execute(
        update(bookings).where(bookings.c.parent_id.in_(parent_ids)).values(parent_id=None)
    )
    notify_contacts.erase(connection, parent_ids)  # e-mail address and unsent e-mails
    follow_ups.erase(connection, parent_ids)  # champions' follow-ups and their messages
    erase_ratings(connection, parent_ids)  # "How did it go?" scores and comments
    push_store.erase(connection, parent_ids)  # browser push subscriptions and unsent pushes
    # Messages, the conversation and reminders go with the parent (ON DELETE CASCADE);
    # deleting them first as well keeps SQLite honest if foreign keys were ever off.
    connection.execute(delete(messages).where(messages.c.parent_id.in_(parent_ids)))
    connection.execute(delete(conversations).where(conversations.c.parent_id.in_(parent_ids)))
    connection.execute(delete(parents).where(parents.c.id.in_(parent_ids)))
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


def erase_silent(
    connection: Connection, months: int, now: dt.datetime | None = None, limit: int = 500
) -> int:
    """One batch of the retention sweep: erase up to `limit` parents silent for `months`.
    Returns how many went; the sweep calls it again until fewer than `limit` do."""
    now = now or utcnow()
    before = now - dt.timedelta(days=round(months * 30.44))
    due = inactive_parents(connection, before, limit)
    erase_parents(connection, due)
    return len(due)


def erase_finished_goodbyes(connection: Connection, now: dt.datetime | None = None) -> int:
    """Bare records whose goodbye has gone, a day on. Once a sweep: it reads every parent."""
    now = now or utcnow()
    spent = finished_goodbyes(connection, now - dt.timedelta(days=1))
    erase_parents(connection, spent)
    return len(spent)


def erase_inactive(connection: Connection, months: int, now: dt.datetime | None = None) -> int:
    """A whole small sweep in one transaction: silent parents (up to 500) and spent
    goodbyes. Returns how many silent parents went."""
    erased = erase_silent(connection, months, now)
    erase_finished_goodbyes(connection, now)
    return erased

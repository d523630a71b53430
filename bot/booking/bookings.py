"""Booking a place, the waitlist, cancelling and attendance (store functions).

Capacity holds under any number of parents tapping "book" at once: the session's
row is locked (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite has one writer)
before places are counted, and a unique index refuses a second live booking by
the same parent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from bot.booking.sessions import SessionView, bookings, dropin_sessions, get_session
from bot.booking.times import UK
from bot.store.models import Parent, Reminder, as_utc, utcnow

reminders = Reminder.__table__
parents = Parent.__table__
LIVE = ("booked", "waitlisted")


@dataclass(frozen=True, slots=True)
class BookingResult:
    # booked | waitlisted | full | already_booked | already_waitlisted | unavailable
    outcome: str
    booking_id: int | None = None
    session: SessionView | None = None


def _lock_session(connection: Connection, session_id: int) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(dropin_sessions.c.id).where(dropin_sessions.c.id == session_id).with_for_update()
        )


def _live_booking(
    connection: Connection, session_id: int, parent_id: int
) -> tuple[int, str] | None:
    row = connection.execute(
        select(bookings.c.id, bookings.c.status).where(
            bookings.c.session_id == session_id,
            bookings.c.parent_id == parent_id,
            bookings.c.status.in_(LIVE),
        )
    ).first()
    return (row.id, row.status) if row else None


def _add_booking(connection: Connection, session_id: int, parent_id: int, status: str) -> int:
    now = utcnow()
    return connection.execute(
        insert(bookings)
        .values(
            session_id=session_id,
            parent_id=parent_id,
            status=status,
            created_at=now,
            updated_at=now,
        )
        .returning(bookings.c.id)
    ).scalar_one()


def schedule_reminders(
    connection: Connection,
    booking_id: int,
    parent_id: int,
    session: SessionView,
    hours_before: list[int],
    now: dt.datetime,
) -> None:
    """A reminder for each of `hours_before` that is still in the future."""
    for hours in hours_before:
        due_at = session.starts_at - dt.timedelta(hours=hours)
        if due_at <= now:
            continue
        connection.execute(
            insert(reminders).values(
                parent_id=parent_id,
                kind=f"dropin_{hours}h",
                due_on=session.starts_at.astimezone(UK).date(),  # the session's UK date
                due_at=due_at,
                booking_id=booking_id,
                status="pending",
                attempts=0,
                created_at=now,
            )
        )


def book(
    connection: Connection,
    session_id: int,
    parent_id: int,
    now: dt.datetime,
    hours_before: list[int],
    waitlist: bool = False,
) -> BookingResult:
    """Take a place; a full session says "full" unless `waitlist` asks to queue."""
    _lock_session(connection, session_id)
    session = get_session(connection, session_id)
    if session is None or session.status != "scheduled" or session.starts_at <= now:
        return BookingResult("unavailable", session=session)
    existing = _live_booking(connection, session_id, parent_id)
    if existing is not None:
        return BookingResult(f"already_{existing[1]}", existing[0], session)
    if session.booked < session.capacity:
        booking_id = _add_booking(connection, session_id, parent_id, "booked")
        schedule_reminders(connection, booking_id, parent_id, session, hours_before, now)
        return BookingResult("booked", booking_id, session)
    if not waitlist:
        return BookingResult("full", session=session)
    return BookingResult(
        "waitlisted", _add_booking(connection, session_id, parent_id, "waitlisted"), session
    )


@dataclass(frozen=True, slots=True)
class Cancellation:
    cancelled: bool
    session: SessionView | None = None
    promoted_parent_id: int | None = None  # moved up from the waitlist, to be told


def cancel_booking(
    connection: Connection,
    booking_id: int,
    parent_id: int,
    now: dt.datetime,
    hours_before: list[int],
) -> Cancellation:
    row = connection.execute(
        select(bookings.c.session_id, bookings.c.status).where(
            bookings.c.id == booking_id, bookings.c.parent_id == parent_id
        )
    ).first()
    if row is None or row.status not in LIVE:
        return Cancellation(False)
    _lock_session(connection, row.session_id)
    _set_status(connection, [booking_id], "cancelled")
    session = get_session(connection, row.session_id)
    promoted = None
    if row.status == "booked" and session is not None:
        promoted = _promote(connection, session, now, hours_before)
    return Cancellation(True, session, promoted)


def _set_status(connection: Connection, booking_ids: list[int], status: str) -> None:
    if not booking_ids:
        return
    connection.execute(
        update(bookings)
        .where(bookings.c.id.in_(booking_ids))
        .values(status=status, updated_at=utcnow())
    )
    if status == "cancelled":
        connection.execute(
            update(reminders)
            .where(reminders.c.booking_id.in_(booking_ids), reminders.c.status == "pending")
            .values(status="cancelled")
        )


def _promote(
    connection: Connection, session: SessionView, now: dt.datetime, hours_before: list[int]
) -> int | None:
    """Give a freed place to the first on the waitlist; returns their parent id."""
    if session.status != "scheduled" or session.starts_at <= now:
        return None
    if session.booked >= session.capacity:
        return None
    first = connection.execute(
        select(bookings.c.id, bookings.c.parent_id)
        .where(bookings.c.session_id == session.id, bookings.c.status == "waitlisted")
        .order_by(bookings.c.id)
        .limit(1)
    ).first()
    if first is None:
        return None
    _set_status(connection, [first.id], "booked")
    schedule_reminders(connection, first.id, first.parent_id, session, hours_before, now)
    return first.parent_id


def cancel_session(connection: Connection, session_id: int) -> list[int]:
    """Cancel a session and every place in it; returns the parents to tell."""
    _lock_session(connection, session_id)
    connection.execute(
        update(dropin_sessions)
        .where(dropin_sessions.c.id == session_id)
        .values(status="cancelled", updated_at=utcnow())
    )
    rows = connection.execute(
        select(bookings.c.id, bookings.c.parent_id).where(
            bookings.c.session_id == session_id, bookings.c.status.in_(LIVE)
        )
    ).all()
    _set_status(connection, [r.id for r in rows], "cancelled")
    return [r.parent_id for r in rows]


def reschedule_reminders(
    connection: Connection, session_id: int, now: dt.datetime, hours_before: list[int]
) -> None:
    """After a session's time changes: new reminder times for everyone booked."""
    session = get_session(connection, session_id)
    if session is None:
        return
    booked = connection.execute(
        select(bookings.c.id, bookings.c.parent_id).where(
            bookings.c.session_id == session_id, bookings.c.status == "booked"
        )
    ).all()
    ids = [b.id for b in booked]
    if ids:
        connection.execute(
            update(reminders)
            .where(reminders.c.booking_id.in_(ids), reminders.c.status == "pending")
            .values(status="cancelled")
        )
    for booking in booked:
        schedule_reminders(connection, booking.id, booking.parent_id, session, hours_before, now)


@dataclass(frozen=True, slots=True)
class ParentBooking:
    booking_id: int
    status: str
    session: SessionView


def bookings_of(connection: Connection, parent_id: int, now: dt.datetime) -> list[ParentBooking]:
    """A parent's live bookings of sessions still to come, soonest first."""
    rows = connection.execute(
        select(bookings.c.id, bookings.c.status, bookings.c.session_id)
        .where(bookings.c.parent_id == parent_id, bookings.c.status.in_(LIVE))
        .order_by(bookings.c.id)
    ).all()
    found = []
    for row in rows:
        session = get_session(connection, row.session_id)
        if session is not None and session.ends_at > now:
            found.append(ParentBooking(row.id, row.status, session))
    return sorted(found, key=lambda b: b.session.starts_at)


def booking_of(connection: Connection, booking_id: int) -> tuple[int, SessionView] | None:
    """(parent id, session) of a booking, for its calendar file."""
    row = connection.execute(
        select(bookings.c.parent_id, bookings.c.session_id, bookings.c.status).where(
            bookings.c.id == booking_id
        )
    ).first()
    if row is None or row.status not in LIVE:
        return None
    session = get_session(connection, row.session_id)
    return (row.parent_id, session) if session else None


@dataclass(frozen=True, slots=True)
class Attendee:
    booking_id: int
    parent_id: int
    channel: str
    status: str
    attended: bool | None
    booked_at: dt.datetime


def attendees(connection: Connection, session_id: int) -> list[Attendee]:
    """Everyone booked or waiting, in booking order (the waitlist's order)."""
    rows = connection.execute(
        select(
            bookings.c.id,
            bookings.c.parent_id,
            bookings.c.status,
            bookings.c.attended,
            bookings.c.created_at,
            parents.c.channel,
        )
        .join(parents, parents.c.id == bookings.c.parent_id)
        .where(bookings.c.session_id == session_id, bookings.c.status.in_(LIVE))
        .order_by(bookings.c.id)
    )
    return [
        Attendee(r.id, r.parent_id, r.channel, r.status, r.attended, as_utc(r.created_at))
        for r in rows
    ]


def mark_attendance(connection: Connection, session_id: int, present: set[int]) -> None:
    for attendee in attendees(connection, session_id):
        if attendee.status == "booked":
            connection.execute(
                update(bookings)
                .where(bookings.c.id == attendee.booking_id)
                .values(attended=attendee.booking_id in present, updated_at=utcnow())
            )

"""Follow-ups: "check back with this family on <date>" (issue #18).

A champion sets one on a ticket: a day and time (9am UK time unless they say), a note
for themselves and, optionally, a message to the parent. When it falls due the sweep
(bot/handoff/follow_up_sweep.py) reminds the champion and sends the message, once.

Sending once, across crashes and several `serve` processes: a sweep first *leases* a
due row (`lease_until`, compare-and-set, and `FOR UPDATE SKIP LOCKED` on PostgreSQL),
then, in a second transaction, stores the parent's message and marks the row sent
only if its lease is still the one it took. A process that dies holding a lease
leaves the row untouched; it is taken again once the lease runs out.

Statuses: pending -> sent (reminder and message out) -> done; pending -> cancelled.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update

from bot.core.dates import UK, uk_today
from bot.core.outbound import ParentGone, Pushed, channel_of, push_message
from bot.core.types import Button, Reply
from bot.handoff.follow_up_table import FollowUp
from bot.handoff.tickets import tickets
from bot.store.models import StaffUser, as_utc, utcnow

follow_ups = FollowUp.__table__
staff_users = StaffUser.__table__

DEFAULT_TIME = dt.time(9, 0)  # UK time, when the champion gives a day only
FURTHEST = dt.timedelta(days=366)
NOTE_LIMIT = 300  # the column's size
# WhatsApp sends a message outside its 24-hour window as a template whose text
# parameter takes 1,000 characters (bot/channels/whatsapp.py), so no more than that.
MESSAGE_LIMIT = 1000
LEASE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 5
# The button under a follow-up message sent to a parent.
REPLY_LABEL = "Talk to a Parent Champion"
OPEN_STATUSES = ("pending", "sent")


class FollowUpError(ValueError):
    """What the champion typed cannot be a follow-up; the message says why, plainly."""


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    if not text:
        raise FollowUpError("Choose the day to check back.")
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise FollowUpError("Give the day as day/month/year, for example 14/01/2027.")


def _parse_time(text: str) -> dt.time:
    if not text.strip():
        return DEFAULT_TIME
    match = _TIME.match(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    raise FollowUpError("Give the time as hours and minutes, for example 09:00 or 14:30.")


def due_time(date_text: str, time_text: str, now: dt.datetime | None = None) -> dt.datetime:
    """The moment (UTC) a follow-up falls due, from the form's day and time in UK time.

    Today is allowed if the time is still to come; no more than a year ahead."""
    now = now or utcnow()
    day, at = _parse_date(date_text), _parse_time(time_text)
    today = uk_today(now)
    if day < today:
        raise FollowUpError("That day has passed. Choose today or a later day.")
    due = dt.datetime.combine(day, at, tzinfo=UK).astimezone(dt.UTC)
    if due <= now:
        raise FollowUpError("That time has passed today. Choose a later time or another day.")
    if due - now > FURTHEST:
        raise FollowUpError("Choose a day within a year from today.")
    return due


def checked_words(note: str, message: str) -> tuple[str | None, str | None]:
    """The note and the parent's message, trimmed; empty ones become None."""
    note, message = note.strip(), message.strip()
    if len(note) > NOTE_LIMIT:
        raise FollowUpError(
            f"Your note is {len(note):,} characters; notes can be up to {NOTE_LIMIT}."
        )
    if len(message) > MESSAGE_LIMIT:
        raise FollowUpError(
            f"The message to the parent is {len(message):,} characters; it can be up to "
            f"{MESSAGE_LIMIT:,}. Please shorten it."
        )
    return note or None, message or None


def add(
    connection: Connection,
    ticket_id: int,
    parent_id: int,
    staff_user_id: int,
    due_at: dt.datetime,
    note: str | None,
    parent_message: str | None,
) -> int:
    now = utcnow()
    return connection.execute(
        follow_ups.insert()
        .values(
            ticket_id=ticket_id,
            parent_id=parent_id,
            staff_user_id=staff_user_id,
            due_at=due_at,
            note=note,
            parent_message=parent_message,
            status="pending",
            attempts=0,
            created_at=now,
        )
        .returning(follow_ups.c.id)
    ).scalar_one()


@dataclass(frozen=True, slots=True)
class FollowUpView:
    id: int
    ticket_id: int
    staff_user_id: int | None
    champion: str  # their name (or address) for staff; "no longer here" if removed
    due_at: dt.datetime
    note: str | None
    parent_message: str | None
    status: str
    sent_at: dt.datetime | None
    last_error: str | None
    category: str | None = None
    local_authority: str | None = None

    @property
    def message_waiting(self) -> bool:
        """A message to the parent that has not gone yet (so "Done" would lose it)."""
        return self.status == "pending" and self.parent_message is not None


_VIEW = select(
    follow_ups.c.id,
    follow_ups.c.ticket_id,
    follow_ups.c.staff_user_id,
    staff_users.c.name,
    staff_users.c.email,
    follow_ups.c.due_at,
    follow_ups.c.note,
    follow_ups.c.parent_message,
    follow_ups.c.status,
    follow_ups.c.sent_at,
    follow_ups.c.last_error,
    tickets.c.category,
    tickets.c.local_authority,
).select_from(
    follow_ups.join(tickets, tickets.c.id == follow_ups.c.ticket_id).outerjoin(
        staff_users, staff_users.c.id == follow_ups.c.staff_user_id
    )
)


def _view(row: Any) -> FollowUpView:
    return FollowUpView(
        id=row.id,
        ticket_id=row.ticket_id,
        staff_user_id=row.staff_user_id,
        champion=row.name or row.email or "a champion no longer here",
        due_at=as_utc(row.due_at),
        note=row.note,
        parent_message=row.parent_message,
        status=row.status,
        sent_at=as_utc(row.sent_at) if row.sent_at else None,
        last_error=row.last_error,
        category=row.category,
        local_authority=row.local_authority,
    )


def open_on_ticket(connection: Connection, ticket_id: int) -> list[FollowUpView]:
    """Follow-ups on this ticket still to come or not yet marked done, soonest first."""
    query = _VIEW.where(
        follow_ups.c.ticket_id == ticket_id, follow_ups.c.status.in_(OPEN_STATUSES)
    ).order_by(follow_ups.c.due_at, follow_ups.c.id)
    return [_view(row) for row in connection.execute(query)]


def get(connection: Connection, follow_up_id: int) -> FollowUpView | None:
    row = connection.execute(_VIEW.where(follow_ups.c.id == follow_up_id)).first()
    return _view(row) if row else None


def end_of_uk_day(now: dt.datetime) -> dt.datetime:
    tomorrow = uk_today(now) + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=UK).astimezone(dt.UTC)


def due_list(
    connection: Connection,
    staff_user_id: int | None,
    areas: list[str] | None,
    now: dt.datetime | None = None,
    limit: int = 50,
) -> list[FollowUpView]:
    """The queue page's "Follow-ups due": today's and overdue ones not yet done, one
    query on (status, due_at). `staff_user_id` None: everyone's (admins), in `areas`
    (None: all areas; a ticket with no area is everyone's, as in the queue)."""
    now = now or utcnow()
    conditions = [
        follow_ups.c.status.in_(OPEN_STATUSES),
        follow_ups.c.due_at < end_of_uk_day(now),
    ]
    if staff_user_id is not None:
        conditions.append(follow_ups.c.staff_user_id == staff_user_id)
    if areas is not None:
        conditions.append(
            or_(tickets.c.local_authority.is_(None), tickets.c.local_authority.in_(areas))
        )
    query = _VIEW.where(*conditions).order_by(follow_ups.c.due_at, follow_ups.c.id).limit(limit)
    return [_view(row) for row in connection.execute(query)]


def cancel(connection: Connection, follow_up_id: int, ticket_id: int) -> bool:
    """Only one still to go can be cancelled (what was sent stays sent)."""
    result = connection.execute(
        update(follow_ups)
        .where(
            follow_ups.c.id == follow_up_id,
            follow_ups.c.ticket_id == ticket_id,
            follow_ups.c.status == "pending",
        )
        .values(status="cancelled", lease_until=None)
    )
    return result.rowcount == 1


def mark_done(connection: Connection, follow_up_id: int) -> bool:
    """Checked back: done. Not while a message to the parent is still to go (cancel it
    on the ticket instead, so nobody loses a message by ticking a list)."""
    result = connection.execute(
        update(follow_ups)
        .where(
            follow_ups.c.id == follow_up_id,
            or_(
                follow_ups.c.status == "sent",
                and_(follow_ups.c.status == "pending", follow_ups.c.parent_message.is_(None)),
            ),
        )
        .values(status="done", done_at=utcnow(), lease_until=None)
    )
    return result.rowcount == 1


# -- the sweep's database side ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leased:
    id: int
    ticket_id: int
    parent_id: int
    staff_user_id: int | None
    champion_name: str | None
    parent_message: str | None
    attempts: int  # counting this one
    lease_until: dt.datetime


def lease_due(connection: Connection, now: dt.datetime, limit: int = 20) -> list[Leased]:
    """Due follow-ups nobody holds (or whose holder's lease ran out), leased to us."""
    query = (
        select(
            follow_ups.c.id,
            follow_ups.c.ticket_id,
            follow_ups.c.parent_id,
            follow_ups.c.staff_user_id,
            follow_ups.c.parent_message,
            follow_ups.c.attempts,
            follow_ups.c.lease_until,
        )
        .where(
            follow_ups.c.status == "pending",
            follow_ups.c.due_at <= now,
            or_(follow_ups.c.lease_until.is_(None), follow_ups.c.lease_until <= now),
        )
        .order_by(follow_ups.c.due_at, follow_ups.c.id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    leased = []
    until = now + LEASE
    for row in connection.execute(query).all():
        held_before = (
            follow_ups.c.lease_until.is_(None)
            if row.lease_until is None
            else follow_ups.c.lease_until == row.lease_until
        )
        taken = connection.execute(
            update(follow_ups)
            .where(follow_ups.c.id == row.id, follow_ups.c.status == "pending", held_before)
            .values(lease_until=until, attempts=row.attempts + 1)
        )
        if taken.rowcount != 1:
            continue  # another sweep took it between our read and our write
        name = None
        if row.staff_user_id is not None:
            name = connection.execute(
                select(staff_users.c.name).where(staff_users.c.id == row.staff_user_id)
            ).scalar()
        leased.append(
            Leased(
                id=row.id,
                ticket_id=row.ticket_id,
                parent_id=row.parent_id,
                staff_user_id=row.staff_user_id,
                champion_name=name,
                parent_message=row.parent_message,
                attempts=row.attempts + 1,
                lease_until=until,
            )
        )
    return leased


class LeaseLost(RuntimeError):
    """Our lease ran out and another sweep has the row: its send stands, ours is undone."""


class WaitForChannel(RuntimeError):
    """The parent's channel is not switched on here; try again after the lease."""


def deliver(
    connection: Connection,
    leased: Leased,
    now: dt.datetime,
    channels: frozenset[str],
) -> Pushed | None:
    """Store the parent's message (if any) and mark the follow-up sent, in one
    transaction, only while our lease holds. Returns where the message went."""
    pushed = None
    error = None
    if leased.parent_message is not None:
        channel = channel_of(connection, leased.parent_id)
        if channel is not None and channel not in channels:
            if leased.attempts < MAX_ATTEMPTS:
                raise WaitForChannel(channel)
            # The champion is still reminded; the ticket page says the message did not go.
            error = f"message not sent: {channel} is switched off"
        else:
            try:
                # As from the champion, like their replies; "reminder" lets WhatsApp use
                # its template outside the 24-hour window.
                pushed = push_message(
                    connection,
                    leased.parent_id,
                    # A reply to it should reach a person, not the bot: the button asks
                    # for a Parent Champion again (the ticket has usually closed by now).
                    Reply(leased.parent_message, [Button(REPLY_LABEL, "global:human")]),
                    leased.staff_user_id,
                    purpose="reminder",
                )
            except ParentGone:
                error = "message not sent: the parent's conversation was deleted"
    result = connection.execute(
        update(follow_ups)
        .where(
            follow_ups.c.id == leased.id,
            follow_ups.c.status == "pending",
            follow_ups.c.lease_until == leased.lease_until,
        )
        .values(
            status="sent",
            sent_at=now,
            lease_until=None,
            last_error=error,
            parent_message_id=pushed.message_id if pushed else None,
        )
    )
    if result.rowcount != 1:
        raise LeaseLost(leased.id)
    return pushed


def give_up_message(connection: Connection, leased: Leased, error: str, now: dt.datetime) -> None:
    """After MAX_ATTEMPTS failed tries: the champion is still reminded (the row is sent)
    and the ticket page says the message did not go, instead of trying for ever."""
    result = connection.execute(
        update(follow_ups)
        .where(
            follow_ups.c.id == leased.id,
            follow_ups.c.status == "pending",
            follow_ups.c.lease_until == leased.lease_until,
        )
        .values(
            status="sent",
            sent_at=now,
            lease_until=None,
            last_error=f"message not sent: {error}"[:200],
        )
    )
    if result.rowcount != 1:
        raise LeaseLost(leased.id)


def note_failure(connection: Connection, leased: Leased, error: str) -> None:
    """Why a try failed (no message text), for the ticket page; the lease then runs out."""
    connection.execute(
        update(follow_ups)
        .where(follow_ups.c.id == leased.id, follow_ups.c.lease_until == leased.lease_until)
        .values(last_error=error[:200])
    )


# -- privacy ----------------------------------------------------------------------


def erase(connection: Connection, parent_ids: list[int]) -> None:
    """With the parent: the note and the message are about them."""
    connection.execute(delete(follow_ups).where(follow_ups.c.parent_id.in_(parent_ids)))


def for_export(connection: Connection, parent_id: int) -> list[dict[str, Any]]:
    """For "my data": messages a champion arranged to send and that were sent (the
    champion's private note is not included, like unshared notes)."""
    rows = connection.execute(
        select(follow_ups.c.parent_message, follow_ups.c.sent_at)
        .where(
            follow_ups.c.parent_id == parent_id,
            follow_ups.c.parent_message_id.is_not(None),
        )
        .order_by(follow_ups.c.sent_at, follow_ups.c.id)
    )
    return [
        {"message": row.parent_message, "sent_at": as_utc(row.sent_at).isoformat()}
        for row in rows
        if row.sent_at is not None
    ]

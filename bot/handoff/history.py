"""The family's history, on a ticket: what Champion already knows about this parent.

A champion picking up a ticket sees the parent's earlier requests (with their notes
and outcomes), triage referrals, drop-in bookings and attendance, saved deadlines and
the letters and files made for them, so nobody has to tell their story twice. Earlier
requests from an area the champion doesn't cover stay hidden, as those tickets would
be. Opening the ticket page is already written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from bot.handoff.notes import NoteView, notes_of
from bot.store.models import Booking, DropInSession, Message, Referral, Reminder, Ticket

tickets = Ticket.__table__
referrals = Referral.__table__
bookings = Booking.__table__
sessions = DropInSession.__table__
reminders = Reminder.__table__
messages = Message.__table__

LIMIT = 20  # of each kind, newest first: enough to read, not a data dump


@dataclass(frozen=True, slots=True)
class EarlierTicket:
    id: int
    created_at: dt.datetime
    closed_at: dt.datetime | None
    status: str
    category: str | None
    outcome: str | None
    local_authority: str | None
    notes: list[NoteView]


@dataclass(frozen=True, slots=True)
class BookingLine:
    title: str
    starts_at: dt.datetime
    status: str
    attended: bool | None


@dataclass(slots=True)
class FamilyHistory:
    tickets: list[EarlierTicket] = field(default_factory=list)
    hidden_tickets: int = 0  # from areas this champion doesn't cover
    referrals: list[tuple[dt.datetime, str, str]] = field(default_factory=list)
    bookings: list[BookingLine] = field(default_factory=list)
    deadlines: list[tuple[dt.date, str]] = field(default_factory=list)
    documents: list[tuple[dt.datetime, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.tickets
            or self.hidden_tickets
            or self.referrals
            or self.bookings
            or self.deadlines
            or self.documents
        )


def family_history(
    connection: Connection, parent_id: int | None, ticket_id: int, areas: list[str] | None
) -> FamilyHistory:
    """Everything earlier for this parent (`areas` None: an admin, every area)."""
    history = FamilyHistory()
    if parent_id is None:  # the family's data was erased
        return history
    for row in connection.execute(
        select(tickets)
        .where(tickets.c.parent_id == parent_id, tickets.c.id != ticket_id)
        .order_by(tickets.c.id.desc())
        .limit(LIMIT)
    ):
        # The same rule as the queue: a ticket without an area is everyone's.
        if areas is not None and row.local_authority and row.local_authority not in areas:
            history.hidden_tickets += 1
            continue
        history.tickets.append(
            EarlierTicket(
                row.id,
                row.created_at,
                row.closed_at,
                row.status,
                row.category,
                row.outcome,
                row.local_authority,
                notes_of(connection, row.id),
            )
        )
    history.referrals = [
        (r.created_at, r.category, r.urgency)
        for r in connection.execute(
            select(referrals.c.created_at, referrals.c.category, referrals.c.urgency)
            .where(referrals.c.parent_id == parent_id)
            .order_by(referrals.c.id.desc())
            .limit(LIMIT)
        )
    ]
    history.bookings = [
        BookingLine(r.title, r.starts_at, r.status, r.attended)
        for r in connection.execute(
            select(sessions.c.title, sessions.c.starts_at, bookings.c.status, bookings.c.attended)
            .join(sessions, sessions.c.id == bookings.c.session_id)
            .where(bookings.c.parent_id == parent_id)
            .order_by(sessions.c.starts_at.desc())
            .limit(LIMIT)
        )
    ]
    history.deadlines = [
        (r.due_on, r.status)
        for r in connection.execute(
            select(reminders.c.due_on, reminders.c.status)
            .where(reminders.c.parent_id == parent_id, reminders.c.kind == "deadline")
            .order_by(reminders.c.due_on.desc())
            .limit(LIMIT)
        )
    ]
    # A message without a file may hold JSON null rather than SQL NULL: check each row.
    documents = connection.execute(
        select(messages.c.created_at, messages.c.document)
        .where(messages.c.parent_id == parent_id, messages.c.document.is_not(None))
        .order_by(messages.c.id.desc())
    )
    history.documents = [
        (r.created_at, str(r.document.get("filename") or "a file"))
        for r in documents
        if isinstance(r.document, dict)
    ][:LIMIT]
    return history

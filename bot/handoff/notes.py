"""Champions' notes on a ticket, and which of them the family may see.

A note is internal unless its champion marked it shareable. Only shareable notes
go into the parent's instant "my data" download: that download reaches whoever
holds the phone, who may not be the parent (an abusive partner, say). Every other
note is released only through a subject access request that staff review (README).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from bot.store.models import StaffUser, Ticket, TicketNote, utcnow

notes = TicketNote.__table__
tickets = Ticket.__table__
staff_users = StaffUser.__table__


def add_note(
    connection: Connection, ticket_id: int, member_id: int, text: str, shareable: bool = False
) -> None:
    now = utcnow()
    connection.execute(
        insert(notes).values(
            ticket_id=ticket_id,
            staff_user_id=member_id,
            text=text,
            shareable=shareable,
            created_at=now,
        )
    )
    # The ticket's live page refreshes when updated_at moves.
    connection.execute(update(tickets).where(tickets.c.id == ticket_id).values(updated_at=now))


@dataclass(frozen=True, slots=True)
class NoteView:
    id: int
    author: str
    author_id: int | None
    text: str
    created_at: dt.datetime
    shareable: bool


def notes_of(connection: Connection, ticket_id: int) -> list[NoteView]:
    query = (
        select(
            notes.c.id,
            notes.c.staff_user_id,
            notes.c.text,
            notes.c.created_at,
            notes.c.shareable,
            staff_users.c.email,
            staff_users.c.name,
        )
        .select_from(notes.outerjoin(staff_users, staff_users.c.id == notes.c.staff_user_id))
        .where(notes.c.ticket_id == ticket_id)
        .order_by(notes.c.id)
    )
    return [
        NoteView(
            r.id,
            # Staff know each other by name; an address is only a fallback for no name.
            r.name or r.email or "(deleted account)",
            r.staff_user_id,
            r.text,
            r.created_at,
            bool(r.shareable),
        )
        for r in connection.execute(query)
    ]


def note_on_ticket(connection: Connection, ticket_id: int, note_id: int) -> NoteView | None:
    """The note, only if it is on this ticket (so a visible ticket cannot reach another's)."""
    return next((n for n in notes_of(connection, ticket_id) if n.id == note_id), None)


def set_shareable(connection: Connection, ticket_id: int, note_id: int, shareable: bool) -> bool:
    """Mark or unmark a note on this ticket; False if there is no such note on it."""
    now = utcnow()
    changed = connection.execute(
        update(notes)
        .where(notes.c.id == note_id, notes.c.ticket_id == ticket_id)
        .values(shareable=shareable)
    )
    if changed.rowcount != 1:
        return False
    connection.execute(update(tickets).where(tickets.c.id == ticket_id).values(updated_at=now))
    return True


@dataclass(frozen=True, slots=True)
class SharedNote:
    text: str
    written_at: dt.datetime


def shared_with_parent(connection: Connection, parent_id: int) -> list[SharedNote]:
    """The notes champions chose to share, on any of this parent's tickets, oldest first."""
    query = (
        select(notes.c.text, notes.c.created_at)
        .join(tickets, tickets.c.id == notes.c.ticket_id)
        .where(tickets.c.parent_id == parent_id, notes.c.shareable.is_(True))
        .order_by(notes.c.id)
    )
    return [SharedNote(r.text, r.created_at) for r in connection.execute(query)]

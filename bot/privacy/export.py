"""What is held about one parent, as JSON ("My data").

This download is instant and self-service, so it reaches whoever holds the phone,
who may not be the parent. Champions' notes are therefore in it only when the
champion marked them shareable (bot/handoff/notes.py); the rest are released through
a subject access request that staff review (README, "Subject access requests").
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, select

from bot.handoff import follow_ups
from bot.handoff.notes import shared_with_parent
from bot.handoff.ratings import for_export as ratings_for_export
from bot.notify import contacts as notify_contacts
from bot.notify import push_store
from bot.store.models import (
    Booking,
    Conversation,
    DropInSession,
    Message,
    Parent,
    Referral,
    Reminder,
    Ticket,
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _rows(connection: Connection, query: Any) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in connection.execute(query)]


# Who wrote a shared note is not given: a champion's name or e-mail address is theirs.
NOTE_AUTHOR = "Parent Champion"
OTHER_NOTES = (
    "Parent Champions may also keep notes that are not shared here. To ask for them, "
    "make a subject access request: type human in this chat and ask a Parent Champion "
    "for a copy of everything we hold. Staff review it and reply within one month."
)


def _shared_notes(connection: Connection, parent_id: int) -> list[dict[str, Any]]:
    return [
        {"from": NOTE_AUTHOR, "text": n.text, "written_at": _plain(n.written_at)}
        for n in shared_with_parent(connection, parent_id)
    ]


def _files_sent(connection: Connection, parent_id: int) -> list[dict[str, Any]]:
    """Letters and calendar files sent (their names: each is built afresh when fetched)."""
    messages = Message.__table__
    query = (
        select(messages.c.document, messages.c.created_at)
        .where(messages.c.parent_id == parent_id, messages.c.document.is_not(None))
        .order_by(messages.c.id)
    )
    return [
        {"filename": row.document.get("filename", ""), "sent_at": _plain(row.created_at)}
        for row in connection.execute(query)
        if isinstance(row.document, dict)
    ]


def export_parent(connection: Connection, parent_id: int) -> dict[str, Any]:
    parents = Parent.__table__
    conversations = Conversation.__table__
    messages = Message.__table__
    referrals = Referral.__table__
    reminders = Reminder.__table__
    bookings = Booking.__table__
    sessions = DropInSession.__table__
    tickets = Ticket.__table__
    return {
        "about": (
            "Everything Champion holds about you, except Parent Champions' notes "
            "that were not shared with you (see other_notes). "
            "Ask for it to be deleted at any time by typing delete."
        ),
        "other_notes": OTHER_NOTES,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "you": _rows(
            connection,
            select(parents.c.channel, parents.c.created_at).where(parents.c.id == parent_id),
        ),
        "conversation": _rows(
            connection,
            select(
                conversations.c.flow,
                conversations.c.node,
                conversations.c.variables,
                conversations.c.updated_at,
            ).where(conversations.c.parent_id == parent_id),
        ),
        "messages": _rows(
            connection,
            select(messages.c.direction, messages.c.text, messages.c.created_at)
            .where(messages.c.parent_id == parent_id)
            .order_by(messages.c.id),
        ),
        "files_sent_to_you": _files_sent(connection, parent_id),
        "referrals": _rows(
            connection,
            select(
                referrals.c.category,
                referrals.c.urgency,
                referrals.c.answers,
                referrals.c.created_at,
            ).where(referrals.c.parent_id == parent_id),
        ),
        "requests_for_a_parent_champion": _rows(
            connection,
            select(
                tickets.c.status,
                tickets.c.category,
                tickets.c.urgency,
                tickets.c.local_authority,
                tickets.c.summary,
                tickets.c.outcome,
                tickets.c.created_at,
                tickets.c.closed_at,
            ).where(tickets.c.parent_id == parent_id),
        ),
        "notes_shared_with_you": _shared_notes(connection, parent_id),
        # Messages a champion arranged to send later ("check back"), once sent.
        "follow_up_messages_sent_to_you": follow_ups.for_export(connection, parent_id),
        "your_ratings_of_parent_champions": ratings_for_export(connection, parent_id),
        "bookings": _rows(
            connection,
            select(bookings.c.status, bookings.c.attended, sessions.c.title, sessions.c.starts_at)
            .join(sessions, sessions.c.id == bookings.c.session_id)
            .where(bookings.c.parent_id == parent_id),
        ),
        "reminders": _rows(
            connection,
            select(
                reminders.c.kind, reminders.c.due_on, reminders.c.due_at, reminders.c.status
            ).where(reminders.c.parent_id == parent_id),
        ),
        "email_when_a_parent_champion_replies": notify_contacts.for_export(connection, parent_id),
        # That browser notifications are on, not the endpoint (push_store.for_export says why).
        "browser_notifications_when_a_parent_champion_replies": push_store.for_export(
            connection, parent_id
        ),
    }


def export_json(connection: Connection, parent_id: int) -> bytes:
    return json.dumps(export_parent(connection, parent_id), indent=2, ensure_ascii=False).encode()

"""Reading and writing conversation state and the transcript.

Plain functions over a `Connection`, run through `bot.store.db.Database` on either
database. Core SQL statements rather than ORM objects: this is the hot path of
every message, and each statement is one round trip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.core.state import ConversationState
from bot.core.types import Button, Document, Reply
from bot.store.models import Conversation, Message, Parent, Referral, Reminder, utcnow

parents = Parent.__table__
conversations = Conversation.__table__
messages = Message.__table__
referrals = Referral.__table__
reminders = Reminder.__table__


class ConcurrentStep(Exception):
    """Another process moved this conversation on first; the step is retried."""


@dataclass(slots=True)
class LoadedConversation:
    parent_id: int
    state: ConversationState | None  # None for a parent we have never answered
    version: int | None
    # As stored, before this step changes the state in memory.
    was_urgent: bool = False
    channel: str = "web"


@dataclass(slots=True)
class InboundRecord:
    external_id: str | None
    text: str | None
    payload: str | None


# Statements are built once: constructing SQLAlchemy expressions on every message
# cost more CPU than running them (measured with benchmarks/chat_throughput.py).
_LOCK_PARENT = (
    select(parents.c.id)
    .where(parents.c.channel == bindparam("channel"), parents.c.chat_id == bindparam("chat_id"))
    .with_for_update()
)
_LOAD = (
    select(
        parents.c.id,
        conversations.c.flow,
        conversations.c.node,
        conversations.c.variables,
        conversations.c.history,
        conversations.c.resting,
        conversations.c.urgent,
        conversations.c.version,
    )
    .select_from(parents.outerjoin(conversations, conversations.c.parent_id == parents.c.id))
    .where(parents.c.channel == bindparam("channel"), parents.c.chat_id == bindparam("chat_id"))
)
_ADD_PARENT = {
    "postgresql": postgresql.insert(parents).on_conflict_do_nothing(
        index_elements=["channel", "chat_id"]
    ),
    "sqlite": sqlite.insert(parents).on_conflict_do_nothing(index_elements=["channel", "chat_id"]),
}
_FIND_INBOUND = select(messages.c.id).where(
    messages.c.parent_id == bindparam("parent_id"),
    messages.c.external_id == bindparam("external_id"),
)
_REPLIES_TO = (
    select(messages.c.text, messages.c.buttons, messages.c.document)
    .where(messages.c.reply_to_id == bindparam("inbound_id"))
    .order_by(messages.c.id)
)
_ADD_CONVERSATION = insert(conversations)
_UPDATE_CONVERSATION = update(conversations).where(
    conversations.c.parent_id == bindparam("b_parent_id"),
    conversations.c.version == bindparam("b_version"),
)
_ADD_INBOUND = insert(messages).returning(messages.c.id)
_ADD_REPLIES = insert(messages)
_ADD_REFERRAL = insert(referrals)
_ADD_REMINDER = insert(reminders)


def add_parent_if_new(
    connection: Connection, channel: str, chat_id: str, access_token_hash: str | None = None
) -> None:
    """A parent row for this chat, unless one exists (then nothing changes)."""
    values = {"channel": channel, "chat_id": chat_id, "created_at": utcnow()}
    connection.execute(
        _ADD_PARENT[connection.dialect.name], {**values, "access_token_hash": access_token_hash}
    )


def load_or_create(connection: Connection, channel: str, chat_id: str) -> LoadedConversation:
    key = {"channel": channel, "chat_id": chat_id}
    row = _load(connection, key)
    if row is None:
        add_parent_if_new(connection, channel, chat_id)
        row = _load(connection, key)
        assert row is not None
    if row.flow is None:
        return LoadedConversation(row.id, None, None, channel=channel)
    state = ConversationState(
        flow=row.flow,
        node=row.node,
        variables=dict(row.variables or {}),
        history=list(row.history or []),
        resting=bool(row.resting),
        urgent=bool(row.urgent),
    )
    return LoadedConversation(row.id, state, row.version, was_urgent=state.urgent, channel=channel)


def _load(connection: Connection, key: dict[str, str]) -> Any:
    if connection.dialect.name == "postgresql":
        # One parent's messages are stepped one at a time, whichever process gets
        # them. The lock is its own statement so the read below sees the state
        # committed by whoever held it (SQLite has a single writer already).
        connection.execute(_LOCK_PARENT, key)
    return connection.execute(_LOAD, key).first()


def find_inbound(connection: Connection, parent_id: int, external_id: str) -> int | None:
    params = {"parent_id": parent_id, "external_id": external_id}
    return connection.execute(_FIND_INBOUND, params).scalar()


def replies_to(connection: Connection, inbound_id: int) -> list[Reply]:
    rows = connection.execute(_REPLIES_TO, {"inbound_id": inbound_id})
    return [_reply_from_row(row) for row in rows]


def _reply_from_row(row: Any) -> Reply:
    buttons = [Button(b["label"], b["payload"]) for b in (row.buttons or [])]
    document = Document(**row.document) if row.document else None
    return Reply(row.text or "", buttons, document)


# Channels whose messages are sent by the outbox worker (bot/channels/outbox.py).
OUTBOX_CHANNELS = ("telegram", "whatsapp")


def delivery_for(channel: str) -> str | None:
    return "pending" if channel in OUTBOX_CHANNELS else None


def document_json(reply: Reply) -> dict[str, str] | None:
    if reply.document is None:
        return None
    return {
        "filename": reply.document.filename,
        "media_type": reply.document.media_type,
        "key": reply.document.key,
    }


def save_turn(
    connection: Connection,
    loaded: LoadedConversation,
    state: ConversationState,
    inbound: InboundRecord,
    replies: list[Reply],
) -> None:
    """Write the new state, the parent's message and the replies (caller commits)."""
    now = utcnow()
    values = {
        "flow": state.flow,
        "node": state.node,
        "variables": state.variables,
        "history": state.history,
        "resting": state.resting,
        "updated_at": now,
    }
    newly_urgent = state.urgent and not loaded.was_urgent
    values["urgent"] = state.urgent
    if newly_urgent:
        values["urgent_since"] = now
    if loaded.version is None:
        connection.execute(
            _ADD_CONVERSATION,
            {"parent_id": loaded.parent_id, "version": 1, "created_at": now, **values},
        )
    else:
        result = connection.execute(
            _UPDATE_CONVERSATION,
            {
                "b_parent_id": loaded.parent_id,
                "b_version": loaded.version,
                "version": loaded.version + 1,
                **values,
            },
        )
        if result.rowcount != 1:
            raise ConcurrentStep()
    inbound_id = connection.execute(
        _ADD_INBOUND,
        {
            "parent_id": loaded.parent_id,
            "direction": "in",
            "external_id": inbound.external_id,
            "reply_to_id": None,
            "text": inbound.text,
            "payload": inbound.payload,
            "buttons": None,
            "created_at": now,
        },
    ).scalar_one()
    for referral in state.new_referrals:
        connection.execute(
            _ADD_REFERRAL, {"parent_id": loaded.parent_id, "created_at": now, **referral}
        )
    for reminder in state.new_reminders:
        connection.execute(
            _ADD_REMINDER,
            {
                "parent_id": loaded.parent_id,
                "kind": reminder["kind"],
                "due_on": dt.date.fromisoformat(reminder["due_on"]),
                "due_at": dt.datetime.fromisoformat(reminder["due_at"]),
                "status": "pending",
                "attempts": 0,
                "created_at": now,
            },
        )
    if replies:
        connection.execute(
            _ADD_REPLIES,
            [
                {
                    "parent_id": loaded.parent_id,
                    "direction": "out",
                    "external_id": None,
                    "reply_to_id": inbound_id,
                    "text": reply.text,
                    "payload": None,
                    "buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons],
                    "document": document_json(reply),
                    "delivery": "sent" if reply.sent_directly else delivery_for(loaded.channel),
                    "created_at": now,
                }
                for reply in replies
            ],
        )


@dataclass(slots=True)
class TranscriptEntry:
    direction: str
    text: str | None
    buttons: list[dict[str, str]]
    created_at: dt.datetime
    id: int = 0
    from_champion: bool = False
    # The file sent with the message ({"filename", "media_type", "key"}), so a
    # reloaded chat page can offer it again.
    document: dict[str, str] | None = None


def transcript(
    connection: Connection, channel: str, chat_id: str, limit: int = 200
) -> list[TranscriptEntry]:
    """The latest messages of one parent, oldest first."""
    query = (
        select(
            messages.c.id,
            messages.c.direction,
            messages.c.text,
            messages.c.buttons,
            messages.c.created_at,
            messages.c.staff_user_id,
            messages.c.document,
        )
        .join(parents, parents.c.id == messages.c.parent_id)
        .where(parents.c.channel == channel, parents.c.chat_id == chat_id)
        .order_by(messages.c.id.desc())
        .limit(limit)
    )
    rows = list(connection.execute(query))
    rows.reverse()
    return [
        TranscriptEntry(
            r.direction,
            r.text,
            list(r.buttons or []),
            r.created_at,
            r.id,
            r.staff_user_id is not None,
            r.document if isinstance(r.document, dict) else None,
        )
        for r in rows
    ]


@dataclass(slots=True)
class UrgentConversation:
    channel: str
    chat_id: str
    urgent_since: dt.datetime | None


def urgent_conversations(connection: Connection) -> list[UrgentConversation]:
    """Conversations flagged by a crisis, longest waiting first."""
    query = (
        select(parents.c.channel, parents.c.chat_id, conversations.c.urgent_since)
        .join(conversations, conversations.c.parent_id == parents.c.id)
        .where(conversations.c.urgent.is_(True))
        .order_by(conversations.c.urgent_since)
    )
    return [
        UrgentConversation(r.channel, r.chat_id, r.urgent_since) for r in connection.execute(query)
    ]


@dataclass(slots=True)
class StoredReferral:
    category: str
    urgency: str
    answers: dict[str, Any]


def referrals_of(connection: Connection, channel: str, chat_id: str) -> list[StoredReferral]:
    """One parent's referrals, oldest first."""
    query = (
        select(referrals.c.category, referrals.c.urgency, referrals.c.answers)
        .join(parents, parents.c.id == referrals.c.parent_id)
        .where(parents.c.channel == channel, parents.c.chat_id == chat_id)
        .order_by(referrals.c.id)
    )
    return [
        StoredReferral(r.category, r.urgency, dict(r.answers)) for r in connection.execute(query)
    ]


def reminders_of(connection: Connection, channel: str, chat_id: str) -> list[tuple[str, dt.date]]:
    """One parent's pending reminders as (kind, due date), soonest first."""
    query = (
        select(reminders.c.kind, reminders.c.due_on)
        .join(parents, parents.c.id == reminders.c.parent_id)
        .where(parents.c.channel == channel, parents.c.chat_id == chat_id)
        .where(reminders.c.status == "pending")
        .order_by(reminders.c.due_on)
    )
    return [(r.kind, r.due_on) for r in connection.execute(query)]


def conversation_variables(
    connection: Connection, channel: str, chat_id: str
) -> dict[str, Any] | None:
    """What a parent has told us so far, or None if we have never spoken."""
    parent_id = parent_id_of(connection, channel, chat_id)
    return variables_of(connection, parent_id) if parent_id is not None else None


def variables_of(connection: Connection, parent_id: int) -> dict[str, Any] | None:
    query = select(conversations.c.variables).where(conversations.c.parent_id == parent_id)
    row = connection.execute(query).first()
    return dict(row.variables or {}) if row else None


def parent_id_of(connection: Connection, channel: str, chat_id: str) -> int | None:
    query = select(parents.c.id).where(parents.c.channel == channel, parents.c.chat_id == chat_id)
    return connection.execute(query).scalar()


def latest_buttons(connection: Connection, channel: str, chat_id: str) -> list[dict[str, str]]:
    """The buttons of the last message sent to a parent (to read a typed menu number)."""
    query = (
        select(messages.c.buttons)
        .join(parents, parents.c.id == messages.c.parent_id)
        .where(
            parents.c.channel == channel,
            parents.c.chat_id == chat_id,
            messages.c.direction == "out",
        )
        .order_by(messages.c.id.desc())
        .limit(1)
    )
    return list(connection.execute(query).scalar() or [])


_RECENT_BUTTONS = (
    select(messages.c.buttons)
    .where(messages.c.parent_id == bindparam("parent_id"), messages.c.direction == "out")
    .order_by(messages.c.id.desc())
    .limit(8)
)


def recent_button_label(connection: Connection, parent_id: int, payload: str) -> str | None:
    """The words on a button recently shown to this parent, found by its payload."""
    rows = connection.execute(_RECENT_BUTTONS, {"parent_id": parent_id})
    for (buttons,) in rows:
        for button in buttons or []:
            if button.get("payload") == payload:
                return str(button.get("label"))
    return None


_POSITION = (
    select(conversations.c.flow, conversations.c.node, conversations.c.resting)
    .join(parents, parents.c.id == conversations.c.parent_id)
    .where(parents.c.channel == bindparam("channel"), parents.c.chat_id == bindparam("chat_id"))
)


def position_of(connection: Connection, channel: str, chat_id: str) -> tuple[str, str] | None:
    """Where a parent's conversation waits (flow, node), or None (for the plan upload)."""
    row = connection.execute(_POSITION, {"channel": channel, "chat_id": chat_id}).first()
    if row is None or row.flow is None or row.resting:
        return None
    return row.flow, row.node


def consenting_parents(connection: Connection, parent_ids: list[int]) -> set[int]:
    """Which of these parents agreed to the privacy notice (the runner's CONSENT variable)."""
    if not parent_ids:
        return set()
    query = select(conversations.c.parent_id, conversations.c.variables).where(
        conversations.c.parent_id.in_(parent_ids)
    )
    return {
        row.parent_id
        for row in connection.execute(query)
        if (row.variables or {}).get("consent") == "yes"
    }

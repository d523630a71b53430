"""Reading and writing conversation state and the transcript.

Core SQL statements rather than ORM objects: this is the hot path of every
message, and each call is one round trip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.state import ConversationState
from bot.core.types import Button, Reply
from bot.store.models import Conversation, Message, Parent, utcnow

parents = Parent.__table__
conversations = Conversation.__table__
messages = Message.__table__


class ConcurrentStep(Exception):
    """Another process moved this conversation on first; the step is retried."""


@dataclass(slots=True)
class LoadedConversation:
    parent_id: int
    state: ConversationState | None  # None for a parent we have never answered
    version: int | None


@dataclass(slots=True)
class InboundRecord:
    external_id: str | None
    text: str | None
    payload: str | None


async def load_or_create(
    connection: AsyncConnection, channel: str, chat_id: str
) -> LoadedConversation:
    row = await _load(connection, channel, chat_id)
    if row is None:
        dialect_insert = (
            postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        )
        now = utcnow()
        await connection.execute(
            dialect_insert(parents)
            .values(channel=channel, chat_id=chat_id, created_at=now, last_seen_at=now)
            .on_conflict_do_nothing(index_elements=["channel", "chat_id"])
        )
        row = await _load(connection, channel, chat_id)
        assert row is not None
    if row.flow is None:
        return LoadedConversation(row.id, None, None)
    state = ConversationState(
        flow=row.flow,
        node=row.node,
        variables=dict(row.variables or {}),
        history=list(row.history or []),
        resting=bool(row.resting),
    )
    return LoadedConversation(row.id, state, row.version)


async def _load(connection: AsyncConnection, channel: str, chat_id: str) -> Any:
    if connection.dialect.name == "postgresql":
        # One parent's messages are stepped one at a time, whichever process gets
        # them. The lock is its own statement so the read below sees the state
        # committed by whoever held it (SQLite has a single writer already).
        await connection.execute(
            select(parents.c.id)
            .where(parents.c.channel == channel, parents.c.chat_id == chat_id)
            .with_for_update()
        )
    query = (
        select(
            parents.c.id,
            conversations.c.flow,
            conversations.c.node,
            conversations.c.variables,
            conversations.c.history,
            conversations.c.resting,
            conversations.c.version,
        )
        .select_from(parents.outerjoin(conversations, conversations.c.parent_id == parents.c.id))
        .where(parents.c.channel == channel, parents.c.chat_id == chat_id)
    )
    return (await connection.execute(query)).first()


async def find_inbound(connection: AsyncConnection, parent_id: int, external_id: str) -> int | None:
    query = select(messages.c.id).where(
        messages.c.parent_id == parent_id, messages.c.external_id == external_id
    )
    return (await connection.execute(query)).scalar()


async def replies_to(connection: AsyncConnection, inbound_id: int) -> list[Reply]:
    query = (
        select(messages.c.text, messages.c.buttons)
        .where(messages.c.reply_to_id == inbound_id)
        .order_by(messages.c.id)
    )
    return [_reply_from_row(row) for row in await connection.execute(query)]


def _reply_from_row(row: Any) -> Reply:
    buttons = [Button(b["label"], b["payload"]) for b in (row.buttons or [])]
    return Reply(row.text or "", buttons)


async def save_turn(
    connection: AsyncConnection,
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
    if loaded.version is None:
        await connection.execute(
            insert(conversations).values(
                parent_id=loaded.parent_id, version=1, created_at=now, **values
            )
        )
    else:
        result = await connection.execute(
            update(conversations)
            .where(
                conversations.c.parent_id == loaded.parent_id,
                conversations.c.version == loaded.version,
            )
            .values(version=loaded.version + 1, **values)
        )
        if result.rowcount != 1:
            raise ConcurrentStep()
    await connection.execute(
        update(parents).where(parents.c.id == loaded.parent_id).values(last_seen_at=now)
    )
    inbound_id = (
        await connection.execute(
            insert(messages)
            .values(
                parent_id=loaded.parent_id,
                direction="in",
                external_id=inbound.external_id,
                text=inbound.text,
                payload=inbound.payload,
                created_at=now,
            )
            .returning(messages.c.id)
        )
    ).scalar_one()
    if replies:
        await connection.execute(
            insert(messages),
            [
                {
                    "parent_id": loaded.parent_id,
                    "direction": "out",
                    "reply_to_id": inbound_id,
                    "text": reply.text,
                    "buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons],
                    "created_at": now,
                    "external_id": None,
                    "payload": None,
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


async def transcript(
    connection: AsyncConnection, channel: str, chat_id: str, limit: int = 200
) -> list[TranscriptEntry]:
    """The latest messages of one parent, oldest first."""
    query = (
        select(messages.c.direction, messages.c.text, messages.c.buttons, messages.c.created_at)
        .join(parents, parents.c.id == messages.c.parent_id)
        .where(parents.c.channel == channel, parents.c.chat_id == chat_id)
        .order_by(messages.c.id.desc())
        .limit(limit)
    )
    rows = list(await connection.execute(query))
    rows.reverse()
    return [TranscriptEntry(r.direction, r.text, list(r.buttons or []), r.created_at) for r in rows]

"""Messages to a parent that are not replies to something they just sent.

A Parent Champion's reply, a reminder, news that a drop-in was cancelled: each is
stored as an outgoing message with no `reply_to_id`. The web chat page picks
these up over its live stream (GET /api/chat/stream); the Telegram and WhatsApp
adapters will send them from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from bot.core.types import Reply
from bot.store.models import Message, Parent, utcnow

messages = Message.__table__
parents = Parent.__table__


@dataclass(frozen=True, slots=True)
class Pushed:
    message_id: int
    channel: str
    chat_id: str


class ParentGone(LookupError):
    """The parent's record was deleted (they asked us to forget them)."""


def push_message(
    connection: Connection,
    parent_id: int,
    reply: Reply,
    staff_user_id: int | None = None,
    purpose: str | None = None,
) -> Pushed:
    """Store the message (and queue it for Telegram or WhatsApp). `purpose`, such as
    "reminder", lets a channel choose how to send it (WhatsApp templates)."""
    from bot.store.conversations import delivery_for, document_json

    who = connection.execute(
        select(parents.c.channel, parents.c.chat_id).where(parents.c.id == parent_id)
    ).first()
    if who is None:
        raise ParentGone(parent_id)
    message_id = connection.execute(
        insert(messages)
        .values(
            parent_id=parent_id,
            direction="out",
            external_id=None,
            reply_to_id=None,
            text=reply.text,
            payload=purpose,
            buttons=[{"label": b.label, "payload": b.payload} for b in reply.buttons],
            document=document_json(reply),
            delivery=delivery_for(who.channel),
            staff_user_id=staff_user_id,
            created_at=utcnow(),
        )
        .returning(messages.c.id)
    ).scalar_one()
    return Pushed(message_id, who.channel, who.chat_id)


def channel_of(connection: Connection, parent_id: int) -> str | None:
    return connection.execute(select(parents.c.channel).where(parents.c.id == parent_id)).scalar()

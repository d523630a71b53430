"""Who holds a web chat session: its parent row and the hash of its secret."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Connection, bindparam, select, update

from bot.store.conversations import add_parent_if_new
from bot.store.models import Parent, as_utc

parents = Parent.__table__


@dataclasses.dataclass(frozen=True, slots=True)
class SessionAccess:
    parent_id: int
    token_hash: str | None  # None: a session from before secrets, or one that was ended
    created_at: dt.datetime


# Built once, not per call: these run on every web chat message, and constructing a
# statement (and its cache key) cost more CPU than running it on SQLite.
_BY_CHAT = (parents.c.channel == bindparam("channel"), parents.c.chat_id == bindparam("chat_id"))
_SESSION_ACCESS = select(parents.c.id, parents.c.access_token_hash, parents.c.created_at).where(
    *_BY_CHAT
)
_TOKEN_HASH = select(parents.c.access_token_hash).where(*_BY_CHAT)


def session_access(connection: Connection, channel: str, chat_id: str) -> SessionAccess | None:
    row = connection.execute(_SESSION_ACCESS, {"channel": channel, "chat_id": chat_id}).first()
    if row is None:
        return None
    created = as_utc(row.created_at)
    return SessionAccess(row.id, row.access_token_hash, created)


@dataclasses.dataclass(frozen=True, slots=True)
class SessionHolder:
    parent_id: int
    session: str


def session_of_token(connection: Connection, channel: str, token_hash: str) -> SessionHolder | None:
    """The session (and its parent) a secret belongs to."""
    query = select(parents.c.id, parents.c.chat_id).where(
        parents.c.channel == channel, parents.c.access_token_hash == token_hash
    )
    row = connection.execute(query).first()
    return SessionHolder(row.id, row.chat_id) if row is not None else None


def end_session(connection: Connection, channel: str, token_hash: str) -> bool:
    """Forget the secret: the page that held it starts afresh, and nobody can continue
    this conversation. Champions still see it until retention removes it."""
    result = connection.execute(
        update(parents)
        .where(parents.c.channel == channel, parents.c.access_token_hash == token_hash)
        .values(access_token_hash=None)
    )
    return result.rowcount > 0


def claim_session(connection: Connection, channel: str, chat_id: str, token_hash: str) -> bool:
    """Create a new session's parent row with its secret's hash; False if the id is
    already someone else's (two first requests raced, or it existed after all)."""
    add_parent_if_new(connection, channel, chat_id, token_hash)
    stored = connection.execute(_TOKEN_HASH, {"channel": channel, "chat_id": chat_id}).scalar()
    return stored == token_hash

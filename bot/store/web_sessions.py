"""Who holds a web chat session: its parent row and the hash of its secret."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.models import Parent, as_utc, utcnow

parents = Parent.__table__
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclasses.dataclass(frozen=True, slots=True)
class SessionAccess:
    parent_id: int
    token_hash: str | None  # None: a session from before secrets, or one that was ended
    created_at: dt.datetime


def session_access(connection: Connection, channel: str, chat_id: str) -> SessionAccess | None:
    row = connection.execute(
        select(parents.c.id, parents.c.access_token_hash, parents.c.created_at).where(
            parents.c.channel == channel, parents.c.chat_id == chat_id
        )
    ).first()
    if row is None:
        return None
    created = as_utc(row.created_at)
    return SessionAccess(row.id, row.access_token_hash, created)


def session_of_token(connection: Connection, channel: str, token_hash: str) -> str | None:
    """The session id a secret belongs to."""
    query = select(parents.c.chat_id).where(
        parents.c.channel == channel, parents.c.access_token_hash == token_hash
    )
    return connection.execute(query).scalar()


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
    insert = _INSERT[connection.dialect.name](parents).values(
        channel=channel, chat_id=chat_id, created_at=utcnow(), access_token_hash=token_hash
    )
    connection.execute(insert.on_conflict_do_nothing(index_elements=["channel", "chat_id"]))
    stored = connection.execute(
        select(parents.c.access_token_hash).where(
            parents.c.channel == channel, parents.c.chat_id == chat_id
        )
    ).scalar()
    return stored == token_hash

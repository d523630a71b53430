"""Console sign-in sessions, kept in the database so any `serve` process can check them.

The cookie holds a random token; the table holds only its SHA-256, so a copy of
the database does not let anyone sign in. Every sign-in makes a new token (no
session fixation) and a session unused for the idle timeout is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from bot.staff.accounts import StaffMember, get_member
from bot.store.models import StaffSession, as_utc, utcnow

staff_sessions = StaffSession.__table__
# Refreshing last_seen on every request would be a write per page; once a minute is enough.
_TOUCH_EVERY = dt.timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    member: StaffMember
    csrf_token: str


def start_session(connection: Connection, member_id: int) -> tuple[str, str]:
    """A new session for someone who just proved their password: (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    connection.execute(
        insert(staff_sessions).values(
            token_hash=token_hash(token),
            staff_user_id=member_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    return token, csrf


def session_holder(
    connection: Connection, token: str, idle_timeout: dt.timedelta, now: dt.datetime | None = None
) -> SignedIn | None:
    """Who holds a session, if it is fresh and the account active, read without writing:
    for a live stream's frequent re-check (a write each time would queue behind, and
    hold up, the real writes on SQLite). An idle session is left for sign-in to delete."""
    row = _session_row(connection, token_hash(token))
    if row is None or (now or utcnow()) - as_utc(row.last_seen_at) > idle_timeout:
        return None
    return _holder(connection, row)


def resume_session(
    connection: Connection,
    token: str,
    idle_timeout: dt.timedelta,
    now: dt.datetime | None = None,
    touch: bool = True,
) -> SignedIn | None:
    """The person behind a cookie, if the session exists, is fresh and the account active.
    `touch=False` (a page's background heartbeat) checks without keeping the session
    alive, so an unattended open page is still signed out after the idle timeout."""
    now = now or utcnow()
    key = token_hash(token)
    row = _session_row(connection, key)
    if row is None:
        return None
    last_seen = as_utc(row.last_seen_at)
    if now - last_seen > idle_timeout:
        connection.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == key))
        return None
    holder = _holder(connection, row)
    if holder is None:
        return None
    if touch and now - last_seen > _TOUCH_EVERY:
        connection.execute(
            update(staff_sessions)
            .where(staff_sessions.c.token_hash == key)
            .values(last_seen_at=now)
        )
    return holder


def _session_row(connection: Connection, key: str) -> Row[Any] | None:
    return connection.execute(
        select(staff_sessions).where(staff_sessions.c.token_hash == key)
    ).first()


def _holder(connection: Connection, row: Row[Any]) -> SignedIn | None:
    """The session's holder, if their account exists and is active."""
    member = get_member(connection, row.staff_user_id)
    return SignedIn(member, row.csrf_token) if member is not None and member.active else None


def end_session(connection: Connection, token: str) -> None:
    connection.execute(
        delete(staff_sessions).where(staff_sessions.c.token_hash == token_hash(token))
    )


def end_sessions_of(connection: Connection, member_id: int) -> None:
    """Sign someone out everywhere (their account was switched off)."""
    connection.execute(delete(staff_sessions).where(staff_sessions.c.staff_user_id == member_id))

"""How long a console session has left before the idle sign-out, and "Stay signed in".

WCAG 2.2.1 (timing adjustable): a champion is warned before the idle timeout and can
extend it with one press, instead of finding the queue has quietly become a sign-in page.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select, update

from bot.staff.sessions import staff_sessions, token_hash
from bot.store.models import as_utc, utcnow


def seconds_left(
    connection: Connection, token: str, idle_timeout: dt.timedelta, now: dt.datetime | None = None
) -> int:
    """Seconds until the session behind `token` is signed out for being idle (0: it is)."""
    row = connection.execute(
        select(staff_sessions.c.last_seen_at).where(
            staff_sessions.c.token_hash == token_hash(token)
        )
    ).first()
    if row is None:
        return 0
    left = as_utc(row.last_seen_at) + idle_timeout - (now or utcnow())
    return max(0, int(left.total_seconds()))


def keep_alive(connection: Connection, token: str, now: dt.datetime | None = None) -> None:
    """The champion pressed "Stay signed in": the idle clock starts again now."""
    connection.execute(
        update(staff_sessions)
        .where(staff_sessions.c.token_hash == token_hash(token))
        .values(last_seen_at=now or utcnow())
    )

"""Login throttling: after repeated failures an address (and a client) must wait.

Counted in the database so that every `serve` process agrees, under two keys:

- an account *as tried from one client address*: 5 failures lock that address out of
  that account, so a stranger elsewhere can never lock a champion out of their own;
- a client address, whatever accounts it tries: 20 failures lock it out of all.

Keys are hashed: typed addresses that are not accounts are not kept in the clear.
Each failure is one atomic upsert that also starts a new window and sets the lock in
SQL, so failures arriving at the same moment all count (no read-then-write race).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.models import LoginFailure, as_utc, utcnow

login_failures = LoginFailure.__table__
# An account locks (for one client address) after 5 failures; a client address after
# 20, so one person's typos in a shared office don't lock out everyone else there.
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
# INSERT ... ON CONFLICT DO UPDATE is spelled the same on both databases, but each
# dialect has its own construct.
_UPSERT: dict[str, Callable[[Any], Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def throttle_keys(email: str, client: str) -> list[str]:
    """[this account from this client address's key, the client address's key], hashed."""
    account = email.strip().casefold()
    # The client address goes first: it never holds a line break, so the pair is unambiguous.
    return [
        hashlib.sha256(f"account:{client}\n{account}".encode()).hexdigest(),
        hashlib.sha256(f"client:{client}".encode()).hexdigest(),
    ]


def locked_for(connection: Connection, keys: list[str], now: dt.datetime | None = None) -> int:
    """Seconds until any of these keys may try again (0 if none is locked)."""
    now = now or utcnow()
    rows = connection.execute(
        select(login_failures.c.locked_until).where(login_failures.c.key_hash.in_(keys))
    )
    waits = [
        (until - now).total_seconds()
        for (locked,) in rows
        if (until := as_utc(locked)) is not None and until > now
    ]
    return int(max(waits, default=0)) + (1 if waits else 0)


def record_failure(connection: Connection, keys: list[str], now: dt.datetime | None = None) -> None:
    """Count one failed sign-in against each key."""
    now = now or utcnow()
    upsert = _UPSERT[connection.dialect.name]
    table = login_failures
    time_type = table.c.window_started_at.type
    limits = (MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_CLIENT)
    for key, limit in zip(keys, limits, strict=True):
        # Everything below refers to the row as the database holds it when this
        # statement gets its row lock, never to a value read earlier.
        window_over = table.c.window_started_at < literal(now - WINDOW, time_type)
        failures = case((window_over, 1), else_=table.c.failures + 1)
        statement = (
            upsert(table)
            .values(key_hash=key, failures=1, window_started_at=now, locked_until=None)
            .on_conflict_do_update(
                index_elements=[table.c.key_hash],
                set_={
                    "failures": failures,
                    "window_started_at": case(
                        (window_over, literal(now, time_type)), else_=table.c.window_started_at
                    ),
                    "locked_until": case(
                        (failures >= limit, literal(now + LOCKOUT, time_type)),
                        else_=table.c.locked_until,
                    ),
                },
            )
        )
        connection.execute(statement)


def clear_failures(connection: Connection, keys: list[str]) -> None:
    # Only the account's key: a shared office address should not unlock itself by
    # one person signing in between guesses at other accounts.
    connection.execute(delete(login_failures).where(login_failures.c.key_hash == keys[0]))

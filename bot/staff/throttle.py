"""Login throttling: after repeated failures an address (and a client) must wait.

Counted per e-mail address and per client address, in the database so that every
`serve` process agrees. Keys are hashed: typed addresses that are not accounts
are not kept in the clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Connection, delete, insert, select, update

from bot.store.models import LoginFailure, as_utc, utcnow

login_failures = LoginFailure.__table__
# An account locks after 5 failures; a client address after 20, so one person's
# typos in a shared office don't lock out everyone else there.
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)


def throttle_keys(email: str, client: str) -> list[str]:
    """[the e-mail address's key, the client address's key], hashed."""
    return [
        hashlib.sha256(f"email:{email.strip().casefold()}".encode()).hexdigest(),
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
    now = now or utcnow()
    limits = (MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_CLIENT)
    for key, limit in zip(keys, limits, strict=True):
        row = connection.execute(
            select(login_failures).where(login_failures.c.key_hash == key)
        ).first()
        if row is None:
            connection.execute(
                insert(login_failures).values(key_hash=key, failures=1, window_started_at=now)
            )
            continue
        started = as_utc(row.window_started_at) or now
        failures = 1 if now - started > WINDOW else row.failures + 1
        values: dict[str, object] = {"failures": failures}
        if failures == 1:
            values["window_started_at"] = now
        if failures >= limit:
            values["locked_until"] = now + LOCKOUT
        connection.execute(
            update(login_failures).where(login_failures.c.key_hash == key).values(**values)
        )


def clear_failures(connection: Connection, keys: list[str]) -> None:
    # Only the e-mail key: a shared office address should not unlock a guessed account.
    connection.execute(delete(login_failures).where(login_failures.c.key_hash == keys[0]))

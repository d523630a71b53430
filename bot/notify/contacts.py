"""A parent's e-mail address for "a Parent Champion has replied": opting in, the
confirmation code, stopping, and what "my data" and erasure see of it.

Store functions (a Connection first), run inside the caller's transaction. No
address is ever logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update

from bot.notify.tables import NotificationContact, NotificationMail
from bot.store.models import as_utc, utcnow

contacts = NotificationContact.__table__
mails = NotificationMail.__table__

CODE_LIFETIME = dt.timedelta(minutes=15)
CODE_ATTEMPTS = 5
# Deliberately loose: one @, something before it, a dot after it, no spaces. The code
# e-mailed to it is the real check.
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]{2,}$")


def clean_address(typed: str) -> str | None:
    """The typed text as an e-mail address, or None if it can't be one."""
    address = typed.strip().strip("<>").strip()
    if len(address) > 254 or not _ADDRESS.match(address):
        return None
    return address


def _code_hash(parent_id: int, code: str) -> str:
    return hashlib.sha256(f"{parent_id}:{code}".encode()).hexdigest()


def start_confirming(
    connection: Connection, parent_id: int, address: str, now: dt.datetime | None = None
) -> None:
    """Keep the address (unconfirmed) and queue an e-mail with a new code to it.

    Typing an address again replaces the old one and its code: the newest wins."""
    now = now or utcnow()
    code = f"{secrets.randbelow(10**6):06d}"
    values = {
        "address": address,
        "code_hash": _code_hash(parent_id, code),
        "code_expires_at": now + CODE_LIFETIME,
        "code_attempts": 0,
        "confirmed_at": None,
    }
    updated = connection.execute(
        update(contacts).where(contacts.c.parent_id == parent_id).values(**values)
    )
    if updated.rowcount == 0:
        connection.execute(
            contacts.insert().values(
                parent_id=parent_id, seen_message_id=0, created_at=now, **values
            )
        )
    # An unsent code for an earlier address is no longer wanted.
    connection.execute(
        update(mails)
        .where(mails.c.parent_id == parent_id, mails.c.kind == "code")
        .where(mails.c.status == "pending")
        .values(status="skipped", code=None)
    )
    connection.execute(
        mails.insert().values(
            parent_id=parent_id,
            kind="code",
            code=code,
            status="pending",
            due_at=now,
            attempts=0,
            created_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class CodeCheck:
    outcome: str  # confirmed | wrong | expired | none
    tries_left: int = 0


def check_code(
    connection: Connection, parent_id: int, typed: str, now: dt.datetime | None = None
) -> CodeCheck:
    """The parent typed the code: confirm the address, or say why not."""
    now = now or utcnow()
    row = connection.execute(select(contacts).where(contacts.c.parent_id == parent_id)).first()
    if row is None or row.code_hash is None:
        return CodeCheck("none")
    expires = as_utc(row.code_expires_at)
    if expires is None or expires <= now or row.code_attempts >= CODE_ATTEMPTS:
        return CodeCheck("expired")
    code = re.sub(r"\s", "", typed)
    if secrets.compare_digest(_code_hash(parent_id, code), row.code_hash):
        connection.execute(
            update(contacts)
            .where(contacts.c.id == row.id)
            .values(confirmed_at=now, code_hash=None, code_expires_at=None, code_attempts=0)
        )
        return CodeCheck("confirmed")
    attempts = row.code_attempts + 1
    connection.execute(
        update(contacts).where(contacts.c.id == row.id).values(code_attempts=attempts)
    )
    if attempts >= CODE_ATTEMPTS:
        return CodeCheck("expired")
    return CodeCheck("wrong", CODE_ATTEMPTS - attempts)


def is_confirmed(connection: Connection, parent_id: int) -> bool:
    return (
        connection.execute(
            select(contacts.c.id).where(
                contacts.c.parent_id == parent_id, contacts.c.confirmed_at.is_not(None)
            )
        ).first()
        is not None
    )


def stop(connection: Connection, parent_id: int) -> bool:
    """No more e-mails: the address goes, and anything waiting to be sent to it."""
    connection.execute(delete(mails).where(mails.c.parent_id == parent_id))
    return (
        connection.execute(delete(contacts).where(contacts.c.parent_id == parent_id)).rowcount > 0
    )


def stop_contact(connection: Connection, contact_id: int) -> bool:
    """The unsubscribe link: the same as typing 'stop emails', by the contact's id."""
    parent_id = connection.execute(
        select(contacts.c.parent_id).where(contacts.c.id == contact_id)
    ).scalar()
    return parent_id is not None and stop(connection, parent_id)


def stamp(address: str, created_at: dt.datetime | None) -> str:
    """What makes this contact row itself and not a later one with the same id (SQLite
    reuses the ids of deleted rows): when it was made and the address it is for. The
    unsubscribe token is bound to it, so an old link can't stop a later family's mail."""
    made = as_utc(created_at).isoformat() if created_at is not None else ""
    return f"{made}|{address}"


def contact_stamp(connection: Connection, contact_id: int) -> str | None:
    """The contact's `stamp`, or None if there is no such contact (any more)."""
    row = connection.execute(
        select(contacts.c.address, contacts.c.created_at).where(contacts.c.id == contact_id)
    ).first()
    return None if row is None else stamp(row.address, row.created_at)


def page_received(connection: Connection, parent_id: int, message_id: int) -> None:
    """The parent's open chat page received messages up to this one (live)."""
    connection.execute(
        update(contacts)
        .where(contacts.c.parent_id == parent_id, contacts.c.seen_message_id < message_id)
        .values(seen_message_id=message_id)
    )


def for_export(connection: Connection, parent_id: int) -> list[dict[str, Any]]:
    """What "my data" shows: the address, and whether and when it was confirmed."""
    rows = connection.execute(
        select(contacts.c.address, contacts.c.confirmed_at, contacts.c.created_at).where(
            contacts.c.parent_id == parent_id
        )
    )
    return [
        {
            "email": row.address,
            "confirmed": row.confirmed_at is not None,
            "added_at": as_utc(row.created_at).isoformat() if row.created_at else None,
            "used_for": "telling you a Parent Champion has replied",
        }
        for row in rows
    ]


def erase(connection: Connection, parent_ids: list[int]) -> None:
    connection.execute(delete(mails).where(mails.c.parent_id.in_(parent_ids)))
    connection.execute(delete(contacts).where(contacts.c.parent_id.in_(parent_ids)))

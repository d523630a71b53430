"""Staff accounts. Passwords are hashed with argon2; nothing else about a person is kept
beyond an e-mail address to sign in with and a first name parents may see."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from bot.store.models import StaffUser, as_utc, utcnow

staff_users = StaffUser.__table__
ROLES = ("champion", "admin")
MIN_PASSWORD_CHARS = 10
_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown (or the account is switched off)
# takes as long as a real check, so response times do not reveal which addresses have
# accounts. Made once, by the same hasher, so it has the same cost parameters.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")
# argon2 spends about 0.2 s of CPU and 64 MiB on each check. It runs on these threads,
# never on the event loop (which would stall every parent's chat meanwhile), and no
# more at once than there are cores: a burst of sign-ins queues instead of taking
# every worker thread and gigabytes of memory.
_ARGON2_THREADS = ThreadPoolExecutor(
    max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="argon2"
)


class AccountError(ValueError):
    """A request about an account that cannot be met; the message says why."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    email: str
    name: str
    role: str
    areas: list[str] = field(default_factory=list)
    active: bool = True
    # Presence (bot/staff/presence.py): their own switch and the last console heartbeat.
    available: bool = False
    heartbeat_at: dt.datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def covers(self, local_authority: str | None) -> bool:
        """May this person see a ticket from this area? Unknown areas are everyone's."""
        return self.is_admin or local_authority is None or local_authority in self.areas


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Does the password match? With no hash (no such account), a full check against
    the dummy hash is still made, and the answer is no."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def check_password(password_hash: str | None, password: str) -> bool:
    """`password_matches`, off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_ARGON2_THREADS, password_matches, password_hash, password)


async def hash_password_off_loop(password: str) -> str:
    """`hash_password`, off the event loop (for web forms that set a password)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_ARGON2_THREADS, hash_password, password)


def _member(row: object) -> StaffMember:
    return StaffMember(
        id=row.id,  # type: ignore[attr-defined]
        email=row.email,  # type: ignore[attr-defined]
        name=row.name or "",  # type: ignore[attr-defined]
        role=row.role,  # type: ignore[attr-defined]
        areas=list(row.areas or []),  # type: ignore[attr-defined]
        active=bool(row.active),  # type: ignore[attr-defined]
        available=bool(row.available),  # type: ignore[attr-defined]
        heartbeat_at=as_utc(row.heartbeat_at),  # type: ignore[attr-defined]
    )


def create_user(
    connection: Connection,
    email: str,
    password_hash: str,
    role: str,
    areas: list[str],
    name: str = "",
    created_at: dt.datetime | None = None,
) -> StaffMember:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise AccountError(f"'{email}' is not an e-mail address")
    if connection.execute(select(staff_users.c.id).where(staff_users.c.email == email)).first():
        raise AccountError(f"there is already an account for {email}")
    row = connection.execute(
        insert(staff_users)
        .values(
            email=email,
            password_hash=password_hash,
            role=role,
            areas=areas,
            name=name.strip()[:80],
            active=True,
            created_at=created_at or utcnow(),
        )
        .returning(*staff_users.c)
    ).one()
    return _member(row)


def find_for_login(connection: Connection, email: str) -> tuple[StaffMember | None, str | None]:
    """The active account for an address and its password hash, or (None, None)."""
    row = connection.execute(
        select(staff_users).where(
            staff_users.c.email == normalise_email(email), staff_users.c.active.is_(True)
        )
    ).first()
    return (_member(row), row.password_hash) if row else (None, None)


def get_member(connection: Connection, member_id: int) -> StaffMember | None:
    row = connection.execute(select(staff_users).where(staff_users.c.id == member_id)).first()
    return _member(row) if row else None


def all_members(connection: Connection) -> list[StaffMember]:
    rows = connection.execute(select(staff_users).order_by(staff_users.c.email))
    return [_member(row) for row in rows]


def update_member(
    connection: Connection,
    member_id: int,
    *,
    areas: list[str] | None = None,
    active: bool | None = None,
    role: str | None = None,
) -> None:
    values: dict[str, object] = {}
    if areas is not None:
        values["areas"] = areas
    if active is not None:
        values["active"] = active
    if role is not None:
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        values["role"] = role
    if values:
        connection.execute(
            update(staff_users).where(staff_users.c.id == member_id).values(**values)
        )

"""Setting a champion's password: their own change, and one-time reset links from an admin.

A reset link needs no table. Like Django's PasswordResetTokenGenerator, its token is
`<member id>.<expiry>.<HMAC>`, where the HMAC (keyed from the server's secret) covers
the id, the expiry and the account's current password hash. Setting a password makes
a new hash (argon2 salts every hash afresh), so the link stops working the moment it
has been used; it also stops at its expiry, or if the account is switched off.
The token is a credential: it is never logged or stored, and only ever shown to the
admin who asked for it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from sqlalchemy import Connection, select, update

from bot.core.text import whole_number
from bot.staff.accounts import StaffMember, get_member, staff_users
from bot.store.models import utcnow

# DESIGN.md: a single-use password-reset link lives 30 minutes at most.
RESET_LINK_LIFETIME = dt.timedelta(minutes=30)
_PURPOSE = b"champion console password reset v1"


def reset_key(server_secret: bytes) -> bytes:
    """A key for reset links alone, so no other use of the secret can mint one."""
    return hmac.new(server_secret, _PURPOSE, hashlib.sha256).digest()


def _signature(key: bytes, member_id: int, expires: int, password_hash: str) -> str:
    message = f"{member_id}.{expires}.{password_hash}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_reset_token(
    key: bytes, member_id: int, password_hash: str, now: dt.datetime | None = None
) -> tuple[str, dt.datetime]:
    """(token, when it expires) for this account as its password stands now."""
    expires_at = (now or utcnow()) + RESET_LINK_LIFETIME
    expires = int(expires_at.timestamp())
    return f"{member_id}.{expires}.{_signature(key, member_id, expires, password_hash)}", (
        expires_at
    )


def token_member_id(token: str) -> int | None:
    """The account a well-formed token names (not yet checked)."""
    parts = token.split(".")
    return whole_number(parts[0]) if len(parts) == 3 and len(token) <= 200 else None


def token_is_valid(
    key: bytes, token: str, password_hash: str | None, now: dt.datetime | None = None
) -> bool:
    """Is this the unexpired token for the account whose hash this is now?"""
    parts = token.split(".")
    if password_hash is None or len(parts) != 3 or len(token) > 200:
        return False
    member_id, expires = whole_number(parts[0]), whole_number(parts[1])
    if member_id is None or expires is None:
        return False
    if expires < int((now or utcnow()).timestamp()):
        return False
    expected = _signature(key, member_id, expires, password_hash)
    return hmac.compare_digest(expected.encode(), parts[2].encode())


def account_with_hash(
    connection: Connection, member_id: int
) -> tuple[StaffMember | None, str | None]:
    """An active account and its password hash, or (None, None)."""
    member = get_member(connection, member_id)
    if member is None or not member.active:
        return None, None
    password_hash = connection.execute(
        select(staff_users.c.password_hash).where(staff_users.c.id == member_id)
    ).scalar()
    return member, password_hash


def replace_password_hash(
    connection: Connection, member_id: int, old_hash: str, new_hash: str
) -> bool:
    """Swap the hash only if it is still `old_hash`: of two uses of one reset link (or
    two changes at once), exactly one succeeds."""
    result = connection.execute(
        update(staff_users)
        .where(
            staff_users.c.id == member_id,
            staff_users.c.password_hash == old_hash,
            staff_users.c.active.is_(True),
        )
        .values(password_hash=new_hash)
    )
    return result.rowcount == 1

"""The web chat's session secret: issued by the server, held by the page, hashed here.

A web chat session id is chosen by the page and is no secret (it is sent with every
message). What proves a request comes from the family's own browser is the token the
server issued with the session's first reply. Only its SHA-256 is stored.

The token is an HMAC of the session id and the first message's id under a server key,
so a retry of that first request (its response lost on a bad connection) is answered
with the same token without the token itself ever being stored. Such a retry is
honoured only for RETRY_WINDOW after the session began.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path

# A first request retried after this long is refused like any stranger's.
RETRY_WINDOW = dt.timedelta(minutes=10)
KEY_FILE = "session.key"


def load_key(configured: str, data_dir: Path) -> bytes:
    """SESSION_SECRET_KEY if set; otherwise one made once and kept in DATA_DIR."""
    if configured:
        return configured.encode()
    path = data_dir / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    # Written whole under another name, then linked into place: two processes starting
    # at once both end up with the first one's key, and nobody reads a half-written file.
    draft = data_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    try:
        os.link(draft, path)
    except FileExistsError:
        key = path.read_bytes().strip()
    finally:
        draft.unlink()
    return key


def issue_token(key: bytes, channel: str, session: str, message_id: str | None) -> str:
    """The secret for a new session: the same for a retry of the same first message."""
    if message_id is None:
        return secrets.token_urlsafe(32)
    digest = hmac.new(key, f"{channel}\n{session}\n{message_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str | None, stored_hash: str | None) -> bool:
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)


def bearer_token(authorization: str | None) -> str | None:
    """The token from `Authorization: Bearer <token>`, if well formed."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not 20 <= len(token) <= 100 or not token.isascii():
        return None
    return token

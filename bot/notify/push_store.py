"""A parent's Web Push subscriptions and the pushes waiting to go (issue #17).

Store functions (a Connection first), run inside the caller's transaction, shaped
like the e-mail's (bot/notify/contacts.py, bot/notify/outbox.py): a champion's reply
queues one push per subscription in the reply's own transaction, due SEEN_GRACE
later; the open chat page marks what it received, and a push for a reply already
seen is skipped. An endpoint is a capability URL (whoever holds it can push to that
browser): it is stored to send to, never logged, never exported, erased with the
parent.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, and_, delete, or_, select, update

from bot.notify.outbox import SEEN_GRACE, waiting_or_lately_sent
from bot.notify.push_tables import PushSend, PushSubscription
from bot.store.models import as_utc, utcnow

subscriptions = PushSubscription.__table__
sends = PushSend.__table__

MAX_ENDPOINT_CHARS = 2048
BATCH = 20
# A send waits at most this long for each of connecting and reading (pywebpush's
# timeout), so a batch's lease covers all of it with a margin; and the sweep sends
# nothing once its lease is nearly over (LEASE_MARGIN), so a push is never sent by
# two sweeps because one of them was slow.
SEND_TIMEOUT_SECONDS = 10
LEASE = dt.timedelta(seconds=2 * SEND_TIMEOUT_SECONDS * BATCH + 60)
LEASE_MARGIN = dt.timedelta(seconds=2 * SEND_TIMEOUT_SECONDS + 10)
MAX_ATTEMPTS = 8
# Hosts a test's stand-in push service may use over plain HTTP (PUSH_ALLOW_LOCAL_ENDPOINTS).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


class BadSubscription(ValueError):
    """The page's subscription can't be used; the message says why, for the page."""


@dataclass(frozen=True, slots=True)
class Subscription:
    endpoint: str
    p256dh: str  # the browser's P-256 public key, base64url (65 bytes raw)
    auth: str  # the browser's auth secret, base64url (16 bytes raw)

    @property
    def endpoint_hash(self) -> str:
        return endpoint_hash(self.endpoint)


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _b64url(value: object, name: str, size: int) -> str:
    if not isinstance(value, str) or not value or len(value) > 128:
        raise BadSubscription(f"keys.{name} must be a base64url string")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadSubscription(f"keys.{name} is not base64url") from exc
    if len(raw) != size or (name == "p256dh" and raw[0] != 4):
        raise BadSubscription(f"keys.{name} is not a {size}-byte key")
    return value.rstrip("=")


def _endpoint(value: object, allow_local: bool) -> str:
    if not isinstance(value, str) or not value:
        raise BadSubscription("endpoint must be a web address")
    if len(value) > MAX_ENDPOINT_CHARS:
        raise BadSubscription(f"endpoint is longer than {MAX_ENDPOINT_CHARS} characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise BadSubscription("endpoint is not a web address") from exc
    # Push services' endpoints are plain printable ASCII; a NUL would even fail to store.
    printable = value.isascii() and value.isprintable() and " " not in value
    if not printable or not parts.hostname or parts.username or parts.password:
        raise BadSubscription("endpoint is not a web address")
    if parts.scheme == "https":
        if _internal_host(parts.hostname):
            raise BadSubscription("endpoint must be a push service's public address")
        return value
    if parts.scheme == "http" and allow_local and parts.hostname in LOCAL_HOSTS:
        return value
    raise BadSubscription("endpoint must be an https:// address")


def _internal_host(host: str) -> bool:
    """An address inside this network (loopback, private, link-local, or a name with no
    dot such as an internal server's): a push endpoint there would let a chat user make
    the server send requests inside its own network. Real push services (FCM, Mozilla,
    Apple, Microsoft) are public names. A public name that resolves to an internal address
    is not caught here; a deployment that worries about that filters outgoing traffic."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "." not in host or host.endswith((".localhost", ".local", ".internal"))
    return not address.is_global


def parse_subscription(data: object, allow_local: bool = False) -> Subscription:
    """A browser's `PushSubscription.toJSON()`, checked strictly, or BadSubscription."""
    if not isinstance(data, dict):
        raise BadSubscription("send the subscription as a JSON object")
    unknown = set(data) - {"endpoint", "expirationTime", "keys"}
    if unknown:
        raise BadSubscription(f"unexpected field {sorted(unknown)[0]!r}")
    expiry = data.get("expirationTime")
    if expiry is not None and (isinstance(expiry, bool) or not isinstance(expiry, int | float)):
        raise BadSubscription("expirationTime must be a number or null")
    keys = data.get("keys")
    if not isinstance(keys, dict) or set(keys) != {"p256dh", "auth"}:
        raise BadSubscription("keys must hold exactly p256dh and auth")
    return Subscription(
        endpoint=_endpoint(data.get("endpoint"), allow_local),
        p256dh=_b64url(keys["p256dh"], "p256dh", 65),
        auth=_b64url(keys["auth"], "auth", 16),
    )


def subscribe(
    connection: Connection,
    parent_id: int,
    subscription: Subscription,
    now: dt.datetime | None = None,
) -> None:
    """Keep this browser's subscription for the parent. The same browser subscribing
    again (even for another chat on a shared computer) is one row, now theirs."""
    now = now or utcnow()
    digest = subscription.endpoint_hash
    found = connection.execute(
        select(subscriptions.c.id, subscriptions.c.parent_id).where(
            subscriptions.c.endpoint_hash == digest
        )
    ).first()
    values = {"parent_id": parent_id, "p256dh": subscription.p256dh, "auth": subscription.auth}
    if found is None:
        connection.execute(
            subscriptions.insert().values(
                endpoint=subscription.endpoint,
                endpoint_hash=digest,
                seen_message_id=0,
                created_at=now,
                **values,
            )
        )
        return
    if found.parent_id != parent_id:
        # Nothing queued for the browser's previous chat goes out any more.
        connection.execute(delete(sends).where(sends.c.subscription_id == found.id))
        values["seen_message_id"] = 0
    connection.execute(update(subscriptions).where(subscriptions.c.id == found.id).values(**values))


def stop(connection: Connection, parent_id: int, endpoint: str | None = None) -> int:
    """ "Stop notifications": this browser's subscription (or all the parent's when the
    page no longer knows its own), and anything waiting for it. Returns how many went."""
    chosen = select(subscriptions.c.id).where(subscriptions.c.parent_id == parent_id)
    if endpoint is not None:
        chosen = chosen.where(subscriptions.c.endpoint_hash == endpoint_hash(endpoint))
    ids = list(connection.execute(chosen).scalars())
    if not ids:
        return 0
    connection.execute(delete(sends).where(sends.c.subscription_id.in_(ids)))
    connection.execute(delete(subscriptions).where(subscriptions.c.id.in_(ids)))
    return len(ids)


def is_on(connection: Connection, parent_id: int) -> bool:
    found = connection.execute(
        select(subscriptions.c.id).where(subscriptions.c.parent_id == parent_id).limit(1)
    ).first()
    return found is not None


def page_received(connection: Connection, parent_id: int, message_id: int) -> None:
    """The parent's open chat page received messages up to this one (live)."""
    connection.execute(
        update(subscriptions)
        .where(
            subscriptions.c.parent_id == parent_id,
            subscriptions.c.seen_message_id < message_id,
        )
        .values(seen_message_id=message_id)
    )


def queue_reply_push(
    connection: Connection,
    parent_id: int | None,
    ticket_id: int,
    message_id: int,
    now: dt.datetime | None = None,
) -> int:
    """A champion replied on this ticket: a push to each of the parent's browsers,
    due SEEN_GRACE later, unless one for this ticket is waiting or went in the last
    QUIET_WINDOW (a flurry of replies is one push). Returns how many were queued."""
    if parent_id is None:
        return 0
    now = now or utcnow()
    queued = 0
    for subscription_id in connection.execute(
        select(subscriptions.c.id).where(subscriptions.c.parent_id == parent_id)
    ).scalars():
        recent = connection.execute(
            select(sends.c.id, sends.c.status).where(
                sends.c.subscription_id == subscription_id,
                sends.c.ticket_id == ticket_id,
                waiting_or_lately_sent(sends, now),
            )
        ).first()
        if recent is not None:
            if recent.status == "pending":  # about the newest reply, for the "seen" check
                connection.execute(
                    update(sends).where(sends.c.id == recent.id).values(message_id=message_id)
                )
            continue
        connection.execute(
            sends.insert().values(
                parent_id=parent_id,
                subscription_id=subscription_id,
                ticket_id=ticket_id,
                message_id=message_id,
                status="pending",
                due_at=now + SEEN_GRACE,
                attempts=0,
                created_at=now,
            )
        )
        queued += 1
    return queued


def queue_reminder_push(
    connection: Connection, parent_id: int, message_id: int, now: dt.datetime | None = None
) -> int:
    """A reminder was just stored in this web parent's chat: a push to each of their
    browsers, due SEEN_GRACE later (skipped if the open page showed it first). A push
    with no ticket is a reminder's (see DuePush.kind). Returns how many were queued."""
    now = now or utcnow()
    queued = 0
    for subscription_id in connection.execute(
        select(subscriptions.c.id).where(subscriptions.c.parent_id == parent_id)
    ).scalars():
        connection.execute(
            sends.insert().values(
                parent_id=parent_id,
                subscription_id=subscription_id,
                ticket_id=None,
                message_id=message_id,
                status="pending",
                due_at=now + SEEN_GRACE,
                attempts=0,
                created_at=now,
            )
        )
        queued += 1
    return queued


@dataclass(frozen=True, slots=True)
class DuePush:
    id: int
    subscription_id: int
    # "reply" (a champion replied on a ticket) or "reminder": a push has no kind column,
    # and only a reminder's is queued without a ticket.
    kind: str
    message_id: int | None
    attempts: int
    endpoint: str
    p256dh: str
    auth: str
    seen_message_id: int
    lease_until: dt.datetime  # the claim: the outcome is written only while it holds

    def subscription_info(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    @property
    def seen(self) -> bool:
        return self.message_id is not None and self.seen_message_id >= self.message_id


def claim_due(connection: Connection, now: dt.datetime, limit: int = BATCH) -> list[DuePush]:
    """Pushes due now, or whose sender's lease ran out, each leased to this sweep
    (compare-and-set, and SKIP LOCKED on PostgreSQL, so two processes never both send)."""
    query = (
        select(
            sends.c.id,
            sends.c.subscription_id,
            sends.c.ticket_id,
            sends.c.message_id,
            sends.c.attempts,
            sends.c.status,
            sends.c.lease_until,
            subscriptions.c.endpoint,
            subscriptions.c.p256dh,
            subscriptions.c.auth,
            subscriptions.c.seen_message_id,
        )
        .join(subscriptions, subscriptions.c.id == sends.c.subscription_id)
        .where(
            or_(
                and_(sends.c.status == "pending", sends.c.due_at <= now),
                and_(sends.c.status == "sending", sends.c.lease_until <= now),
            )
        )
        .order_by(sends.c.due_at, sends.c.id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=sends, skip_locked=True)
    claimed = []
    lease_until = now + LEASE
    for row in connection.execute(query).all():
        lease = (
            sends.c.lease_until.is_(None)
            if row.lease_until is None
            else sends.c.lease_until == row.lease_until
        )
        leased = connection.execute(
            update(sends)
            .where(sends.c.id == row.id, sends.c.status == row.status, lease)
            .values(status="sending", lease_until=lease_until)
        )
        if leased.rowcount != 1:
            continue  # another process took it between our read and our write
        claimed.append(
            DuePush(
                id=row.id,
                subscription_id=row.subscription_id,
                kind="reply" if row.ticket_id is not None else "reminder",
                message_id=row.message_id,
                attempts=row.attempts,
                endpoint=row.endpoint,
                p256dh=row.p256dh,
                auth=row.auth,
                seen_message_id=row.seen_message_id or 0,
                lease_until=lease_until,
            )
        )
    return claimed


def _held(push: DuePush) -> Any:
    # Still ours: another sweep that took the row after our lease ran out has changed
    # its lease, and what it recorded must not be overwritten.
    return and_(
        sends.c.id == push.id,
        sends.c.status == "sending",
        sends.c.lease_until == push.lease_until,
    )


def finish(connection: Connection, push: DuePush, status: str, now: dt.datetime) -> bool:
    """sent, skipped (seen live) or failed (refused for good). False, and nothing
    written, if this sweep's lease was lost."""
    done = connection.execute(
        update(sends)
        .where(_held(push))
        .values(status=status, lease_until=None, sent_at=now if status == "sent" else None)
    )
    return done.rowcount == 1


def retry(connection: Connection, push: DuePush, now: dt.datetime, error: str) -> str:
    """The push service was down or busy: again later, with growing gaps."""
    attempts = push.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, Any] = {"status": "failed"}
        outcome = "failed"
    else:
        gap = dt.timedelta(seconds=min(30 * 2**push.attempts, 3600))
        values = {"status": "pending", "due_at": now + gap}
        outcome = "retry"
    kept = connection.execute(
        update(sends)
        .where(_held(push))
        .values(**values, lease_until=None, attempts=attempts, last_error=error[:200])
    )
    return outcome if kept.rowcount == 1 else "lease lost"


def gone(connection: Connection, subscription_id: int) -> None:
    """The push service says this subscription no longer exists (404/410): forget it."""
    connection.execute(delete(sends).where(sends.c.subscription_id == subscription_id))
    connection.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))


def due_count(connection: Connection) -> int:
    """Pushes still to go (for tests and operators)."""
    return len(
        connection.execute(
            select(sends.c.id).where(sends.c.status.in_(("pending", "sending")))
        ).all()
    )


def for_export(connection: Connection, parent_id: int) -> list[dict[str, Any]]:
    """What "my data" shows: that notifications are on in a browser, since when, and
    which push service carries them. Not the endpoint itself: it is a capability (who
    holds it can push to that browser) and means nothing to read, so it stays out of
    a file that may be downloaded onto a shared computer."""
    rows = connection.execute(
        select(subscriptions.c.endpoint, subscriptions.c.created_at)
        .where(subscriptions.c.parent_id == parent_id)
        .order_by(subscriptions.c.id)
    )
    return [
        {
            "browser_notifications": "on",
            "push_service": urlsplit(row.endpoint).hostname or "",
            "added_at": as_utc(row.created_at).isoformat() if row.created_at else None,
            "used_for": "telling you a Parent Champion has replied, or you have a reminder",
        }
        for row in rows
    ]


def erase(connection: Connection, parent_ids: list[int]) -> None:
    connection.execute(delete(sends).where(sends.c.parent_id.in_(parent_ids)))
    connection.execute(delete(subscriptions).where(subscriptions.c.parent_id.in_(parent_ids)))

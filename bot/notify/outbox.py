"""E-mails waiting to go, and the sweep that sends them (run by bot/scheduler.py).

A champion's reply queues "a Parent Champion has replied" in the same transaction
as the reply, due a little later (SEEN_GRACE): if the parent's chat page is open it
receives the reply live within a second or two (bot/web/chat_api.py records that)
and no e-mail is needed. At most one such e-mail per ticket per QUIET_WINDOW, so a
flurry of replies is one e-mail. A failed send is retried with growing gaps and
never holds up or loses the champion's reply, which is already in the chat.

Each mail is claimed (status `sending` with a lease, compare-and-set) before it is
sent, so two `serve` processes never both send it. The lease (its end is the row's
`due_at`) outlasts the longest the batch's sends may take, and a sweep records the
outcome only while it still holds the lease: a sweep whose lease ran out (say, it
was stopped in the middle) can't mark sent, or queue again, a mail another sweep has
since taken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from bot.core.text import fill
from bot.notify import contacts as store
from bot.notify.mailer import SEND_DEADLINE_SECONDS, SmtpServer, compose, send
from bot.store.models import utcnow

log = logging.getLogger(__name__)
mails = store.mails
contacts = store.contacts

SEEN_GRACE = dt.timedelta(seconds=30)
QUIET_WINDOW = dt.timedelta(minutes=15)
BATCH = 10  # mails claimed by one sweep; it sends them one after another
# Each of the batch's sends gives up after SEND_DEADLINE_SECONDS, so the batch's lease
# covers them all, with a margin.
LEASE = dt.timedelta(seconds=SEND_DEADLINE_SECONDS * BATCH + 60)
MAX_ATTEMPTS = 8
NOTIFY_FLOW = "notify"
# Built-in words for a reminder's e-mail, used only if flows/notify.yml lacks them
# (the code and reply words are required: bot/notify/setup.py checks them).
BUILT_IN_WORDS = {
    "reminder_subject": "You have a reminder from Champion",
    "reminder_body": (
        "You have a reminder from Champion.\n\nOpen the chat to read it: {chat_link}\n\n"
        "To stop these e-mails, open this link: {unsubscribe_link}"
    ),
}


def waiting_or_lately_sent(table: Any, now: dt.datetime) -> Any:
    """A notice (an e-mail here, a push in push_store) still to go, or sent within
    QUIET_WINDOW: a new reply is folded into it rather than told again."""
    return or_(
        table.c.status.in_(("pending", "sending")),
        and_(table.c.status == "sent", table.c.sent_at > now - QUIET_WINDOW),
    )


def queue_reply_notice(
    connection: Connection,
    parent_id: int | None,
    ticket_id: int,
    message_id: int,
    now: dt.datetime | None = None,
) -> None:
    """A champion replied on this ticket: e-mail the parent later, if they asked and
    unless one for this ticket is waiting or went out in the last QUIET_WINDOW."""
    if parent_id is None or not store.is_confirmed(connection, parent_id):
        return
    now = now or utcnow()
    recent = connection.execute(
        select(mails.c.id, mails.c.status).where(
            mails.c.ticket_id == ticket_id,
            mails.c.kind == "reply",
            waiting_or_lately_sent(mails, now),
        )
    ).first()
    if recent is not None:
        if recent.status == "pending":  # about the newest reply, for the "seen" check
            connection.execute(
                update(mails).where(mails.c.id == recent.id).values(message_id=message_id)
            )
        return
    connection.execute(
        mails.insert().values(
            parent_id=parent_id,
            kind="reply",
            ticket_id=ticket_id,
            message_id=message_id,
            status="pending",
            due_at=now + SEEN_GRACE,
            attempts=0,
            created_at=now,
        )
    )


def queue_reminder_notice(
    connection: Connection, parent_id: int, message_id: int, now: dt.datetime | None = None
) -> bool:
    """A reminder was just stored in this web parent's chat: e-mail them later (neutral:
    never the date or what it is about), if they asked, unless the open page shows it
    first. Reminders are few, so no quiet window. Returns whether one was queued."""
    if not store.is_confirmed(connection, parent_id):
        return False
    now = now or utcnow()
    connection.execute(
        mails.insert().values(
            parent_id=parent_id,
            kind="reminder",
            ticket_id=None,
            message_id=message_id,
            status="pending",
            due_at=now + SEEN_GRACE,
            attempts=0,
            created_at=now,
        )
    )
    return True


@dataclass(frozen=True, slots=True)
class DueMail:
    id: int
    parent_id: int
    kind: str
    message_id: int | None
    code: str | None
    attempts: int
    contact_id: int | None
    address: str | None
    confirmed: bool
    seen_message_id: int
    contact_stamp: str  # for the unsubscribe token (bot/notify/contacts.py `stamp`)
    lease_until: dt.datetime  # the claim: the outcome is written only while it holds


def claim_due(connection: Connection, now: dt.datetime, limit: int = BATCH) -> list[DueMail]:
    """Mails due now (or whose sender's lease ran out), each leased to this sweep."""
    query = (
        select(
            mails.c.id,
            mails.c.parent_id,
            mails.c.kind,
            mails.c.message_id,
            mails.c.code,
            mails.c.attempts,
            mails.c.status,
            mails.c.due_at,
            contacts.c.id.label("contact_id"),
            contacts.c.address,
            contacts.c.confirmed_at,
            contacts.c.seen_message_id,
            contacts.c.created_at.label("contact_created_at"),
        )
        .outerjoin(contacts, contacts.c.parent_id == mails.c.parent_id)
        .where(mails.c.status.in_(("pending", "sending")), mails.c.due_at <= now)
        .order_by(mails.c.due_at, mails.c.id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=mails, skip_locked=True)
    claimed = []
    lease_until = now + LEASE
    for row in connection.execute(query).all():
        leased = connection.execute(
            update(mails)
            .where(mails.c.id == row.id, mails.c.status == row.status, mails.c.due_at == row.due_at)
            .values(status="sending", due_at=lease_until)
        )
        if leased.rowcount != 1:
            continue  # another process took it between our read and our write
        claimed.append(
            DueMail(
                id=row.id,
                parent_id=row.parent_id,
                kind=row.kind,
                message_id=row.message_id,
                code=row.code,
                attempts=row.attempts,
                contact_id=row.contact_id,
                address=row.address,
                confirmed=row.confirmed_at is not None,
                seen_message_id=row.seen_message_id or 0,
                contact_stamp=store.stamp(row.address or "", row.contact_created_at),
                lease_until=lease_until,
            )
        )
    return claimed


def _held(mail: DueMail) -> Any:
    """The mail is still this sweep's: no other sweep has taken it since its claim."""
    return and_(
        mails.c.id == mail.id, mails.c.status == "sending", mails.c.due_at == mail.lease_until
    )


def _finish(connection: Connection, mail: DueMail, status: str, now: dt.datetime) -> bool:
    """Record the outcome; False (and nothing written) if the lease was lost."""
    finished = connection.execute(
        update(mails)
        .where(_held(mail))
        .values(status=status, code=None, sent_at=now if status == "sent" else None)
    )
    return finished.rowcount == 1


def _retry(connection: Connection, mail: DueMail, now: dt.datetime, error: str) -> str:
    attempts = mail.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, Any] = {"status": "failed", "code": None}
        outcome = "failed"
    else:
        gap = dt.timedelta(seconds=min(30 * 2**mail.attempts, 3600))
        values = {"status": "pending", "due_at": now + gap}
        outcome = "retry"
    kept = connection.execute(
        update(mails).where(_held(mail)).values(attempts=attempts, last_error=error[:200], **values)
    )
    return outcome if kept.rowcount == 1 else "lease lost"


def unsubscribe_token(key: bytes, contact_id: int, contact_stamp: str) -> str:
    """The unsubscribe link's token: grants nothing but stopping this contact's e-mails,
    and dies with the contact. Bound to the row's stamp (when it was made, the address)
    as well as its id, because SQLite gives a deleted row's id to the next new row."""
    message = f"unsubscribe:{contact_id}:{contact_stamp}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def token_matches(key: bytes, contact_id: int, contact_stamp: str | None, token: str) -> bool:
    if contact_stamp is None:
        return False
    return hmac.compare_digest(unsubscribe_token(key, contact_id, contact_stamp), token)


@dataclass(frozen=True, slots=True)
class MailSetup:
    server: SmtpServer
    sender: str
    public_url: str  # the chat page's address, for links
    key: bytes  # for unsubscribe tokens
    words: dict[str, Any]  # flows/notify.yml's `data: email:` texts


def _message(setup: MailSetup, mail: DueMail) -> Any:
    words = setup.words
    base = setup.public_url.rstrip("/")
    link = ""
    if mail.contact_id is not None:
        token = unsubscribe_token(setup.key, mail.contact_id, mail.contact_stamp)
        link = f"{base}/email/unsubscribe?contact={mail.contact_id}&token={token}"
    values = {"chat_link": f"{base}/", "unsubscribe_link": link, "code": mail.code or ""}
    prefix = mail.kind if mail.kind in ("code", "reminder") else "reply"
    words = BUILT_IN_WORDS | {key: value for key, value in words.items() if value}
    subject = fill(str(words[f"{prefix}_subject"]), values)
    body = fill(str(words[f"{prefix}_body"]), values)
    return compose(setup.sender, mail.address or "", subject, body, link)


def _not_wanted(mail: DueMail) -> bool:
    if mail.address is None:
        return True  # stopped since it was queued
    if mail.kind == "code":
        return mail.code is None
    return not mail.confirmed or (
        mail.message_id is not None and mail.seen_message_id >= mail.message_id
    )


async def send_due(database: Any, setup: MailSetup, now: dt.datetime | None = None) -> int:
    """One sweep: send every mail that is due. Returns how many were handled."""
    now = now or utcnow()
    async with database.transaction() as transaction:
        batch = await transaction.run(claim_due, now)
    for mail in batch:
        if _not_wanted(mail):
            async with database.transaction() as transaction:
                await transaction.run(_finish, mail, "skipped", now)
            continue
        try:
            await send(setup.server, _message(setup, mail))
        except Exception as exc:  # SMTP down or refusing: try again later
            async with database.transaction() as transaction:
                outcome = await transaction.run(_retry, mail, now, type(exc).__name__)
            log.warning(
                "e-mail %d (%s) not sent (%s); %s", mail.id, mail.kind, type(exc).__name__, outcome
            )
            continue
        async with database.transaction() as transaction:
            if not await transaction.run(_finish, mail, "sent", utcnow()):
                log.warning("e-mail %d (%s) sent after its lease ran out", mail.id, mail.kind)
    return len(batch)


def due_count(connection: Connection) -> int:
    """Mails still to go (for tests and operators)."""
    return len(
        connection.execute(
            select(mails.c.id).where(mails.c.status.in_(("pending", "sending")))
        ).all()
    )

"""The outbox worker: sends stored Telegram and WhatsApp messages, in order, once.

Every outgoing message is written to `messages` first (with `delivery='pending'`),
in the same transaction as the conversation step, so nothing is lost if the
process stops before it is sent. This worker then:

- claims the oldest waiting message of each chat (a lease: `sending` until
  `next_attempt_at`; `FOR UPDATE SKIP LOCKED` on PostgreSQL, compare-and-set on
  SQLite), so two processes never send the same message and a chat's messages
  keep their order;
- keeps to the platform's pace: about one message a second per chat, and a
  global rate (30/s Telegram, 80/s WhatsApp);
- on a 429 waits as long as the platform asks; on network trouble retries with
  growing gaps; after MAX_ATTEMPTS, or when the platform refuses for good (the
  parent blocked the bot), marks the message failed.

A crash after sending but before marking can send one message twice, never lose
one (at least once).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from sqlalchemy import Connection, and_, func, or_, select, update

from bot.store.models import Message, Parent, as_utc, utcnow

log = logging.getLogger(__name__)
messages = Message.__table__
parents = Parent.__table__

LEASE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 8
PER_CHAT_GAP = 1.0  # seconds between two messages to one chat
IDLE_WAIT = 1.0


class RetryLater(Exception):
    """The platform asked us to wait (HTTP 429) this many seconds."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"asked to wait {seconds:.0f}s")
        self.seconds = seconds


class CannotDeliver(Exception):
    """The platform refused this message for good (blocked, bad chat id)."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    id: int
    parent_id: int
    chat_id: str
    text: str
    buttons: list[dict[str, str]]
    document: dict[str, str] | None
    purpose: str | None  # "reminder" for reminders (WhatsApp sends them as templates)
    attempts: int
    created_at: dt.datetime


class ChannelSender(Protocol):
    channel: str
    messages_per_second: float

    async def send(self, message: OutgoingMessage) -> None: ...


def claim(
    connection: Connection, channel: str, now: dt.datetime, skip_chats: set[int], limit: int = 20
) -> list[OutgoingMessage]:
    """The oldest waiting message of each chat on this channel, if it is due; leased."""
    waiting = or_(messages.c.delivery == "pending", messages.c.delivery == "sending")
    oldest = (
        select(func.min(messages.c.id))
        .join(parents, parents.c.id == messages.c.parent_id)
        .where(waiting, parents.c.channel == channel)
        .group_by(messages.c.parent_id)
    )
    query = (
        select(
            messages.c.id,
            messages.c.parent_id,
            messages.c.text,
            messages.c.buttons,
            messages.c.document,
            messages.c.payload,
            messages.c.attempts,
            messages.c.created_at,
            messages.c.delivery,
            messages.c.next_attempt_at,
            parents.c.chat_id,
        )
        .join(parents, parents.c.id == messages.c.parent_id)
        .where(
            messages.c.id.in_(oldest),
            or_(messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now),
        )
        .order_by(messages.c.id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=messages, skip_locked=True)
    claimed = []
    for row in connection.execute(query):
        if row.parent_id in skip_chats:
            continue
        leased = connection.execute(
            update(messages)
            .where(
                and_(
                    messages.c.id == row.id,
                    messages.c.delivery == row.delivery,
                    or_(messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now),
                )
            )
            .values(delivery="sending", next_attempt_at=now + LEASE)
        )
        if leased.rowcount != 1:
            continue  # another process took it between our read and write
        claimed.append(
            OutgoingMessage(
                id=row.id,
                parent_id=row.parent_id,
                chat_id=row.chat_id,
                text=row.text or "",
                buttons=list(row.buttons or []),
                document=row.document,
                purpose=row.payload,
                attempts=row.attempts,
                created_at=as_utc(row.created_at) or now,
            )
        )
    return claimed


def mark_sent(connection: Connection, message_id: int, now: dt.datetime) -> None:
    connection.execute(
        update(messages)
        .where(messages.c.id == message_id)
        .values(delivery="sent", delivered_at=now, next_attempt_at=None, last_error=None)
    )


def mark_retry(
    connection: Connection, message: OutgoingMessage, wait: dt.timedelta, error: str, counts: bool
) -> str:
    attempts = message.attempts + (1 if counts else 0)
    if attempts >= MAX_ATTEMPTS:
        mark_failed(connection, message.id, error)
        return "failed"
    connection.execute(
        update(messages)
        .where(messages.c.id == message.id)
        .values(
            delivery="pending",
            attempts=attempts,
            next_attempt_at=utcnow() + wait,
            last_error=error[:200],
        )
    )
    return "retry"


def mark_failed(connection: Connection, message_id: int, error: str) -> None:
    connection.execute(
        update(messages)
        .where(messages.c.id == message_id)
        .values(delivery="failed", next_attempt_at=None, last_error=error[:200])
    )


def last_inbound_at(connection: Connection, parent_id: int) -> dt.datetime | None:
    """When the parent last wrote to us (WhatsApp's 24-hour window starts there)."""
    value = connection.execute(
        select(func.max(messages.c.created_at)).where(
            messages.c.parent_id == parent_id, messages.c.direction == "in"
        )
    ).scalar()
    return as_utc(value)


class OutboxWorker:
    """One per channel per process; wakes when a message is stored, else every second."""

    def __init__(self, database: Any, sender: ChannelSender) -> None:
        self._database = database
        self.sender = sender
        self._limiter = AsyncLimiter(sender.messages_per_second, 1)
        self._last_sent: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-{self.sender.channel}")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                sent = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s outbox round failed; trying again", self.sender.channel)
                sent = 0
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT)
                self._wake.clear()

    async def send_due(self) -> int:
        """One round: claim what is due and send it. Returns how many were handled."""
        now_clock = time.monotonic()
        busy = {chat for chat, at in self._last_sent.items() if now_clock - at < PER_CHAT_GAP}
        async with self._database.transaction() as transaction:
            batch = await transaction.run(claim, self.sender.channel, utcnow(), busy)
        await asyncio.gather(*(self._deliver(message) for message in batch))
        return len(batch)

    async def _deliver(self, message: OutgoingMessage) -> None:
        async with self._limiter:
            self._last_sent[message.parent_id] = time.monotonic()
            try:
                await self.sender.send(message)
            except RetryLater as wait:
                await self._record(
                    mark_retry, message, dt.timedelta(seconds=wait.seconds), str(wait), False
                )
                return
            except CannotDeliver as refused:
                log.warning("%s message %d refused: %s", self.sender.channel, message.id, refused)
                await self._record(mark_failed, message.id, str(refused))
                return
            except Exception as exc:  # network trouble: try again, more slowly each time
                gap = dt.timedelta(seconds=min(2**message.attempts, 300))
                outcome = await self._record(mark_retry, message, gap, type(exc).__name__, True)
                log.warning(
                    "%s message %d not sent (%s); %s",
                    self.sender.channel,
                    message.id,
                    type(exc).__name__,
                    outcome,
                )
                return
            await self._record(mark_sent, message.id, utcnow())

    async def _record(self, function: Any, *args: Any) -> Any:
        async with self._database.transaction() as transaction:
            return await transaction.run(function, *args)

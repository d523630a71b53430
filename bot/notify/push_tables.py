"""The Web Push tables: a parent's browser subscriptions, and the pushes to send (#17).

Owned by the push module (bot/notify/push*.py); they share the store's `Base` so
migrations and erasure checks see them like any other table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, BigId, UtcDateTime, utcnow


class PushSubscription(Base):
    """One browser's push subscription for a parent, stored only with their consent.

    The endpoint is a capability URL at the browser's push service; it is kept to send
    to, never logged, and erased with the parent. Unique by its SHA-256 so a browser
    that subscribes twice is stored once."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(2048))
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    # The newest message this parent's open chat page has received (as the e-mail
    # contact's): a champion's reply up to here was seen live, so no push for it.
    seen_message_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PushSend(Base):
    """A push waiting to go (a reply, or a reminder: no ticket), one per subscription.

    Written in the transaction that causes it and sent by the scheduler's sweep, claimed
    with a lease so it goes out once, and retried if the push service is down."""

    __tablename__ = "push_sends"
    __table_args__ = (Index("ix_push_sends_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("push_subscriptions.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # sent|failed|gone
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

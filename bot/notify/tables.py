"""The notify module's own tables: a parent's e-mail address, and the e-mails to send.

Kept apart from bot/store/models.py because this module owns them (DESIGN.md: a
module owns its tables); they share its `Base`, so migrations, erasure checks and
tests see them like any other table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, BigId, UtcDateTime, utcnow


class NotificationContact(Base):
    """Where to tell a parent a Parent Champion replied: one e-mail address per parent.

    Written only after the parent agreed to the privacy notice (the notify flow is
    `personal`). `confirmed_at` stays empty until they type the code we e-mailed, and
    nothing but that code goes to an unconfirmed address."""

    __tablename__ = "notification_contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), unique=True
    )
    address: Mapped[str] = mapped_column(String(254))
    # SHA-256 of the parent id and the code; the code itself is only in the e-mail.
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    code_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The newest message the parent's open chat page has received: a champion's reply
    # up to here was seen live, so no e-mail is needed for it.
    seen_message_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class NotificationMail(Base):
    """An e-mail waiting to go (the code, or "a Parent Champion has replied").

    Written in the same transaction as what causes it (the champion's reply), and sent
    by the scheduler's sweep (bot/notify/sweep.py): it survives a restart and an SMTP
    outage, and is claimed before sending so it goes out once."""

    __tablename__ = "notification_mails"
    __table_args__ = (Index("ix_notification_mails_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # "code", "reply" or "reminder"
    ticket_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    # The champion's newest message this e-mail is about (kind "reply").
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    # Kind "code" only, until sent: the code to put in the e-mail.
    code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    # pending -> sending -> sent | failed | skipped (seen live, or unsubscribed)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

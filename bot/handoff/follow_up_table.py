"""The follow-ups table: "check back with this family on <date>" (issue #18).

Owned by the follow-ups module (bot/handoff/follow_ups.py); it shares the store's `Base`
so migrations and erasure checks see it like any other table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, BigId, UtcDateTime, utcnow


class FollowUp(Base):
    """A champion's reminder to check back with a family, and optionally a message to
    the parent, sent once by the scheduler's sweep when it falls due.

    Erased with the parent (the message is about them); kept when the ticket closes,
    because checking back usually happens after the conversation ended."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True
    )
    # The champion to remind; empty if their account was removed (admins still see it).
    staff_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)  # for the champion
    parent_message: Mapped[str | None] = mapped_column(Text, nullable=True)  # optional
    # pending -> sent (reminder and message out) -> done; or cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A sweep claims a due row until this time, so two processes never send it twice.
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The message id the parent's follow-up was stored as, if one was sent.
    parent_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

"""The ratings table: "How did it go?" after a ticket closes (issue #18).

Owned by the ratings module (bot/handoff/ratings.py); it shares the store's `Base` so
migrations and erasure checks see it like any other table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, BigId, UtcDateTime, utcnow


class TicketRating(Base):
    """A parent's 1-5 rating of talking to a Parent Champion, with an optional comment.

    Stored only when the parent has agreed to the privacy notice, and erased with the
    rest of their data (the row cascades with the parent)."""

    __tablename__ = "ticket_ratings"
    __table_args__ = (Index("ix_ticket_ratings_answered", "answered_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True
    )
    # The champion who held the ticket when it closed: they see only their own ratings.
    staff_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1-5; empty: asked
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    asked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

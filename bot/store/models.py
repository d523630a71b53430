"""Tables of the conversation core.

Only what the service needs is kept: a parent is a channel identity (no name, no
phone number), the conversation is where they are in a flow and the answers they
chose to give, and the transcript is what was said, for the Parent Champion who
picks the conversation up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import text as sa_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY, so BIGINT becomes INTEGER there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@overload
def as_utc(value: dt.datetime) -> dt.datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC datetime: SQLite hands times back without a zone,
    and everything is stored in UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A time with its zone, always written in UTC.

    PostgreSQL's timestamptz converts an aware time to UTC itself, but SQLite keeps
    only the wall-clock digits of whatever zone it is handed: 10:00 UK time in summer
    came back as 10:00 UTC, an hour late. Converting on the way in makes both
    databases hold the same instant, whoever writes it. Reads are unchanged (SQLite
    still returns a naive time, which `as_utc` reads as the UTC it now always is).
    """

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return value


class Base(DeclarativeBase):
    pass


class Parent(Base):
    """One identity on one channel (a Telegram user, a WhatsApp number, a web session)."""

    __tablename__ = "parents"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_parents_channel_chat"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Web chat only: SHA-256 of the secret the server issued with the session's first
    # reply. NULL on other channels, and on web sessions from before secrets existed.
    access_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class Conversation(Base):
    """Where a parent is in the flows. One per parent; `version` guards concurrent steps."""

    __tablename__ = "conversations"
    # The retention sweep finds conversations silent since a date (0014).
    __table_args__ = (Index("ix_conversations_updated_at", "updated_at"),)

    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(32))
    node: Mapped[str] = mapped_column(String(32))
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    history: Mapped[list[str]] = mapped_column(JSON, default=list)
    resting: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when a crisis is detected; champions see urgent conversations first.
    urgent: Mapped[bool] = mapped_column(default=False, index=True)
    urgent_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Message(Base):
    """The transcript: what the parent sent and what was sent back, in order."""

    __tablename__ = "messages"
    __table_args__ = (
        # A channel's own message id is answered once, however often it is delivered.
        UniqueConstraint("parent_id", "external_id", name="uq_messages_parent_external"),
        Index("ix_messages_parent_id_id", "parent_id", "id"),
        Index(
            "ix_messages_outbox",
            "delivery",
            "parent_id",
            "id",
            sqlite_where=sa_text("delivery IN ('pending', 'sending')"),
            postgresql_where=sa_text("delivery IN ('pending', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    parent_id: Mapped[int] = mapped_column(BigId, ForeignKey("parents.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))  # "in" or "out"
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reply_to_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[str | None] = mapped_column(String(128), nullable=True)
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)
    # Set on a Parent Champion's own reply, so the transcript says who wrote it.
    staff_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    # A file sent with the message: {"filename", "media_type", "key"}.
    document: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    # The outbox, for Telegram and WhatsApp: pending -> sending -> sent | failed.
    # Web chat messages are fetched by the page and have no delivery state.
    delivery: Mapped[str | None] = mapped_column(String(12), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Referral(Base):
    """What triage decided for a parent: category, urgency and the answers behind it."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Emptied when the parent's data is erased; the category still counts in reports.
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True, nullable=True
    )
    category: Mapped[str] = mapped_column(String(24), index=True)
    urgency: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Reminder(Base):
    """A message to send a parent later: a deadline they asked about, or a drop-in
    they booked. Sent once by the scheduler's sweep (bot/booking/reminders.py)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    parent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))  # deadline, dropin_24h, dropin_2h...
    due_on: Mapped[dt.date] = mapped_column(Date)  # the date the reminder is about
    due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    booking_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("bookings.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # pending -> sent | failed | dropped (too late) | cancelled (booking cancelled)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


# -- Parent Champions and the hand-off queue -----------------------------------


class StaffUser(Base):
    """A Parent Champion or an admin who signs in to the console."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # A first name parents see on replies ("Sam, Parent Champion"); may be empty.
    name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # "champion" or "admin"
    # Local authority names this champion covers; admins see every area.
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Presence (bot/staff/presence.py): the champion's own "available" switch, and the
    # last heartbeat from an open console page; online = both, the beat under 2 min old.
    available: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class StaffSession(Base):
    """A signed-in console session. Only a hash of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class LoginFailure(Base):
    """Failed sign-ins per e-mail address and per client address, for throttling."""

    __tablename__ = "login_failures"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Ticket(Base):
    """A parent's request for a Parent Champion, from escalation to its outcome."""

    __tablename__ = "tickets"
    __table_args__ = (
        # At most one open ticket per parent: asking twice adds to the first.
        Index(
            "uq_tickets_open_parent",
            "parent_id",
            unique=True,
            sqlite_where=sa_text("status <> 'closed'"),
            postgresql_where=sa_text("status <> 'closed'"),
        ),
        Index("ix_tickets_status_rank_created", "status", "urgency_rank", "created_at"),
        # The queue page's "recently closed" list (0014, benchmarks/scale.py).
        Index("ix_tickets_status_closed", "status", "closed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Indexed: erasing a parent finds their tickets (0013, benchmarks/scale.py).
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting|claimed|closed
    # True while the parent's messages go to the champion instead of the bot.
    relaying: Mapped[bool] = mapped_column(default=True)
    category: Mapped[str | None] = mapped_column(String(24), nullable=True)
    urgency: Mapped[str] = mapped_column(String(16), default="routine")
    urgency_rank: Mapped[int] = mapped_column(Integer, default=0)  # crisis 2, urgent 1
    local_authority: Mapped[str | None] = mapped_column(String(80), nullable=True)
    came_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Messages the parent sent while waiting or talking, for "new" badges and the ack.
    parent_messages: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # When the champion holding it last opened it (0016): the queue's unread count
    # is the parent's messages since; empty means all passed on (parent_messages).
    last_read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # A champion's first reply (0018): the first-response target stops here. Kept on the
    # ticket because erasure deletes the transcript but keeps the ticket for reports.
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The urgency last announced in the staff Telegram chat (-1: not yet).
    staff_notified_rank: Mapped[int] = mapped_column(Integer, default=-1)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TicketNote(Base):
    """A champion's note on a ticket.

    Internal unless the champion marked it shareable: only shareable notes go into
    the parent's instant "my data" download (which whoever holds the phone can
    fetch); the rest are released only through a reviewed subject access request.
    """

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    staff_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    shareable: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuditEntry(Base):
    """Who opened which transcript, claimed, transferred or closed what, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    staff_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


# -- Drop-in sessions ----------------------------------------------------------


class DropInSession(Base):
    """A drop-in hosted by a Parent Champion, in a venue or online."""

    __tablename__ = "dropin_sessions"
    __table_args__ = (Index("ix_dropin_sessions_status_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(120))
    host_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    local_authority: Mapped[str] = mapped_column(String(80), index=True)
    venue: Mapped[str] = mapped_column(String(160), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    online_link: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # or cancelled
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Booking(Base):
    """A parent's place (or place on the waitlist) at a drop-in session."""

    __tablename__ = "bookings"
    __table_args__ = (
        # One place per parent per session, whatever the timing of their taps.
        Index(
            "uq_bookings_live_parent",
            "session_id",
            "parent_id",
            unique=True,
            sqlite_where=sa_text("status <> 'cancelled'"),
            postgresql_where=sa_text("status <> 'cancelled'"),
        ),
        Index("ix_bookings_session_status", "session_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("dropin_sessions.id", ondelete="CASCADE")
    )
    # Emptied when the parent's data is erased; attendance still counts in reports.
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parents.id", ondelete="CASCADE"), index=True, nullable=True
    )
    status: Mapped[str] = mapped_column(String(16))  # booked | waitlisted | cancelled
    attended: Mapped[bool | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


# -- Content published from the admin editor ------------------------------------


class ContentRelease(Base):
    """One published version of all flows and knowledge: every file's text, whole.

    Content is small (a few hundred KB), so a whole copy per release keeps history,
    diffs and rollback simple and exact."""

    __tablename__ = "content_releases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)  # "flows/ehcp.yml" -> its text
    author_email: Mapped[str] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ContentDraft(Base):
    """An edited file waiting to be published (shared by the admins)."""

    __tablename__ = "content_drafts"

    path: Mapped[str] = mapped_column(String(200), primary_key=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)  # None: delete the file
    author_email: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)

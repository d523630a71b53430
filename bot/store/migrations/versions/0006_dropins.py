"""Drop-in sessions and bookings; reminders gain a send time, retries and a booking.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dropin_sessions",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column(
            "host_id", big_id, sa.ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("local_authority", sa.String(80), nullable=False),
        sa.Column("venue", sa.String(160), nullable=False, server_default=""),
        sa.Column("address", sa.String(300), nullable=False, server_default=""),
        sa.Column("online_link", sa.String(300), nullable=False, server_default=""),
        sa.Column("starts_at", when, nullable=False),
        sa.Column("ends_at", when, nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
    )
    op.create_index("ix_dropin_sessions_local_authority", "dropin_sessions", ["local_authority"])
    op.create_index("ix_dropin_sessions_status_starts", "dropin_sessions", ["status", "starts_at"])
    op.create_table(
        "bookings",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            big_id,
            sa.ForeignKey("dropin_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "parent_id", big_id, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
    )
    op.create_index(
        "uq_bookings_live_parent",
        "bookings",
        ["session_id", "parent_id"],
        unique=True,
        sqlite_where=sa.text("status <> 'cancelled'"),
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.create_index("ix_bookings_session_status", "bookings", ["session_id", "status", "id"])
    op.create_index("ix_bookings_parent_id", "bookings", ["parent_id"])
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("due_at", when, nullable=True))
        batch.add_column(
            sa.Column(
                "booking_id",
                big_id,
                sa.ForeignKey("bookings.id", name="fk_reminders_booking_id", ondelete="CASCADE"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", when, nullable=True))
        batch.add_column(sa.Column("sent_at", when, nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(200), nullable=True))
    op.create_index("ix_reminders_status_due_at", "reminders", ["status", "due_at"])
    op.create_index("ix_reminders_booking_id", "reminders", ["booking_id"])
    # Deadline reminders saved before this: a week before the date, at 9am UK time.
    reminders = sa.table(
        "reminders", sa.column("id"), sa.column("due_on", sa.Date), sa.column("due_at", when)
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(reminders.c.id, reminders.c.due_on)).all():
        day = row.due_on if isinstance(row.due_on, dt.date) else dt.date.fromisoformat(row.due_on)
        due_at = dt.datetime.combine(
            day - dt.timedelta(days=7), dt.time(9), tzinfo=ZoneInfo("Europe/London")
        )
        bind.execute(reminders.update().where(reminders.c.id == row.id).values(due_at=due_at))


def downgrade() -> None:
    op.drop_index("ix_reminders_booking_id", "reminders")
    op.drop_index("ix_reminders_status_due_at", "reminders")
    with op.batch_alter_table("reminders") as batch:
        for column in ("last_error", "sent_at", "next_attempt_at", "attempts", "booking_id"):
            batch.drop_column(column)
        batch.drop_column("due_at")
    op.drop_table("bookings")
    op.drop_table("dropin_sessions")

"""Parent Champions: staff accounts and sessions, the hand-off queue, notes, audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(80), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", when, nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "staff_user_id",
            big_id,
            sa.ForeignKey("staff_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("last_seen_at", when, nullable=False),
    )
    op.create_index("ix_staff_sessions_staff_user_id", "staff_sessions", ["staff_user_id"])
    op.create_table(
        "login_failures",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", when, nullable=False),
        sa.Column("locked_until", when, nullable=True),
    )
    op.create_table(
        "tickets",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id", big_id, sa.ForeignKey("parents.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("relaying", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(24), nullable=True),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("urgency_rank", sa.Integer(), nullable=False),
        sa.Column("local_authority", sa.String(80), nullable=True),
        sa.Column("came_from", sa.String(32), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("parent_messages", sa.Integer(), nullable=False, server_default="0"),
        sa.Column(
            "claimed_by",
            big_id,
            sa.ForeignKey("staff_users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("claimed_at", when, nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.Column("closed_at", when, nullable=True),
    )
    op.create_index(
        "uq_tickets_open_parent",
        "tickets",
        ["parent_id"],
        unique=True,
        sqlite_where=sa.text("status <> 'closed'"),
        postgresql_where=sa.text("status <> 'closed'"),
    )
    op.create_index(
        "ix_tickets_status_rank_created", "tickets", ["status", "urgency_rank", "created_at"]
    )
    op.create_table(
        "ticket_notes",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id", big_id, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "staff_user_id",
            big_id,
            sa.ForeignKey("staff_users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", when, nullable=False),
    )
    op.create_index("ix_ticket_notes_ticket_id", "ticket_notes", ["ticket_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "staff_user_id",
            big_id,
            sa.ForeignKey("staff_users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("staff_email", sa.String(254), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("ticket_id", big_id, nullable=True),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("created_at", when, nullable=False),
    )
    op.create_index("ix_audit_log_ticket_id", "audit_log", ["ticket_id"])
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(
            sa.Column(
                "staff_user_id",
                big_id,
                sa.ForeignKey(
                    "staff_users.id", name="fk_messages_staff_user_id", ondelete="SET NULL"
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("staff_user_id")
    for table in ("audit_log", "ticket_notes", "tickets", "login_failures", "staff_sessions"):
        op.drop_table(table)
    op.drop_table("staff_users")

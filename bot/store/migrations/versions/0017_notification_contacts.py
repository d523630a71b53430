"""E-mail a parent who has left the web chat that a Parent Champion replied (issue #17).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

`notification_contacts`: one confirmed (or being confirmed) e-mail address per parent,
stored only with their consent and erased with the rest of their data.
`notification_mails`: the e-mails to send, written in the transaction that causes
them and sent by the scheduler, so a restart or an SMTP outage loses none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notification_contacts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id",
            BigId,
            sa.ForeignKey("parents.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_attempts", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notification_mails",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id", BigId, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ticket_id", BigId, nullable=True),
        sa.Column("message_id", BigId, nullable=True),
        sa.Column("code", sa.String(12), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notification_mails_parent_id", "notification_mails", ["parent_id"])
    op.create_index("ix_notification_mails_ticket_id", "notification_mails", ["ticket_id"])
    op.create_index("ix_notification_mails_status_due", "notification_mails", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("notification_mails")
    op.drop_table("notification_contacts")

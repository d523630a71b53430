"""Reminders a parent asked for (deadline dates); sent by the scheduler once it exists.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id", big_id, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reminders_status_due_on", "reminders", ["status", "due_on"])
    op.create_index("ix_reminders_parent_id", "reminders", ["parent_id"])


def downgrade() -> None:
    op.drop_table("reminders")

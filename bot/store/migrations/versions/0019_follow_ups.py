"""Follow-ups: "check back with this family on <date>" (issue #18).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

A champion's reminder, and optionally a message to the parent, sent once by the
scheduler when due. Erased with the parent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id", BigId, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "parent_id", BigId, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "staff_user_id",
            BigId,
            sa.ForeignKey("staff_users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("due_at", When, nullable=False),
        sa.Column("note", sa.String(300), nullable=True),
        sa.Column("parent_message", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", When, nullable=True),
        sa.Column("sent_at", When, nullable=True),
        sa.Column("done_at", When, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("parent_message_id", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_follow_ups_status_due", "follow_ups", ["status", "due_at"])
    op.create_index("ix_follow_ups_ticket_id", "follow_ups", ["ticket_id"])
    op.create_index("ix_follow_ups_parent_id", "follow_ups", ["parent_id"])
    op.create_index("ix_follow_ups_staff_user_id", "follow_ups", ["staff_user_id"])


def downgrade() -> None:
    op.drop_table("follow_ups")

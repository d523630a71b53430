"""Web Push: a parent's browser subscriptions and the pushes to send (issue #17).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

Stored only with consent and erased with the parent. A push says only "A Parent
Champion has replied", never what they wrote.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id", BigId, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("endpoint", sa.String(2048), nullable=False),
        sa.Column("endpoint_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("p256dh", sa.String(128), nullable=False),
        sa.Column("auth", sa.String(64), nullable=False),
        sa.Column("seen_message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_push_subscriptions_parent_id", "push_subscriptions", ["parent_id"])
    op.create_table(
        "push_sends",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id", BigId, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "subscription_id",
            BigId,
            sa.ForeignKey("push_subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ticket_id", BigId, nullable=True),
        sa.Column("message_id", BigId, nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("due_at", When, nullable=False),
        sa.Column("lease_until", When, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", When, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_push_sends_status_due", "push_sends", ["status", "due_at"])
    op.create_index("ix_push_sends_parent_id", "push_sends", ["parent_id"])
    op.create_index("ix_push_sends_subscription_id", "push_sends", ["subscription_id"])


def downgrade() -> None:
    op.drop_table("push_sends")
    op.drop_table("push_subscriptions")

"""Referrals: the category and urgency triage chose, with the answers behind them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id", big_id, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_referrals_parent_id", "referrals", ["parent_id"])
    op.create_index("ix_referrals_category", "referrals", ["category"])


def downgrade() -> None:
    op.drop_table("referrals")

"""Referrals and bookings can outlive an erased parent, with no link to them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    for table in ("referrals", "bookings"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("parent_id", existing_type=big_id, nullable=True)


def downgrade() -> None:
    for table in ("referrals", "bookings"):
        op.execute(f"DELETE FROM {table} WHERE parent_id IS NULL")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("parent_id", existing_type=big_id, nullable=False)

"""Conversations flagged urgent (a crisis was detected) for Parent Champions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("urgent_since", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_conversations_urgent", "conversations", ["urgent"])


def downgrade() -> None:
    op.drop_index("ix_conversations_urgent", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("urgent_since")
        batch.drop_column("urgent")

"""The outbox for Telegram and WhatsApp (delivery state on messages); documents kept
with messages; staff chat notices on tickets.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

when = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("document", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("delivery", sa.String(12), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", when, nullable=True))
        batch.add_column(sa.Column("delivered_at", when, nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(200), nullable=True))
    op.create_index(
        "ix_messages_outbox",
        "messages",
        ["delivery", "parent_id", "id"],
        sqlite_where=sa.text("delivery IN ('pending', 'sending')"),
        postgresql_where=sa.text("delivery IN ('pending', 'sending')"),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("staff_notified_rank", sa.Integer(), nullable=False, server_default="-1")
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("staff_notified_rank")
    op.drop_index("ix_messages_outbox", "messages")
    with op.batch_alter_table("messages") as batch:
        for column in ("last_error", "delivered_at", "next_attempt_at", "attempts"):
            batch.drop_column(column)
        batch.drop_column("delivery")
        batch.drop_column("document")

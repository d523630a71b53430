"""Conversation core: parents, conversations, messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "parents",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "chat_id", name="uq_parents_channel_chat"),
    )
    op.create_table(
        "conversations",
        sa.Column(
            "parent_id",
            big_id,
            sa.ForeignKey("parents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("flow", sa.String(32), nullable=False),
        sa.Column("node", sa.String(32), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("resting", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "parent_id", big_id, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("reply_to_id", big_id, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload", sa.String(128), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("parent_id", "external_id", name="uq_messages_parent_external"),
    )
    op.create_index("ix_messages_parent_id_id", "messages", ["parent_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_messages_parent_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_table("conversations")
    op.drop_table("parents")

"""Web chat sessions carry a server-issued secret; only its hash is kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows from before this change keep NULL: such a session can no longer be
    # continued by whoever knows its id (see bot/channels/webchat_secrets.py).
    with op.batch_alter_table("parents") as batch:
        batch.add_column(sa.Column("access_token_hash", sa.String(64), nullable=True))
        # History and live streams find their session by the secret alone.
        batch.create_index("ix_parents_access_token_hash", ["access_token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("parents") as batch:
        batch.drop_index("ix_parents_access_token_hash")
        batch.drop_column("access_token_hash")

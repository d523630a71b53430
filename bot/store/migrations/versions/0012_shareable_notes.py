"""A champion can mark a ticket note as shareable with the family.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Shared notes appear in the parent's instant "my data" download; the others stay
with staff and are released only through a reviewed subject access request (the
download reaches whoever holds the phone, which may not be the parent). Existing
notes were written as internal, so they all start unshared.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_notes") as batch:
        batch.add_column(
            sa.Column("shareable", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_notes") as batch:
        batch.drop_column("shareable")

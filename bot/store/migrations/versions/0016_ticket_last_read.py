"""When the champion holding a ticket last read it, for the queue's unread counts.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

The queue showed "N messages" that only ever went up. Opening a ticket (or its live
refresh) as the champion who holds it stamps this time; the queue counts the parent's
messages after it. Empty until someone has read it: then every message passed on since
the ticket opened is unread. Existing tickets start unread, as they were shown.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("last_read_at")

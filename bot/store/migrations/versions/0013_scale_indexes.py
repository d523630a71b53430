"""An index on tickets.parent_id, for erasing parents at scale.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Measured by benchmarks/scale.py (100,000 parents, 20,000 tickets): every erasure
looks up the parent's tickets by parent_id, and deleting the parent row makes the
database find tickets pointing at it (ON DELETE SET NULL). Without an index both
scan the whole tickets table. The retention sweep of 10,000 due conversations took
180 s on SQLite; one call of 500 erasures went from 10.1 s to 3.2 s with this index.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_parent_id", "tickets", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_parent_id", table_name="tickets")

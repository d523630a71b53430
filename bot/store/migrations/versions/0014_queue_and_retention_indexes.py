"""Indexes for the queue page's closed list and for the retention sweep.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

Measured by benchmarks/scale.py (100,000 parents, 20,000 tickets): the queue page's
"recently closed" list sorted every closed ticket by closed_at (205 ms on SQLite,
60 ms on PostgreSQL, for 20 rows). The retention sweep looks for conversations silent
since a date; without an index each batch read every conversation, history and all,
so a sweep of 10,000 took 45 s on SQLite in batches of 200.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_status_closed", "tickets", ["status", "closed_at"])
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    op.drop_index("ix_tickets_status_closed", table_name="tickets")

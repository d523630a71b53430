"""When a Parent Champion first replied on a ticket, for the first-response target.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

Reports show the share of tickets answered within the target (flows/champion.yml,
`first_response_minutes`), week by week. The time is kept on the ticket, not worked out
from the transcript, because erasing a family deletes their messages but keeps the
anonymised ticket for the counts. Existing tickets take it from their transcript.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True))
    # A champion's message is one with a staff author, sent while the ticket was open.
    op.execute(
        """
        UPDATE tickets SET first_response_at = (
            SELECT MIN(messages.created_at) FROM messages
            WHERE messages.parent_id = tickets.parent_id
              AND messages.staff_user_id IS NOT NULL
              AND messages.created_at >= tickets.created_at
              AND (tickets.closed_at IS NULL OR messages.created_at <= tickets.closed_at)
        )
        WHERE tickets.parent_id IS NOT NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("first_response_at")

"""Ratings: "How did it go?" after a ticket closes (issue #18).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

One row per closed ticket whose parent was asked; the score and comment are stored only
with the parent's consent and erased with them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ticket_ratings",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            BigId,
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "parent_id", BigId, sa.ForeignKey("parents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "staff_user_id",
            BigId,
            sa.ForeignKey("staff_users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("asked_at", When, nullable=True),
        sa.Column("answered_at", When, nullable=True),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_ticket_ratings_answered", "ticket_ratings", ["answered_at"])
    op.create_index("ix_ticket_ratings_parent_id", "ticket_ratings", ["parent_id"])
    op.create_index("ix_ticket_ratings_staff_user_id", "ticket_ratings", ["staff_user_id"])


def downgrade() -> None:
    op.drop_table("ticket_ratings")

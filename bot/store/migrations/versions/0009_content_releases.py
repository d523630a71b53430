"""Content releases (published flows and knowledge) and the admins' drafts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "content_releases",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("author_email", sa.String(254), nullable=False),
        sa.Column("note", sa.String(300), nullable=False, server_default=""),
        sa.Column("created_at", when, nullable=False),
    )
    op.create_table(
        "content_drafts",
        sa.Column("path", sa.String(200), primary_key=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("author_email", sa.String(254), nullable=False),
        sa.Column("updated_at", when, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("content_drafts")
    op.drop_table("content_releases")

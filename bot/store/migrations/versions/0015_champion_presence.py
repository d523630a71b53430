"""Champion presence: an "available" switch and a console heartbeat per staff account.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

Parents are told a Parent Champion is online only when one covering their area has
said they are available and has a console page open (a heartbeat under 2 minutes old).
Kept in the database, not in memory, because several `serve` processes may run.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(
            sa.Column("available", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("available")

"""certificates: the annual due month the holder was last reminded of

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("reminded_for", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("reminded_for")

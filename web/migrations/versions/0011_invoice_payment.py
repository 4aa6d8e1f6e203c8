"""invoices: a due date, and the moment a payment went to the provider (paid once)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 17:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("paying_since", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("paying_since")
        batch.drop_column("due_on")

"""instance identity: which deployment a task belongs to

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 11:40:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "instance_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_identity")),
    )
    op.bulk_insert(table, [{"id": 1, "instance_id": str(uuid.uuid4())}])


def downgrade() -> None:
    op.drop_table("instance_identity")

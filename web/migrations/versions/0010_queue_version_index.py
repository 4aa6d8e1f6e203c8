"""queue: an index for filtering by status and protocol version in due order

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 13:15:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_submissions_status_version",
        "submissions",
        ["status", "protocol_version", "due_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_status_version", table_name="submissions")

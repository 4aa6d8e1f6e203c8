"""documents: the same file is one document per submission revision, not per submission

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:10:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_documents_submission_sha", type_="unique")
        batch_op.create_unique_constraint(
            "uq_documents_submission_revision_sha", ["submission_id", "revision", "sha256"]
        )


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_documents_submission_revision_sha", type_="unique")
        batch_op.create_unique_constraint(
            "uq_documents_submission_sha", ["submission_id", "sha256"]
        )

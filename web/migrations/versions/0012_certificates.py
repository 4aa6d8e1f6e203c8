"""certificates: issued when an accepted audit passes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 18:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column(
            "registration_id", sa.Integer(), sa.ForeignKey("registrations.id"), nullable=True
        ),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("companies.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("submission_id"),
    )
    op.create_index("ix_certificates_registration_id", "certificates", ["registration_id"])
    op.create_index("ix_certificates_company_id", "certificates", ["company_id"])


def downgrade() -> None:
    op.drop_index("ix_certificates_company_id", table_name="certificates")
    op.drop_index("ix_certificates_registration_id", table_name="certificates")
    op.drop_table("certificates")

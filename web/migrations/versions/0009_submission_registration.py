"""a submission belongs to a registered audit; registrations taken outside the portal

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 12:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite: a plain ADD COLUMN with the reference inline (the table has a generated column,
    # which a batch operation's copy-and-rename cannot carry over); elsewhere a named FK
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE submissions ADD COLUMN registration_id INTEGER "
            "CONSTRAINT fk_submissions_registration_id_registrations REFERENCES registrations (id)"
        )
    else:
        op.add_column("submissions", sa.Column("registration_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_submissions_registration_id_registrations"),
            "submissions",
            "registrations",
            ["registration_id"],
            ["id"],
        )
    op.create_index("ix_submissions_registration", "submissions", ["registration_id"])
    # registrations recorded by staff (migrated, or taken on paper) may have no portal assessor
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column("assessor_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column("assessor_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_submissions_registration", table_name="submissions")
    op.drop_column("submissions", "registration_id")

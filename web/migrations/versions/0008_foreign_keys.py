"""foreign keys where rows refer to rows: an answer's document, a registration's org chart

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    documents = sa.table("documents", sa.column("id", sa.Integer()))
    answers = sa.table("answers", sa.column("document_id", sa.Integer()))
    known = sa.select(documents.c.id)
    conn.execute(
        answers.update()
        .where(answers.c.document_id.is_not(None), answers.c.document_id.not_in(known))
        .values(document_id=None)
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_answers_document_id_documents"),
            "documents",
            ["document_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_chart_document_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_registrations_org_chart_document_id_documents"),
            "documents",
            ["org_chart_document_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # the document id kept inside the registration's JSON moves to the column
    registrations = sa.table(
        "registrations",
        sa.column("id", sa.Integer()),
        sa.column("data", sa.JSON()),
        sa.column("org_chart_document_id", sa.Integer()),
    )
    ids = {row.id for row in conn.execute(known)}
    for row in conn.execute(sa.select(registrations.c.id, registrations.c.data)).all():
        profile = dict((row.data or {}).get("profile") or {})
        doc_id = profile.pop("org_chart", None)
        if doc_id is None:
            continue
        conn.execute(
            registrations.update()
            .where(registrations.c.id == row.id)
            .values(
                org_chart_document_id=doc_id if doc_id in ids else None,
                data={**row.data, "profile": profile},
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_registrations_org_chart_document_id_documents"), type_="foreignkey"
        )
        batch_op.drop_column("org_chart_document_id")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_answers_document_id_documents"), type_="foreignkey")

"""The JSON API under /api/v1; views parse, call the domain and serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import func, select

from ingest.errors import ErrorCode, IngestError
from ingest.pipeline import accept_upload
from ingest.settings import KINDS
from ingest.submission import (
    document_status,
    get_document,
    hand_to_review,
)
from review.errors import ReviewError, ReviewErrorCode
from review.models import Role, Submission
from review.submissions import (
    create_draft,
    editable_revision,
    get_visible,
    visible,
)
from web import notify
from web.auth import actor, api_roles, api_user
from web.extensions import csrf, db, settings, store
from web.serialize import submission_json
from web.uploads import read_upload

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer-token calls carry no cookie; session calls are checked in api_user()

ALL = (Role.EMPLOYER, Role.REVIEWER, Role.STAFF)


@bp.get("/me")
@api_roles(*ALL)
def me() -> Any:
    user = api_user()
    assert user is not None
    return jsonify(id=user.id, email=user.email, role=user.role, company=user.company_name)


@bp.post("/submissions")
@api_roles(Role.EMPLOYER)
def create_submission() -> Any:
    data = request.get_json(silent=True) if request.is_json else None
    number = data.get("audit_number") if isinstance(data, dict) else None
    if number is not None and not (isinstance(number, str) and 0 < len(number) <= 20):
        raise ReviewError(ReviewErrorCode.INVALID, "'audit_number' is the audit's number as text.")
    sub = create_draft(db(), actor(), number)
    db().commit()
    return jsonify(id=sub.id, status=sub.status), 201


@bp.get("/submissions")
@api_roles(*ALL)
def list_submissions() -> Any:
    session = db()
    query = visible(actor())
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Submission.id.desc()).limit(200)).all()
    return jsonify(items=[submission_json(s, viewer=actor()) for s in items], total=total)


@bp.get("/submissions/<id:submission_id>")
@api_roles(*ALL)
def get_submission(submission_id: int) -> Any:
    return jsonify(
        submission_json(get_visible(db(), actor(), submission_id), detail=True, viewer=actor())
    )


@bp.post("/submissions/<id:submission_id>/documents")
@api_roles(Role.EMPLOYER)
def upload_document(submission_id: int) -> Any:
    session = db()
    revision = editable_revision(session, actor(), submission_id)
    kind = request.args.get("kind", "")
    if kind in KINDS:
        # Known before the body is read: hold the transfer itself to this kind's limit.
        request.max_content_length = settings().limit_bytes(kind) + 64 * 1024
    upload = read_upload(request.stream, request.content_type, store())
    try:
        kind = upload.fields.get("kind", kind)
        if upload.spool is None or not upload.filename:
            raise IngestError(ErrorCode.EMPTY, "Send the file in the multipart field 'file'.")
        doc, created = accept_upload(
            session,
            settings(),
            store(),
            submission_id,
            kind,
            upload.filename,
            upload.spool,
            revision,
        )
    finally:
        upload.close()
    body = document_status(doc)
    return jsonify(body), (202 if created else 200)


@bp.get("/documents/<id:document_id>")
@api_roles(*ALL)
def get_document_status(document_id: int) -> Any:
    body = document_status(get_document(db(), actor(), document_id), with_result=True)
    if actor().role == Role.EMPLOYER and "result" in body:
        # the employer learns which protocol was recognised, not how each answer was read
        body["result"] = {"protocol": (body["result"] or {}).get("protocol")}
    return jsonify(body)


@bp.post("/submissions/<id:submission_id>/submit")
@api_roles(Role.EMPLOYER)
def submit(submission_id: int) -> Any:
    session = db()
    sub = get_visible(session, actor(), submission_id)
    hand_to_review(session, sub, settings(), actor().id)
    session.commit()
    notify.submission(sub, "received")
    return jsonify(submission_json(sub))

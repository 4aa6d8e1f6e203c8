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
    documents_of,
    get_document,
    reading_for,
    ready_documents,
)
from review.models import Role, Submission, SubmissionStatus, User
from review.queue import hand_in
from review.submissions import (
    Actor,
    create_draft,
    editable_revision,
    get_visible,
    require_editable,
    visible,
)
from review.workflow import answers_of, trail, visible_notes
from web import notify
from web.auth import api_roles, api_user
from web.extensions import csrf, db, settings, store
from web.uploads import read_upload

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer-token calls carry no cookie; session calls are checked in api_user()

ALL = (Role.EMPLOYER, Role.REVIEWER, Role.STAFF)


def actor() -> Actor:
    user = api_user()
    assert user is not None
    return Actor(user.id, user.role, user.company_id)


#: States in which the employer may see the score: the review is over.
SCORE_VISIBLE = (SubmissionStatus.ACCEPTED,)


def submission_json(sub: Submission, detail: bool = False, viewer: Actor | None = None) -> dict[str, Any]:
    """A submission as ``viewer`` may see it: employers get its state, the notes addressed to
    them and the decision (with the score once accepted), never the reviewers' working data."""
    role = viewer.role if viewer else Role.EMPLOYER
    reviewing = role != Role.EMPLOYER
    body: dict[str, Any] = {
        "id": sub.id, "company": sub.company.name, "status": sub.status,
        "revision": sub.revision,
        "protocol": {"version": sub.protocol_version, "current": sub.protocol_current}
        if sub.protocol_version else None,
        "submitted_at": sub.submitted_at.isoformat() + "Z" if sub.submitted_at else None,
        "due_at": sub.due_at.isoformat() + "Z" if sub.due_at else None,
        "decision_reason": sub.decision_reason or None,
    }
    score = sub.score or {}
    if reviewing or sub.status in SCORE_VISIBLE:
        body.update(percent=sub.percent, passed=sub.passed, elements=score.get("elements", []),
                    overall=score.get("overall"))
    if reviewing:
        body.update(flags=sub.flags or [], claimed_by=sub.claimed_by_id)
    if detail:
        body["documents"] = [document_status(d) for d in documents_of(db(), sub.id)]
        body["notes"] = [{"id": n.id, "kind": n.kind, "text": n.text,
                          "at": n.created_at.isoformat() + "Z"}
                         for n in visible_notes(db(), sub, role)]
        if reviewing:
            body["answers"] = [answer_json(a) for a in answers_of(db(), sub)]
            body["corrections"] = [{"question": c.old_value.get("question"), "user": c.user.email,
                                    "at": c.at.isoformat() + "Z", "old": c.old_value,
                                    "new": c.new_value, "reason": c.reason}
                                   for c in trail(db(), sub)]
    return body


def answer_json(a: Any) -> dict[str, Any]:
    awarded = a.awarded if a.awarded is None or a.awarded % 1 else int(a.awarded)
    return {"question": a.question, "awarded": awarded, "available": a.available, "na": a.na,
            "raw": a.raw, "notes": a.notes, "method": a.method, "confidence": a.confidence,
            "page": a.page, "box": a.box, "corrected": a.corrected, "document_id": a.document_id}


@bp.get("/me")
@api_roles(*ALL)
def me() -> Any:
    user = api_user()
    assert user is not None
    return jsonify(id=user.id, email=user.email, role=user.role, company=user.company_name)


@bp.post("/submissions")
@api_roles(Role.EMPLOYER)
def create_submission() -> Any:
    sub = create_draft(db(), actor())
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
    return jsonify(submission_json(get_visible(db(), actor(), submission_id), detail=True,
                                   viewer=actor()))


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
        doc, created = accept_upload(session, settings(), store(), submission_id, kind,
                                     upload.filename, upload.spool, revision)
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
    hand_to_review(session, sub)
    session.commit()
    notify.submission(sub, "received")
    return jsonify(submission_json(sub))


def hand_to_review(session: Any, sub: Submission) -> None:
    """Check the documents, then queue the submission with its answers, score and flags."""
    from review.protocol import Catalogue

    require_editable(sub)
    docs = ready_documents(session, sub)
    submitter = session.get(User, sub.created_by_id) if sub.created_by_id else None
    reading = reading_for(session, sub, docs, Catalogue.default(settings().instance_dir),
                          submitter.training_completed_on if submitter else None)
    hand_in(session, sub, reading, settings().low_confidence, actor().id)

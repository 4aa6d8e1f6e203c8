"""Review through the JSON API: queue, claims, corrections, notes, decisions, returns."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from review.errors import ReviewError, ReviewErrorCode
from review.inputs import MAX_JSON_BODY
from review.models import Role, SubmissionStatus
from review.queue import QueueFilter, claim, claim_next, counts, list_queue, page_from_args, release
from review.submissions import get_visible
from review.workflow import add_note, correct, decide, reopen, return_outdated
from web import notify
from web.auth import actor, api_roles
from web.extensions import catalogue, csrf, db, settings
from web.serialize import submission_json

bp = Blueprint("review_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
REVIEWERS = (Role.REVIEWER, Role.STAFF)


@bp.before_request
def _bounded_body() -> None:
    request.max_content_length = MAX_JSON_BODY  # werkzeug answers 413 past it


def body() -> dict[str, Any]:
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ReviewError(ReviewErrorCode.BAD_REQUEST, "Send a JSON object.")
        return data
    return request.form.to_dict()


@bp.get("/review/queue")
@api_roles(*REVIEWERS)
def queue() -> Any:
    page, per_page = page_from_args(request.args)
    items, total = list_queue(db(), QueueFilter.from_args(request.args), page, per_page)
    return jsonify(
        items=[submission_json(s, viewer=actor()) for s in items], total=total, counts=counts(db())
    )


@bp.post("/review/claim-next")
@api_roles(*REVIEWERS)
def take_next() -> Any:
    sub = claim_next(db(), actor().id, actor().role)
    if sub is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "Nothing is waiting for review.")
    db().commit()
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<id:submission_id>/claim")
@api_roles(*REVIEWERS)
def claim_one(submission_id: int) -> Any:
    get_visible(db(), actor(), submission_id)
    sub = claim(db(), submission_id, actor().id, role=actor().role)
    db().commit()
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<id:submission_id>/release")
@api_roles(*REVIEWERS)
def release_one(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    release(db(), sub, actor().id, actor().role)
    db().commit()
    return jsonify(submission_json(sub, viewer=actor()))


@bp.post("/submissions/<id:submission_id>/answers/<question>")
@api_roles(*REVIEWERS)
def correct_answer(submission_id: int, question: str) -> Any:
    data = body()
    sub = get_visible(db(), actor(), submission_id)
    correct(
        db(),
        sub,
        question[:20],
        actor().id,
        actor().role,
        data.get("awarded"),
        data.get("na"),
        data.get("reason"),
        catalogue(),
        settings().low_confidence,
        data.get("notes"),
    )
    db().commit()
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<id:submission_id>/notes")
@api_roles(*REVIEWERS)
def note(submission_id: int) -> Any:
    data = body()
    sub = get_visible(db(), actor(), submission_id)
    made = add_note(db(), sub, actor().id, actor().role, data.get("kind"), data.get("text"))
    db().commit()
    return jsonify(id=made.id, kind=made.kind, text=made.text), 201


@bp.post("/submissions/<id:submission_id>/decision")
@api_roles(*REVIEWERS)
def decision(submission_id: int) -> Any:
    data = body()
    sub = get_visible(db(), actor(), submission_id)
    decide(db(), sub, actor().id, actor().role, data.get("decision"), data.get("reason"))
    db().commit()
    notify.submission(
        sub, "revision" if sub.status == SubmissionStatus.REVISION_REQUESTED else "decision"
    )
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<id:submission_id>/return")
@api_roles(Role.STAFF)
def return_one(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    return_outdated(db(), sub, catalogue(), actor().id, actor().role)
    db().commit()
    notify.submission(sub, "decision")
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<id:submission_id>/reopen")
@api_roles(Role.STAFF)
def reopen_one(submission_id: int) -> Any:
    data = body()
    sub = get_visible(db(), actor(), submission_id)
    reopen(db(), sub, actor().id, actor().role, data.get("reason"))
    db().commit()
    notify.submission(sub, "reopened")
    return jsonify(submission_json(sub, detail=True, viewer=actor()))

"""Review through the JSON API: queue, claims, corrections, notes, decisions, returns."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import Blueprint, jsonify, request

from review.errors import ReviewError, ReviewErrorCode
from review.models import Role
from review.protocol import Catalogue
from review.queue import QueueFilter, claim, claim_next, counts, list_queue, release
from review.submissions import get_visible
from review.workflow import add_note, correct, decide, return_outdated
from web import notify
from web.api import actor, submission_json
from web.auth import api_roles
from web.extensions import csrf, db, settings

bp = Blueprint("review_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
REVIEWERS = (Role.REVIEWER, Role.STAFF)


def catalogue() -> Catalogue:
    return Catalogue.default(settings().instance_dir)


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else request.form.to_dict()


def queue_filter(args: Any) -> QueueFilter:
    passed = args.get("passed")
    reviewer = args.get("reviewer", "")
    return QueueFilter(status=args.get("status") or None,
                       passed=None if passed in (None, "") else passed in ("1", "true", "pass"),
                       flag=args.get("flag") or None, version=args.get("version") or None,
                       reviewer_id=int(reviewer) if reviewer.isdigit() else None)


@bp.get("/review/queue")
@api_roles(*REVIEWERS)
def queue() -> Any:
    page = request.args.get("page", "1")
    per_page = min(int(request.args.get("per_page", "50") or 50), 200)
    items, total = list_queue(db(), queue_filter(request.args), int(page) if page.isdigit() else 1,
                              per_page)
    return jsonify(items=[submission_json(s) for s in items], total=total, counts=counts(db()))


@bp.post("/review/claim-next")
@api_roles(*REVIEWERS)
def take_next() -> Any:
    sub = claim_next(db(), actor().id)
    if sub is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "Nothing is waiting for review.")
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<int:submission_id>/claim")
@api_roles(*REVIEWERS)
def claim_one(submission_id: int) -> Any:
    sub = claim(db(), submission_id, actor().id)
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<int:submission_id>/release")
@api_roles(*REVIEWERS)
def release_one(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    if sub.claimed_by_id != actor().id and actor().role != Role.STAFF:
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "You do not hold this submission.")
    release(db(), sub)
    db().commit()
    return jsonify(submission_json(sub))


def _points(value: Any) -> Fraction | None:
    if value in (None, ""):
        return None
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError) as e:
        raise ReviewError(ReviewErrorCode.INVALID, "Points must be a number.") from e


@bp.post("/submissions/<int:submission_id>/answers/<question>")
@api_roles(*REVIEWERS)
def correct_answer(submission_id: int, question: str) -> Any:
    data = body()
    sub = get_visible(db(), actor(), submission_id)
    na = str(data.get("na", "")).lower() in ("1", "true", "on", "yes")
    correct(db(), sub, question, actor().id, actor().role, None if na else _points(data.get("awarded")),
            na, str(data.get("reason", "")), catalogue(), settings().low_confidence,
            data.get("notes"))
    db().commit()
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<int:submission_id>/notes")
@api_roles(*REVIEWERS)
def note(submission_id: int) -> Any:
    data = body()
    sub = get_visible(db(), actor(), submission_id)
    made = add_note(db(), sub, actor().id, actor().role, str(data.get("kind", "")),
                    str(data.get("text", "")))
    db().commit()
    return jsonify(id=made.id, kind=made.kind, text=made.text), 201


@bp.post("/submissions/<int:submission_id>/decision")
@api_roles(*REVIEWERS)
def decision(submission_id: int) -> Any:
    data = body()
    sub = get_visible(db(), actor(), submission_id)
    decide(db(), sub, actor().id, actor().role, str(data.get("decision", "")),
           str(data.get("reason", "")))
    db().commit()
    notify.submission(sub, "revision" if sub.status == "revision_requested" else "decision")
    return jsonify(submission_json(sub, detail=True, viewer=actor()))


@bp.post("/submissions/<int:submission_id>/return")
@api_roles(Role.STAFF)
def return_one(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    return_outdated(db(), sub, catalogue())
    db().commit()
    notify.submission(sub, "decision")
    return jsonify(submission_json(sub, detail=True, viewer=actor()))

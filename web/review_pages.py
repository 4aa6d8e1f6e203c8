"""Reviewer pages: the queue, a submission with each answer beside where it was read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ingest.crops import crop_png, page_png
from ingest.errors import IngestError
from ingest.images import pdf_of
from ingest.models import Document, DocumentStatus
from ingest.storage import FileStore
from review.coverage import grid as coverage_grid
from review.flags import FlagCode
from review.models import Answer, Role, Submission, SubmissionStatus, User
from review.queue import QueueFilter, claim, claim_next, counts, list_queue, page_from_args
from review.submissions import get_visible
from review.workflow import (
    add_note,
    answers_of,
    correct,
    decide,
    events_of,
    reopen,
    return_outdated,
    review_order,
    trail,
    visible_notes,
)
from web import notify
from web.actions import page_action
from web.auth import actor, page_roles
from web.extensions import catalogue, db, settings

bp = Blueprint("review_pages", __name__, url_prefix="/review")
REVIEWERS = (Role.REVIEWER, Role.STAFF)


@bp.get("/queue")
@page_roles(*REVIEWERS)
def queue() -> Any:
    page, per_page = page_from_args(request.args)
    f = QueueFilter.from_args(request.args)
    items, total = list_queue(db(), f, page, per_page)
    reviewers = db().query(User).filter(User.role == Role.REVIEWER).all()
    return render_template(
        "queue.html",
        submissions=items,
        total=total,
        counts=counts(db()),
        args=request.args,
        reviewers=reviewers,
        page=page,
        per_page=per_page,
        others={k: v for k, v in request.args.items() if k != "page"},
        statuses=list(SubmissionStatus),
        flag_codes=list(FlagCode),
    )


@bp.post("/claim-next")
@page_roles(*REVIEWERS)
def take_next() -> Any:
    sub = claim_next(db(), current_user.id, current_user.role)
    db().commit()
    if sub is None:
        flash("Nothing is waiting for review.", "info")
        return redirect(url_for("review_pages.queue"))
    return redirect(url_for("review_pages.detail", submission_id=sub.id))


@bp.get("/submissions/<id:submission_id>")
@page_roles(*REVIEWERS)
def detail(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    version = catalogue().versions.get(sub.protocol_version or "")
    texts = {q.id: q.text for q in version.questions} if version else {}
    low = settings().low_confidence
    flags_by_question: dict[str, list[str]] = {}
    for f in sub.flags or []:
        if f.get("question"):
            flags_by_question.setdefault(f["question"], []).append(f["message"])
    return render_template(
        "review_detail.html",
        sub=sub,
        grid=coverage_grid((sub.score or {}).get("coverage") or {}),
        answers=review_order(sub, answers_of(db(), sub), low),
        flags_by_question=flags_by_question,
        texts=texts,
        notes=visible_notes(db(), sub, Role.STAFF),
        corrections=trail(db(), sub),
        low=low,
        events=events_of(db(), sub),
        holder=sub.claimed_by_id == current_user.id,
        reviewers=db().query(User).filter(User.role == Role.REVIEWER).all(),
    )


@bp.post("/submissions/<id:submission_id>/claim")
@page_roles(*REVIEWERS)
def claim_one(submission_id: int) -> Any:
    with page_action():
        get_visible(db(), actor(), submission_id)
        claim(db(), submission_id, current_user.id, role=current_user.role)
    return redirect(url_for("review_pages.detail", submission_id=submission_id))


@bp.post("/submissions/<id:submission_id>/answers/<question>")
@page_roles(*REVIEWERS)
def correct_one(submission_id: int, question: str) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    form = request.form
    with page_action() as done:
        correct(
            db(),
            sub,
            question[:20],
            current_user.id,
            current_user.role,
            form.get("awarded"),
            form.get("na"),
            form.get("reason"),
            catalogue(),
            settings().low_confidence,
        )
        done.say(f"Question {question} corrected; the score is now {sub.percent}%.")
    return redirect(url_for("review_pages.detail", submission_id=submission_id) + f"#q-{question}")


@bp.post("/submissions/<id:submission_id>/notes")
@page_roles(*REVIEWERS)
def note(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    with page_action():
        add_note(
            db(),
            sub,
            current_user.id,
            current_user.role,
            request.form.get("kind"),
            request.form.get("text"),
        )
    return redirect(url_for("review_pages.detail", submission_id=submission_id) + "#notes")


@bp.post("/submissions/<id:submission_id>/decision")
@page_roles(*REVIEWERS)
def decision(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    with page_action() as done:
        decide(
            db(),
            sub,
            current_user.id,
            current_user.role,
            request.form.get("decision"),
            request.form.get("reason"),
        )
        done.then(
            lambda: notify.submission(
                sub, "revision" if sub.status == SubmissionStatus.REVISION_REQUESTED else "decision"
            )
        )
        done.say(f"Submission {sub.id} is now {sub.status.replace('_', ' ')}.")
    if not done.ok:
        return redirect(url_for("review_pages.detail", submission_id=submission_id))
    return redirect(url_for("review_pages.queue"))


@bp.get("/submissions/<id:submission_id>/answers/<question>/crop.png")
@page_roles(*REVIEWERS)
def crop(submission_id: int, question: str) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    answer = db().query(Answer).filter_by(submission_id=sub.id, question=question).first()
    if answer is None or not answer.box or not answer.page or not answer.document_id:
        abort(404)
    return _picture(
        sub,
        answer.document_id,
        lambda pdf, doc: crop_png(
            pdf,
            answer.page,
            tuple(answer.box),
            settings().instance_dir / "crops",
            int(((doc.result or {}).get("turns") or {}).get(str(answer.page), 0)),
        ),
    )


@bp.get(
    "/submissions/<id:submission_id>/documents/<id:document_id>/pages/"
    "<int(min=1, max=10000):page>.png"
)
@page_roles(*REVIEWERS)
def page_image(submission_id: int, document_id: int, page: int) -> Any:
    """A whole page of one of the submission's documents (the records grid links here)."""
    sub = get_visible(db(), actor(), submission_id)
    return _picture(
        sub, document_id, lambda pdf, _doc: page_png(pdf, page, settings().instance_dir / "crops")
    )


def _picture(sub: Submission, document_id: int, draw: Callable[[Path, Document], Path]) -> Any:
    """A PNG drawn from one of the submission's documents; 404 where there is none to draw."""
    doc = db().get(Document, document_id)
    if doc is None or doc.submission_id != sub.id or doc.status != DocumentStatus.DONE:
        abort(404)
    store = FileStore(settings().storage_dir)
    try:
        png = draw(pdf_of(store.path(doc.storage_key), doc.content_type, settings()), doc)
    except (IngestError, OSError):  # no such page, or a file gone from the store
        abort(404)
    return send_file(png, mimetype="image/png", max_age=3600)


@bp.post("/submissions/<id:submission_id>/return")
@page_roles(Role.STAFF)
def return_one(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    with page_action() as done:
        return_outdated(
            db(),
            sub,
            catalogue(),
            current_user.id,
            current_user.role,
        )
        done.then(lambda: notify.submission(sub, "decision"))
        done.say(f"Submission {sub.id} was returned to the employer without a quality review.")
    return redirect(url_for("staff.returns"))


@bp.post("/submissions/<id:submission_id>/reopen")
@page_roles(Role.STAFF)
def reopen_one(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    with page_action() as done:
        reopen(db(), sub, current_user.id, current_user.role, request.form.get("reason"))
        done.then(lambda: notify.submission(sub, "reopened"))
        done.say(f"Submission {sub.id} is back in the queue.")
    return redirect(url_for("review_pages.detail", submission_id=submission_id))

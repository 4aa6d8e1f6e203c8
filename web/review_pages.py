"""Reviewer pages: the queue."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from review.models import Role, Submission, SubmissionStatus
from web.auth import page_roles
from web.extensions import db

bp = Blueprint("review_pages", __name__, url_prefix="/review")


@bp.get("/queue")
@page_roles(Role.REVIEWER, Role.STAFF)
def queue() -> Any:
    subs = db().scalars(
        select(Submission)
        .where(Submission.status.in_([SubmissionStatus.PENDING_REVIEW, SubmissionStatus.IN_REVIEW]))
        .order_by(Submission.due_at, Submission.id).limit(100)
    ).all()
    return render_template("queue.html", submissions=subs)

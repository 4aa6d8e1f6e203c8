"""Submissions as the review domain sees them: creation, visibility, hand-off to review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import Session

from review.errors import ReviewError, ReviewErrorCode
from review.models import Role, Submission, SubmissionStatus
from review.registration import registered_audit

_SUBMISSIONS = cast(Table, Submission.__table__)


@dataclass(frozen=True)
class Actor:
    """Who is asking: enough to decide what they may see."""

    id: int
    role: str
    company_id: int | None


def create_draft(session: Session, actor: Actor, audit_number: str | None = None) -> Submission:
    """A draft that hands in the company's registered audit (409 ``wrong_state`` without one)."""
    if actor.role != Role.EMPLOYER or actor.company_id is None:
        raise ReviewError(ReviewErrorCode.INVALID, "Only an employer with a company can start one.")
    registration = registered_audit(session, actor.company_id, audit_number)
    sub = Submission(
        company_id=actor.company_id,
        created_by_id=actor.id,
        status=SubmissionStatus.DRAFT,
        registration_id=registration.id,
    )
    session.add(sub)
    session.flush()
    return sub


def _visible_to(actor: Actor, company_id: Any) -> list[Any]:
    """Employers see their own company's submissions; reviewers and staff see all."""
    return [company_id == actor.company_id] if actor.role == Role.EMPLOYER else []


def visible(actor: Actor) -> Select[Any]:
    return select(Submission).where(*_visible_to(actor, Submission.company_id))


def get_visible(session: Session, actor: Actor, submission_id: int) -> Submission:
    """The submission, or not_found: another company's objects do not exist for an employer."""
    sub: Submission | None = session.scalar(visible(actor).where(Submission.id == submission_id))
    if sub is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "There is no such submission.")
    return sub


def editable_revision(session: Session, actor: Actor, submission_id: int) -> int:
    """The revision that uploads to this submission belong to; not_found or wrong_state.

    Uploads ask only this, so it reads three columns rather than the whole submission.
    """
    table = _SUBMISSIONS  # on the table, not the ORM attributes: this runs for every upload
    row = (
        session.connection()
        .execute(
            select(table.c.status, table.c.revision).where(
                table.c.id == submission_id, *_visible_to(actor, table.c.company_id)
            )
        )
        .first()
    )
    if row is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "There is no such submission.")
    _check_editable(row.status)
    return int(row.revision)


def require_editable(sub: Submission) -> None:
    _check_editable(sub.status)


def _check_editable(status: str) -> None:
    if status not in (SubmissionStatus.DRAFT, SubmissionStatus.REVISION_REQUESTED):
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"The submission is {status.replace('_', ' ')}; it cannot change now.",
        )

"""The certifying body's desk: what waits for staff, and what they need to see to approve a
registration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.models import (
    Registration,
    RegistrationStatus,
    Submission,
    SubmissionStatus,
    User,
)
from review.names import same_person
from review.registration_rules import roster_warnings, training_problem

CLAIM_WARNING = dt.timedelta(minutes=5)  # a claim this close to its end is "about to expire"


@dataclass(frozen=True)
class Waiting:
    registrations: int  # New Audit Requests to review
    payments: int  # invoiced, not paid
    outdated: int  # handed in on an outdated or unrecognised form: to return
    past_due: int  # registered audits not handed in by their due date
    expiring_claims: int  # reviews whose claim ends within CLAIM_WARNING


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def outdated_query() -> Any:
    """Queued submissions on outdated or unrecognised forms (returned without a review)."""
    return select(Submission).where(
        Submission.waiting.is_(True),
        (Submission.protocol_current.is_(False)) | (Submission.protocol_version.is_(None)),
    )


def waiting(session: Session, now: dt.datetime) -> Waiting:
    handed_in = select(Submission.registration_id).where(
        Submission.registration_id.is_not(None),
        Submission.status != SubmissionStatus.DRAFT,
    )
    return Waiting(
        registrations=_count(
            session, select(Registration).where(Registration.status == RegistrationStatus.SUBMITTED)
        ),
        payments=_count(
            session,
            select(Registration).where(Registration.status == RegistrationStatus.PAYMENT_NEEDED),
        ),
        outdated=_count(session, outdated_query()),
        past_due=_count(
            session,
            select(Registration).where(
                Registration.status == RegistrationStatus.REGISTERED,
                Registration.due_date < now.date(),
                Registration.id.not_in(handed_in),
            ),
        ),
        expiring_claims=_count(
            session,
            select(Submission).where(
                Submission.status == SubmissionStatus.IN_REVIEW,
                Submission.claim_expires_at.is_not(None),
                Submission.claim_expires_at <= now + CLAIM_WARNING,
            ),
        ),
    )


@dataclass(frozen=True)
class ChartRow:
    """One person of the organisation chart beside the roster."""

    name: str
    title: str
    reports_to: str | None
    on_roster: str | None  # the roster's spelling of the name, if the person is there


def chart_beside_roster(
    people: list[dict[str, Any]], roster: list[dict[str, Any]]
) -> tuple[list[ChartRow], list[str]]:
    """The chart's people, each matched to the roster (names as people write them), and the
    roster's names the chart does not show."""
    names = [str(r.get("name", "")) for r in roster if str(r.get("name", "")).strip()]
    rows = [
        ChartRow(
            p.get("name", ""),
            p.get("title", ""),
            p.get("reports_to"),
            next((n for n in names if same_person(n, p.get("name", ""))), None),
        )
        for p in people
    ]
    missing = [n for n in names if not any(same_person(n, p.get("name", "")) for p in people)]
    return rows, missing


def desk_checks(
    reg: Registration, assessor: User | None, people: list[dict[str, Any]] | None, today: dt.date
) -> list[str]:
    """What staff should know before approving: the assessor's training, the counts and
    names that disagree."""
    out = []
    if assessor is not None and (
        problem := training_problem(assessor.training_completed_on, today)
    ):
        out.append(problem)
    declared = (reg.data.get("details") or {}).get("employees")
    names = [p.get("name", "") for p in people] if people else None
    out += roster_warnings(declared, reg.data.get("roster", []), names)
    if people is None:
        out.append("The organisation chart has not been read (or none was uploaded).")
    return out

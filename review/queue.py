"""The reviewer queue: handing submissions in, claims as leases, listing oldest-due first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Session

from review.answers import ExtractedAnswer
from review.errors import ReviewError, ReviewErrorCode
from review.flags import Circumstances, FlagCode
from review.inputs import PASSED, query_choice, query_int
from review.lifecycle import LEASE, RULES, Action, record, require
from review.models import Answer, Role, Submission, SubmissionStatus, utcnow
from review.outcome import evaluate
from review.protocol import ProtocolVersion

REVIEW_DAYS = 21  # the program allows two to four weeks for the quality assurance review


@dataclass(frozen=True)
class Reading:
    """What extraction handed over for one submission."""

    version: ProtocolVersion | None
    current: bool | None
    answers: Sequence[ExtractedAnswer]
    summary: dict[str, dict[str, str]]
    circumstances: Circumstances
    document_id: int | None = None
    #: The records' coverage (review.coverage), with its flags; None without records.
    coverage: dict[str, Any] | None = None


def apply_outcome(
    sub: Submission, outcome: dict[str, Any], coverage: dict[str, Any] | None = None
) -> None:
    """Score and flags onto the submission; the records' coverage flags join the answers'."""
    sub.score = {"elements": outcome["elements"], "overall": outcome["overall"]}
    if coverage is not None:
        sub.score["coverage"] = coverage
    sub.percent = outcome["overall"]["percent"] if outcome["overall"] else None
    sub.passed = outcome["passed"]
    sub.flags = outcome["flags"] + list((coverage or {}).get("flags", []))
    sub.flag_codes = " ".join(sorted({f["code"] for f in sub.flags}))


def hand_in(
    session: Session,
    sub: Submission,
    reading: Reading | None = None,
    low_confidence: float = 0.8,
    user_id: int | None = None,
) -> Submission:
    """Move a draft (or a revised submission) into the queue, with its score and flags."""
    if sub.status not in RULES[Action.HAND_IN].states:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"The submission is {SubmissionStatus(sub.status).label}; it cannot be handed in now.",
        )
    now = utcnow()
    before = sub.status
    sub.status = SubmissionStatus.PENDING_REVIEW
    sub.submitted_at = now
    if sub.due_at is None:
        sub.due_at = now + dt.timedelta(days=REVIEW_DAYS)
    sub.claimed_by_id = None
    sub.claim_expires_at = None
    if reading is not None:
        if sub.revision > 1 and sub.score:  # keep the last revision's figures to compare with
            previous = {
                a.question: ("N/A" if a.na else a.awarded)
                for a in session.query(Answer).filter(Answer.submission_id == sub.id)
            }
            sub.score = {
                **sub.score,
                "previous": {
                    "revision": sub.revision - 1,
                    "percent": sub.percent,
                    "passed": sub.passed,
                    "answers": previous,
                },
            }
        carried = (sub.score or {}).get("previous")
        version = reading.version
        sub.protocol_version = version.version if version else None
        sub.protocol_current = reading.current
        session.query(Answer).filter(Answer.submission_id == sub.id).delete()
        available = {q.id: q.available for q in version.questions} if version else {}
        for a in reading.answers:
            session.add(
                Answer(
                    submission_id=sub.id,
                    document_id=reading.document_id,
                    question=a.question,
                    awarded=None if a.awarded is None else float(a.awarded),
                    available=available.get(a.question, 0),
                    na=a.na,
                    notes=a.notes,
                    method=a.method,
                    confidence=a.confidence,
                    page=a.page,
                    box=list(a.box) if a.box else None,
                    raw=a.raw,
                    readable=a.readable,
                )
            )
        apply_outcome(
            sub,
            evaluate(
                version,
                reading.current,
                reading.answers,
                reading.summary,
                reading.circumstances,
                low_confidence,
            ),
            reading.coverage,
        )
        sub.score = {
            **(sub.score or {}),
            "summary": reading.summary,
            "circumstances": _circ_json(reading.circumstances),
            "previous": carried,
        }
    record(session, sub, Action.HAND_IN, user_id, before)
    session.flush()
    return sub


def _circ_json(c: Circumstances) -> dict[str, str | None]:
    return {k: (v.isoformat() if v else None) for k, v in c.__dict__.items()}


def claim(
    session: Session,
    submission_id: int,
    reviewer_id: int,
    now: dt.datetime | None = None,
    role: str = Role.REVIEWER,
) -> Submission:
    """Take a submission for review. One atomic UPDATE decides: two reviewers never both win.

    A claim is a lease: once it expires another reviewer may take the submission over; staff
    may take it over at any time. The caller commits (until then the row stays locked).
    """
    if role not in RULES[Action.CLAIM].roles:
        raise ReviewError(ReviewErrorCode.FORBIDDEN, "Your role may not do this.")
    now = now or utcnow()
    takeover: Any = (
        sa_true()
        if role == Role.STAFF
        else (Submission.claim_expires_at < now) | (Submission.claimed_by_id == reviewer_id)
    )
    before = session.scalar(select(Submission.status).where(Submission.id == submission_id))
    res = session.execute(
        update(Submission)
        .where(
            Submission.id == submission_id,
            (Submission.status == SubmissionStatus.PENDING_REVIEW)
            | ((Submission.status == SubmissionStatus.IN_REVIEW) & takeover),
        )
        .values(
            status=SubmissionStatus.IN_REVIEW,
            claimed_by_id=reviewer_id,
            claim_expires_at=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "There is no such submission.")
    session.refresh(sub)
    if not getattr(res, "rowcount", 0):
        if sub.status == SubmissionStatus.IN_REVIEW:
            raise ReviewError(ReviewErrorCode.CLAIMED, "Another reviewer holds this submission.")
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"The submission is {SubmissionStatus(sub.status).label}; it cannot be claimed now.",
        )
    record(session, sub, Action.CLAIM, reviewer_id, before or sub.status)
    session.flush()
    return sub


def claim_next(session: Session, reviewer_id: int, role: str = Role.REVIEWER) -> Submission | None:
    """The oldest-due submission nobody holds, claimed for this reviewer."""
    now = utcnow()
    candidates = session.scalars(
        select(Submission.id)
        .where(
            (Submission.status == SubmissionStatus.PENDING_REVIEW)
            | (
                (Submission.status == SubmissionStatus.IN_REVIEW)
                & (Submission.claim_expires_at < now)
            )
        )
        .order_by(Submission.due_at, Submission.id)
        .limit(20)
    ).all()
    for sid in candidates:
        try:
            return claim(session, sid, reviewer_id, now, role)
        except ReviewError:
            continue
    return None


def release(session: Session, sub: Submission, user_id: int, role: str) -> None:
    """The holder (or staff) puts a submission in review back in the queue."""
    require(session, sub, Action.RELEASE, user_id, role)
    previous = sub.status
    sub.status = SubmissionStatus.PENDING_REVIEW
    sub.claimed_by_id = None
    sub.claim_expires_at = None
    record(session, sub, Action.RELEASE, user_id, previous)


def reassign(
    session: Session, sub: Submission, reviewer_id: int, staff_id: int, role: str = Role.STAFF
) -> None:
    """Staff hand a submission to another reviewer."""
    require(session, sub, Action.REASSIGN, staff_id, role)
    previous = sub.status
    sub.status = SubmissionStatus.IN_REVIEW
    sub.claimed_by_id = reviewer_id
    sub.claim_expires_at = utcnow() + LEASE
    record(session, sub, Action.REASSIGN, staff_id, previous, f"to user {reviewer_id}")


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    passed: bool | None = None
    flag: str | None = None
    version: str | None = None
    reviewer_id: int | None = None

    @classmethod
    def from_args(cls, args: Any) -> QueueFilter:
        """The queue's filters from a query string; an unknown value is 400 ``bad_request``."""
        passed = query_choice(args, "passed", tuple(PASSED))
        version = args.get("version") or None
        if version is not None and len(version) > 40:
            raise ReviewError(ReviewErrorCode.BAD_REQUEST, "'version' is at most 40 characters.")
        reviewer = query_int(args, "reviewer", 0, 0, 2**31 - 1)
        return cls(
            status=query_choice(args, "status", tuple(SubmissionStatus)),
            passed=None if passed is None else PASSED[passed],
            flag=query_choice(args, "flag", tuple(FlagCode)),
            version=version,
            reviewer_id=reviewer or None,
        )


def page_from_args(args: Any, per_page_default: int = 50) -> tuple[int, int]:
    """``page`` (1-100,000) and ``per_page`` (1-200) from a query string."""
    return (
        query_int(args, "page", 1, 1, 100_000),
        query_int(args, "per_page", per_page_default, 1, 200),
    )


def _filtered(f: QueueFilter):  # type: ignore[no-untyped-def]
    query = select(Submission)
    query = (
        query.where(Submission.status == f.status)
        if f.status
        else query.where(Submission.waiting.is_(True))
    )
    if f.passed is not None:
        query = query.where(Submission.passed.is_(f.passed))
    if f.flag:
        # codes are stored space-separated: match the whole code, never a part of another
        query = query.where(
            (literal(" ") + Submission.flag_codes + literal(" ")).contains(
                f" {f.flag} ", autoescape=True
            )
        )
    if f.version:
        query = query.where(Submission.protocol_version == f.version)
    if f.reviewer_id:
        query = query.where(Submission.claimed_by_id == f.reviewer_id)
    return query


def list_queue(
    session: Session, f: QueueFilter, page: int = 1, per_page: int = 50
) -> tuple[list[Submission], int]:
    """One page of the queue, oldest due first, and how many match."""
    query = _filtered(f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(Submission.due_at, Submission.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(items), total


def counts(session: Session) -> dict[str, int]:
    return dict(
        session.execute(select(Submission.status, func.count()).group_by(Submission.status)).all()
    )

"""The reviewer queue: handing submissions in, claims as leases, listing oldest-due first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from review.answers import ExtractedAnswer
from review.errors import ReviewError, ReviewErrorCode
from review.flags import Circumstances
from review.models import Answer, Submission, SubmissionStatus, utcnow
from review.outcome import evaluate
from review.protocol import ProtocolVersion

REVIEW_DAYS = 21  # the program allows two to four weeks for the quality assurance review
LEASE = dt.timedelta(minutes=30)
OPEN = (SubmissionStatus.PENDING_REVIEW, SubmissionStatus.IN_REVIEW)


@dataclass(frozen=True)
class Reading:
    """What extraction handed over for one submission."""

    version: ProtocolVersion | None
    current: bool | None
    answers: Sequence[ExtractedAnswer]
    summary: dict[str, dict[str, str]]
    circumstances: Circumstances
    document_id: int | None = None


def apply_outcome(sub: Submission, outcome: dict[str, Any]) -> None:
    sub.score = {"elements": outcome["elements"], "overall": outcome["overall"]}
    sub.percent = outcome["overall"]["percent"] if outcome["overall"] else None
    sub.passed = outcome["passed"]
    sub.flags = outcome["flags"]
    sub.flag_codes = " ".join(sorted({f["code"] for f in sub.flags}))


def hand_in(session: Session, sub: Submission, reading: Reading | None = None,
            low_confidence: float = 0.8) -> Submission:
    """Move a draft (or a revised submission) into the queue, with its score and flags."""
    now = utcnow()
    sub.status = SubmissionStatus.PENDING_REVIEW
    sub.submitted_at = now
    if sub.due_at is None:
        sub.due_at = now + dt.timedelta(days=REVIEW_DAYS)
    sub.claimed_by_id = None
    sub.claim_expires_at = None
    if reading is not None:
        if sub.revision > 1 and sub.score:  # keep the last revision's figures to compare with
            previous = {a.question: ("N/A" if a.na else a.awarded)
                        for a in session.query(Answer).filter(Answer.submission_id == sub.id)}
            sub.score = {**sub.score, "previous": {
                "revision": sub.revision - 1, "percent": sub.percent, "passed": sub.passed,
                "answers": previous}}
        carried = (sub.score or {}).get("previous")
        version = reading.version
        sub.protocol_version = version.version if version else None
        sub.protocol_current = reading.current
        session.query(Answer).filter(Answer.submission_id == sub.id).delete()
        available = {q.id: q.available for q in version.questions} if version else {}
        for a in reading.answers:
            session.add(Answer(
                submission_id=sub.id, document_id=reading.document_id, question=a.question,
                awarded=None if a.awarded is None else float(a.awarded),
                available=available.get(a.question, 0), na=a.na, notes=a.notes, method=a.method,
                confidence=a.confidence, page=a.page, box=list(a.box) if a.box else None,
                raw=a.raw, readable=a.readable))
        apply_outcome(sub, evaluate(version, reading.current, reading.answers, reading.summary,
                                    reading.circumstances, low_confidence))
        sub.score = {**(sub.score or {}), "summary": reading.summary,
                     "circumstances": _circ_json(reading.circumstances), "previous": carried}
    session.flush()
    return sub


def _circ_json(c: Circumstances) -> dict[str, str | None]:
    return {k: (v.isoformat() if v else None) for k, v in c.__dict__.items()}


def claim(session: Session, submission_id: int, reviewer_id: int, now: dt.datetime | None = None) -> Submission:
    """Take a submission for review. One atomic UPDATE decides: two reviewers never both win.

    A claim is a lease: once it expires another reviewer may take the submission over.
    """
    now = now or utcnow()
    res = session.execute(
        update(Submission)
        .where(Submission.id == submission_id,
               (Submission.status == SubmissionStatus.PENDING_REVIEW)
               | ((Submission.status == SubmissionStatus.IN_REVIEW)
                  & ((Submission.claim_expires_at < now) | (Submission.claimed_by_id == reviewer_id))))
        .values(status=SubmissionStatus.IN_REVIEW, claimed_by_id=reviewer_id,
                claim_expires_at=now + LEASE)
        .execution_options(synchronize_session=False))
    session.commit()
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "There is no such submission.")
    session.refresh(sub)
    if not getattr(res, "rowcount", 0):
        if sub.status == SubmissionStatus.IN_REVIEW:
            raise ReviewError(ReviewErrorCode.CLAIMED, "Another reviewer holds this submission.")
        raise ReviewError(ReviewErrorCode.WRONG_STATE,
                          f"The submission is {sub.status.replace('_', ' ')}; it cannot be claimed.")
    return sub


def claim_next(session: Session, reviewer_id: int) -> Submission | None:
    """The oldest-due submission nobody holds, claimed for this reviewer."""
    now = utcnow()
    candidates = session.scalars(
        select(Submission.id)
        .where((Submission.status == SubmissionStatus.PENDING_REVIEW)
               | ((Submission.status == SubmissionStatus.IN_REVIEW) & (Submission.claim_expires_at < now)))
        .order_by(Submission.due_at, Submission.id).limit(20)).all()
    for sid in candidates:
        try:
            return claim(session, sid, reviewer_id, now)
        except ReviewError:
            continue
    return None


def release(session: Session, sub: Submission) -> None:
    sub.status = SubmissionStatus.PENDING_REVIEW
    sub.claimed_by_id = None
    sub.claim_expires_at = None


def reassign(session: Session, sub: Submission, reviewer_id: int) -> None:
    """Staff hand a submission to another reviewer."""
    if sub.status not in OPEN:
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "Only submissions in the queue can be reassigned.")
    sub.status = SubmissionStatus.IN_REVIEW
    sub.claimed_by_id = reviewer_id
    sub.claim_expires_at = utcnow() + LEASE


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    passed: bool | None = None
    flag: str | None = None
    version: str | None = None
    reviewer_id: int | None = None


def _filtered(f: QueueFilter):  # type: ignore[no-untyped-def]
    query = select(Submission)
    query = query.where(Submission.status == f.status) if f.status else query.where(
        Submission.waiting.is_(True))
    if f.passed is not None:
        query = query.where(Submission.passed.is_(f.passed))
    if f.flag:
        query = query.where(Submission.flag_codes.contains(f.flag))
    if f.version:
        query = query.where(Submission.protocol_version == f.version)
    if f.reviewer_id:
        query = query.where(Submission.claimed_by_id == f.reviewer_id)
    return query


def list_queue(session: Session, f: QueueFilter, page: int = 1, per_page: int = 50) -> tuple[list[Submission], int]:
    """One page of the queue, oldest due first, and how many match."""
    query = _filtered(f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(Submission.due_at, Submission.id)
                            .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(items), total


def counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Submission.status, func.count()).group_by(Submission.status)).all())

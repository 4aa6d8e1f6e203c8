"""A reviewer's work on one submission: corrections (audited), notes and decisions."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.answers import ExtractedAnswer
from review.certificates import issue_if_passed
from review.errors import ReviewError, ReviewErrorCode
from review.flags import Circumstances
from review.inputs import (
    MAX_ANSWER_NOTES,
    MAX_NOTE,
    MAX_REASON,
    parse_flag,
    parse_points,
    parse_text,
)
from review.lifecycle import Action, record, require
from review.models import (
    Answer,
    Correction,
    ReviewNote,
    Role,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    utcnow,
)
from review.outcome import evaluate, parse_date
from review.protocol import Catalogue
from review.queue import apply_outcome

NOTE_KINDS = ("actionable", "informational", "internal")
RETURN_REASON = (
    "This audit was completed on the outdated {version} SECOR audit protocol. Audits "
    "submitted using old forms are returned without a quality review. Please complete "
    "the current protocol ({current}) and submit it again."
)
UNRECOGNISED_REASON = (
    "The uploaded protocol does not match any SECOR audit protocol version we "
    "know. It is returned without a quality review: please use the current "
    "official form ({current})."
)


def answers_of(session: Session, sub: Submission) -> list[Answer]:
    """Answers with the least confident first (what a reviewer should look at first)."""
    return list(
        session.scalars(
            select(Answer)
            .where(Answer.submission_id == sub.id)
            .order_by(Answer.confidence, Answer.id)
        )
    )


def review_order(sub: Submission, answers: list[Answer], low_confidence: float) -> list[Answer]:
    """The order a reviewer reads the answers in: flagged first, then those read with low
    confidence, then the rest, each group least confident first."""
    flagged = {f.get("question") for f in (sub.flags or []) if f.get("question")}
    return sorted(
        answers,
        key=lambda a: (
            a.question not in flagged,
            a.confidence >= low_confidence,
            a.confidence,
            a.id,
        ),
    )


def _extracted(a: Answer) -> ExtractedAnswer:
    awarded = None if a.awarded is None else Fraction(str(a.awarded))
    return ExtractedAnswer(
        a.question,
        a.raw,
        awarded,
        a.na,
        a.notes,
        a.method,
        a.confidence,
        a.page,
        tuple(a.box) if a.box else None,  # type: ignore[arg-type]
        a.readable,
    )


def rescore(session: Session, sub: Submission, catalogue: Catalogue, low_confidence: float) -> None:
    version = catalogue.versions.get(sub.protocol_version or "")
    stored = sub.score or {}
    circ = {k: parse_date(v) for k, v in (stored.get("circumstances") or {}).items()}
    outcome = evaluate(
        version,
        sub.protocol_current,
        [_extracted(a) for a in answers_of(session, sub)],
        stored.get("summary") or {},
        Circumstances(**circ),
        low_confidence,
    )
    keep = {k: stored.get(k) for k in ("summary", "circumstances", "previous")}
    apply_outcome(sub, outcome, stored.get("coverage"))
    sub.score = {**(sub.score or {}), **keep}


def correct(
    session: Session,
    sub: Submission,
    question: str,
    user_id: int,
    role: str,
    awarded: Any,
    na: Any,
    reason: Any,
    catalogue: Catalogue,
    low_confidence: float,
    notes: Any = None,
) -> Answer:
    """Change one answer; the reason is required and the change is kept in the audit trail.

    The values come as sent: they are parsed (with bounds) only once the caller is known to
    hold the submission in review.
    """
    require(session, sub, Action.CORRECT, user_id, role)
    is_na = parse_flag(na)
    points = None if is_na else parse_points(awarded)
    why = parse_text(reason, "The reason", MAX_REASON)
    if not why:
        raise ReviewError(ReviewErrorCode.INVALID, "Say why the answer is corrected.")
    new_notes = None if notes is None else parse_text(notes, "The notes", MAX_ANSWER_NOTES)
    answer = session.scalar(
        select(Answer).where(Answer.submission_id == sub.id, Answer.question == question)
    )
    if answer is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, f"There is no question {question}.")
    if points is not None and points > answer.available:
        raise ReviewError(
            ReviewErrorCode.INVALID, f"Points for {question} go from 0 to {answer.available}."
        )
    version = catalogue.versions.get(sub.protocol_version or "")
    printed = next((q for q in version.questions if q.id == question), None) if version else None
    if points is not None and printed is not None and not printed.points.permits(points):
        raise ReviewError(
            ReviewErrorCode.INVALID,
            f"Question {question} may be given only {printed.points.describe()} points.",
        )
    old = {"question": question, "awarded": answer.awarded, "na": answer.na, "notes": answer.notes}
    answer.awarded = None if points is None else float(points)
    answer.na = is_na
    answer.raw = "N/A" if is_na else ("" if points is None else f"{float(points):g}")
    answer.readable = True
    if new_notes is not None:
        answer.notes = new_notes
    answer.method, answer.confidence, answer.corrected = "manual", 1.0, True
    session.add(
        Correction(
            answer_id=answer.id,
            submission_id=sub.id,
            user_id=user_id,
            old_value=old,
            new_value={"awarded": answer.awarded, "na": is_na, "notes": answer.notes},
            reason=why,
        )
    )
    session.flush()
    rescore(session, sub, catalogue, low_confidence)
    return answer


def add_note(
    session: Session, sub: Submission, user_id: int, role: str, kind: Any, text: Any
) -> ReviewNote:
    require(session, sub, Action.NOTE, user_id, role)
    if kind not in NOTE_KINDS:
        raise ReviewError(ReviewErrorCode.INVALID, f"A note is one of: {', '.join(NOTE_KINDS)}.")
    body = parse_text(text, "The note", MAX_NOTE)
    if not body:
        raise ReviewError(ReviewErrorCode.INVALID, "The note is empty.")
    note = ReviewNote(submission_id=sub.id, author_id=user_id, kind=kind, text=body)
    session.add(note)
    session.flush()
    return note


def decide(
    session: Session, sub: Submission, user_id: int, role: str, decision: Any, reason: Any = ""
) -> Submission:
    """accept (QA complete; pass/fail is the score's), reject (not eligible) or request_revision."""
    require(session, sub, Action.DECIDE, user_id, role)
    why = parse_text(reason, "The reason", MAX_REASON)
    previous = sub.status
    if decision == "request_revision":
        has_action = session.scalar(
            select(ReviewNote.id).where(
                ReviewNote.submission_id == sub.id, ReviewNote.kind == "actionable"
            )
        )
        if not has_action and not why:
            raise ReviewError(
                ReviewErrorCode.INVALID,
                "Add an actionable note saying what the employer must change.",
            )
        if why:
            session.add(
                ReviewNote(submission_id=sub.id, author_id=user_id, kind="actionable", text=why)
            )
        sub.status = SubmissionStatus.REVISION_REQUESTED
        sub.revision += 1
    elif decision == "accept":
        sub.status = SubmissionStatus.ACCEPTED
    elif decision == "reject":
        if not why:
            raise ReviewError(ReviewErrorCode.INVALID, "Say why the audit is not eligible.")
        sub.status = SubmissionStatus.REJECTED
    else:
        raise ReviewError(ReviewErrorCode.INVALID, "Decide accept, reject or request_revision.")
    sub.decision_reason = why
    _unclaim(sub)
    record(session, sub, Action.DECIDE, user_id, previous, why)
    session.flush()
    issue_if_passed(session, sub, utcnow().date())
    return sub


def return_outdated(
    session: Session, sub: Submission, catalogue: Catalogue, user_id: int, role: str
) -> Submission:
    """Staff return an audit on an outdated or unrecognised form, without a quality review."""
    require(session, sub, Action.RETURN, user_id, role)
    current = catalogue.current.form_number if catalogue.current else "the current form"
    if sub.protocol_version and sub.protocol_current is False:
        reason = RETURN_REASON.format(version=sub.protocol_version, current=current)
    elif sub.protocol_version is None:
        reason = UNRECOGNISED_REASON.format(current=current)
    else:
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "This submission uses the current form.")
    previous = sub.status
    sub.status = SubmissionStatus.RETURNED
    sub.decision_reason = reason
    _unclaim(sub)
    record(session, sub, Action.RETURN, user_id, previous, reason)
    session.flush()
    return sub


def reopen(session: Session, sub: Submission, user_id: int, role: str, reason: Any) -> Submission:
    """Staff put a decided (or returned) submission back in the queue; the reason is kept."""
    require(session, sub, Action.REOPEN, user_id, role)
    why = parse_text(reason, "The reason", MAX_REASON)
    if not why:
        raise ReviewError(ReviewErrorCode.INVALID, "Say why the decision is reopened.")
    previous = sub.status
    sub.status = SubmissionStatus.PENDING_REVIEW
    sub.decision_reason = ""
    _unclaim(sub)
    record(session, sub, Action.REOPEN, user_id, previous, why)
    session.flush()
    return sub


def _unclaim(sub: Submission) -> None:
    sub.claimed_by_id = None
    sub.claim_expires_at = None


def events_of(session: Session, sub: Submission) -> list[SubmissionEvent]:
    return list(
        session.scalars(
            select(SubmissionEvent)
            .where(SubmissionEvent.submission_id == sub.id)
            .order_by(SubmissionEvent.id)
        )
    )


def visible_notes(session: Session, sub: Submission, role: str) -> list[ReviewNote]:
    """Employers never see the reviewers' internal notes."""
    query = select(ReviewNote).where(ReviewNote.submission_id == sub.id)
    if role == Role.EMPLOYER:
        query = query.where(ReviewNote.kind != "internal")
    return list(session.scalars(query.order_by(ReviewNote.id)))


def trail(session: Session, sub: Submission) -> list[Correction]:
    return list(
        session.scalars(
            select(Correction).where(Correction.submission_id == sub.id).order_by(Correction.id)
        )
    )

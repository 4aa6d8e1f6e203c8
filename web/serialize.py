"""What the API and the pages show of submissions and answers, by who is looking."""

from __future__ import annotations

from typing import Any

from ingest.submission import document_status, documents_of
from review.models import Role, Submission, SubmissionStatus
from review.submissions import Actor
from review.workflow import answers_of, trail, visible_notes
from web.extensions import db

#: States in which the employer may see the score: the review is over.
SCORE_VISIBLE = (SubmissionStatus.ACCEPTED,)


def submission_json(
    sub: Submission, detail: bool = False, viewer: Actor | None = None
) -> dict[str, Any]:
    """A submission as ``viewer`` may see it: employers get its state, the notes addressed to
    them and the decision (with the score once accepted), never the reviewers' working data."""
    role = viewer.role if viewer else Role.EMPLOYER
    reviewing = role != Role.EMPLOYER
    body: dict[str, Any] = {
        "id": sub.id,
        "company": sub.company.name,
        "status": sub.status,
        "revision": sub.revision,
        "protocol": {"version": sub.protocol_version, "current": sub.protocol_current}
        if sub.protocol_version
        else None,
        "submitted_at": sub.submitted_at.isoformat() + "Z" if sub.submitted_at else None,
        "due_at": sub.due_at.isoformat() + "Z" if sub.due_at else None,
        "decision_reason": sub.decision_reason or None,
    }
    score = sub.score or {}
    if reviewing or sub.status in SCORE_VISIBLE:
        body.update(
            percent=sub.percent,
            passed=sub.passed,
            elements=score.get("elements", []),
            overall=score.get("overall"),
        )
    if reviewing:
        body.update(flags=sub.flags or [], claimed_by=sub.claimed_by_id)
        if detail:
            body["coverage"] = score.get("coverage")
    if detail:
        body["documents"] = [document_status(d) for d in documents_of(db(), sub.id)]
        body["notes"] = [
            {"id": n.id, "kind": n.kind, "text": n.text, "at": n.created_at.isoformat() + "Z"}
            for n in visible_notes(db(), sub, role)
        ]
        if reviewing:
            body["answers"] = [answer_json(a) for a in answers_of(db(), sub)]
            body["corrections"] = [
                {
                    "question": c.old_value.get("question"),
                    "user": c.user.email,
                    "at": c.at.isoformat() + "Z",
                    "old": c.old_value,
                    "new": c.new_value,
                    "reason": c.reason,
                }
                for c in trail(db(), sub)
            ]
    return body


def answer_json(a: Any) -> dict[str, Any]:
    awarded = a.awarded if a.awarded is None or a.awarded % 1 else int(a.awarded)
    return {
        "question": a.question,
        "awarded": awarded,
        "available": a.available,
        "na": a.na,
        "raw": a.raw,
        "notes": a.notes,
        "method": a.method,
        "confidence": a.confidence,
        "page": a.page,
        "box": a.box,
        "corrected": a.corrected,
        "document_id": a.document_id,
    }

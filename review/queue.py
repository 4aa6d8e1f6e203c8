"""The reviewer queue: handing submissions in, and listing them oldest-due first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from review.models import Submission, SubmissionStatus, utcnow

REVIEW_DAYS = 21  # the program allows two to four weeks for the quality assurance review


def hand_in(session: Session, sub: Submission, outcome: dict[str, Any] | None = None) -> Submission:
    """Move a draft (or a revised submission) into the queue."""
    now = utcnow()
    sub.status = SubmissionStatus.PENDING_REVIEW
    sub.submitted_at = now
    if sub.due_at is None:
        sub.due_at = now + dt.timedelta(days=REVIEW_DAYS)
    sub.claimed_by_id = None
    sub.claim_expires_at = None
    if outcome:
        sub.protocol_version = outcome.get("version")
        sub.protocol_current = outcome.get("current")
        sub.score = outcome.get("score")
        sub.percent = outcome.get("percent")
        sub.passed = outcome.get("passed")
        sub.flags = outcome.get("flags", [])
        sub.flag_codes = " ".join(sorted({f["code"] for f in sub.flags}))
    session.flush()
    return sub

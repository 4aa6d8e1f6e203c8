"""One state machine for a submission, the same for every role (staff included).

Every change of a submission's state goes through :func:`require`: the action must be allowed
from the current state, for the caller's role, and (for the work of a review) by the holder of
the claim. Staff may take a claim over from a reviewer, but a decided submission changes only
through ``reopen``, with a reason, kept in the audit trail. Anything else is ``wrong_state``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from review.errors import ReviewError, ReviewErrorCode
from review.models import Role, Submission, SubmissionEvent, utcnow
from review.models import SubmissionStatus as S

LEASE = dt.timedelta(minutes=30)


class Action(enum.StrEnum):
    HAND_IN = "hand_in"
    CLAIM = "claim"
    RELEASE = "release"
    CORRECT = "correct"
    NOTE = "note"
    DECIDE = "decide"
    RETURN = "return"
    REOPEN = "reopen"
    REASSIGN = "reassign"


@dataclass(frozen=True)
class Rule:
    states: frozenset[S]
    roles: frozenset[Role]
    holder: bool = False  # only the claim's holder (staff take the claim over)


_REVIEW = frozenset({Role.REVIEWER, Role.STAFF})
RULES: dict[Action, Rule] = {
    Action.HAND_IN: Rule(frozenset({S.DRAFT, S.REVISION_REQUESTED}), frozenset({Role.EMPLOYER})),
    Action.CLAIM: Rule(frozenset({S.PENDING_REVIEW, S.IN_REVIEW}), _REVIEW),
    Action.RELEASE: Rule(frozenset({S.IN_REVIEW}), _REVIEW, holder=True),
    Action.CORRECT: Rule(frozenset({S.IN_REVIEW}), _REVIEW, holder=True),
    Action.NOTE: Rule(frozenset({S.IN_REVIEW}), _REVIEW, holder=True),
    Action.DECIDE: Rule(frozenset({S.IN_REVIEW}), _REVIEW, holder=True),
    Action.RETURN: Rule(frozenset({S.PENDING_REVIEW, S.IN_REVIEW}), frozenset({Role.STAFF})),
    Action.REOPEN: Rule(frozenset({S.ACCEPTED, S.REJECTED, S.RETURNED}), frozenset({Role.STAFF})),
    Action.REASSIGN: Rule(frozenset({S.PENDING_REVIEW, S.IN_REVIEW}), frozenset({Role.STAFF})),
}

#: What each action is called in a refusal ("... cannot be <verb> now").
_VERB = {
    Action.HAND_IN: "handed in",
    Action.CLAIM: "claimed",
    Action.RELEASE: "released",
    Action.CORRECT: "corrected",
    Action.NOTE: "annotated",
    Action.DECIDE: "decided",
    Action.RETURN: "returned",
    Action.REOPEN: "reopened",
    Action.REASSIGN: "reassigned",
}


def allowed(action: Action, status: str, role: str) -> bool:
    """Whether ``role`` may ever do ``action`` from ``status`` (the claim aside)."""
    rule = RULES[action]
    return status in rule.states and role in rule.roles


def require(
    session: Session,
    sub: Submission,
    action: Action,
    user_id: int,
    role: str,
    now: dt.datetime | None = None,
) -> None:
    """Refuse what the state machine does not allow; a staff member acting on a submission
    another reviewer holds takes the claim over (recorded in the trail)."""
    rule = RULES[action]
    if role not in rule.roles:
        raise ReviewError(ReviewErrorCode.FORBIDDEN, "Your role may not do this.")
    if sub.status not in rule.states:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"The submission is {S(sub.status).label}; it cannot be {_VERB[action]} now.",
        )
    if not rule.holder:
        return
    now = now or utcnow()
    holds = sub.claimed_by_id == user_id
    if role == Role.STAFF and not holds:
        record(
            session,
            sub,
            Action.CLAIM,
            user_id,
            sub.status,
            f"taken over from user {sub.claimed_by_id}" if sub.claimed_by_id else "",
        )
        sub.claimed_by_id, sub.claim_expires_at = user_id, now + LEASE
        return
    if not holds:
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "Claim the submission before working on it.")
    if sub.claim_expires_at and sub.claim_expires_at < now:
        raise ReviewError(
            ReviewErrorCode.CLAIMED, "Your claim on this submission has expired; claim it again."
        )


def record(
    session: Session,
    sub: Submission,
    action: Action,
    user_id: int | None,
    previous: str,
    reason: str = "",
) -> SubmissionEvent:
    """Keep one line of the submission's audit trail."""
    event = SubmissionEvent(
        submission_id=sub.id,
        user_id=user_id,
        action=action.value,
        from_status=previous,
        to_status=sub.status,
        reason=reason,
    )
    session.add(event)
    return event

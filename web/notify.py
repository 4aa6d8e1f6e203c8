"""E-mail at each step of the journey (thin: compose a sentence, hand it to ingest.mail)."""

from __future__ import annotations

import logging

from flask import url_for

from ingest.mail import send
from review.models import Registration, Submission, User
from web.extensions import db, settings

log = logging.getLogger(__name__)


def tell(user: User | None, subject: str, body: str) -> None:
    if user is None:
        return
    try:
        send(settings(), user.email, subject, body)
    except OSError:  # the mail server being down must not undo the user's action
        log.exception("could not send %r to %s", subject, user.email)


def registration(reg: Registration, event: str) -> None:
    texts = {
        "received": (
            "SECOR audit request received",
            "Your SECOR audit registration request was received and will be reviewed.",
        ),
        "details": (
            "More details needed for your SECOR audit request",
            f"Please update your request: {reg.staff_note}",
        ),
        "invoice": (
            "Your SECOR audit invoice is ready",
            "Your request was approved. Sign in and choose Make Payment to pay the invoice.",
        ),
        "registered": (
            "Your SECOR audit is registered",
            f"Audit {reg.audit_number} is registered; start {reg.start_date}, due {reg.due_date}.",
        ),
    }
    subject, body = texts[event]
    tell(reg.assessor, subject, body + f"\n\n{url_for('registration.dashboard', _external=True)}")


def submission(sub: Submission, event: str) -> None:
    user = db().get(User, sub.created_by_id) if sub.created_by_id else None
    texts = {
        "received": (
            "SECOR audit submission received",
            f"Submission {sub.id} was received for quality assurance review.",
        ),
        "revision": (
            "Revision requested for your SECOR audit",
            f"The reviewer asked for changes to submission {sub.id}. Sign in to read the notes.",
        ),
        "decision": (
            f"SECOR audit {sub.status.replace('_', ' ')}",
            f"Submission {sub.id} is {sub.status.replace('_', ' ')}. {sub.decision_reason}",
        ),
        "reopened": (
            "Your SECOR audit is back in review",
            f"The certifying body reopened the decision on submission {sub.id}; it is "
            "back in the quality assurance review. You will be told the new decision.",
        ),
    }
    subject, body = texts[event]
    tell(user, subject, body)

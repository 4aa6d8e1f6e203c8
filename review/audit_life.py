"""One audit's life as the employer follows it, in the program's words: from the New Audit
Request to the certificate, with the next thing the employer must do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.certificates import MAILED_WITHIN_DAYS, QA_WEEKS, next_audit_due
from review.models import (
    Certificate,
    Invoice,
    Registration,
    RegistrationStatus,
    Submission,
    SubmissionStatus,
)

#: What each state is called on the dashboard (the registration guide's words).
REGISTRATION_WORDS = {
    RegistrationStatus.DRAFT: "Draft request",
    RegistrationStatus.SUBMITTED: "New Audit Request",
    RegistrationStatus.DETAILS_REQUESTED: "Details requested",
    RegistrationStatus.PAYMENT_NEEDED: "Payment Needed",
    RegistrationStatus.REGISTERED: "REGISTERED",
    RegistrationStatus.CANCELLED: "Cancelled",
}
SUBMISSION_WORDS = {
    SubmissionStatus.DRAFT: "REGISTERED",
    SubmissionStatus.PENDING_REVIEW: "Submitted for QA",
    SubmissionStatus.IN_REVIEW: "In review",
    SubmissionStatus.REVISION_REQUESTED: "Revision requested",
    SubmissionStatus.REJECTED: "Not accepted",
    SubmissionStatus.RETURNED: "Returned (outdated form)",
}


@dataclass(frozen=True)
class AuditRow:
    registration: Registration
    submission: Submission | None
    invoice: Invoice | None
    certificate: Certificate | None
    status: str  # in the program's words
    css: str  # the badge's look
    next_step: str  # what the employer does next, or waits for


def _status(reg: Registration, sub: Submission | None, cert: Certificate | None) -> tuple[str, str]:
    if cert is not None:
        return "Certificate issued", "accepted"
    if reg.status != RegistrationStatus.REGISTERED or sub is None:
        return REGISTRATION_WORDS[RegistrationStatus(reg.status)], reg.status
    if sub.status == SubmissionStatus.ACCEPTED:
        return ("Accepted: pass" if sub.passed else "Accepted: fail"), sub.status
    return SUBMISSION_WORDS[SubmissionStatus(sub.status)], sub.status


def _next(
    reg: Registration, sub: Submission | None, cert: Certificate | None, today: dt.date
) -> str:
    if cert is not None:
        due = next_audit_due(cert, today)
        return (
            f"Download your certificate; the printed one is mailed within about "
            f"{MAILED_WITHIN_DAYS} days. Your next audit is due in {due.strftime('%B %Y')}."
        )
    if reg.status == RegistrationStatus.SUBMITTED:
        return "Waiting for the certifying body to review the request."
    if reg.status == RegistrationStatus.PAYMENT_NEEDED:
        return "Pay the invoice to register the audit."
    if reg.status in (RegistrationStatus.DRAFT, RegistrationStatus.DETAILS_REQUESTED):
        return "Complete and send the request."
    if reg.status != RegistrationStatus.REGISTERED:
        return ""
    if sub is None or sub.status == SubmissionStatus.DRAFT:
        return f"Upload the audit and hand it in by {reg.due_date}."
    if sub.status in (SubmissionStatus.PENDING_REVIEW, SubmissionStatus.IN_REVIEW):
        return f"The quality assurance review takes {QA_WEEKS}."
    if sub.status == SubmissionStatus.REVISION_REQUESTED:
        return "Read the reviewer's notes, revise the audit and hand it in again."
    if sub.status == SubmissionStatus.RETURNED:
        return "Redo the audit on the current protocol form and hand it in again."
    if sub.status == SubmissionStatus.ACCEPTED and not sub.passed:
        return "The audit did not reach the pass mark; read the QA report."
    return ""


def audits(session: Session, company_id: int, today: dt.date) -> list[AuditRow]:
    """Each of the company's audits, newest first, with its submission, invoice and
    certificate."""
    regs = session.scalars(
        select(Registration)
        .where(Registration.company_id == company_id)
        .order_by(Registration.id.desc())
    ).all()
    ids = [r.id for r in regs] or [0]
    subs: dict[int, Submission] = {}
    for s in session.scalars(
        select(Submission).where(Submission.registration_id.in_(ids)).order_by(Submission.id)
    ):
        subs[s.registration_id or 0] = s  # the latest hand-in of each audit
    invoices = {
        i.registration_id: i
        for i in session.scalars(select(Invoice).where(Invoice.registration_id.in_(ids)))
    }
    certs = {
        c.registration_id: c
        for c in session.scalars(select(Certificate).where(Certificate.registration_id.in_(ids)))
    }
    rows = []
    for reg in regs:
        sub, cert = subs.get(reg.id), certs.get(reg.id)
        status, css = _status(reg, sub, cert)
        rows.append(
            AuditRow(
                reg, sub, invoices.get(reg.id), cert, status, css, _next(reg, sub, cert, today)
            )
        )
    return rows

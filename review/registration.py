"""The registration journey: draft steps, request, staff approval, invoice, payment."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from review import registration_rules as rules
from review.errors import ReviewError, ReviewErrorCode
from review.models import (
    Company,
    Fee,
    Invoice,
    InvoiceStatus,
    Registration,
    RegistrationStatus,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)

PAYMENT_TERMS_DAYS = 30
INVOICE_NUMBERS_FROM = 2600000  # invoice numbers follow the certifying body's series
ABANDONED_PAYMENT = dt.timedelta(minutes=10)
OPEN = (
    RegistrationStatus.DRAFT,
    RegistrationStatus.SUBMITTED,
    RegistrationStatus.DETAILS_REQUESTED,
    RegistrationStatus.PAYMENT_NEEDED,
)
PROVINCES = [
    "Alberta",
    "British Columbia",
    "Manitoba",
    "New Brunswick",
    "Newfoundland and Labrador",
    "Northwest Territories",
    "Nova Scotia",
    "Nunavut",
    "Ontario",
    "Prince Edward Island",
    "Quebec",
    "Saskatchewan",
    "Yukon",
]
AUDIT_TYPES = {
    "certification": "Certification",
    "maintenance": "Maintenance",
    "recertification": "Recertification",
}
CERTIFICATES = {"secor": "SECOR", "secor_one_year": "SECOR (one year)"}


class Step(enum.IntEnum):
    """The seven steps of the registration wizard, in order."""

    DETAILS = 1
    PROFILE = 2
    COMPANIES = 3
    WORKSITES = 4
    ROSTER = 5
    ELIGIBILITY = 6
    CONFIRMATION = 7

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS = {
    Step.DETAILS: "Audit details",
    Step.PROFILE: "Company profile",
    Step.COMPANIES: "Legal companies",
    Step.WORKSITES: "Worksites",
    Step.ROSTER: "Employee roster",
    Step.ELIGIBILITY: "Eligibility",
    Step.CONFIRMATION: "Confirmation",
}
STEPS = [step.label for step in Step]
#: The steps that are lists of rows: where the rows are kept and which fields each needs.
LIST_STEPS: dict[Step, tuple[str, tuple[str, ...]]] = {
    Step.COMPANIES: ("companies", ("name", "city", "province")),
    Step.WORKSITES: ("worksites", ("name", "tasks", "city", "province", "employees")),
    Step.ROSTER: ("roster", ("name", "position", "since", "status")),
}


def start(session: Session, assessor: User) -> Registration:
    """Resume the company's open registration, or start one (only one may be open)."""
    if assessor.company_id is None:
        raise ReviewError(
            ReviewErrorCode.INVALID, "Only an assessor of a company can register an audit."
        )
    existing = session.scalar(
        select(Registration).where(
            Registration.company_id == assessor.company_id, Registration.status.in_(OPEN)
        )
    )
    if existing is not None:
        return existing
    if in_progress := audit_in_progress(session, assessor.company_id):
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"There should be only one audit registration at any time: audit "
            f"{in_progress.audit_number} is not yet through its quality review. Contact the "
            "certifying body if it should be closed.",
        )
    reg = Registration(company_id=assessor.company_id, assessor_id=assessor.id, data={})
    session.add(reg)
    session.flush()
    return reg


def audit_in_progress(session: Session, company_id: int) -> Registration | None:
    """The company's registered audit whose submission is not decided (or not yet made)."""
    done = (SubmissionStatus.ACCEPTED, SubmissionStatus.REJECTED, SubmissionStatus.RETURNED)
    for reg in session.scalars(
        select(Registration).where(
            Registration.company_id == company_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
    ):
        subs = session.scalars(select(Submission).where(Submission.registration_id == reg.id)).all()
        if not any(s.status in done for s in subs):
            return reg
    return None


def editable(reg: Registration) -> None:
    if reg.status not in (RegistrationStatus.DRAFT, RegistrationStatus.DETAILS_REQUESTED):
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE, "This request was sent; it can no longer change."
        )


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _int(text: Any) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def save_details(
    reg: Registration, assessor: User, form: dict[str, Any], today: dt.date
) -> dict[str, str]:
    """Step 1; returns field -> problem (empty when saved)."""
    errors: dict[str, str] = {}
    if problem := rules.training_problem(assessor.training_completed_on, today):
        errors["training"] = problem
    if form.get("audit_type") not in AUDIT_TYPES:
        errors["audit_type"] = "Choose the audit type."
    scope = [p for p in form.get("scope", []) if p in PROVINCES]
    if not scope:
        errors["scope"] = "Choose at least one province or territory."
    employees = _int(form.get("employees"))
    if problem := rules.employees_problem(employees):
        errors["employees"] = problem
    start, end = _date(form.get("start_date")), _date(form.get("end_date"))
    if problem := rules.gathering_problem(start, end):
        errors["end_date" if start else "start_date"] = problem
    elif start is not None and (problem := rules.start_problem(start, today)):
        errors["start_date"] = problem
    months = _int(form.get("documentation_months"))
    problem, note = rules.documentation_outcome(months)
    if problem:
        errors["documentation_months"] = problem
    certificate = form.get("certificate")
    if certificate not in CERTIFICATES:
        errors["certificate"] = "Choose the certificate requested."
    elif note and certificate == "secor":
        errors["certificate"] = note + " Choose the one-year SECOR."
    reg.data = {
        **reg.data,
        "details": {
            "audit_type": form.get("audit_type"),
            "scope": scope,
            "employees": employees,
            "start_date": form.get("start_date"),
            "end_date": form.get("end_date"),
            "documentation_months": months,
            "certificate": certificate,
        },
    }
    if not errors:
        reg.start_date, reg.end_date = start, end
        reg.due_date = rules.due_date(end) if end else None
    return errors


def row_problems(
    reg: Registration, key: str, row: dict[str, Any], today: dt.date
) -> dict[str, str]:
    """The program's rules for one row of a list step, by field."""
    problems: dict[str, str] = {}
    if key == "worksites":
        declared = (reg.data.get("details") or {}).get("employees")
        if problem := rules.worksite_employees_problem(str(row.get("employees", "")), declared):
            problems["employees"] = problem
    if key == "roster" and (problem := rules.since_problem(str(row.get("since", "")), today)):
        problems["since"] = problem
    return problems


def save_list(
    reg: Registration,
    key: str,
    action: str,
    index: int | None,
    row: dict[str, Any],
    required: tuple[str, ...],
    today: dt.date | None = None,
) -> dict[str, str]:
    """Add, update or remove one row of a list step (companies, worksites, roster)."""
    rows = list(reg.data.get(key, []))
    if action == "remove":
        if index is not None and 0 <= index < len(rows):
            rows.pop(index)
    else:
        missing = {f: "Required." for f in required if not str(row.get(f, "")).strip()}
        if missing:
            return missing
        problems = row_problems(reg, key, row, today or utcnow().date())
        if problems:
            return problems
        if action == "update" and index is not None and 0 <= index < len(rows):
            rows[index] = row
        else:
            rows.append(row)
    reg.data = {**reg.data, key: rows}
    return {}


def submit(session: Session, reg: Registration, acknowledged: bool) -> None:
    editable(reg)
    if not acknowledged:
        raise ReviewError(
            ReviewErrorCode.INVALID, "Tick the acknowledgement to submit the request."
        )
    details = reg.data.get("details") or {}
    if not details or not reg.end_date:
        raise ReviewError(
            ReviewErrorCode.INVALID,
            f"Complete step {Step.DETAILS} ({Step.DETAILS.label.lower()}) first.",
        )
    if profile_problems(reg.data.get("profile") or {}):
        raise ReviewError(
            ReviewErrorCode.INVALID,
            f"Complete step {Step.PROFILE} ({Step.PROFILE.label.lower()}) first.",
        )
    if reg.org_chart_document_id is None:
        raise ReviewError(
            ReviewErrorCode.INVALID,
            f"Upload the organisation chart in step {Step.PROFILE}: it is required.",
        )
    if not reg.data.get("worksites"):
        raise ReviewError(
            ReviewErrorCode.INVALID,
            f"Add at least one worksite in step {Step.WORKSITES}.",
        )
    reg.status = RegistrationStatus.SUBMITTED
    reg.submitted_at = utcnow()
    reg.step = Step.CONFIRMATION


def profile_problems(profile: dict[str, Any]) -> dict[str, str]:
    """Step 2: the company profile, its WCB numbers and industry codes."""
    problems: dict[str, str] = {}
    if not str(profile.get("text", "")).strip():
        problems["profile"] = "Describe the company (what it does, where, who)."
    split = [v for raw in profile.get("wcb", []) for v in str(raw).split(",")]
    if problem := rules.numbers_problem(split, "WCB number", rules.WCB_NUMBER, "4 to 12 digits"):
        problems["wcb"] = problem
    split = [v for raw in profile.get("industry", []) for v in str(raw).split(",")]
    if problem := rules.numbers_problem(
        split, "industry classification code", rules.INDUSTRY_CODE, "4 to 6 digits"
    ):
        problems["industry"] = problem
    return problems


def cancel(reg: Registration) -> None:
    if reg.status not in OPEN:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE, "Only an open registration can be cancelled."
        )
    reg.status = RegistrationStatus.CANCELLED


def approve(session: Session, reg: Registration, today: dt.date | None = None) -> Invoice:
    """Staff approve a request: an invoice for the audit fee from the fee table, due in
    PAYMENT_TERMS_DAYS. The request moves on in one conditional update, so two approvals at
    once make one invoice; its number comes from its own row id (never a count)."""
    fee = session.scalar(select(Fee).where(Fee.code == "secor_audit"))
    if fee is None:
        raise ReviewError(ReviewErrorCode.INVALID, "The fee table has no SECOR audit fee.")
    moved = session.execute(
        update(Registration)
        .where(Registration.id == reg.id, Registration.status == RegistrationStatus.SUBMITTED)
        .values(status=RegistrationStatus.PAYMENT_NEEDED)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "Only a submitted request can be approved.")
    session.refresh(reg)
    invoice = Invoice(
        registration_id=reg.id,
        number=f"new-{secrets.token_hex(6)}",  # until the row has its id
        description=fee.description,
        amount_cents=fee.amount_cents,
        due_on=(today or utcnow().date()) + dt.timedelta(days=PAYMENT_TERMS_DAYS),
    )
    session.add(invoice)
    session.flush()
    invoice.number = str(INVOICE_NUMBERS_FROM + invoice.id)
    session.flush()
    return invoice


def begin_payment(session: Session, invoice: Invoice) -> None:
    """Take the invoice for one payment before the provider is called: one conditional
    update, so a repeated or concurrent payment of it never reaches the provider. A payment
    that never came back (the process died) frees the invoice after ABANDONED_PAYMENT."""
    now = utcnow()
    taken = session.execute(
        update(Invoice)
        .where(
            Invoice.id == invoice.id,
            or_(
                Invoice.status == InvoiceStatus.OPEN,
                and_(
                    Invoice.status == InvoiceStatus.PAYING,
                    Invoice.paying_since < now - ABANDONED_PAYMENT,
                ),
            ),
        )
        .values(status=InvoiceStatus.PAYING, paying_since=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            "This invoice is already paid, or a payment of it is under way.",
        )
    session.refresh(invoice)


def payment_failed(session: Session, invoice: Invoice) -> None:
    """The provider refused: the invoice is open again for another try."""
    session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.PAYING)
        .values(status=InvoiceStatus.OPEN, paying_since=None)
    )
    session.refresh(invoice)


def request_details(reg: Registration, note: str) -> None:
    if reg.status != RegistrationStatus.SUBMITTED:
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "Only a submitted request can be sent back.")
    if not note.strip():
        raise ReviewError(ReviewErrorCode.INVALID, "Say which details are needed.")
    reg.status = RegistrationStatus.DETAILS_REQUESTED
    reg.staff_note = note.strip()


def mark_paid(session: Session, invoice: Invoice, provider: str, reference: str) -> Registration:
    """A paid invoice registers the audit: audit number, start date and due date. The
    invoice was taken for this payment (``begin_payment``)."""
    if invoice.status != InvoiceStatus.PAYING:
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "This invoice is already paid.")
    invoice.status, invoice.paid_at = InvoiceStatus.PAID, utcnow()
    invoice.provider, invoice.reference = provider, reference
    reg = invoice.registration
    _register(session, reg)
    return reg


def _register(session: Session, reg: Registration) -> None:
    """REGISTERED, with its audit number (the start year and the registration's id)."""
    reg.status = RegistrationStatus.REGISTERED
    reg.registered_at = utcnow()
    session.flush()
    year = (reg.start_date or utcnow().date()).year
    reg.audit_number = f"{year}{reg.id:05d}"
    session.flush()


def record_registered(
    session: Session,
    company: Company,
    start: dt.date,
    end: dt.date,
    employees: int,
    certificate: str = "secor",
) -> Registration:
    """A registration made outside the portal (migrated from the previous system, or taken on
    paper), recorded by staff as REGISTERED; the program's rules apply to it as to any other."""
    if not 1 <= employees <= rules.MAX_EMPLOYEES:
        raise ReviewError(
            ReviewErrorCode.INVALID,
            f"A SECOR audit is for 1 to {rules.MAX_EMPLOYEES} employees.",
        )
    if certificate not in CERTIFICATES:
        raise ReviewError(
            ReviewErrorCode.INVALID, f"The certificate is one of: {', '.join(CERTIFICATES)}."
        )
    if end < start:
        raise ReviewError(ReviewErrorCode.INVALID, "The audit cannot end before it starts.")
    reg = Registration(
        company_id=company.id,
        assessor_id=None,
        status=RegistrationStatus.REGISTERED,
        data={
            "details": {
                "employees": employees,
                "certificate": certificate,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
            },
            "recorded_by_staff": True,
        },
        start_date=start,
        end_date=end,
        due_date=rules.due_date(end),
        step=Step.CONFIRMATION,
    )
    session.add(reg)
    _register(session, reg)
    return reg


def registered_audit(
    session: Session, company_id: int, audit_number: str | None = None
) -> Registration:
    """The company's registered audit that a submission hands in: the one named by its audit
    number, or the company's only one. Without one, nothing can be submitted."""
    query = select(Registration).where(
        Registration.company_id == company_id,
        Registration.status == RegistrationStatus.REGISTERED,
    )
    if audit_number:
        query = query.where(Registration.audit_number == audit_number.strip()[:20])
    found = session.scalars(query.order_by(Registration.id.desc())).all()
    if not found:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"There is no registered audit {audit_number} for your company."
            if audit_number
            else "The audit must be registered and paid before it can be submitted: request "
            "an audit registration from the dashboard.",
        )
    if len(found) > 1 and not audit_number:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            "Your company has more than one registered audit: say which by its audit number.",
        )
    return found[0]


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"

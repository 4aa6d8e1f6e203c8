"""Certificates: issued when an accepted audit passes, and the PDF the employer downloads.

A SECOR is kept with an audit every year: the month it is issued in is the company's annual
due month (maintenance audits, then recertification). A SECOR runs three years; a one-year
SECOR (3 to 11 months of documentation) one year.
"""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models import Certificate, Company, Registration, Submission, SubmissionStatus
from review.pdf_style import fonts
from review.registration import CERTIFICATES

YEARS = {"secor": 3, "secor_one_year": 1}
MAILED_WITHIN_DAYS = 10  # the printed certificate follows by mail
REMIND_DAYS_BEFORE = 45  # the employer is reminded this long before the annual due month
QA_WEEKS = "two to four weeks"


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def issue_if_passed(session: Session, sub: Submission, today: dt.date) -> Certificate | None:
    """The certificate of an accepted, passing audit (once per submission)."""
    if sub.status != SubmissionStatus.ACCEPTED or not sub.passed:
        return None
    existing = session.scalar(select(Certificate).where(Certificate.submission_id == sub.id))
    if existing is not None:
        return existing
    reg = session.get(Registration, sub.registration_id) if sub.registration_id else None
    kind = ((reg.data.get("details") or {}).get("certificate") if reg else None) or "secor"
    kind = kind if kind in YEARS else "secor"
    cert = Certificate(
        submission_id=sub.id,
        registration_id=reg.id if reg else None,
        company_id=sub.company_id,
        kind=kind,
        issued_on=today,
        expires_on=_years_after(today, YEARS[kind]),
    )
    session.add(cert)
    session.flush()
    return cert


def next_audit_due(cert: Certificate, today: dt.date) -> dt.date:
    """The first day of the next due month (the issue month, every year) after ``today``."""
    due = cert.issued_on.replace(day=1)
    while due <= today:
        due = due.replace(year=due.year + 1)
    return due


def due_reminders(session: Session, today: dt.date) -> list[tuple[Certificate, dt.date]]:
    """Certificates in force whose next due month begins within REMIND_DAYS_BEFORE and whose
    holder was not yet reminded of that month; each is marked as reminded."""
    out = []
    for cert in session.scalars(select(Certificate).where(Certificate.expires_on > today)):
        due = next_audit_due(cert, today)
        if due - today <= dt.timedelta(days=REMIND_DAYS_BEFORE) and cert.reminded_for != due:
            cert.reminded_for = due
            out.append((cert, due))
    session.flush()
    return out


def certificate_pdf(cert: Certificate, company: Company, audit_number: str | None) -> bytes:
    """The certificate as a one-page PDF in the certifying body's plain style."""
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen import canvas

    regular, bold = fonts()
    buffer = io.BytesIO()
    width, height = landscape(letter)
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"{CERTIFICATES[cert.kind]} - {company.name}")
    c.setLineWidth(3)
    c.rect(36, 36, width - 72, height - 72)
    c.setFont(bold, 26)
    c.drawCentredString(width / 2, height - 130, "Small Employer Certificate of Recognition")
    c.setFont(regular, 16)
    c.drawCentredString(width / 2, height - 170, CERTIFICATES[cert.kind])
    c.drawCentredString(width / 2, height - 230, "is awarded to")
    c.setFont(bold, 24)
    c.drawCentredString(width / 2, height - 275, company.name)
    c.setFont(regular, 13)
    lines = [
        f"Audit number {audit_number or '-'}",
        f"Issued {cert.issued_on.isoformat()}  ·  Expires {cert.expires_on.isoformat()}",
        f"Audits are due every year in {cert.issued_on.strftime('%B')}.",
    ]
    for i, line in enumerate(lines):
        c.drawCentredString(width / 2, height - 340 - 22 * i, line)
    c.setFont(regular, 9)
    c.drawCentredString(
        width / 2, 60, "A health and safety management system audited with the SECOR protocol."
    )
    c.showPage()
    c.save()
    return buffer.getvalue()

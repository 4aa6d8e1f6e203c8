"""GIVEN a registered audit handed in, WHEN QA accepts it, THEN a passing audit gets its
certificate (company, audit number, SECOR or one-year SECOR, issue and expiry dates) that the
employer downloads, and the dashboard follows the audit in the program's words; a failing one
gets none."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
from flask import Flask

from review.certificates import next_audit_due
from review.db import session_scope
from review.models import Certificate
from tests.conftest import bearer, login
from tests.test_review import submit


def _accept(client, reviewer, sub: int) -> None:  # type: ignore[no-untyped-def]
    assert (
        client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(reviewer)).status_code == 200
    )
    res = client.post(
        f"/api/v1/submissions/{sub}/decision", headers=bearer(reviewer), json={"decision": "accept"}
    )
    assert res.status_code == 200, res.get_json()


def test_a_passing_audit_gets_its_certificate_and_a_failing_one_none(
    app: Flask, client, accounts
) -> None:  # type: ignore[no-untyped-def]
    emp, rev = accounts["employer"], accounts["reviewer"]
    web = login(app.test_client(), emp)
    sub = submit(app, client, emp, "fillable-2025-pass.pdf")
    assert "Submitted for QA" in web.get("/dashboard").get_data(as_text=True)
    assert "two to four weeks" in web.get("/dashboard").get_data(as_text=True)
    _accept(client, rev, sub)
    dash = web.get("/dashboard").get_data(as_text=True)
    assert "Certificate issued" in dash and "Download the certificate" in dash
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        cert = s.query(Certificate).one()
        assert cert.kind == "secor" and cert.issued_on == dt.date.today()
        assert cert.expires_on.year == cert.issued_on.year + 3
        cert_id, issued = cert.id, cert.issued_on
    pdf = web.get(f"/certificates/{cert_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Acme Drilling Ltd." in text and issued.isoformat() in text
    assert "Audit number 20" in text  # the registered audit's number
    # another company cannot fetch it
    other = login(app.test_client(), accounts["other_employer"])
    assert other.get(f"/certificates/{cert_id}.pdf").status_code == 404


def test_a_failing_audit_is_accepted_without_a_certificate(app: Flask, client, accounts) -> None:  # type: ignore[no-untyped-def]
    emp, rev = accounts["other_employer"], accounts["reviewer"]
    sub = submit(app, client, emp, "fillable-2025-fail-overall.pdf")
    _accept(client, rev, sub)
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        assert s.query(Certificate).count() == 0
    dash = login(app.test_client(), emp).get("/dashboard").get_data(as_text=True)
    assert "Accepted: fail" in dash and "did not reach the pass mark" in dash


def test_the_next_audit_is_due_in_the_issue_month_every_year() -> None:
    cert = Certificate(issued_on=dt.date(2026, 3, 14), expires_on=dt.date(2029, 3, 14))
    assert next_audit_due(cert, dt.date(2026, 3, 20)) == dt.date(2027, 3, 1)
    assert next_audit_due(cert, dt.date(2027, 2, 28)) == dt.date(2027, 3, 1)


def test_the_holder_is_reminded_once_before_the_annual_due_month(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from functools import partial

    from review.db import session_scope as scope
    from review.models import Submission
    from tests.procs import run_secor

    secor = partial(run_secor, tmp_path)
    assert secor("db", "upgrade").returncode == 0
    made = secor(
        "user",
        "create",
        "owner@example.com",
        "--role",
        "employer",
        "--company",
        "Reminder Roofing",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert made.returncode == 0, made.stderr
    today = dt.date.today()
    issued = today.replace(day=1) - dt.timedelta(days=330)  # due month about a month away
    from review.models import Company

    with scope(f"sqlite:///{tmp_path}/secor.db") as s:
        company = s.query(Company).filter_by(name="Reminder Roofing").one()
        sub = Submission(company_id=company.id, status="accepted", passed=True)
        s.add(sub)
        s.flush()
        s.add(
            Certificate(
                submission_id=sub.id,
                company_id=company.id,
                kind="secor",
                issued_on=issued,
                expires_on=issued.replace(year=issued.year + 3),
            )
        )
    first = secor("remind")
    assert first.returncode == 0 and "1 reminder(s) sent" in first.stdout, first.stderr
    again = secor("remind")
    assert "0 reminder(s) sent" in again.stdout  # once per due month
    mails = list((tmp_path / "mail").glob("*.eml"))
    assert len(mails) == 1 and b"annual SECOR audit is due soon" in mails[0].read_bytes()


def test_the_employer_downloads_the_qa_report_of_a_decision(app: Flask, client, accounts) -> None:  # type: ignore[no-untyped-def]
    emp, rev = accounts["employer"], accounts["reviewer"]
    sub = submit(app, client, emp, "fillable-2025-fail-element.pdf")
    web = login(app.test_client(), emp)
    assert web.get(f"/submissions/{sub}/qa-report.pdf").status_code == 404  # not decided yet
    client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(rev))
    for kind, text in (("actionable", "Sign the hazard assessments."), ("internal", "Call Pat.")):
        client.post(
            f"/api/v1/submissions/{sub}/notes",
            headers=bearer(rev),
            json={"kind": kind, "text": text},
        )
    client.post(
        f"/api/v1/submissions/{sub}/decision",
        headers=bearer(rev),
        json={"decision": "request_revision"},
    )
    assert "Download the QA report" in web.get(f"/submissions/{sub}").get_data(as_text=True)
    pdf = web.get(f"/submissions/{sub}/qa-report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Revision requested" in text and "Sign the hazard assessments." in text
    assert "Call Pat." not in text  # internal notes are the reviewers' own
    assert "Overall" in text and "FAIL" in text and "below the minimum" in text
    other = login(app.test_client(), accounts["other_employer"])
    assert other.get(f"/submissions/{sub}/qa-report.pdf").status_code == 404

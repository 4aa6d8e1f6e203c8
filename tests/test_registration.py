"""The registration journey through the pages, and e-mail over a real SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import io
import time
from pathlib import Path

from flask import Flask

from ingest.process import process_document
from review.db import session_scope
from review.models import Registration, User
from review.payments import TestProvider
from tests.accuracy import SAMPLES
from tests.conftest import Account, add_account, free_port, login, make_app


def train(app: Flask, acc: Account, on: dt.date) -> None:
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        s.get(User, acc.id).training_completed_on = on


def walk_wizard(app: Flask, client, employees: int = 3) -> int:  # type: ignore[no-untyped-def]
    started = client.post("/registrations")
    reg_id = int(started.headers["Location"].split("/registrations/")[1].split("/")[0])
    start = dt.date.today() + dt.timedelta(days=10)
    res = client.post(
        f"/registrations/{reg_id}/step/1",
        data={
            "audit_type": "certification",
            "scope": ["Alberta", "Yukon"],
            "employees": str(employees),
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=15)).isoformat(),
            "documentation_months": "12",
            "certificate": "secor",
            "go": "next",
        },
    )
    assert res.status_code == 302, res.data
    doc = client.post(
        f"/registrations/{reg_id}/org-chart",
        data={"file": (io.BytesIO((SAMPLES / "org-chart.docx").read_bytes()), "chart.docx")},
    )
    assert doc.status_code == 302
    client.post(
        f"/registrations/{reg_id}/step/2",
        data={
            "profile": "Line locating in Alberta.",
            "wcb": "1234567",
            "industry": "06101",
            "go": "next",
        },
    )
    client.post(
        f"/registrations/{reg_id}/step/3",
        data={
            "action": "add",
            "name": "Glacier North Ltd.",
            "city": "Victoria",
            "province": "British Columbia",
            "go": "stay",
        },
    )
    client.post(
        f"/registrations/{reg_id}/step/4",
        data={
            "action": "add",
            "name": "Head Office",
            "tasks": "admin",
            "city": "Calgary",
            "province": "Alberta",
            "employees": "2",
            "included": "on",
            "go": "stay",
        },
    )
    for name, pos in [("Dana Whitford", "Owner / President"), ("Sam Okafor", "Equipment Operator")]:
        client.post(
            f"/registrations/{reg_id}/step/5",
            data={
                "action": "add",
                "name": name,
                "position": pos,
                "since": "2019",
                "status": "Full time",
                "go": "stay",
            },
        )
    return reg_id


def trained_and_walked(app: Flask, emp: Account):  # type: ignore[no-untyped-def]
    """A trained assessor's client, and their registration walked through steps 1-5 with its
    organisation chart read."""
    train(app, emp, dt.date.today() - dt.timedelta(days=400))
    client = login(app.test_client(), emp)
    reg_id = walk_wizard(app, client)
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        chart = s.get(Registration, reg_id).org_chart_document_id
    process_document(app.extensions["secor_sessions"], app.extensions["secor_settings"], chart)
    return client, reg_id


def test_rules_refuse_at_step_one_with_a_clear_message(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["newcomer"]
    client = login(app.test_client(), emp)
    started = client.post("/registrations")
    step_one = started.headers["Location"].split("?")[0]
    page = client.post(
        step_one,
        data={
            "audit_type": "certification",
            "scope": ["Alberta"],
            "employees": "11",
            "start_date": "2026-09-01",
            "end_date": "2026-09-17",
            "documentation_months": "6",
            "certificate": "secor",
            "go": "next",
        },
    ).get_data(as_text=True)
    assert "assessor training is not on your profile" in page
    assert "10 or fewer employees" in page
    assert (
        'id="employees" name="employees" aria-invalid="true" aria-describedby="err-employees"'
        in page
    )
    assert "at most 15 days" in page
    assert "one-year SECOR" in page
    train(app, emp, dt.date.today() - dt.timedelta(days=365 * 3 + 1))
    page = client.post(step_one, data={"go": "next"}).get_data(as_text=True)
    assert "3 or more years old" in page


def test_wizard_then_staff_approval_payment_and_dashboard(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    emp, staff = accounts["newcomer"], accounts["staff"]
    # the org chart is read; the roster step names who is missing
    client, reg_id = trained_and_walked(app, emp)
    page = client.get(f"/registrations/{reg_id}/step/5").get_data(as_text=True)
    assert "(2) does not equal the number of employees entered in step 1 (3)" in page
    assert "Priya Nair" in page  # on the chart, not on the roster
    # only one open registration per company: starting again resumes this one
    again = client.post("/registrations")
    assert f"/registrations/{reg_id}/" in again.headers["Location"]
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        opened = s.query(Registration).filter(Registration.status == "draft").count()
        assert opened == 1
    assert "Outline of Roles and Responsibilities" in client.post(
        f"/registrations/{reg_id}/step/6", data={"go": "next"}
    ).get_data(as_text=True)
    assert "Tick the acknowledgement" in client.post(
        f"/registrations/{reg_id}/step/6", data={"roles": "on", "go": "next"}
    ).get_data(as_text=True)
    client.post(
        f"/registrations/{reg_id}/step/6", data={"roles": "on", "acknowledge": "on", "go": "next"}
    )
    assert "Thank you for submitting" in client.get(f"/registrations/{reg_id}/step/7").get_data(
        as_text=True
    )
    staff_client = login(app.test_client(), staff)
    staff_client.post(f"/staff/registrations/{reg_id}/approve")
    dash = client.get("/dashboard").get_data(as_text=True)
    assert "Payment Needed" in dash and "Make payment" in dash
    invoice = client.get(f"/registrations/{reg_id}/invoice").get_data(as_text=True)
    assert "SECOR Member Audit Fee" in invoice and "150.00" in invoice
    assert "Due date" in invoice and "Invoice total" in invoice
    card = {"select": "on", "name": "Pat", "expiry": "12/39", "csc": "123", "postal": "T2P 1J9"}
    declined = client.post(
        f"/registrations/{reg_id}/invoice",
        data={**card, "card": "4000 0000 0000 0002"},
        follow_redirects=True,
    )
    assert b"declined" in declined.data
    paid = client.post(
        f"/registrations/{reg_id}/invoice", data={**card, "card": "4242 4242 4242 4242"}
    )
    assert paid.status_code == 302
    charged = TestProvider.charges
    again = client.post(
        f"/registrations/{reg_id}/invoice",
        data={**card, "card": "4242 4242 4242 4242"},
        follow_redirects=True,
    )
    assert b"already paid" in again.data and TestProvider.charges == charged  # paid once
    dash = client.get("/dashboard").get_data(as_text=True)
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        reg = s.get(Registration, reg_id)
        assert (
            reg.status == "registered"
            and reg.audit_number
            and reg.due_date == reg.end_date + dt.timedelta(days=21)
        )
        due = reg.due_date.isoformat()
        from review.models import Invoice

        inv = s.query(Invoice).one()
        assert inv.reference.startswith("test_") and "4242" not in inv.reference
        assert inv.number == str(2600000 + inv.id) and inv.due_on is not None
    assert "REGISTERED" in dash and due in dash
    mails = sorted((app.extensions["secor_settings"].instance_dir / "mail").glob("*.eml"))
    subjects = {email.message_from_bytes(p.read_bytes())["Subject"] for p in mails}
    assert {
        "SECOR audit request received",
        "Your SECOR audit invoice is ready",
        "Your SECOR audit is registered",
    } <= subjects
    assert "Your SECOR audit is registered" in staff_client.get("/staff/mail").get_data(
        as_text=True
    )


def test_mail_goes_over_smtp_when_configured(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = make_app(tmp_path, SMTP_URL=f"smtp://127.0.0.1:{port}")
        from ingest.mail import send

        assert (
            send(app.extensions["secor_settings"], "pat@example.com", "Hello", "Body text") is None
        )
        deadline = time.time() + 5
        while not received and time.time() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    assert received and received[0].rcpt_tos == ["pat@example.com"]
    assert b"Subject: Hello" in received[0].content and b"Body text" in received[0].content
    assert not (tmp_path / "instance" / "mail").exists()


def test_staff_edit_the_fee_table(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    staff_client = login(app.test_client(), accounts["staff"])
    page = staff_client.get("/staff/fees").get_data(as_text=True)
    assert 'value="150.00"' in page and "SECOR Member Audit Fee" in page
    from review.models import Fee

    with session_scope(app.extensions["secor_settings"].database_url) as s:
        fee_id = s.query(Fee).one().id
    staff_client.post(
        "/staff/fees",
        data={f"amount-{fee_id}": "175.50", f"description-{fee_id}": "SECOR Member Audit Fee"},
    )
    assert 'value="175.50"' in staff_client.get("/staff/fees").get_data(as_text=True)
    assert add_account  # helper kept for other tests


def test_migration_moves_the_org_chart_id_out_of_the_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from review.db import dispose_engines, get_engine
    from web.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0007")
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO companies (id, name, address, wcb_numbers, industry_codes, "
                "profile, created_at) VALUES (1, 'A', '', '[]', '[]', '', '2026-01-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO users (id, email, name, password_hash, role, company_id, "
                "active, created_at) VALUES (1, 'a@x', 'A', 'h', 'employer', 1, 1, "
                "'2026-01-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO documents (id, kind, filename, content_type, sha256, size, "
                "storage_key, revision, position, status, pages_done, attempts, "
                "created_at, updated_at) VALUES (7, 'org_chart', 'c.docx', 'docx', "
                "'x', 1, 'k', 1, 0, 'done', 0, 0, '2026-01-01', '2026-01-01')"
            )
        )
        for reg_id, chart in ((1, 7), (2, 99)):  # 99: a document that no longer exists
            conn.execute(
                sa.text(
                    "INSERT INTO registrations (id, company_id, assessor_id, status, "
                    "step, data, staff_note, created_at) VALUES (:i, 1, 1, 'draft', 2, "
                    ":d, '', '2026-01-01')"
                ),
                {"i": reg_id, "d": f'{{"profile": {{"text": "t", "org_chart": {chart}}}}}'},
            )
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, org_chart_document_id, data FROM registrations ORDER BY id")
        ).all()
    assert [(r[0], r[1]) for r in rows] == [(1, 7), (2, None)]
    assert all("org_chart" not in r[2] and '"text": "t"' in r[2] for r in rows)
    dispose_engines()


def test_only_a_registered_audit_can_be_submitted(app: Flask) -> None:
    from review.accounts import create_token, create_user, get_or_create_company
    from review.models import Submission
    from tests.conftest import register_company

    url = app.extensions["secor_settings"].database_url
    with session_scope(url) as s:
        user = create_user(s, "new@example.com", "a long enough passphrase", "employer", "New Co")
        token = create_token(s, user)
        other_number = register_company(s, get_or_create_company(s, "Other Co"))
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    # GIVEN an employer whose company has only requested (or not even requested) a registration
    res = client.post("/api/v1/submissions", headers=auth)
    assert (res.status_code, res.get_json()["code"]) == (409, "wrong_state")
    assert "must be registered and paid" in res.get_json()["message"]
    page = login(
        app.test_client(),
        Account("new@example.com", "a long enough passphrase", "employer", "New Co", token, 0),
    )
    res = page.post("/submissions")
    assert res.status_code == 302 and "/dashboard" in res.headers["Location"]
    assert b"must be registered and paid" in page.get("/dashboard").data
    # another company's audit number is no way in
    res = client.post("/api/v1/submissions", headers=auth, json={"audit_number": other_number})
    assert res.status_code == 409
    # WHEN staff record the company's registered audit (or it is paid in the portal)
    with session_scope(url) as s:
        number = register_company(s, get_or_create_company(s, "New Co"))
    # THEN a submission is made for it, by default or by its number
    res = client.post("/api/v1/submissions", headers=auth, json={"audit_number": number})
    assert res.status_code == 201, res.get_json()
    with session_scope(url) as s:
        sub = s.get(Submission, res.get_json()["id"])
        assert sub.registration_id is not None
    assert client.post("/api/v1/submissions", headers=auth).status_code == 201


def test_staff_record_a_registration_from_the_command_line(tmp_path: Path) -> None:
    from functools import partial

    from tests.procs import run_secor

    secor = partial(run_secor, tmp_path)
    assert secor("db", "upgrade").returncode == 0
    made = secor(
        "registration",
        "create",
        "--company",
        "Paper Audit Ltd.",
        "--start",
        "2026-03-01",
        "--end",
        "2026-03-10",
        "--employees",
        "7",
        "--type",
        "one_year",
    )
    assert made.returncode == 0, made.stderr
    number = made.stdout.strip().splitlines()[-1]
    assert number.startswith("2026") and number.isdigit()
    too_many = secor(
        "registration",
        "create",
        "--company",
        "Big Ltd.",
        "--start",
        "2026-03-01",
        "--end",
        "2026-03-10",
        "--employees",
        "11",
    )
    assert too_many.returncode == 1 and "1 to 10 employees" in too_many.stderr
    assert "Traceback" not in too_many.stderr


def test_the_wizard_keeps_what_was_typed_and_needs_a_chart_and_a_worksite(
    app: Flask, accounts
) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["newcomer"]
    train(app, emp, dt.date.today() - dt.timedelta(days=100))
    client = login(app.test_client(), emp)
    reg_id = int(client.post("/registrations").headers["Location"].split("/")[2])
    step2 = f"/registrations/{reg_id}/step/2"
    typed = {"profile": "Roofing in Red Deer.", "wcb": "7654321", "industry": "42101"}
    # Back never validates, and keeps what was typed
    back = client.post(step2, data={**typed, "profile": "", "go": "back"})
    assert back.status_code == 302 and back.headers["Location"].endswith("/step/1")
    # Next without a chart is refused at the step, naming the chart
    page = client.post(step2, data={**typed, "go": "next"}).get_data(as_text=True)
    assert "Upload the organisation chart: it is required." in page
    # the chart arrives with the typed text, which survives the upload
    chart = (io.BytesIO((SAMPLES / "org-chart.docx").read_bytes()), "chart.docx")
    client.post(step2, data={**typed, "file": chart, "go": "stay"})
    page = client.get(step2).get_data(as_text=True)
    assert "Roofing in Red Deer." in page and "7654321" in page and "chart.docx" in page
    assert client.post(step2, data={**typed, "go": "next"}).status_code == 302
    # a wrong WCB number is named
    page = client.post(step2, data={**typed, "wcb": "AB-12", "go": "next"}).get_data(as_text=True)
    assert "AB12: a WCB number is 4 to 12 digits." in page
    # no worksite: no next
    page = client.post(f"/registrations/{reg_id}/step/4", data={"go": "next"}).get_data(
        as_text=True
    )
    assert "Add at least one worksite" in page


def test_one_audit_registration_at_any_time(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    """The employer whose registered audit is not through QA cannot start another."""
    client = login(app.test_client(), accounts["employer"])  # has a registered audit
    refused = client.post("/registrations", follow_redirects=True)
    assert b"only one audit registration at any time" in refused.data


def test_a_training_date_in_the_future_is_refused(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), accounts["newcomer"])
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page = client.post(
        "/profile", data={"training_completed_on": tomorrow}, follow_redirects=True
    ).get_data(as_text=True)
    assert "is in the future" in page
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        assert s.get(User, accounts["newcomer"].id).training_completed_on is None


def test_staff_see_what_they_approve_and_what_waits(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    emp, staff = accounts["newcomer"], accounts["staff"]
    client, reg_id = trained_and_walked(app, emp)
    client.post(
        f"/registrations/{reg_id}/step/6", data={"roles": "on", "acknowledge": "on", "go": "next"}
    )
    desk = login(app.test_client(), staff)
    home = desk.get("/staff/").get_data(as_text=True)
    assert "<strong>1</strong> new audit requests to review" in home
    page = desk.get(f"/staff/registrations/{reg_id}").get_data(as_text=True)
    # everything the employer entered, the chart beside the roster, the checks
    for seen in (
        "Line locating in Alberta.",
        "1234567",
        "06101",
        "Head Office",
        "Glacier North Ltd.",
    ):
        assert seen in page
    assert "Priya Nair" in page and "not on the roster" in page  # on the chart only
    assert "Dana Whitford" in page and "Operations Manager" in page
    assert "does not equal the number of employees entered in step 1 (3)" in page
    assert "Approve and invoice" in page
    desk.post(f"/staff/registrations/{reg_id}/approve")
    home = desk.get("/staff/").get_data(as_text=True)
    assert "<strong>0</strong> new audit requests" in home
    assert "<strong>1</strong> invoices not yet paid" in home


def test_staff_record_a_registration_on_the_staff_page(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    desk = login(app.test_client(), accounts["staff"])
    form = {
        "company": "Paper Roofing Ltd.",
        "start": "2026-03-01",
        "end": "2026-03-10",
        "employees": "4",
    }
    res = desk.post(
        "/staff/registrations/record", data={**form, "type": "one_year"}, follow_redirects=True
    )
    assert b"is recorded as REGISTERED, due 2026-03-31" in res.data
    assert b"<title>Registrations" in desk.get("/staff/registrations").data  # a plain title
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        reg = (
            s.query(Registration)
            .filter(Registration.audit_number.is_not(None))
            .order_by(Registration.id.desc())
            .first()
        )
        assert reg.company.name == "Paper Roofing Ltd." and reg.status == "registered"
        assert reg.data["details"]["certificate"] == "secor_one_year"
    # the rules apply: eleven employees are refused, and nothing is recorded
    res = desk.post(
        "/staff/registrations/record", data={**form, "employees": "11"}, follow_redirects=True
    )
    assert b"1 to 10 employees" in res.data

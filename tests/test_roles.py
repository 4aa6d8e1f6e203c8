"""GIVEN every route and API endpoint, WHEN each role (and nobody) calls it, THEN only the
roles in the table get in, and an employer never reaches another company's objects."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ingest.models import Document
from review.db import session_scope
from review.models import Submission
from tests.conftest import Account, login

E, R, S, ANON = "employer", "reviewer", "staff", "anon"
EVERYONE = {E, R, S, ANON}
SIGNED_IN = {E, R, S}

#: endpoint -> who may get in. A new route fails the test until it is added here.
ACCESS: dict[str, set[str]] = {
    "static": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    "health.healthz": EVERYONE,
    "api.me": SIGNED_IN,
    "api.create_submission": {E},
    "api.list_submissions": SIGNED_IN,
    "api.get_submission": SIGNED_IN,
    "api.upload_document": {E},
    "api.get_document_status": SIGNED_IN,
    "api.submit": {E},
    "pages.home": SIGNED_IN,
    "pages.submissions": SIGNED_IN,
    "pages.new_submission": {E},
    "pages.submission": SIGNED_IN,
    "pages.upload": {E},
    "pages.submit": {E},
    "review_pages.queue": {R, S},
    "review_pages.take_next": {R, S},
    "review_pages.detail": {R, S},
    "review_pages.claim_one": {R, S},
    "review_pages.correct_one": {R, S},
    "review_pages.note": {R, S},
    "review_pages.decision": {R, S},
    "review_pages.crop": {R, S},
    "review_pages.page_image": {R, S},
    "review_pages.return_one": {S},
    "review_pages.reopen_one": {S},
    "review_api.queue": {R, S},
    "review_api.take_next": {R, S},
    "review_api.claim_one": {R, S},
    "review_api.release_one": {R, S},
    "review_api.correct_answer": {R, S},
    "review_api.note": {R, S},
    "review_api.decision": {R, S},
    "review_api.return_one": {S},
    "review_api.reopen_one": {S},
    "openapi.spec": EVERYONE,
    "staff.returns": {S},
    "staff.registrations": {S},
    "staff.registration": {S},
    "staff.record_registration": {S},
    "staff.registration_action": {S},
    "staff.fees": {S},
    "staff.mail": {S},
    "registration.dashboard": {E},
    "registration.start": {E},
    "registration.step": {E},
    "registration.org_chart": {E},
    "registration.cancel": {E},
    "registration.invoice": {E},
    "registration.profile": {E},
    "registration.certificate": {E, S},
    "pages.current_form": {E, R, S},
    "pages.remove": {E},
    "pages.qa_report": {E, R, S},
    "staff.protocols": {S},
    "staff.protocol": {S},
    "staff.protocol_page": {S},
    "staff.protocol_activate": {S},
    "staff.protocol_correct": {S},
    "staff.reassign": {S},
    "staff.overview": {S},
    "staff.users": {S},
    "staff.user_action": {S},
    "auth.change_password": SIGNED_IN,
}


def _objects(app: Flask, accounts: dict[str, Account]) -> dict[str, dict[str, int]]:
    """A submission with a document for each employer's company."""
    out = {}
    url = app.extensions["secor_settings"].database_url
    for who in ("employer", "other_employer"):
        acc = accounts[who]
        with session_scope(url) as session:
            from review.models import User

            user = session.get(User, acc.id)
            sub = Submission(company_id=user.company_id, created_by_id=user.id)
            session.add(sub)
            session.flush()
            doc = Document(
                submission_id=sub.id,
                kind="supporting",
                filename="a.pdf",
                content_type="pdf",
                sha256=who.ljust(64, "0"),
                size=10,
                storage_key="00/none",
            )
            session.add(doc)
            session.flush()
            from review.models import Registration

            reg = Registration(company_id=user.company_id, assessor_id=user.id, data={})
            session.add(reg)
            session.flush()
            import datetime as dt

            from review.models import Certificate

            cert = Certificate(
                submission_id=sub.id,
                company_id=user.company_id,
                kind="secor",
                issued_on=dt.date(2026, 1, 5),
                expires_on=dt.date(2029, 1, 5),
            )
            session.add(cert)
            session.flush()
            out[who] = {
                "cert_id": cert.id,
                "submission_id": sub.id,
                "document_id": doc.id,
                "filename": "app.css",
                "question": "1.1",
                "version": "2025",
                "page": 1,
                "reg_id": reg.id,
                "n": 1,
                "action": "approve",
                "user_id": user.id,
            }
    return out


def _client(app: Flask, role: str, accounts: dict[str, Account]) -> tuple[FlaskClient, dict]:
    client = app.test_client()
    if role == ANON:
        return client, {}
    acc = accounts[role]
    return client, {"Authorization": f"Bearer {acc.token}"}


def _got_in(res, endpoint: str) -> bool:  # type: ignore[no-untyped-def]
    if res.status_code in (401, 403):
        return False
    # Signing out ends on the sign-in page by design; anywhere else it means "sign in first".
    if (
        endpoint != "auth.logout"
        and res.status_code in (301, 302)
        and "/login" in res.headers.get("Location", "")
    ):
        return False
    return True


def _calls(app: Flask, ids: dict[str, int]):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            args = {name: ids[name] for name in rule.arguments}
            with app.test_request_context():
                from flask import url_for

                path = url_for(rule.endpoint, **args)
            yield rule.endpoint, method, path


def test_every_route_is_in_the_access_table(app: Flask) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS), f"update ACCESS: {endpoints ^ set(ACCESS)}"


@pytest.mark.parametrize("role", [E, R, S, ANON])
def test_role_matrix(app: Flask, accounts: dict[str, Account], role: str) -> None:
    ids = _objects(app, accounts)["employer"]
    checked = 0
    for endpoint, method, path in _calls(app, ids):
        client = app.test_client()
        headers: dict[str, str] = {}
        if role != ANON:
            if path.startswith("/api/"):
                headers = {"Authorization": f"Bearer {accounts[role].token}"}
            else:
                login(client, accounts[role])
        data = {"file": (io.BytesIO(b""), "")} if method == "POST" else None
        res = client.open(path, method=method, headers=headers, data=data)
        assert res.status_code != 500, (endpoint, method, res.data[:300])
        expected = role in ACCESS[endpoint]
        assert _got_in(res, endpoint) == expected, (role, endpoint, method, res.status_code)
        checked += 1
    assert checked >= len(ACCESS)


def test_employer_gets_404_for_another_companys_objects(
    app: Flask, accounts: dict[str, Account]
) -> None:
    theirs = _objects(app, accounts)["other_employer"]
    page_client = login(app.test_client(), accounts["employer"])
    api = {"Authorization": f"Bearer {accounts['employer'].token}"}
    client = app.test_client()
    sid, did = theirs["submission_id"], theirs["document_id"]
    for method, path in [
        ("GET", f"/api/v1/submissions/{sid}"),
        ("GET", f"/api/v1/documents/{did}"),
        ("POST", f"/api/v1/submissions/{sid}/documents"),
        ("POST", f"/api/v1/submissions/{sid}/submit"),
    ]:
        res = client.open(path, method=method, headers=api)
        assert res.status_code == 404, (path, res.status_code)
        assert res.get_json()["code"] == "not_found"
        assert "Borealis" not in res.get_data(as_text=True)
    rid = theirs["reg_id"]
    for method, path in [
        ("GET", f"/submissions/{sid}"),
        ("POST", f"/submissions/{sid}/upload"),
        ("POST", f"/submissions/{sid}/submit"),
        ("GET", f"/registrations/{rid}/step/1"),
        ("POST", f"/registrations/{rid}/cancel"),
        ("GET", f"/registrations/{rid}/invoice"),
        ("POST", f"/registrations/{rid}/org-chart"),
    ]:
        res = page_client.open(path, method=method)
        assert res.status_code == 404, (path, res.status_code)
        assert b"Borealis" not in res.data
    listing = client.get("/api/v1/submissions", headers=api).get_json()
    assert sid not in {item["id"] for item in listing["items"]}
    # Reviewers and staff do see it.
    for who in ("reviewer", "staff"):
        res = client.get(
            f"/api/v1/submissions/{sid}", headers={"Authorization": f"Bearer {accounts[who].token}"}
        )
        assert res.status_code == 200 and res.get_json()["company"] == "Borealis Hauling Inc."

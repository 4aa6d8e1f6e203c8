"""GIVEN an employer uploading the audit, WHEN the protocol is read on an outdated form,
THEN the upload page says so at once (the version, the current one, what happens to an old
form) with the current blank form to download, and the document can be removed and replaced
before hand-in."""

from __future__ import annotations

from flask import Flask

from tests.conftest import bearer, login
from tests.test_review import upload


def test_an_outdated_form_is_named_at_upload_and_can_be_replaced(
    app: Flask, client, accounts
) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["employer"]
    web = login(app.test_client(), emp)
    sub = client.post("/api/v1/submissions", headers=bearer(emp)).get_json()["id"]
    old = upload(app, client, emp, sub, "fillable-2023-outdated.pdf")
    page = web.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "This is the 2023 protocol; audits must use the 2025 protocol" in page
    assert "returned without a quality review" in page and "/forms/current.pdf" in page
    blank = web.get("/forms/current.pdf")
    assert blank.status_code == 200 and blank.data.startswith(b"%PDF")
    # removed, then replaced by the current form: no notice
    res = web.post(f"/submissions/{sub}/documents/{old}/remove", follow_redirects=True)
    assert b"fillable-2023-outdated.pdf was removed" in res.data
    upload(app, client, emp, sub, "fillable-2025-pass.pdf")
    page = web.get(f"/submissions/{sub}").get_data(as_text=True)
    assert "fillable-2023-outdated.pdf" not in page and "This is the" not in page
    assert "fillable-2025-pass.pdf" in page


def test_another_company_cannot_remove_a_document(app: Flask, client, accounts) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["employer"]
    sub = client.post("/api/v1/submissions", headers=bearer(emp)).get_json()["id"]
    doc = upload(app, client, emp, sub, "fillable-2025-pass.pdf")
    other = login(app.test_client(), accounts["other_employer"])
    other.post(f"/submissions/{sub}/documents/{doc}/remove")
    page = login(app.test_client(), emp).get(f"/submissions/{sub}").get_data(as_text=True)
    assert "fillable-2025-pass.pdf" in page

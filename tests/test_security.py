"""Security promises: headers on every answer, sessions and tokens that really end, throttled
sign-in, a password policy, bounded input, and what employers may not see."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from review import accounts as accounts_module
from review.db import session_scope
from review.models import ApiToken, Fee
from tests.conftest import Account, add_account, bearer, login, make_app
from tests.test_intake import PDF
from tests.test_roles import _calls, _objects

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("role", ["anon", "employer", "reviewer", "staff"])
def test_every_route_answers_with_the_security_headers(app: Flask, accounts, role: str) -> None:  # type: ignore[no-untyped-def]
    ids = _objects(app, accounts)["employer"]
    client = app.test_client()
    headers = {} if role == "anon" else bearer(accounts[role])
    if role != "anon":
        login(client, accounts[role])
    seen = 0
    for endpoint, method, path in _calls(app, ids):
        if endpoint == "auth.logout":
            continue
        res = client.open(path, method=method, headers=headers)
        for name, value in SECURITY_HEADERS.items():
            assert res.headers.get(name) == value, (endpoint, method, name)
        csp = res.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, endpoint
        assert "Strict-Transport-Security" not in res.headers  # plain HTTP here
        assert res.status_code < 500, (endpoint, method, res.status_code)
        seen += 1
    assert seen > 60


def test_pages_have_no_inline_script_or_style(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), accounts["employer"])
    for path in ("/login", "/dashboard", "/submissions", "/profile", "/account/password"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html, path


def test_over_tls_cookies_are_secure_and_hsts_is_sent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, TLS="1", TRUSTED_PROXIES="1")
    acc = add_account(app, "reviewer")
    client = app.test_client()
    res = client.post(
        "/login",
        data={"email": acc.email, "password": acc.password},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert res.status_code == 302
    assert "Secure" in res.headers["Set-Cookie"] and "HttpOnly" in res.headers["Set-Cookie"]
    assert res.headers["Strict-Transport-Security"].startswith("max-age=")


def test_signing_out_ends_the_session_on_the_server(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    client = login(app.test_client(), accounts["employer"])
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert client.get("/api/v1/me").status_code == 200
    client.post("/logout")
    # the old cookie, replayed, is worth nothing
    replay = app.test_client()
    replay.set_cookie("session", cookie.value)
    assert replay.get("/api/v1/me").status_code == 401
    res = replay.get("/dashboard")
    assert res.status_code == 302 and "/login" in res.headers["Location"]


def test_a_password_change_ends_other_sessions_and_every_token(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    acc = accounts["reviewer"]
    elsewhere = login(app.test_client(), acc)
    here = login(app.test_client(), acc)
    form = {"current": acc.password, "new": "short", "confirm": "short"}
    res = here.post("/account/password", data=form)
    assert b"at least 12 characters" in res.data
    form = {
        "current": acc.password,
        "new": "amber kettle under moonlight",
        "confirm": "amber kettle under moonlight",
    }
    assert here.post("/account/password", data=form).status_code == 302
    assert here.get("/api/v1/me").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer(acc)).status_code == 401


def test_disabled_users_and_revoked_or_expired_tokens_are_refused(
    app: Flask, accounts, staff_client: FlaskClient
) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["employer"]
    browser = login(app.test_client(), emp)
    staff_client.post(f"/staff/users/{emp.id}/disable")
    assert browser.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer(emp)).status_code == 401
    res = app.test_client().post("/login", data={"email": emp.email, "password": emp.password})
    assert res.status_code == 200 and b"not right" in res.data
    staff_client.post(f"/staff/users/{emp.id}/enable")
    assert login(app.test_client(), emp).get("/api/v1/me").status_code == 200
    # tokens expire, and can be revoked one by one
    url = app.extensions["secor_settings"].database_url
    fresh = add_account(app, "reviewer")
    assert app.test_client().get("/api/v1/me", headers=bearer(fresh)).status_code == 200
    with session_scope(url) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == fresh.id)
            .values(expires_at=dt.datetime(2020, 1, 1))
        )
    assert app.test_client().get("/api/v1/me", headers=bearer(fresh)).status_code == 401
    other = add_account(app, "reviewer")
    with session_scope(url) as session:
        assert accounts_module.revoke_token(session, other.token)
        assert not accounts_module.revoke_token(session, other.token)
    assert app.test_client().get("/api/v1/me", headers=bearer(other)).status_code == 401


def test_failed_sign_ins_are_throttled_per_account(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    acc = accounts["reviewer"]
    client = app.test_client()
    for _ in range(5):
        res = client.post("/login", data={"email": acc.email, "password": "wrong guess here"})
        assert res.status_code == 200
    res = client.post("/login", data={"email": acc.email, "password": acc.password})
    assert res.status_code == 429 and int(res.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins for this account" in res.data
    # another account from the same address is not locked out by it
    other = accounts["staff"]
    assert (
        client.post("/login", data={"email": other.email, "password": other.password}).status_code
        == 302
    )


def test_failed_sign_ins_are_throttled_per_address(app: Flask) -> None:
    client = app.test_client()
    codes = [
        client.post(
            "/login", data={"email": f"nobody{i}@example.com", "password": "x" * 12}
        ).status_code
        for i in range(31)
    ]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_unknown_and_known_accounts_cost_the_same(app: Flask, accounts, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    checked: list[str] = []
    real = accounts_module.check_password_hash

    def counting(hashed: str, password: str) -> bool:
        checked.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(accounts_module, "check_password_hash", counting)
    with session_scope(app.extensions["secor_settings"].database_url) as session:
        assert accounts_module.authenticate(session, "nobody@example.com", "whatever it is") is None
        assert (
            accounts_module.authenticate(session, accounts["staff"].email, "whatever it is") is None
        )
    assert len(checked) == 2 and checked[0].split("$")[0] == checked[1].split("$")[0]


@pytest.mark.parametrize(
    "password,ok",
    [
        ("aaaaaaaa", False),
        ("short pass", False),
        ("password1234", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("new-user@example.com", False),
        ("amber kettle under moonlight", True),
        ("Tr0ub4dor&3xyz", True),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    problem = accounts_module.password_problem(password, "new-user@example.com", "New User")
    assert (problem is None) == ok, problem


def test_staff_cannot_give_a_weak_password(staff_client: FlaskClient) -> None:
    res = staff_client.post(
        "/staff/users", data={"email": "r2@example.com", "role": "reviewer", "password": "aaaaaaaa"}
    )
    assert b"at least 12 characters" in res.data
    assert b"r2@example.com</td>" not in res.data


@pytest.mark.parametrize(
    "query",
    [
        "per_page=abc",
        "page=12345678901234567890123",
        "page=%C2%B2",
        "per_page=-1",
        "per_page=0",
        "per_page=201",
        "status=nope",
        "flag=low",
        "passed=maybe",
        "reviewer=x",
    ],
)
def test_bad_queue_parameters_are_400_with_a_message(app: Flask, accounts, query: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    res = client.get(f"/api/v1/review/queue?{query}", headers=bearer(accounts["staff"]))
    assert res.status_code == 400 and res.get_json()["code"] == "bad_request", query
    assert res.get_json()["message"]
    page = login(app.test_client(), accounts["staff"]).get(f"/review/queue?{query}")
    assert page.status_code == 400 and b"Traceback" not in page.data


def test_ids_beyond_64_bits_are_404(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    big = "1728729799800400788848640"
    client = app.test_client()
    for method, path in [
        ("GET", f"/api/v1/documents/{big}"),
        ("GET", f"/api/v1/submissions/{big}"),
        ("POST", f"/api/v1/submissions/{big}/claim"),
        ("POST", f"/api/v1/submissions/{big}/answers/1.1"),
        ("POST", f"/api/v1/submissions/{big}/decision"),
        ("GET", f"/review/submissions/{big}"),
    ]:
        res = client.open(path, method=method, headers=bearer(accounts["staff"]))
        assert res.status_code == 404, (path, res.status_code)


def test_review_bodies_are_bounded_and_typed(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    from tests.test_lifecycle import _submission

    client = app.test_client()
    staff = accounts["staff"]
    sub = _submission(app, accounts["employer"], "in_review", staff.id)
    for body, code in [
        ({"awarded": "1e-12000000", "reason": "x"}, "invalid"),
        ({"awarded": "Infinity", "reason": "x"}, "invalid"),
        ({"awarded": 2, "reason": "x", "notes": {"a": 1}}, "invalid"),
        ({"awarded": 2, "reason": "r" * 2001}, "invalid"),
    ]:
        res = client.post(
            f"/api/v1/submissions/{sub}/answers/1.1", headers=bearer(staff), json=body
        )
        assert (res.status_code, res.get_json()["code"]) == (422, code), body
    res = client.post(
        f"/api/v1/submissions/{sub}/notes",
        headers=bearer(staff),
        json={"kind": "internal", "text": "n" * (10 * 2**20)},
    )
    assert res.status_code == 413
    res = client.post(f"/api/v1/submissions/{sub}/notes", headers=bearer(staff), json=[1, 2])
    assert res.status_code == 400


@pytest.mark.parametrize("amount", ["Infinity", "1e30", "-5", "NaN", "150.001", "12345678.00"])
def test_fees_are_non_negative_with_two_decimals(
    app: Flask, staff_client: FlaskClient, amount: str
) -> None:
    url = app.extensions["secor_settings"].database_url
    with session_scope(url) as session:
        fee = session.query(Fee).first()
        assert fee is not None
        fee_id, before = fee.id, fee.amount_cents
    res = staff_client.post(
        "/staff/fees", data={f"amount-{fee_id}": amount, f"description-{fee_id}": "Audit fee"}
    )
    assert res.status_code == 302
    with session_scope(url) as session:
        assert session.get(Fee, fee_id).amount_cents == before  # type: ignore[union-attr]
    assert b"enter an amount" in staff_client.get("/staff/fees").data


def test_file_names_are_reduced_to_printable_characters(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["employer"]
    client = app.test_client()
    sub = client.post("/api/v1/submissions", headers=bearer(emp)).get_json()["id"]
    res = client.post(
        f"/api/v1/submissions/{sub}/documents",
        headers=bearer(emp),
        data={"kind": "supporting", "file": (io.BytesIO(PDF), "C:\\scans\\re\u202eport\x00 A.pdf")},
    )
    assert res.status_code == 202, res.get_json()
    assert res.get_json()["filename"] == "report A.pdf"


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_png_pixel_bomb_is_unsafe(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["employer"]
    client = app.test_client()
    sub = client.post("/api/v1/submissions", headers=bearer(emp)).get_json()["id"]
    for size in ((20000, 20000), (60000, 60000)):  # above our limit; above Pillow's own guard
        res = client.post(
            f"/api/v1/submissions/{sub}/documents",
            headers=bearer(emp),
            data={"kind": "supporting", "file": (io.BytesIO(_png_header(*size)), "b.png")},
        )
        assert (res.status_code, res.get_json()["code"]) == (422, "unsafe"), size


def test_employers_never_see_the_reviewers_working_data(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    from tests.test_review import submit

    client = app.test_client()
    emp, staff = accounts["employer"], accounts["staff"]
    sub = submit(app, client, emp, "fillable-2025-fail-element.pdf")
    client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(staff))
    client.post(
        f"/api/v1/submissions/{sub}/notes",
        headers=bearer(staff),
        json={"kind": "internal", "text": "internal remark"},
    )
    seen = client.get(f"/api/v1/submissions/{sub}", headers=bearer(emp)).get_json()
    for key in ("flags", "claimed_by", "answers", "corrections", "percent", "passed", "elements"):
        assert key not in seen, key
    assert all(n["kind"] != "internal" for n in seen["notes"])
    doc = seen["documents"][0]["id"]
    status = client.get(f"/api/v1/documents/{doc}", headers=bearer(emp)).get_json()
    assert set(status["result"]) == {"protocol"}
    listed = client.get("/api/v1/submissions", headers=bearer(emp)).get_json()["items"][0]
    assert "flags" not in listed and "percent" not in listed
    client.post(
        f"/api/v1/submissions/{sub}/decision", headers=bearer(staff), json={"decision": "accept"}
    )
    after = client.get(f"/api/v1/submissions/{sub}", headers=bearer(emp)).get_json()
    assert after["passed"] is False and after["percent"] is not None and "flags" not in after


def test_accounts_fixture_passwords_meet_the_policy(accounts: dict[str, Account]) -> None:
    for acc in accounts.values():
        assert accounts_module.password_problem(acc.password, acc.email) is None

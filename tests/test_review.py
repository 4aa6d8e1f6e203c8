"""The review workflow through the API: queue, claims, corrections, notes, decisions, returns."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from flask import Flask

from ingest.process import process_document
from review.db import session_factory
from review.errors import ReviewError
from review.models import Submission
from review.queue import claim
from tests.accuracy import SAMPLES, truth
from tests.conftest import Account, add_account, bearer, make_app


def upload(
    app: Flask, client, employer: Account, sub: int, sample: str, kind: str = "protocol"
) -> int:  # type: ignore[no-untyped-def]
    """A sample uploaded (as the protocol) through the API and processed as the worker does."""
    doc = client.post(
        f"/api/v1/submissions/{sub}/documents",
        headers=bearer(employer),
        data={"kind": kind, "file": (io.BytesIO((SAMPLES / sample).read_bytes()), sample)},
    ).get_json()
    process_document(app.extensions["secor_sessions"], app.extensions["secor_settings"], doc["id"])
    return int(doc["id"])


def submit(app: Flask, client, employer: Account, sample: str) -> int:  # type: ignore[no-untyped-def]
    sub = client.post("/api/v1/submissions", headers=bearer(employer)).get_json()["id"]
    upload(app, client, employer, sub, sample)
    res = client.post(f"/api/v1/submissions/{sub}/submit", headers=bearer(employer))
    assert res.status_code == 200, res.get_json()
    return sub


def test_review_from_queue_to_revision(app: Flask, client, accounts) -> None:  # type: ignore[no-untyped-def]
    emp, rev, staff = accounts["employer"], accounts["reviewer"], accounts["staff"]
    other = add_account(app, "reviewer")
    # GIVEN a submitted protocol that fails one element
    sub = submit(app, client, emp, "fillable-2025-fail-element.pdf")
    want = truth("fillable-2025-fail-element.pdf")
    detail = client.get(f"/api/v1/submissions/{sub}", headers=bearer(rev)).get_json()
    assert detail["status"] == "pending_review" and detail["passed"] is False
    assert detail["protocol"] == {"version": "2025", "current": True}
    assert detail["overall"] == want["overall"] and len(detail["answers"]) == 38
    queue = client.get("/api/v1/review/queue", headers=bearer(rev)).get_json()
    assert queue["total"] == 1 and queue["items"][0]["id"] == sub
    assert client.get("/api/v1/review/queue?passed=1", headers=bearer(rev)).get_json()["total"] == 0
    # WHEN a reviewer claims it, nobody else can
    assert client.post("/api/v1/review/claim-next", headers=bearer(rev)).get_json()["id"] == sub
    res = client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(other))
    assert (res.status_code, res.get_json()["code"]) == (409, "claimed")
    # AND corrects an answer: a reason is required, the score follows, the trail keeps it
    weakest = min(want["elements"], key=lambda e: e["percent"])["element"]
    qid = next(q for q, a in want["answers"].items() if q.startswith(f"{weakest}.") and not a["na"])
    available = next(a["available"] for a in detail["answers"] if a["question"] == qid)
    res = client.post(
        f"/api/v1/submissions/{sub}/answers/{qid}", headers=bearer(rev), json={"awarded": available}
    )
    assert (res.status_code, res.get_json()["code"]) == (422, "invalid")
    res = client.post(
        f"/api/v1/submissions/{sub}/answers/{qid}",
        headers=bearer(rev),
        json={"awarded": available, "reason": "Policy seen in binder tab 2"},
    )
    after = res.get_json()
    assert after["overall"]["awarded"] > detail["overall"]["awarded"]
    assert after["corrections"][0]["reason"] == "Policy seen in binder tab 2"
    assert after["corrections"][0]["old"]["awarded"] == want["answers"][qid]["awarded"]
    assert next(a for a in after["answers"] if a["question"] == qid)["method"] == "manual"
    res = client.post(
        f"/api/v1/submissions/{sub}/answers/{qid}",
        headers=bearer(rev),
        json={"awarded": available + 1, "reason": "typo"},
    )
    assert res.status_code == 422
    # AND asks for a revision with an actionable note, keeping an internal one
    client.post(
        f"/api/v1/submissions/{sub}/notes",
        headers=bearer(rev),
        json={"kind": "internal", "text": "Assessor seems new"},
    )
    client.post(
        f"/api/v1/submissions/{sub}/notes",
        headers=bearer(rev),
        json={"kind": "actionable", "text": "Attach the signed policy"},
    )
    res = client.post(
        f"/api/v1/submissions/{sub}/decision",
        headers=bearer(rev),
        json={"decision": "request_revision"},
    )
    assert res.get_json()["status"] == "revision_requested"
    # THEN the employer sees the actionable note but never the internal one
    seen = client.get(f"/api/v1/submissions/{sub}", headers=bearer(emp)).get_json()
    assert [n["text"] for n in seen["notes"]] == ["Attach the signed policy"]
    assert "answers" not in seen and "corrections" not in seen
    # AND a reviewer can no longer change it
    res = client.post(
        f"/api/v1/submissions/{sub}/answers/{qid}",
        headers=bearer(rev),
        json={"awarded": 0, "reason": "x"},
    )
    assert res.status_code == 409
    assert staff  # staff see it too
    assert client.get(f"/api/v1/submissions/{sub}", headers=bearer(staff)).status_code == 200


def test_staff_return_outdated_forms_without_review(app: Flask, client, accounts) -> None:  # type: ignore[no-untyped-def]
    emp, staff, rev = accounts["employer"], accounts["staff"], accounts["reviewer"]
    old = submit(app, client, emp, "fillable-2019-outdated.pdf")
    current = submit(app, client, emp, "fillable-2025-pass.pdf")
    flags = client.get(f"/api/v1/submissions/{old}", headers=bearer(staff)).get_json()["flags"]
    assert "outdated_form" in {f["code"] for f in flags}
    outdated = client.get(
        "/api/v1/review/queue?flag=outdated_form", headers=bearer(staff)
    ).get_json()
    assert [i["id"] for i in outdated["items"]] == [old]
    assert client.post(f"/api/v1/submissions/{old}/return", headers=bearer(rev)).status_code == 403
    res = client.post(f"/api/v1/submissions/{current}/return", headers=bearer(staff))
    assert res.status_code == 409  # the current form is reviewed, not returned
    res = client.post(f"/api/v1/submissions/{old}/return", headers=bearer(staff))
    assert res.get_json()["status"] == "returned"
    seen = client.get(f"/api/v1/submissions/{old}", headers=bearer(emp)).get_json()
    assert "returned without a quality review" in seen["decision_reason"]
    assert "2019" in seen["decision_reason"] and "SECOR-AP-2025" in seen["decision_reason"]


def test_openapi_document_lists_the_api(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/review/queue",
        "/api/v1/submissions/{submission_id}/claim",
        "/api/v1/submissions/{submission_id}/answers/{question}",
        "/api/v1/submissions/{submission_id}/decision",
        "/api/v1/documents/{document_id}",
    ):
        assert path in spec["paths"], path


def _race(url: str, sub_id: int, reviewers: list[int]) -> list[str]:
    barrier = threading.Barrier(len(reviewers))
    outcomes: list[str] = []

    def attempt(reviewer: int) -> None:
        session = session_factory(url)()
        barrier.wait()
        try:
            claim(session, sub_id, reviewer)
            session.commit()
            outcomes.append("won")
        except ReviewError as e:
            outcomes.append(e.code)
        finally:
            session.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _concurrent_claims(app: Flask) -> None:
    url = app.extensions["secor_settings"].database_url
    reviewers = [add_account(app, "reviewer").id for _ in range(6)]
    emp = add_account(app, "employer", "Race Co.")
    session = session_factory(url)()
    from review.models import User

    company = session.get(User, emp.id).company_id
    subs = []
    for _ in range(10):
        sub = Submission(
            company_id=company, status="pending_review", due_at=dt.datetime(2030, 1, 1)
        )
        session.add(sub)
        session.flush()
        subs.append(sub.id)
    session.commit()
    session.close()
    for sub_id in subs:
        outcomes = _race(url, sub_id, reviewers)
        assert outcomes.count("won") == 1, outcomes
        assert set(outcomes) <= {"won", "claimed"}


def test_two_reviewers_never_hold_the_same_submission_sqlite(app: Flask) -> None:
    _concurrent_claims(app)


@pytest.mark.postgres
def test_two_reviewers_never_hold_the_same_submission_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    _concurrent_claims(make_app(tmp_path, postgres_url))


def test_an_expired_claim_can_be_taken_over(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    url = app.extensions["secor_settings"].database_url
    session = session_factory(url)()
    from review.models import User

    company = session.get(User, accounts["employer"].id).company_id
    sub = Submission(company_id=company, status="pending_review")
    session.add(sub)
    session.commit()
    long_ago = dt.datetime(2020, 1, 1)
    claim(session, sub.id, accounts["reviewer"].id, now=long_ago)
    session.commit()
    other = add_account(app, "reviewer")
    with pytest.raises(ReviewError):
        claim(session, sub.id, other.id, now=long_ago + dt.timedelta(minutes=5))
    session.rollback()
    taken = claim(session, sub.id, other.id)
    session.commit()
    assert taken.claimed_by_id == other.id
    session.close()


def test_a_revision_is_a_new_upload_compared_with_the_previous(
    app: Flask, client, accounts
) -> None:  # type: ignore[no-untyped-def]
    emp, rev = accounts["employer"], accounts["reviewer"]
    sub = submit(app, client, emp, "fillable-2025-fail-element.pdf")
    client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(rev))
    client.post(
        f"/api/v1/submissions/{sub}/decision",
        headers=bearer(rev),
        json={"decision": "request_revision", "reason": "Send the corrected protocol"},
    )
    before = client.get(f"/api/v1/submissions/{sub}", headers=bearer(rev)).get_json()
    assert before["revision"] == 2
    # The employer uploads the revised protocol; it becomes revision 2 and is what is scored.
    doc = client.post(
        f"/api/v1/submissions/{sub}/documents",
        headers=bearer(emp),
        data={
            "kind": "protocol",
            "file": (io.BytesIO((SAMPLES / "fillable-2025-pass.pdf").read_bytes()), "fixed.pdf"),
        },
    ).get_json()
    assert doc["revision"] == 2
    process_document(app.extensions["secor_sessions"], app.extensions["secor_settings"], doc["id"])
    assert client.post(f"/api/v1/submissions/{sub}/submit", headers=bearer(emp)).status_code == 200
    after = client.get(f"/api/v1/submissions/{sub}", headers=bearer(rev)).get_json()
    assert after["status"] == "pending_review" and after["passed"] is True
    assert after["overall"] == truth("fillable-2025-pass.pdf")["overall"]
    session = app.extensions["secor_sessions"]()
    previous = session.get(Submission, sub).score["previous"]
    assert previous["revision"] == 1 and previous["passed"] is False
    session.close()
    page = client.get(f"/review/submissions/{sub}")  # signed out: sent to sign in
    assert page.status_code == 302


def test_staff_import_a_protocol_version_from_the_web(
    app: Flask, staff_client, forms_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    page = staff_client.get("/staff/protocols").get_data(as_text=True)
    assert "SECOR-AP-2025 Rev 1" in page and page.count(">current<") == 1
    future = forms_dir / "secor-audit-protocol-2025-blank.pdf"
    res = staff_client.post(
        "/staff/protocols", data={"file": (io.BytesIO(future.read_bytes()), "new.pdf")}
    )
    assert res.status_code == 302
    page = staff_client.get("/staff/protocols").get_data(as_text=True)
    # a version the catalogue knows is not imported again (it would replace the current one)
    assert "Version 2025 (SECOR-AP-2025 Rev 1) is already in the catalogue" in page
    instance = app.extensions["secor_settings"].instance_dir
    assert not (instance / "protocols" / "protocol-2025.json").exists()
    bad = staff_client.post(
        "/staff/protocols", data={"file": (io.BytesIO(b"MZ" + b"\0" * 3000), "x.pdf")}
    )
    assert bad.status_code == 302
    assert "not a document" in staff_client.get("/staff/protocols").get_data(as_text=True)


def test_staff_reassign_a_claimed_submission(app: Flask, client, staff_client, accounts) -> None:  # type: ignore[no-untyped-def]
    emp, rev = accounts["employer"], accounts["reviewer"]
    other = add_account(app, "reviewer")
    sub = submit(app, client, emp, "fillable-2025-pass.pdf")
    client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(rev))
    staff_client.post(f"/staff/submissions/{sub}/reassign", data={"reviewer": other.id})
    detail = client.get(f"/api/v1/submissions/{sub}", headers=bearer(other)).get_json()
    assert detail["claimed_by"] == other.id and detail["status"] == "in_review"
    res = client.post(
        f"/api/v1/submissions/{sub}/notes",
        headers=bearer(rev),
        json={"kind": "internal", "text": "mine?"},
    )
    assert res.status_code == 409


def test_the_queue_pages_forward_and_back_keeping_its_filters(app: Flask, accounts) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    url = app.extensions["secor_settings"].database_url
    session = session_factory(url)()
    from review.models import User

    company = session.get(User, accounts["employer"].id).company_id
    for _ in range(7):
        session.add(
            Submission(company_id=company, status="pending_review", protocol_version="2025")
        )
    session.commit()
    session.close()
    web = login(app.test_client(), accounts["reviewer"])
    page = web.get("/review/queue?per_page=3&version=2025").get_data(as_text=True)
    for expected in (2, 3):
        assert "Next page" in page
        link = page[: page.index('">Next page')].rsplit('href="', 1)[1].replace("&amp;", "&")
        assert f"page={expected}" in link and "per_page=3" in link and "version=2025" in link
        page = web.get(link).get_data(as_text=True)
    assert "Next page" not in page and "Previous page" in page and "page 3 of 3" in page

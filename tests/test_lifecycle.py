"""GIVEN a submission in each state, WHEN each role tries each transition through the API,
THEN exactly the transitions of the table below happen; everything else is refused (403 for
a role that may never do it, 409 ``wrong_state`` for a state it cannot be done from)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from review.db import session_scope
from review.models import Answer, Submission, SubmissionEvent, User
from tests.conftest import Account, add_account, bearer

STATES = (
    "draft",
    "pending_review",
    "in_review",
    "revision_requested",
    "accepted",
    "rejected",
    "returned",
)
E, R, S = "employer", "reviewer", "staff"

#: action -> (the states it may start from, the roles that may do it, the state it ends in)
EXPECTED: dict[str, tuple[set[str], set[str], str | None]] = {
    "submit": ({"draft", "revision_requested"}, {E}, None),  # needs a processed protocol: 422
    "claim": ({"pending_review", "in_review"}, {R, S}, "in_review"),
    "release": ({"in_review"}, {R, S}, "pending_review"),
    "correct": ({"in_review"}, {R, S}, "in_review"),
    "note": ({"in_review"}, {R, S}, "in_review"),
    "decide": ({"in_review"}, {R, S}, "accepted"),
    "return": ({"pending_review", "in_review"}, {S}, "returned"),
    "reopen": ({"accepted", "rejected", "returned"}, {S}, "pending_review"),
}
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "submit": ("submit", {}),
    "claim": ("claim", {}),
    "release": ("release", {}),
    "correct": ("answers/1.1", {"awarded": 2, "reason": "Seen in the binder"}),
    "note": ("notes", {"kind": "actionable", "text": "Sign the forms."}),
    "decide": ("decision", {"decision": "accept"}),
    "return": ("return", {}),
    "reopen": ("reopen", {"reason": "The score was entered on the wrong form"}),
}


def _submission(app: Flask, employer: Account, state: str, holder: int | None) -> int:
    url = app.extensions["secor_settings"].database_url
    with session_scope(url) as session:
        user = session.get(User, employer.id)
        sub = Submission(
            company_id=user.company_id,
            created_by_id=user.id,
            status=state,
            protocol_version="2019",
            protocol_current=False,
            percent=50.0,
            passed=False,
            score={"elements": [], "overall": None},
        )
        if state == "in_review":
            sub.claimed_by_id = holder
            sub.claim_expires_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(
                minutes=20
            )
        session.add(sub)
        session.flush()
        session.add(
            Answer(submission_id=sub.id, question="1.1", awarded=0, available=5, method="field")
        )
        return sub.id


@pytest.fixture
def cast(app: Flask, accounts: dict[str, Account]) -> dict[str, Account]:
    return {E: accounts["employer"], R: accounts["reviewer"], S: accounts["staff"]}


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_transition_from_every_state_for_every_role(
    app: Flask, cast: dict[str, Account], action: str
) -> None:
    client = app.test_client()
    states_ok, roles_ok, ends_in = EXPECTED[action]
    path, body = CALLS[action]
    url = app.extensions["secor_settings"].database_url
    outcomes = []
    for state in STATES:
        for role, who in cast.items():
            # the acting reviewer holds what is in review (a staff member takes it over)
            sub = _submission(app, cast[E], state, cast[R].id)
            res = client.post(f"/api/v1/submissions/{sub}/{path}", headers=bearer(who), json=body)
            data = res.get_json()
            with session_scope(url) as session:
                now = session.get(Submission, sub).status
            outcomes.append((state, role, res.status_code, data.get("code"), now))
            if role not in roles_ok:
                assert res.status_code == 403, (state, role, data)
                assert now == state
            elif state not in states_ok:
                assert (res.status_code, data["code"]) == (409, "wrong_state"), (state, role, data)
                assert now == state, "a refused transition changed the state"
                assert data["message"]
            elif ends_in is None:  # submit: the state passed; the empty draft has no protocol
                assert (res.status_code, data["code"]) == (422, "invalid"), (state, role, data)
            else:
                assert res.status_code in (200, 201), (state, role, data)
                assert now == ends_in, (state, role, now)
    assert outcomes  # 7 states x 3 roles


def test_staff_take_a_claim_over_and_it_is_kept_in_the_trail(app: Flask, cast) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    other = add_account(app, "reviewer")
    sub = _submission(app, cast[E], "in_review", other.id)
    # a reviewer who does not hold it may not work on it
    res = client.post(
        f"/api/v1/submissions/{sub}/notes",
        headers=bearer(cast[R]),
        json={"kind": "internal", "text": "x"},
    )
    assert (res.status_code, res.get_json()["code"]) == (409, "wrong_state")
    res = client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(cast[R]))
    assert (res.status_code, res.get_json()["code"]) == (409, "claimed")
    # staff may take it over
    res = client.post(
        f"/api/v1/submissions/{sub}/decision", headers=bearer(cast[S]), json={"decision": "accept"}
    )
    assert res.status_code == 200 and res.get_json()["status"] == "accepted"
    # a second decision is refused, and so is a correction that would move the score
    res = client.post(
        f"/api/v1/submissions/{sub}/decision",
        headers=bearer(cast[S]),
        json={"decision": "reject", "reason": "x"},
    )
    assert (res.status_code, res.get_json()["code"]) == (409, "wrong_state")
    res = client.post(
        f"/api/v1/submissions/{sub}/answers/1.1",
        headers=bearer(cast[S]),
        json={"awarded": 5, "reason": "later"},
    )
    assert res.status_code == 409
    # reopening needs a reason, is kept in the trail and tells the employer
    res = client.post(f"/api/v1/submissions/{sub}/reopen", headers=bearer(cast[S]), json={})
    assert (res.status_code, res.get_json()["code"]) == (422, "invalid")
    res = client.post(
        f"/api/v1/submissions/{sub}/reopen",
        headers=bearer(cast[S]),
        json={"reason": "Accepted by mistake"},
    )
    assert res.get_json()["status"] == "pending_review"
    with session_scope(app.extensions["secor_settings"].database_url) as session:
        trail = [
            (e.action, e.from_status, e.to_status, e.reason)
            for e in session.query(SubmissionEvent)
            .filter_by(submission_id=sub)
            .order_by(SubmissionEvent.id)
        ]
    assert trail[0][:3] == ("claim", "in_review", "in_review") and "taken over" in trail[0][3]
    assert trail[1][:3] == ("decide", "in_review", "accepted")
    assert trail[2] == ("reopen", "accepted", "pending_review", "Accepted by mistake")
    mails = list((app.extensions["secor_settings"].instance_dir / "mail").glob("*.eml"))
    assert any(b"reopened" in m.read_bytes() for m in mails)


def test_release_of_a_draft_or_a_decided_audit_is_refused(app: Flask, cast) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for state in ("draft", "accepted"):
        sub = _submission(app, cast[E], state, None)
        res = client.post(f"/api/v1/submissions/{sub}/release", headers=bearer(cast[S]))
        assert (res.status_code, res.get_json()["code"]) == (409, "wrong_state")
        res = client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(cast[R]))
        assert res.status_code == 409


def test_staff_reopen_from_the_page_with_a_reason(app: Flask, cast, staff_client) -> None:  # type: ignore[no-untyped-def]
    sub = _submission(app, cast[E], "accepted", None)
    page = staff_client.get(f"/review/submissions/{sub}").get_data(as_text=True)
    assert "Reopen this decision" in page
    staff_client.post(f"/review/submissions/{sub}/reopen", data={"reason": ""})
    with session_scope(app.extensions["secor_settings"].database_url) as session:
        assert session.get(Submission, sub).status == "accepted"
    staff_client.post(f"/review/submissions/{sub}/reopen", data={"reason": "Wrong form scored"})
    with session_scope(app.extensions["secor_settings"].database_url) as session:
        assert session.get(Submission, sub).status == "pending_review"
    page = staff_client.get(f"/review/submissions/{sub}").get_data(as_text=True)
    assert "Wrong form scored" in page and "History" in page

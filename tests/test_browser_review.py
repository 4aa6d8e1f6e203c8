"""GIVEN three submitted audits (a scan on the current form, a fillable one on the 2019 form, a
binder with a year of records), a reviewer, staff and the employer each do their part in
chromium; the reviewer reads the records grid."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accuracy import SAMPLES
from tests.conftest import assert_accessible, screenshot
from tests.live import Service, http, service_env
from tests.test_browser_upload import hand_in_protocol, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a-long-password"


def _user(svc: Service, email: str, role: str, company: str | None = None) -> str:
    args = ["user", "create", email, "--role", role, "--password-stdin"]
    if company:
        args += ["--company", company]
    svc.run(*args, stdin=PASSWORD + "\n")
    if company:
        svc.register(company)  # only a registered audit can be submitted
    return svc.run("token", "create", email).stdout.strip().splitlines()[-1]


def _submit(svc: Service, token: str, sample: str, kind: str) -> int:
    _, sub = http("POST", f"{svc.url}/api/v1/submissions", token)
    _, doc = svc.upload(token, sub["id"], SAMPLES / sample, kind)
    assert svc.wait_final(token, [doc["id"]], 120)[doc["id"]]["status"] == "done"
    code, body = http("POST", f"{svc.url}/api/v1/submissions/{sub['id']}/submit", token)
    assert code == 200, body
    return sub["id"]


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    # OCR answers are read with ~0.96 confidence: a strict threshold makes them "low".
    svc = Service(tmp_path, service_env(tmp_path, SECOR_LOW_CONFIDENCE="0.98"))
    svc.run("db", "upgrade")
    employer = _user(svc, "emp@example.com", "employer", "Glacier Line Locating")
    _user(svc, "rev@example.com", "reviewer")
    _user(svc, "staff@example.com", "staff")
    acme = _user(svc, "acme@example.com", "employer", "Acme Drilling Ltd.")
    svc.serve()
    # a binder with pages scanned upside down and sideways (question 1.1 is on one of them)
    scan = _submit(svc, employer, "scanned-2025-binder-200dpi.pdf", "binder")
    time.sleep(0.2)
    old = _submit(svc, employer, "fillable-2019-outdated.pdf", "protocol")
    time.sleep(0.2)
    # a year of records behind the protocol, inspections missing from January to March
    records = _submit(svc, acme, "coverage-missing-quarter.pdf", "binder")
    yield svc, scan, old, records
    svc.stop()


def test_reviewer_staff_and_employer(browser, world) -> None:  # type: ignore[no-untyped-def]
    svc, scan, old, records = world
    reviewer = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(reviewer, svc, "rev@example.com", PASSWORD)
    screenshot(reviewer, "review-queue")
    assert reviewer.locator("#queue tbody tr").count() == 3
    reviewer.get_by_role("button", name="Claim the oldest submission").click()
    assert reviewer.url.endswith(f"/review/submissions/{scan}")
    before = reviewer.locator("#overall").inner_text()
    answers = reviewer.locator("article.answer")
    assert answers.count() == 38  # every answer in one list, its picture beside it
    first = answers.first
    # flagged answers come first, then those read with low confidence
    classes = [answers.nth(i).get_attribute("class") for i in range(answers.count())]
    flagged = [i for i, c in enumerate(classes) if "flagged" in c]
    assert flagged == list(range(len(flagged)))
    # the keyboard: j moves to the next answer, k back, c to its points box
    reviewer.locator("body").focus()
    reviewer.keyboard.press("j")
    reviewer.keyboard.press("j")
    assert reviewer.evaluate("document.activeElement.id") == answers.nth(1).get_attribute("id")
    reviewer.keyboard.press("k")
    assert reviewer.evaluate("document.activeElement.id") == answers.nth(0).get_attribute("id")
    reviewer.keyboard.press("c")
    assert reviewer.evaluate("document.activeElement.name") == "awarded"
    reviewer.locator("body").focus()
    crop = first.locator("img.crop")
    crop.wait_for()
    reviewer.wait_for_function(
        "img => img.complete && img.naturalWidth > 100", arg=crop.element_handle()
    )
    screenshot(reviewer, "review-table")
    crop_page = browser.new_page(viewport={"width": 1280, "height": 400})
    crop_page.context.add_cookies(reviewer.context.cookies())
    crop_page.goto(f"{svc.url}/review/submissions/{scan}/answers/1.1/crop.png")
    screenshot(crop_page, "crop-upside-down-page-upright", accessible=False)  # an image, not a page
    question = first.get_attribute("id").removeprefix("q-")
    points = first.get_by_label("Points awarded")
    top = points.get_attribute("max")
    first.get_by_label("N/A").uncheck()
    points.fill("0" if points.input_value() == top else top)
    first.get_by_label("Reason for the correction").fill("No signed policy in the binder")
    first.get_by_role("button", name="Correct").click()
    reviewer.get_by_text(f"Question {question} corrected").wait_for()
    after = reviewer.locator("#overall").inner_text()
    assert after != before
    screenshot(reviewer, "review-detail")
    assert "No signed policy in the binder" in reviewer.locator("table").last.inner_text()
    reviewer.get_by_label("Kind").select_option("actionable")
    reviewer.get_by_label("Note", exact=True).fill("Attach the signed health and safety policy")
    reviewer.get_by_role("button", name="Add note").click()
    reviewer.get_by_role("button", name="Request a revision").click()
    reviewer.get_by_text(f"Submission {scan} is now revision requested").wait_for()

    staff = browser.new_page()
    sign_in(staff, svc, "staff@example.com", PASSWORD)
    staff.get_by_role("link", name="Outdated forms").click()
    row = staff.locator("tr", has_text="2019")
    row.get_by_role("button", name="Return without review").click()
    staff.get_by_text(f"Submission {old} was returned").wait_for()

    employer = browser.new_page()
    sign_in(employer, svc, "emp@example.com", PASSWORD)
    employer.goto(f"{svc.url}/submissions/{scan}")
    assert (
        "Attach the signed health and safety policy"
        in employer.locator("#review-notes").inner_text()
    )
    assert "revision requested" in employer.locator("h1").inner_text()
    employer.goto(f"{svc.url}/submissions/{old}")
    assert "returned without a quality review" in employer.locator(".flash").first.inner_text()
    screenshot(employer, "employer-returned")

    # the employer hands in a revision; the reviewer sees what changed beside what was
    employer.goto(f"{svc.url}/submissions/{scan}")
    hand_in_protocol(employer, "fillable-2025-pass.pdf")
    reviewer.goto(f"{svc.url}/review/submissions/{scan}")
    comparison = reviewer.locator("#revision")
    expect(comparison).to_contain_text("Compared with revision 1")
    assert comparison.locator("tbody tr").count() > 0
    comparison.scroll_into_view_if_needed()
    screenshot(reviewer, "revision-comparison")
    # the picture is the new document's (its address names the document it comes from)
    src = reviewer.locator("#q-1\\.1 img.crop").get_attribute("src")
    crop_page.goto(svc.url + src)
    screenshot(crop_page, "crop-fillable-value", accessible=False)  # an image, not a page
    _records_grid(reviewer, svc, records)


def _records_grid(page, svc: Service, sub: int) -> None:  # type: ignore[no-untyped-def]
    """The months x record-type grid: the missing quarter highlighted, each page a link to its
    picture, the roster (the binder's employee list: this registration has none) beside the
    training records."""
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{svc.url}/review/submissions/{sub}")
    grid = page.locator("#coverage-grid")
    headers = grid.locator("thead th").all_inner_texts()
    assert headers[1] == "2024-09" and headers[12] == "2025-08"
    cells = grid.locator("tbody tr", has_text="Inspections").locator("td")
    gaps = [i for i in range(12) if "gap" in (cells.nth(i).get_attribute("class") or "")]
    assert gaps == [4, 5, 6]  # 2025-01 to 2025-03
    assert cells.nth(0).locator("a").count() == 1  # September's inspection, one page
    assert grid.locator("tbody tr", has_text="Meeting minutes").locator("td a").count() == 12
    assert page.locator("#training tbody tr").count() == 7
    assert page.locator("#training tr.missing").count() == 0
    page.locator("#coverage").scroll_into_view_if_needed()
    shot = screenshot(page, "coverage-grid")
    page.locator("#coverage").screenshot(path=str(shot.with_name("coverage-grid-section.png")))
    picture = page.context.request.get(svc.url + cells.nth(0).locator("a").get_attribute("href"))
    assert picture.ok and picture.headers["content-type"] == "image/png"


def test_every_page_passes_axe(browser, world) -> None:  # type: ignore[no-untyped-def]
    """Every page each role can open, checked by axe-core in chromium: no violation."""
    svc, scan, old, records = world
    pages = {
        ("emp@example.com"): [
            "/dashboard",
            "/submissions",
            f"/submissions/{scan}",
            f"/submissions/{old}",
            "/profile",
            "/account/password",
        ],
        ("rev@example.com"): [
            "/review/queue",
            f"/review/submissions/{scan}",
            f"/review/submissions/{records}",
        ],
        ("staff@example.com"): [
            "/staff/",
            "/staff/returns",
            "/staff/protocols",
            "/staff/protocols/2025",
            "/staff/registrations",
            "/staff/fees",
            "/staff/mail",
            "/staff/users",
            "/review/queue",
            f"/review/submissions/{old}",
        ],
    }
    anonymous = browser.new_page()
    anonymous.goto(f"{svc.url}/login")
    assert_accessible(anonymous)
    anonymous.goto(f"{svc.url}/no-such-page")
    assert_accessible(anonymous)  # the error page too
    for email, paths in pages.items():
        page = browser.new_page()
        sign_in(page, svc, email, PASSWORD)
        for path in paths:
            response = page.goto(svc.url + path)
            assert response is not None and response.ok, path
            assert_accessible(page)

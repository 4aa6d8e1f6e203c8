"""GIVEN a new protocol version's blank form, staff import it in chromium, check the preview
(every box outlined and labelled, the table of questions) and activate it with a transition
window; importing alone changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdf
import pytest

from tests.conftest import ARTIFACTS, screenshot
from tests.live import Service, service_env
from tests.test_browser_upload import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a-long-password"
BLANK_2025 = (
    Path(__file__).resolve().parent.parent / "review/catalogue/forms/secor-protocol-2025-blank.pdf"
)


def _blank_2026(target: Path) -> Path:
    """The next year's form: the 2025 blank with its printed year changed (as an editor would)."""
    writer = pypdf.PdfWriter(clone_from=str(BLANK_2025))
    for page in writer.pages:
        contents = page.get_contents()
        assert contents is not None
        contents.set_data(contents.get_data().replace(b"2025", b"2026"))
        page.replace_contents(contents)
    writer.write(str(target))
    return target


def test_staff_import_preview_and_activate(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svc = Service(tmp_path / "inst", service_env(tmp_path / "inst"))
    svc.instance.mkdir()
    svc.run("db", "upgrade")
    svc.run(
        "user",
        "create",
        "staff@example.com",
        "--role",
        "staff",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    blank = _blank_2026(tmp_path / "secor-audit-protocol-2026-blank.pdf")
    svc.serve("--no-worker")
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, svc, "staff@example.com", PASSWORD)
        page.goto(f"{svc.url}/staff/protocols")
        page.set_input_files("#blank", str(blank))
        page.get_by_role("button", name="Import").click()
        page.wait_for_url("**/staff/protocols/2026")
        # the preview: a draft, 38 questions, each page's boxes outlined
        assert "draft" in page.locator("h1").inner_text()
        assert page.locator("#questions tbody tr").count() == 38
        assert "Every field on the form was placed" in page.locator("#unplaced").inner_text()
        images = page.locator("figure.preview img")
        assert images.count() == 6
        images.nth(1).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete", arg=images.nth(1).element_handle(), timeout=90_000
        )
        assert images.nth(1).evaluate("img => img.naturalWidth") > 500, "the preview did not load"
        screenshot(page, "protocol-preview")
        # staff correct a misread before activating: 1.1 prints "(0 or 5)"
        page.get_by_label("Points of question 1.1").fill("(0 or 5)")
        page.get_by_role("button", name="Save corrections").click()
        page.wait_for_url("**/staff/protocols/2026#questions")
        assert "Saved the draft: 38 questions" in page.locator(".flash").inner_text()
        first_row = page.locator("#questions tbody tr").nth(0).inner_text()
        assert "0 or 5" in first_row
        assert "draft" in page.locator("h1").inner_text()  # correcting never activates
        images.nth(1).screenshot(path=str(ARTIFACTS / "protocol-preview-page-2.png"))
        listed = svc.run("protocol", "list").stdout
        assert "2026" in listed and "draft" in listed and "2025" in listed
        assert listed.splitlines()[-1].startswith("2026")  # drafts listed, 2025 still current
        assert "current" in next(line for line in listed.splitlines() if line.startswith("2025"))
        # activate from today, 2025 accepted for 30 more days
        until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        page.fill("#previous_accepted_until", until)
        page.get_by_role("button", name="Activate 2026").click()
        page.wait_for_url("**/staff/protocols")
        rows = page.locator("#versions tbody tr")
        assert "current" in rows.nth(0).inner_text() and "2026" in rows.nth(0).inner_text()
        assert f"accepted until {until}" in rows.nth(1).inner_text()
        screenshot(page, "protocol-activated")
        # importing the same version again is refused, not a silent replacement
        page.set_input_files("#blank", str(blank))
        page.get_by_role("button", name="Import").click()
        assert "already in the catalogue" in page.locator(".flash.error").inner_text()
    finally:
        svc.stop()

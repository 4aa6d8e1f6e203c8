"""GIVEN a binder whose inspections miss a quarter, handed in for a registered audit, WHEN a
reviewer opens it in chromium, THEN the records grid shows the months of each record type,
the missing quarter highlighted, each page a link to its picture, and the roster beside the
training records."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import screenshot
from tests.live import Service, http, service_env
from tests.test_browser_upload import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a-long-password"
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "coverage-missing-quarter.pdf"


def test_the_records_grid(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svc = Service(tmp_path, service_env(tmp_path))
    try:
        svc.run("db", "upgrade")
        employer = svc.employer_token("Acme Drilling Ltd.")
        svc.run(
            "user",
            "create",
            "rev@example.com",
            "--role",
            "reviewer",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        svc.serve()
        _, sub = http("POST", f"{svc.url}/api/v1/submissions", employer)
        _, doc = svc.upload(employer, sub["id"], SAMPLE, "binder")
        assert svc.wait_final(employer, [doc["id"]], 120)[doc["id"]]["status"] == "done"
        code, body = http("POST", f"{svc.url}/api/v1/submissions/{sub['id']}/submit", employer)
        assert code == 200, body

        page = browser.new_page(viewport={"width": 1400, "height": 900})
        sign_in(page, svc, "rev@example.com", PASSWORD)
        page.goto(f"{svc.url}/review/submissions/{sub['id']}")
        grid = page.locator("#coverage-grid")
        headers = grid.locator("thead th").all_inner_texts()
        assert headers[1] == "2024-09" and headers[12] == "2025-08"
        inspections = grid.locator("tbody tr", has_text="Inspections")
        cells = inspections.locator("td")
        gaps = [i for i in range(12) if "gap" in (cells.nth(i).get_attribute("class") or "")]
        assert gaps == [4, 5, 6]  # 2025-01 to 2025-03
        assert cells.nth(0).locator("a").count() == 1  # September's inspection, one page
        minutes = grid.locator("tbody tr", has_text="Meeting minutes").locator("td a")
        assert minutes.count() == 12
        training = page.locator("#training tbody tr")
        assert training.count() == 7 and page.locator("#training tr.missing").count() == 0
        page.locator("#coverage").scroll_into_view_if_needed()
        shot = screenshot(page, "coverage-grid")
        page.locator("#coverage").screenshot(path=str(shot.with_name("coverage-grid-section.png")))
        link = cells.nth(0).locator("a").get_attribute("href")
        picture = page.context.request.get(svc.url + link)
        assert picture.ok and picture.headers["content-type"] == "image/png"
    finally:
        svc.stop()

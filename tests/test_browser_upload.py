"""GIVEN the service running for real, WHEN an employer uploads through the page in chromium,
THEN the good file shows its progress to done and a renamed program is refused readably."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accuracy import SAMPLES
from tests.conftest import screenshot
from tests.live import Service, service_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def service(tmp_path: Path):  # type: ignore[no-untyped-def]
    svc = Service(tmp_path, service_env(tmp_path))
    svc.run("db", "upgrade")
    svc.run(
        "user",
        "create",
        "pat@example.com",
        "--role",
        "employer",
        "--company",
        "Acme Drilling Ltd.",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    svc.register("Acme Drilling Ltd.")  # only a registered audit can be submitted
    svc.serve()
    yield svc
    svc.stop()


def sign_in(page, svc: Service, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{svc.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def new_submission(page, svc: Service, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in as the employer, start a submission and choose what is being uploaded."""
    sign_in(page, svc, "pat@example.com", "a-long-password")
    page.get_by_role("link", name="My submissions").click()
    page.get_by_role("button", name="Start a new audit submission").click()
    # The click only starts the navigation: wait for the new page's scripts (upload.js), or a
    # file chosen before they run is never sent.
    page.wait_for_url("**/submissions/*")
    page.wait_for_load_state("load")
    page.get_by_label("What are you uploading?").select_option(kind)


def hand_in_protocol(page, sample: str) -> None:  # type: ignore[no-untyped-def]
    """On an open submission page: upload ``sample`` as the protocol, wait until it is
    processed, and hand the audit in."""
    page.wait_for_load_state("load")
    page.get_by_label("What are you uploading?").select_option("protocol")
    page.set_input_files("#file", str(SAMPLES / sample))
    page.locator("#upload-list li").get_by_text("done: processed").wait_for(timeout=60000)
    page.reload()
    page.get_by_role("button", name="Submit audit").click()


def test_upload_page_shows_progress_and_refusals(page, service: Service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new_submission(page, service, "protocol")
    rename = tmp_path / "audit-protocol.pdf"
    rename.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 4096)  # a Windows program
    page.set_input_files("#file", [str(SAMPLES / "fillable-2025-pass.pdf"), str(rename)])
    uploads = page.locator("#upload-list li")
    good = uploads.filter(has_text="fillable-2025-pass.pdf")
    bad = uploads.filter(has_text="audit-protocol.pdf")
    bad.locator(".msg.error").wait_for(timeout=15000)
    assert "unsupported_type" in bad.inner_text()
    assert "program" in bad.inner_text()  # the plain-language reason
    # the documents table follows the upload without a reload
    live = page.locator("#documents tbody tr", has_text="fillable-2025-pass.pdf")
    live.wait_for(timeout=15000)
    assert page.locator("#documents tbody tr.none").count() == 0
    good.get_by_text("done: processed").wait_for(timeout=60000)
    expect(live.locator(".doc-status")).to_contain_text("done")
    assert good.locator("progress").get_attribute("value") in ("100", "6")
    screenshot(page, "upload-page")
    page.reload()
    row = page.locator("#documents tbody tr", has_text="fillable-2025-pass.pdf")
    assert "done" in row.inner_text()
    assert page.locator("#documents tbody tr", has_text="audit-protocol.pdf").count() == 0


@pytest.mark.parametrize(
    "kind,says",
    [
        ("org_chart", "larger than the 4 MB limit"),
        # a binder chosen as protocol is pointed to the binder kind
        ("protocol", 'choose "Scanned binder"'),
    ],
)
def test_over_size_file_is_refused_before_sending(  # type: ignore[no-untyped-def]
    page, service: Service, tmp_path: Path, kind: str, says: str
) -> None:
    new_submission(page, service, kind)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    page.set_input_files("#file", str(big))
    msg = page.locator("#upload-list li .msg.error")
    msg.wait_for(timeout=10000)
    assert says in msg.inner_text()

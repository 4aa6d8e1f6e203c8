"""GIVEN a trained assessor, WHEN they walk the 7-step registration in chromium (keyboard and
labels checked on every step), staff approve from the registration's own page and they pay,
hand the audit in and QA accepts it, THEN the dashboard follows the audit at every status,
in the program's words, to the certificate they download."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.accuracy import SAMPLES
from tests.conftest import screenshot
from tests.live import Service, service_env
from tests.test_browser_upload import hand_in_protocol, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a-long-password"
UNNAMED = re.compile(r"^\s*- (textbox|combobox|checkbox|spinbutton|button)\s*(\[.*\])?:?\s*$")


@pytest.fixture
def svc(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Service(tmp_path, service_env(tmp_path))
    s.run("db", "upgrade")
    for email, role, company in [
        ("pat@example.com", "employer", "Borealis Hauling Inc."),
        ("staff@example.com", "staff", None),
        ("rita@example.com", "reviewer", None),
    ]:
        args = ["user", "create", email, "--role", role, "--password-stdin"]
        s.run(*(args + (["--company", company] if company else [])), stdin=PASSWORD + "\n")
    s.serve()
    yield s
    s.stop()


def check_step(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Every control has a name in the accessibility tree and is reachable with Tab."""
    tree = page.locator("main").aria_snapshot()
    unnamed = [line for line in tree.splitlines() if UNNAMED.match(line)]
    assert not unnamed, f"{name}: controls without a label: {unnamed}"
    controls = page.locator(
        "main input:not([type=hidden]):visible, main select:visible, "
        "main textarea:visible, main button:visible"
    )
    wanted = controls.count()
    page.locator("body").focus()
    seen = set()
    for _ in range(wanted * 2 + 20):
        page.keyboard.press("Tab")
        seen.add(
            page.evaluate(
                "document.activeElement && document.activeElement.outerHTML.slice(0, 120)"
            )
        )
    reachable = sum(
        1
        for i in range(wanted)
        if controls.nth(i).evaluate("e => e.outerHTML.slice(0, 120)") in seen
    )
    assert reachable == wanted, f"{name}: {wanted - reachable} controls not reachable with Tab"
    screenshot(page, f"wizard-{name}")


def press_next(page, label: str = "Next") -> None:  # type: ignore[no-untyped-def]
    button = page.get_by_role("button", name=label)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_registration_wizard_payment_and_dashboard(page, svc: Service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, svc, "pat@example.com", PASSWORD)
    page.get_by_role("link", name="Profile").click()
    page.get_by_label("Date of your last assessor training").fill(
        (dt.date.today() - dt.timedelta(days=500)).isoformat()
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("button", name="Request new audit registration").click()

    # Step 1: audit details (typed with the keyboard)
    assert page.locator("[aria-current=step]").inner_text().strip().endswith("Audit details")
    page.get_by_label("Audit type").select_option("certification")
    page.get_by_label("Alberta").check()
    start = dt.date.today() + dt.timedelta(days=14)
    for label, value in [
        ("Number of employees", "7"),
        ("Expected start date (data gathering)", start.isoformat()),
        ("Expected end date (at most 15 days later)", (start + dt.timedelta(days=10)).isoformat()),
        ("Months of documentation (policies and records)", "12"),
    ]:
        page.get_by_label(label).focus()
        page.keyboard.type(value) if "date" not in label else page.get_by_label(label).fill(value)
    page.get_by_label("Certificate type requested").select_option("secor")
    check_step(page, "1-audit-details")
    press_next(page)

    # Step 2: an over-size chart is refused readably; the real one is accepted
    big = tmp_path / "org-chart.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
    page.get_by_label("Organisation chart file").set_input_files(str(big))
    # the page's script answers the choice at once, before any upload: wait for it, not a fixed time
    expect(page.locator("#org-error")).to_contain_text("the maximum file size allowed is 4 MB")
    page.get_by_label("Organisation chart file").set_input_files(str(SAMPLES / "org-chart.docx"))
    page.get_by_role("button", name="Upload the chart").click()
    page.get_by_text("org-chart.docx was received").wait_for()
    page.get_by_label("WCB number(s)").fill("1234567")
    page.get_by_label("Industry code(s)").fill("06101")
    page.get_by_label("Company profile").fill(
        "Hauling and line locating in Alberta; 7 full-time staff."
    )
    check_step(page, "2-company-profile")
    press_next(page)

    # Step 3: a secondary company
    page.locator("#add-form").get_by_label("Legal company name").fill("Borealis North Ltd.")
    page.locator("#add-form").get_by_label("City").fill("Grande Prairie")
    page.locator("#add-form").get_by_label("Province").select_option("Alberta")
    page.locator("#add-form").get_by_role("button", name="Add").click()
    expect(page.locator("#rows")).to_contain_text("Borealis North Ltd.")
    check_step(page, "3-legal-companies")
    press_next(page)

    # Step 4: a worksite
    page.locator("#add-form").get_by_label("Worksite name").fill("Head Office")
    page.locator("#add-form").get_by_label("Tasks performed").fill("admin, dispatch")
    page.locator("#add-form").get_by_label("City").fill("Calgary")
    page.locator("#add-form").get_by_label("Province").select_option("Alberta")
    page.locator("#add-form").get_by_label("No. of employees").fill("3")
    page.locator("#add-form").get_by_role("button", name="Add").click()
    check_step(page, "4-worksites")
    press_next(page)

    # Step 5: two employees against seven declared: a warning, not a refusal
    for name, position in [
        ("Dana Whitford", "Owner / President"),
        ("Luis Ortega", "Operations Manager"),
    ]:
        page.locator("#add-form").get_by_label("Employee name").fill(name)
        page.locator("#add-form").get_by_label("Position").fill(position)
        page.locator("#add-form").get_by_label("With company since").fill("2018")
        page.locator("#add-form").get_by_role("button", name="Add").click()
    warning = page.locator(".flash.warning").first.inner_text()
    assert "(2) does not equal the number of employees entered in step 1 (7)" in warning
    page.get_by_label("Comments about employees relevant to the audit").fill("One seasonal worker.")
    check_step(page, "5-roster")
    press_next(page)

    # Step 6: the roles document and the acknowledgement are required
    press_next(page, "Submit your audit registration")
    expect(page.locator(".field-error")).to_contain_text("Outline of Roles and Responsibilities")
    page.get_by_label(re.compile("Outline of Roles and Responsibilities")).check()
    press_next(page, "Submit your audit registration")
    expect(page.locator(".field-error")).to_contain_text("Tick the acknowledgement")
    page.get_by_label(re.compile("Outline of Roles and Responsibilities")).check()
    page.get_by_label(re.compile("I certify that I have read")).check()
    check_step(page, "6-eligibility")
    press_next(page, "Submit your audit registration")
    page.get_by_text("Thank you for submitting your SECOR registration request").wait_for()
    expect(page.locator("#request")).to_contain_text("Head Office")  # readable as sent
    check_step(page, "7-confirmation")

    page.goto(f"{svc.url}/dashboard")
    expect(page.locator("#registrations")).to_contain_text("New Audit Request")
    screenshot(page, "life-1-new-audit-request")

    # Staff open the registration, see what they approve, and approve it there
    staff = page.context.browser.new_page()
    sign_in(staff, svc, "staff@example.com", PASSWORD)
    expect(staff.locator("#waiting")).to_contain_text("1 new audit requests to review")
    staff.goto(f"{svc.url}/staff/registrations")
    staff.get_by_role("link", name="Borealis Hauling Inc.").click()
    expect(staff.locator("#chart")).to_contain_text("not on the roster")  # Priya Nair
    expect(staff.locator("#request")).to_contain_text("Head Office")
    screenshot(staff, "staff-registration")
    staff.get_by_role("button", name="Approve and invoice").click()
    page.goto(f"{svc.url}/dashboard")
    screenshot(page, "life-2-payment-needed")
    assert "Payment Needed" in page.locator("#registrations").inner_text()
    page.get_by_role("link", name="Make payment").click()
    page.get_by_label(re.compile("Select invoice")).check()
    page.get_by_label("Name on card").fill("Pat Example")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/39")
    page.get_by_label("Security code").fill("123")
    page.get_by_label("Billing postal code").fill("T2P 1J9")
    page.get_by_role("button", name=re.compile("Submit order")).click()
    page.get_by_text(re.compile("Audit \\d+ is registered")).wait_for()
    table = page.locator("#registrations").inner_text()
    due = (start + dt.timedelta(days=31)).isoformat()
    assert "REGISTERED" in table and due in table
    screenshot(page, "wizard-8-dashboard-registered")
    screenshot(page, "life-3-registered")

    # The employer uploads the protocol and hands the audit in
    page.get_by_role("link", name="Submit the audit").click()
    page.get_by_role("button", name="Start a new audit submission").click()
    page.wait_for_url("**/submissions/*")
    hand_in_protocol(page, "fillable-2025-pass.pdf")
    page.goto(f"{svc.url}/dashboard")
    expect(page.locator("#registrations")).to_contain_text("Submitted for QA")
    expect(page.locator("#registrations")).to_contain_text("two to four weeks")
    screenshot(page, "life-4-submitted-for-qa")

    # A reviewer claims it (In review), then accepts it: it passes, the certificate is issued
    reviewer = page.context.browser.new_page()
    sign_in(reviewer, svc, "rita@example.com", PASSWORD)
    reviewer.goto(f"{svc.url}/review/queue")
    reviewer.get_by_role("button", name="Claim the oldest submission").click()
    page.goto(f"{svc.url}/dashboard")
    expect(page.locator("#registrations")).to_contain_text("In review")
    screenshot(page, "life-5-in-review")
    reviewer.get_by_role("button", name="Accept (QA complete)").click()
    page.goto(f"{svc.url}/dashboard")
    expect(page.locator("#registrations")).to_contain_text("Certificate issued")
    screenshot(page, "life-6-certificate-issued")
    link = page.get_by_role("link", name="Download the certificate")
    pdf = page.request.get(svc.url + link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # On a phone (390 px): nothing of the employer's pages runs off the screen
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in [
        ("/dashboard", "phone-dashboard"),
        ("/registrations/1/step/7", "phone-request"),
        ("/submissions", "phone-submissions"),
        ("/submissions/1", "phone-submission"),
        ("/registrations/1/invoice", "phone-invoice"),
    ]:
        page.goto(svc.url + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        culprits = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
            " > 391 && !e.closest('.table-scroll')).slice(0, 5).map(e => e.tagName + '.' +"
            " e.className + ' ' + (e.textContent || '').slice(0, 30))"
        )
        assert wide <= 390, f"{path} is {wide} px wide: {culprits}"
        screenshot(page, name)

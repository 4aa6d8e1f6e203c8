"""GIVEN binders with twelve months of records behind the protocol (``samples/records.py``:
minutes, inspections, hazard assessments, incident reports, training records, a policy, a
cover letter and an employee list, typed and printed to PDF or printed and scanned), WHEN a
binder is read, THEN every supporting page is classified and dated (at least 95% and 98%
right), the months each record type covers are exact, and the flags say what is missing.

And the rules on their own: dates as people write them, the record's own date (not the next
meeting's), the window, quarters, months of records, another company's records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ingest.extract.dates import find_dates
from ingest.extract.recordtext import page_dates, record_type, understand
from ingest.settings import Settings
from review.coverage import (
    Context,
    Month,
    PageRecord,
    RecordType,
    Window,
    assess,
    grid,
    quarterly_types,
    same_company,
)
from review.names import same_person
from tests.accuracy import SAMPLES, truths
from web.commands import extract_file

BINDERS = {t["file"]: t for t in truths("coverage-")}


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each coverage binder read once, as ``secor extract`` reads it."""
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path_factory.mktemp("inst"))})
    return {name: extract_file(SAMPLES / name, None, settings) for name in BINDERS}


def _pages(result: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {p["page"]: p for p in result["coverage"]["pages"]}


def test_the_samples_exist() -> None:
    assert len(BINDERS) == 5, "run samples/records.py"


def test_binders_are_read_as_binders_with_their_protocol(read: dict[str, Any]) -> None:
    for name, result in read.items():
        assert result["kind"] == "binder", name
        assert result["protocol"]["version"] == "2025", name
        protocol_pages = set(result["pages"].values())
        assert not protocol_pages & set(_pages(result)), "a protocol page taken for a record"


def test_classification_is_at_least_95_percent_right(read: dict[str, Any]) -> None:
    total, wrong = 0, []
    for name, t in BINDERS.items():
        got = _pages(read[name])
        for want in t["coverage"]["pages"]:
            total += 1
            have = got.get(want["page"], {}).get("type")
            if have != want["type"]:
                wrong.append(f"{name} p{want['page']}: {have} for {want['type']}")
    assert total >= 150
    assert 1 - len(wrong) / total >= 0.95, wrong


def test_dates_are_at_least_98_percent_right(read: dict[str, Any]) -> None:
    total, wrong = 0, []
    for name, t in BINDERS.items():
        got = _pages(read[name])
        for want in t["coverage"]["pages"]:
            total += 1
            if got.get(want["page"], {}).get("dates") != want["dates"]:
                wrong.append(f"{name} p{want['page']}: {got.get(want['page'])} {want['dates']}")
    assert 1 - len(wrong) / total >= 0.98, wrong


def test_companies_and_people_are_read(read: dict[str, Any]) -> None:
    companies = people = named = found = 0
    for name, t in BINDERS.items():
        got = _pages(read[name])
        for want in t["coverage"]["pages"]:
            have = got[want["page"]]
            if want["company"]:
                companies += same_company(have["company"] or "", want["company"])
            named += len(want["people"])
            found += sum(any(same_person(w, h) for h in have["people"]) for w in want["people"])
            people += len(have["people"])
    total_companies = sum(
        1 for t in BINDERS.values() for p in t["coverage"]["pages"] if p["company"]
    )
    assert companies / total_companies >= 0.95
    assert found / named >= 0.9, (found, named)


def test_months_covered_are_exact(read: dict[str, Any]) -> None:
    for name, t in BINDERS.items():
        cov = read[name]["coverage"]
        assert cov["window"] == t["coverage"]["window"], name
        assert cov["months"] == t["coverage"]["months"], name


@pytest.mark.parametrize("name", sorted(BINDERS))
def test_gaps_and_flags_are_the_binders_own(read: dict[str, Any], name: str) -> None:
    want, result = BINDERS[name]["coverage"], read[name]
    cov = result["coverage"]
    assert cov["gaps"] == want["gaps"]
    codes = {f["code"] for f in result["flags"]}
    assert codes == set(want["flags"]), result["flags"]
    missing = [t["name"] for t in cov["training"] if not t["pages"]]
    assert missing == want.get("untrained", [])
    assert cov["roster_source"].startswith("employee list on page")


def test_a_six_month_binder_is_a_one_year_secor_only(read: dict[str, Any]) -> None:
    result = read["coverage-six-months.pdf"]
    assert result["coverage"]["documented_months"] == 6
    (flag,) = [f for f in result["flags"] if f["code"] == "documentation_short"]
    assert "one-year SECOR only" in flag["message"]


def test_another_companys_record_is_flagged_and_never_counted(read: dict[str, Any]) -> None:
    result = read["coverage-foreign-record.pdf"]
    (foreign,) = result["coverage"]["foreign"]
    page = _pages(result)[foreign["page"]]
    assert page["type"] == "inspection" and page["dates"] == ["2024-11-19"]
    assert "2024-11" not in result["coverage"]["months"]["inspection"]


def test_people_no_list_knows_are_listed(read: dict[str, Any]) -> None:
    unknown = [p["name"] for p in read["coverage-full-year.pdf"]["coverage"]["unknown_people"]]
    assert "Gary Olsen" in unknown


def test_a_protocol_alone_has_no_coverage(tmp_path: Path) -> None:
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path)})
    result = extract_file(SAMPLES / "flattened-2025-pass.pdf", None, settings)
    assert "coverage" not in result and result["flags"] == []


# --- dates as people write them ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-14",
        "2025/03/14",
        "March 14, 2025",
        "March 14th, 2025",
        "Mar. 14 '25",
        "Mar 14, 2025",
        "14 Mar 2025",
        "14-Mar-2025",
        "14 March, 2025",
        "14/03/2025",
        "03/14/2025",
        "14.03.2025",
        "2O25-03-l4",
    ],
)
def test_a_date_in_any_common_form(text: str) -> None:
    (found,) = find_dates(f"Date: {text} ")
    assert found.date == dt.date(2025, 3, 14)


def test_slashed_dates_are_day_first_where_both_can_be() -> None:
    (found,) = find_dates("05/03/2025")
    assert found.date == dt.date(2025, 3, 5)


def test_not_a_date() -> None:
    assert find_dates("Phone 403-555-0199, invoice 2025-13-40, room 12/40") == []


def test_the_next_meeting_is_not_the_pages_date() -> None:
    lines = [
        "Safety Meeting Minutes",
        "Company: Acme Ltd.   Date of meeting: March 3, 2025",
        "Next meeting: April 7, 2025",
    ]
    assert page_dates(lines) == ["2025-03-03"]


def test_course_dates_are_not_a_training_records_date() -> None:
    lines = [
        "Employee Training Record",
        "Employee: Jo Tremblay   Current as of: 2025-08-07",
        "First Aid   2023-04-11   Expires 2026-04-11",
    ]
    seen = understand(lines)
    assert seen.type == RecordType.TRAINING_RECORD
    assert seen.dates == ("2025-08-07",) and seen.people == ("Jo Tremblay",)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Training Policy", RecordType.POLICY),
        ("Site Inspection Report", RecordType.INSPECTION),
        ("Near Miss Report", RecordType.INCIDENT_REPORT),
        ("Field Level Hazard Assessment (FLHA)", RecordType.HAZARD_ASSESSMENT),
        ("Tailgate Meeting", RecordType.MINUTES),
        ("Emergency Response Plan", RecordType.POLICY),
        ("Equipment List", None),
    ],
)
def test_a_title_decides_the_type(title: str, kind: RecordType | None) -> None:
    assert record_type(["Acme Drilling Ltd.", title])[0] == kind


def test_a_letter_is_known_by_its_salutation() -> None:
    assert record_type(["Acme Ltd.", "March 3, 2025", "Dear Reviewer,"])[0] == (
        RecordType.COVER_LETTER
    )


# --- the rules -------------------------------------------------------------------------


def _page(n: int, kind: RecordType, *dates: str, company: str = "Acme Ltd.") -> PageRecord:
    return PageRecord(n, kind.value, dates, company, ())


WINDOW = Window.before(dt.date(2025, 9, 2))


def test_the_window_is_the_twelve_whole_months_before_gathering() -> None:
    assert (str(WINDOW.first), str(WINDOW.last)) == ("2024-09", "2025-08")
    january = Window.before(dt.date(2026, 1, 31))
    assert (str(january.first), str(january.last)) == ("2025-01", "2025-12")


def test_months_count_from_the_first_record_and_gaps_are_quarters_without_one() -> None:
    pages = [
        _page(1, RecordType.MINUTES, "2024-11-05"),
        _page(2, RecordType.INSPECTION, "2025-05-02"),
    ]
    found = assess(pages, Context(WINDOW, companies=("Acme Ltd",)))
    assert found.documented_months == 10  # 2024-11 to 2025-08
    assert {(g["type"], g["quarter"]) for g in found.gaps} == {
        ("inspection", "2024-Q4"),
        ("inspection", "2025-Q1"),
        ("inspection", "2025-Q3"),
        ("minutes", "2025-Q1"),
        ("minutes", "2025-Q2"),
        ("minutes", "2025-Q3"),
    }
    (short,) = [f for f in found.flags if f.code == "documentation_short"]
    assert "one-year SECOR only" in short.message


def test_under_three_months_is_not_eligible() -> None:
    found = assess([_page(1, RecordType.MINUTES, "2025-07-05")], Context(WINDOW))
    assert found.documented_months == 2
    assert any("not eligible" in f.message for f in found.flags)


def test_records_outside_the_window_and_of_others_are_not_counted() -> None:
    pages = [
        _page(1, RecordType.INSPECTION, "2024-08-30"),
        _page(2, RecordType.INSPECTION, "2025-02-11", company="Other Co Inc."),
        _page(3, RecordType.INSPECTION, "2025-02-12", company="ACME LIMITED"),
    ]
    found = assess(pages, Context(WINDOW, companies=("Acme Ltd.",)))
    assert found.months["inspection"] == ["2025-02"]
    assert [f["page"] for f in found.foreign] == [2]


def test_every_employee_needs_a_training_record() -> None:
    pages = [PageRecord(4, "training_record", ("2025-08-01",), "Acme Ltd.", ("Bob Smith",))]
    found = assess(pages, Context(WINDOW, roster=("Robert Smith", "Ann Lee")))
    assert [t["name"] for t in found.training if not t["pages"]] == ["Ann Lee"]
    (flag,) = [f for f in found.flags if f.code == "training_record_missing"]
    assert flag.person == "Ann Lee"


def test_the_protocol_says_which_records_are_quarterly() -> None:
    from dataclasses import replace

    from review.protocol import Catalogue

    version = Catalogue.default().current
    assert version is not None
    assert quarterly_types(version) == (RecordType.INSPECTION, RecordType.MINUTES)  # silent
    first = version.elements[0]
    asked = replace(first.questions[0], instructions="Hazard report forms: quarterly sample")
    stated = replace(version, elements=(replace(first, questions=(asked,)),))
    assert quarterly_types(stated) == (RecordType.INCIDENT_REPORT,)


def test_the_grid_marks_gaps_and_links_pages() -> None:
    pages = [_page(7, RecordType.INSPECTION, "2024-10-02")]
    found = assess(pages, Context(WINDOW))
    g = grid(found.to_json())
    assert g is not None and len(g.months) == 12
    row = next(r for r in g.rows if r.type == RecordType.INSPECTION)
    assert row.cells[1].pages == ({"page": 7},)
    assert row.cells[1].gap is False and row.cells[4].gap is True  # 2025-01: Q1 has none
    assert Month.parse("2025-13") is None


# --- at hand-in: the registration's roster and company --------------------------------


def test_hand_in_sets_the_records_against_the_registration(app, client, accounts) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from review.db import session_scope
    from review.models import Registration
    from samples.records import ROSTER
    from tests.conftest import bearer, login
    from tests.test_review import upload

    emp, rev = accounts["employer"], accounts["reviewer"]
    with session_scope(app.extensions["secor_settings"].database_url) as session:
        reg = session.scalars(select(Registration)).first()
        assert reg is not None and reg.company.name == "Acme Drilling Ltd."
        roster = [{"name": n} for n in ROSTER] + [{"name": "Kim Patel"}]
        reg.data = {**reg.data, "roster": roster}
    sub = client.post("/api/v1/submissions", headers=bearer(emp)).get_json()["id"]
    doc = upload(app, client, emp, sub, "coverage-missing-quarter.pdf", "binder")
    assert client.post(f"/api/v1/submissions/{sub}/submit", headers=bearer(emp)).status_code == 200

    body = client.get(f"/api/v1/submissions/{sub}", headers=bearer(rev)).get_json()
    cov = body["coverage"]
    assert cov["roster_source"] == "registration's roster"
    assert [t["name"] for t in cov["training"] if not t["pages"]] == ["Kim Patel"]
    assert {p["document"] for p in cov["pages"]} == {doc}
    codes = [(f["code"], f.get("person")) for f in body["flags"]]
    assert ("documentation_gap", None) in codes and (
        "training_record_missing",
        "Kim Patel",
    ) in codes
    # the employer sees neither the records' coverage nor the reviewer's flags
    mine = client.get(f"/api/v1/submissions/{sub}", headers=bearer(emp)).get_json()
    assert "coverage" not in mine and "flags" not in mine
    # the grid's links open the page; a page the document does not have is not found
    login(client, rev)
    pages = f"/review/submissions/{sub}/documents/{doc}/pages"
    res = client.get(f"{pages}/{cov['pages'][0]['page']}.png")
    assert res.status_code == 200 and res.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"{pages}/999.png").status_code == 404
    html = client.get(f"/review/submissions/{sub}").get_data(as_text=True)
    assert 'id="coverage-grid"' in html and "Kim Patel" in html


def test_a_record_uploaded_alone_as_a_picture_is_read(tmp_path: Path) -> None:
    """A supporting document on its own (here a JPEG of a scanned inspection): its page is
    classified and dated; the window and flags wait for hand-in."""
    import pypdfium2 as pdfium

    want = next(
        p
        for p in BINDERS["coverage-full-year.pdf"]["coverage"]["pages"]
        if p["type"] == "inspection"
    )
    pdf = pdfium.PdfDocument(str(SAMPLES / "coverage-full-year.pdf"))
    picture = tmp_path / "inspection.jpg"
    pdf[want["page"] - 1].render(scale=150 / 72).to_pil().save(picture, quality=80)
    pdf.close()
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    result = extract_file(picture, "supporting", settings)
    (page,) = result["coverage"]["pages"]
    assert (page["page"], page["type"], page["dates"]) == (1, "inspection", want["dates"])
    assert result["coverage"]["window"] is None and result["coverage"]["flags"] == []

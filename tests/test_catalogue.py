"""The form catalogue: versions are data built from the official blank forms alone."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ingest.detect import detect
from ingest.errors import IngestError
from ingest.formimport import import_blank_form
from ingest.settings import Settings
from review.protocol import ACTIVATION_FILE, Catalogue
from tests.accuracy import SAMPLES, compare_answers, truth
from tests.conftest import ROOT, secor_cmd


def test_versions_match_the_printed_overview(forms_dir: Path) -> None:
    expected = {"2019": (35, 233), "2023": (37, 235), "2025": (38, 240)}
    for path in sorted(forms_dir.glob("*.pdf")):
        v = import_blank_form(path)
        assert (len(v.questions), sum(e.available for e in v.elements)) == expected[v.version]
        assert len(v.elements) == 8 and all(e.summary for e in v.elements)
        assert all(q.text and q.available > 0 for q in v.questions)
    v2025 = import_blank_form(forms_dir / "secor-audit-protocol-2025-blank.pdf")
    assert [q.id for q in v2025.questions if q.na_allowed] == ["3.4", "5.5", "7.2", "7.3", "7.4"]
    assert v2025.question("1.3").method == "O" and v2025.question("1.3").available == 3
    assert v2025.elements[7].name == "Program Administration"


def test_each_official_form_imported_into_an_empty_catalogue_is_recognised_and_read(
    forms_dir: Path, tmp_path: Path
) -> None:

    instance = tmp_path / "instance"
    empty = Catalogue([tmp_path / "none"])
    assert empty.current is None
    for year in ("2019", "2023", "2025"):
        blank = forms_dir / f"secor-audit-protocol-{year}-blank.pdf"
        res = subprocess.run(
            secor_cmd("protocol", "import", str(blank), "--into", str(instance / "protocols")),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert res.returncode == 0, res.stderr
        assert "a draft" in res.stdout
    drafts = Catalogue([instance / "protocols"], instance / ACTIVATION_FILE)
    assert drafts.ordered() == [] and drafts.current is None  # importing changes nothing
    env = {**os.environ, "SECOR_INSTANCE_DIR": str(instance)}
    for year in ("2019", "2023", "2025"):
        res = subprocess.run(
            secor_cmd("protocol", "activate", year, "--effective", f"{year}-01-01"),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            env=env,
        )
        assert res.returncode == 0, res.stderr
    catalogue = Catalogue([instance / "protocols"], instance / ACTIVATION_FILE)
    assert [v.version for v in catalogue.ordered()] == ["2019", "2023", "2025"]
    assert catalogue.current.version == "2025"
    settings = Settings.from_mapping({"INSTANCE_DIR": str(instance)})
    for name in (
        "fillable-2025-pass.pdf",
        "flattened-2023-outdated.pdf",
        "fillable-2019-outdated.pdf",
    ):
        from ingest.extract.protocol import read_protocol

        result = read_protocol(SAMPLES / name, settings, lambda d, t: None, catalogue)
        want = truth(name)
        assert result["protocol"]["version"] == want["version"]
        assert compare_answers(result, want).rate == 1.0


def test_unknown_and_foreign_forms_are_unrecognised_never_guessed() -> None:
    catalogue = Catalogue.default()
    assert detect(catalogue, printed="Some other form SECOR-AP-2027 Rev 1").version is None
    assert detect(catalogue, printed="Hello world").version is None
    found = detect(catalogue, printed="Effective 2025-01-01 SECOR-AP-2025 Rev 1 - Page 2 of 6")
    assert found.version.version == "2025" and found.current and found.confidence >= 0.9
    old = detect(catalogue, printed="SECOR-AP-2023 Rev 2")
    assert old.version.version == "2023" and old.current is False
    # Field names alone (a tool that dropped the printed text) still identify the version...
    v2023 = catalogue.get("2023")
    by_fields = detect(catalogue, field_names=v2023.field_names)
    assert by_fields.version.version == "2023"
    # ...but a printed number that is not known wins over familiar fields.
    assert detect(catalogue, field_names=v2023.field_names, printed="SECOR-AP-2031").version is None


def test_a_third_party_fillable_form_is_unrecognised(corpus_dir: Path, tmp_path: Path) -> None:
    from web.commands import extract_file

    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path)})
    result = extract_file(corpus_dir / "pdfjs__prefilled_f1040.pdf", "protocol", settings)
    assert result["status"] == "ok"
    assert result["protocol"]["version"] is None
    assert [f["code"] for f in result["flags"]] == ["unrecognised_form"]
    assert result["answers"] == [] and result["passed"] is None


def test_a_non_form_pdf_is_refused_as_a_blank_form(corpus_dir: Path) -> None:
    with pytest.raises(IngestError):
        import_blank_form(corpus_dir / "pypdf__multilang.pdf")


def test_a_version_imported_mid_year_changes_nothing_until_staff_activate_it(
    tmp_path: Path,
) -> None:
    import datetime as dt
    import json

    from review.protocol import SHIPPED, activate

    day = dt.date
    data = json.loads((SHIPPED / "protocol-2025.json").read_text())
    data.update(
        version="2026",
        form_number="SECOR-AP-2026 Rev 1",
        effective="2026-01-10",
        status="draft",
        markers=["SECOR-AP-2026 Rev 1"],
    )
    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "protocol-2026.json").write_text(json.dumps(data))
    catalogue = Catalogue.default(tmp_path)
    # GIVEN the 2026 form imported in June: a draft; 2025 stays current and accepted
    assert "2026" in catalogue.all_versions and "2026" not in catalogue.versions
    assert catalogue.current_on(day(2026, 6, 15)).version == "2025"
    assert catalogue.accepted("2025", day(2026, 6, 15))
    # a window that ends before the old version began is refused, and nothing changes
    with pytest.raises(ValueError):
        activate(tmp_path, "2026", day(2026, 7, 1), day(2020, 1, 1))
    assert "2026" not in Catalogue.default(tmp_path).versions
    # WHEN staff activate it from July 1st, accepting 2025 audits through September
    made, previous = activate(tmp_path, "2026", day(2026, 7, 1), day(2026, 9, 30))
    assert (made.effective, previous.version, previous.accepted_until) == (
        "2026-07-01",
        "2025",
        "2026-09-30",
    )
    catalogue = Catalogue.default(tmp_path)
    # THEN 2025 is current until June 30th, 2026 from July 1st
    assert catalogue.current_on(day(2026, 6, 30)).version == "2025"
    assert catalogue.current_on(day(2026, 7, 1)).version == "2026"
    # AND a 2025 audit is accepted through its transition window, not a day longer
    assert catalogue.accepted("2025", day(2026, 9, 30))
    assert not catalogue.accepted("2025", day(2026, 10, 1))
    assert not catalogue.accepted("2023", day(2026, 8, 1))
    assert catalogue.accepted("2026", day(2026, 7, 1))


def test_staff_activation_says_which_date_is_wrong(app, staff_client) -> None:  # type: ignore[no-untyped-def]
    import json

    from review.protocol import SHIPPED

    instance = app.extensions["secor_settings"].instance_dir
    data = json.loads((SHIPPED / "protocol-2025.json").read_text())
    data.update(version="2026", form_number="SECOR-AP-2026 Rev 1", status="draft")
    (instance / "protocols").mkdir(exist_ok=True)
    (instance / "protocols" / "protocol-2026.json").write_text(json.dumps(data))
    url = "/staff/protocols/2026/activate"
    staff_client.post(url, data={"effective": "next week"})
    assert b"Enter the dates as YYYY-MM-DD." in staff_client.get("/staff/protocols/2026").data
    staff_client.post(
        url, data={"effective": "2026-07-01", "previous_accepted_until": "2020-01-01"}
    )
    page = staff_client.get("/staff/protocols/2026").data
    assert b"cannot stop being accepted before it took effect" in page
    assert Catalogue.default(instance).state("2026") == "draft"

"""Forms laid out like the SECOR instruments really published (``samples/realstyle.py``, made
with ReportLab as a form designer would): lettered elements, ids A1 and C1a under one stem,
points as allowed values, an instructions column, column orders, elements over two pages,
page labels "B-2", a revision stamp for a form number, Acrobat widget names. The seeded
variants (120 of 200 a run; ``SECOR_TEST_VARIANTS=200`` for all) import exactly; filled copies are read (fillable, flattened, scanned) and scored by
the form's own rules; a clean form shows no flags."""

from __future__ import annotations

import dataclasses
import random
import shutil
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pypdf
import pytest

from ingest.extract.protocol import read_protocol
from ingest.formimport import import_blank_form, save_version
from ingest.settings import Settings
from review.protocol import ACTIVE, Catalogue, ProtocolVersion
from review.scoring import AnswerValue, score
from samples.generate import allowed_answers, fill, flatten, render, save_scanned, scan, truth
from samples.realstyle import make_blank
from tests.accuracy import variant_seeds

SHIPPED = Path(__file__).resolve().parent.parent / "review" / "catalogue"
SEEDS = variant_seeds()
CHUNKS = 4
needs_qpdf = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")


def _structure(version: ProtocolVersion) -> list[tuple[Any, ...]]:
    return [
        (q.id, q.element, q.stem, q.available, q.allowed, q.method, q.na_allowed, q.awarded.page)
        for q in version.questions
    ]


@needs_qpdf
@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_two_hundred_real_style_forms_import_and_read_exactly(chunk: int, tmp_path: Path) -> None:
    """Each variant's structure is recovered exactly, and a filled copy of it is read exactly,
    fillable and flattened, with no flag on the clean form."""
    wrong: dict[int, str] = {}
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    mine = [s for s in SEEDS if s % CHUNKS == chunk]
    for seed in mine:
        work = tmp_path / str(seed)
        work.mkdir()
        path = work / "blank.pdf"
        blank = make_blank(seed, path)
        version = import_blank_form(path)
        want = [
            (e.id, e.element, e.stem, e.maximum, e.values, e.method, e.na, e.page)
            for e in blank.questions
        ]
        summary = [e.key for e in version.elements if e.summary] + (
            ["overall"] if version.overall else []
        )
        labels = {e.key: (e.label, e.name) for e in version.elements}
        if (
            _structure(version) != want
            or summary != blank.summary_keys
            or labels != {k: (blank.labels[k], blank.names[k]) for k in blank.labels}
            or (version.effective, version.page_count) != (blank.effective, blank.page_count)
        ):
            wrong[seed] = "structure"
            continue
        version = dataclasses.replace(version, status=ACTIVE)
        save_version(version, path, work / "catalogue")
        catalogue = Catalogue([SHIPPED, work / "catalogue"])
        answers = _answers(version, seed)
        expected = truth("x", version, "protocol", "field", answers, True)
        fill(path, version, answers, work / "fillable.pdf", "Acme Ltd", expected)
        flatten(work / "fillable.pdf", work / "flattened.pdf")
        truth_read = {qid: (a["awarded"], a["na"]) for qid, a in answers.items()}
        for name in ("fillable", "flattened"):
            result = _read(work / f"{name}.pdf", settings, catalogue)
            got = {a["question"]: (a["awarded"], a["na"]) for a in result["answers"]}
            if got != truth_read or result["flags"] or result["passed"] != expected["passed"]:
                wrong[seed] = f"{name}: {[f['code'] for f in result['flags']][:3]}"
        shutil.rmtree(work)
    assert not wrong, (
        f"{len(wrong)} of {len(mine)} forms went wrong: {dict(list(wrong.items())[:8])}"
    )


def test_the_published_style_imports_as_printed(tmp_path: Path) -> None:
    make_blank(0, tmp_path / "blank.pdf")
    version = import_blank_form(tmp_path / "blank.pdf")
    assert version.status == "draft" and version.version == "2026"
    assert version.effective == "2026-01-10" and "Revised 20260110" in version.form_number
    assert [e.key for e in version.elements] == list("ABCDEF")
    owner = version.elements[0]
    assert (owner.label, owner.name) == ("A", "Owner Commitment and Program Administration")
    subs = [q for q in owner.questions if q.stem]
    assert [q.id for q in subs] == ["A3a", "A3b", "A3c", "A3d"]
    assert subs[0].stem.startswith("Have specific health and safety responsibilities")
    assert subs[0].text == "Manager(s)?" and all(q.na_allowed for q in subs)
    assert len({q.notes.name for q in subs if q.notes}) == 1  # one "Notes:" area per stem
    assert all(q.instructions for q in version.questions)
    assert {q.method for q in version.questions} <= {"D", "I", "O"}
    assert any(q.allowed == (0, 2) for q in version.questions)
    assert all(q.awarded.name.startswith("Text") for q in version.questions)  # names tell nothing
    assert {"company", "assessor", "audit_dates", "last_audit_score"} <= set(version.cover)
    assert (version.pass_rule.overall, version.pass_rule.element) == (80, 50)
    assert version.unplaced == ()  # every box tied to a question, a summary row or the cover


def test_a_box_the_importer_cannot_place_is_listed_for_staff(tmp_path: Path) -> None:
    make_blank(0, tmp_path / "blank.pdf", stray=True)
    version = import_blank_form(tmp_path / "blank.pdf")
    assert [(f.page, f.kind) for f in version.unplaced] == [(2, "text")]
    assert version.unplaced[0].rect[1] > 700  # where it is: the top of the page
    assert len(version.questions) == 27  # the rest is read as before


def test_a_pass_rule_printed_on_the_form_is_the_versions(tmp_path: Path) -> None:
    make_blank(0, tmp_path / "blank.pdf", pass_overall=75)
    version = import_blank_form(tmp_path / "blank.pdf")
    assert version.pass_rule.overall == 75
    # 76% overall with every element at 76%: fails the program's 80%, passes this form's 75%
    answers = {q.id: AnswerValue(q.id, Fraction(q.available * 76, 100)) for q in version.questions}
    assert score(version, answers).passed
    assert not score(
        dataclasses.replace(version, pass_rule=type(version.pass_rule)()), answers
    ).passed


def _setup(seed: int, tmp_path: Path) -> tuple[Path, ProtocolVersion, Catalogue, Settings]:
    blank = tmp_path / "blank.pdf"
    make_blank(seed, blank)
    version = dataclasses.replace(import_blank_form(blank), status=ACTIVE)
    save_version(version, blank, tmp_path / "catalogue")
    catalogue = Catalogue([SHIPPED, tmp_path / "catalogue"])
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    return blank, version, catalogue, settings


def _answers(version: ProtocolVersion, seed: int) -> dict[str, dict[str, Any]]:
    return allowed_answers(version, random.Random(seed))


def _read(path: Path, settings: Settings, catalogue: Catalogue) -> dict[str, Any]:
    return read_protocol(path, settings, lambda done, total: None, catalogue)


@needs_qpdf
@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 6, 13, 15, 17])
def test_filled_real_style_forms_are_read_and_a_clean_one_shows_no_flags(
    seed: int, tmp_path: Path
) -> None:
    blank, version, catalogue, settings = _setup(seed, tmp_path)
    answers = _answers(version, seed)
    expected = truth("x", version, "protocol", "field", answers, True)
    fill(blank, version, answers, tmp_path / "fillable.pdf", "Acme Ltd", expected)
    flatten(tmp_path / "fillable.pdf", tmp_path / "flattened.pdf")
    rng = random.Random(seed)
    pages = [scan(img, rng, 200) for img in render(tmp_path / "flattened.pdf", 200)]
    save_scanned(pages, tmp_path / "scanned.pdf", 200)
    want = {qid: (a["awarded"], a["na"]) for qid, a in answers.items()}
    for name, method in (("fillable", "acroform"), ("flattened", "text"), ("scanned", "ocr")):
        result = _read(tmp_path / f"{name}.pdf", settings, catalogue)
        assert (result["protocol"]["version"], result["method"]) == ("2026", method), name
        got = {a["question"]: (a["awarded"], a["na"]) for a in result["answers"]}
        assert got == want, (name, {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v})
        assert result["passed"] == expected["passed"], name
        flags = Counter(f["code"] for f in result["flags"])
        assert flags["summary_mismatch"] == 0, (name, result["flags"])
        if name != "scanned":  # OCR may rightly ask a reviewer to look; typed copies may not
            assert not flags, (name, result["flags"])


@needs_qpdf
def test_a_wrong_summary_figure_and_a_value_outside_the_set_are_flagged(tmp_path: Path) -> None:
    blank, version, catalogue, settings = _setup(0, tmp_path)
    answers = _answers(version, 0)
    target = next(q for q in version.questions if q.allowed == (0, 2) and not answers[q.id]["na"])
    answers[target.id]["awarded"] = 1  # within 0-2, but the form allows only 0 or 2
    expected = truth("x", version, "protocol", "field", answers, True)
    fill(blank, version, answers, tmp_path / "filled.pdf", "Acme Ltd", expected)
    element = version.elements[1]
    writer = pypdf.PdfWriter(clone_from=str(tmp_path / "filled.pdf"))
    wrong = {element.summary["awarded"].name: "999", version.overall["percent"].name: "12.5"}
    for page in writer.pages:
        writer.update_page_form_field_values(page, wrong, auto_regenerate=False)
    writer.write(str(tmp_path / "wrong.pdf"))
    result = _read(tmp_path / "wrong.pdf", settings, catalogue)
    flags = [f for f in result["flags"] if f["code"] == "summary_mismatch"]
    assert len(flags) == 2, result["flags"]
    assert {f.get("element") for f in flags} == {element.key, None}
    allowed = [f for f in result["flags"] if f["code"] == "points_not_allowed"]
    assert len(allowed) == 1 and allowed[0]["question"] == target.id
    assert "1 given where only 0 or 2 may be given" in allowed[0]["message"]


@needs_qpdf
def test_a_revision_that_is_not_in_the_catalogue_is_not_guessed(tmp_path: Path) -> None:
    _, _, catalogue, settings = _setup(0, tmp_path)
    newer = tmp_path / "newer.pdf"
    make_blank(0, newer, year=2027)  # the same layout and widget names, "Revised 20270110"
    version = import_blank_form(newer)
    answers = _answers(version, 1)
    expected = truth("x", version, "protocol", "field", answers, True)
    fill(newer, version, answers, tmp_path / "filled.pdf", "Acme Ltd", expected)
    flatten(tmp_path / "filled.pdf", tmp_path / "flat.pdf")
    for path in (tmp_path / "filled.pdf", tmp_path / "flat.pdf"):
        result = _read(path, settings, catalogue)
        assert result["protocol"]["version"] is None, path.name
        assert [f["code"] for f in result["flags"]] == ["unrecognised_form"]


def test_staff_correct_a_draft_before_activating_it(tmp_path: Path) -> None:
    from review.errors import ReviewError
    from review.protocol import activate
    from review.protocol_edit import NewQuestion, QuestionEdit, correct_draft

    instance = tmp_path / "inst"
    make_blank(0, tmp_path / "blank.pdf", stray=True)
    save_version(
        import_blank_form(tmp_path / "blank.pdf"), tmp_path / "blank.pdf", instance / "protocols"
    )
    draft = Catalogue.default(instance).all_versions["2026"]
    first, second = draft.questions[0], draft.questions[1]

    def keep(i: int, q: Any, **change: Any) -> QuestionEdit:
        return QuestionEdit(
            i,
            change.get("id", q.id),
            change.get("points", q.points.notation()),
            q.method,
            change.get("remove", False),
        )

    edits = [keep(0, first, id="A0", points="(0 or 4)"), keep(1, second, remove=True)]
    stray = draft.unplaced[0].name
    added = NewQuestion(stray, "G1", "G", "(0 - 3)", "O", "Is the stray box a question?")
    fixed = correct_draft(instance, "2026", edits, added)
    assert [q.id for q in fixed.questions][:2] == ["A0", draft.questions[2].id]
    assert (fixed.questions[0].available, fixed.questions[0].allowed) == (4, (0, 4))
    assert second.id not in {q.id for q in fixed.questions}
    new = fixed.question("G1")
    assert (new.element, new.available, new.method, new.awarded.name) == ("G", 3, "O", stray)
    assert fixed.elements[-1].key == "G" and fixed.unplaced == ()
    assert fixed.status == "draft"  # correcting never activates
    for bad_edits, message in (
        ([keep(0, fixed.questions[0], points="lots")], "is not points"),
        ([keep(0, fixed.questions[0], id=fixed.questions[1].id)], "ids must differ"),
    ):
        with pytest.raises(ReviewError, match=message):
            correct_draft(instance, "2026", bad_edits)
    activate(instance, "2026", __import__("datetime").date.today())
    with pytest.raises(ReviewError, match="only a draft"):
        correct_draft(instance, "2026", [])

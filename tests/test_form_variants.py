"""Forms that print points and dates as real forms do ("(0 or 2)", "(0 - 3)", "Max 5",
"0/2/4"; "Revised 20250110"): the seeded variants (120 of 200 a run; ``SECOR_TEST_VARIANTS=200``
for all) imported exactly, and filled copies read and flagged by their own rules (``samples/variants.py`` makes them)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pypdf
import pytest

from ingest.extract.protocol import read_protocol
from ingest.formimport import import_blank_form, save_version
from ingest.settings import Settings
from review.points import parse_notation
from review.protocol import ACTIVE, Catalogue
from samples.variants import make_variant
from tests.accuracy import variant_seeds

SEEDS = variant_seeds()
CHUNKS = 4  # the imports spread over the test workers


@pytest.mark.parametrize(
    "text,maximum,values",
    [
        ("5", 5, None),
        ("(0 - 3)", 3, None),
        ("(0 -2)", 2, None),
        ("(0-10)", 10, None),
        ("Max 5", 5, None),
        ("max. 4 pts", 4, None),
        ("(0 or 2)", 2, (0, 2)),
        ("0/2/4", 4, (0, 2, 4)),
        ("0, 1 or 3", 3, (0, 1, 3)),
        ("(1 - 3)", 3, (1, 2, 3)),
    ],
)
def test_points_notations(text: str, maximum: int, values: tuple[int, ...] | None) -> None:
    allowed = parse_notation(text)
    assert allowed is not None and (allowed.maximum, allowed.values) == (maximum, values)


@pytest.mark.parametrize("text", ["", "D", "Notes", "(3 - 1)", "2 or", "points", "1.5", "x" * 50])
def test_words_that_are_not_points(text: str) -> None:
    assert parse_notation(text) is None


@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_two_hundred_variants_import_exactly(chunk: int, tmp_path: Path) -> None:
    wrong = []
    mine = [s for s in SEEDS if s % CHUNKS == chunk]
    for seed in mine:
        path = tmp_path / f"v{seed}.pdf"
        printed, effective = make_variant(seed, path)
        version = import_blank_form(path)
        got = [(q.available, q.allowed) for q in version.questions]
        want = [(p.available, p.allowed) for p in sorted(printed, key=lambda p: (p.page, -p.y))]
        if got != want or version.effective != effective or version.status != "draft":
            wrong.append(seed)
        path.unlink()
    assert not wrong, f"{len(wrong)} of {len(mine)} variants imported wrongly: {wrong[:10]}"


def _catalogue_with(blank: Path, folder: Path) -> Catalogue:
    version = dataclasses.replace(import_blank_form(blank), status=ACTIVE)
    save_version(version, blank, folder)
    return Catalogue([folder])


def _fill(blank: Path, version, values: dict[str, int], target: Path) -> None:  # type: ignore[no-untyped-def]
    writer = pypdf.PdfWriter(clone_from=str(blank))
    fields = {q.awarded.name: str(values[q.id]) for q in version.questions}
    for page in writer.pages:
        writer.update_page_form_field_values(page, fields, auto_regenerate=False)
    writer.write(str(target))


def _flatten(src: Path, target: Path) -> None:
    subprocess.run(["qpdf", "--flatten-annotations=all", str(src), str(target)], check=True)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
@pytest.mark.parametrize("seed", [3, 17, 42])
def test_filled_variants_are_read_and_flagged_by_their_own_rules(seed: int, tmp_path: Path) -> None:
    blank = tmp_path / "blank.pdf"
    make_variant(seed, blank)
    catalogue = _catalogue_with(blank, tmp_path / "catalogue")
    version = next(iter(catalogue.versions.values()))
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    full = {q.id: q.available for q in version.questions}
    sets = [
        q
        for q in version.questions
        if q.allowed and any(v not in q.allowed for v in range(q.available + 1))
    ]
    assert sets, "the seed prints no set of allowed values"
    # one question given a value inside the range but outside the printed set
    target = sets[0]
    between = next(v for v in range(target.available) if v not in target.allowed)
    for name, values, bad in (("clean", full, 0), ("wrong", {**full, target.id: between}, 1)):
        fillable = tmp_path / f"{name}.pdf"
        _fill(blank, version, values, fillable)
        flat = tmp_path / f"{name}-flat.pdf"
        _flatten(fillable, flat)
        for path in (fillable, flat):
            result = read_protocol(path, settings, lambda d, t: None, catalogue)
            read = {a["question"]: a["awarded"] for a in result["answers"]}
            assert read == {k: v for k, v in values.items()}, path.name
            flags = Counter(f["code"] for f in result["flags"])
            assert flags["points_not_allowed"] == bad, (path.name, flags)
            if bad:
                message = next(
                    f["message"] for f in result["flags"] if f["code"] == "points_not_allowed"
                )
                assert f"{between} given where only" in message


def test_a_correction_outside_the_printed_set_is_refused(app, accounts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from review.db import session_scope
    from review.models import Answer, Submission
    from tests.conftest import bearer
    from tests.test_lifecycle import _submission

    blank = tmp_path / "blank.pdf"
    make_variant(3, blank)
    instance = app.extensions["secor_settings"].instance_dir
    catalogue = _catalogue_with(blank, instance / "protocols")  # replaces 2025 in this instance
    question = next(
        q
        for q in catalogue.versions["2025"].questions
        if q.allowed and len(q.allowed) < q.available + 1
    )
    between = next(v for v in range(question.available) if v not in question.allowed)
    staff = accounts["staff"]
    sub = _submission(app, accounts["employer"], "in_review", staff.id)
    with session_scope(app.extensions["secor_settings"].database_url) as session:
        row = session.get(Submission, sub)
        row.protocol_version, row.protocol_current = "2025", True
        session.add(
            Answer(
                submission_id=sub,
                question=question.id,
                awarded=0,
                available=question.available,
                method="field",
            )
        )
    url = f"/api/v1/submissions/{sub}/answers/{question.id}"
    res = app.test_client().post(
        url, headers=bearer(staff), json={"awarded": between, "reason": "seen in binder"}
    )
    assert res.status_code == 422 and "may be given only" in res.get_json()["message"]
    res = app.test_client().post(
        url, headers=bearer(staff), json={"awarded": question.allowed[-1], "reason": "seen"}
    )
    assert res.status_code == 200, res.get_json()

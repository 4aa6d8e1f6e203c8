"""Extraction against the samples' ground truth, and version detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.settings import Settings
from tests.accuracy import SAMPLES, compare_answers, truths
from web.commands import extract_file


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_mapping({"INSTANCE_DIR": str(tmp_path_factory.mktemp("inst"))})


DIGITAL = [t for t in truths("fillable") + truths("flattened")]


@pytest.mark.parametrize("expected", DIGITAL, ids=[t["file"] for t in DIGITAL])
def test_fillable_and_flattened_answers_are_exact(expected: dict, settings: Settings) -> None:
    result = extract_file(SAMPLES / expected["file"], None, settings)
    assert result["status"] == "ok"
    assert result["method"] == expected["method"]
    assert result["protocol"]["version"] == expected["version"]
    assert result["protocol"]["current"] == expected["current"]
    comparison = compare_answers(result, expected)
    assert comparison.rate == 1.0, comparison.wrong
    assert result["passed"] == expected["passed"]
    assert result["overall"] == expected["overall"]
    assert [e["percent"] for e in result["elements"]] == [
        e["percent"] for e in expected["elements"]
    ]
    notes = {a["question"]: a["notes"] for a in result["answers"]}
    assert all(notes[q] == a["notes"] for q, a in expected["answers"].items())
    # The assessor's own summary matches the computed totals in these samples.
    assert not [f for f in result["flags"] if f["code"] == "summary_mismatch"]
    outdated = [f for f in result["flags"] if f["code"] == "outdated_form"]
    assert bool(outdated) == (not expected["current"])


SCANNED = truths("scanned")


@pytest.mark.parametrize("expected", SCANNED, ids=[t["file"] for t in SCANNED])
def test_scanned_binders_are_read_to_the_box(expected: dict, settings: Settings) -> None:
    result = extract_file(SAMPLES / expected["file"], None, settings)
    assert result["status"] == "ok" and result["kind"] == "binder"
    assert result["method"] == "ocr"
    assert (result["protocol"]["version"], result["protocol"]["current"]) == (
        expected["version"],
        expected["current"],
    )
    # Each protocol page was found among the supporting pages, in any order and orientation.
    assert result["pages"] == expected["pages"]
    comparison = compare_answers(result, expected)
    assert comparison.rate >= 0.995, comparison.wrong
    assert result["passed"] == expected["passed"]
    for answer in result["answers"]:
        page = answer["page"]
        assert page == expected["pages"][str(_blank_page(answer["question"], result))]
        x0, y0, x1, y1 = answer["box"]
        assert 0 <= x0 < x1 and 0 <= y0 < y1


def _blank_page(question: str, result: dict) -> int:
    from review.protocol import Catalogue

    version = Catalogue.default().get(result["protocol"]["version"])
    return version.question(question).awarded.page


def test_scanned_accuracy_over_all_samples(settings: Settings) -> None:
    """The acceptance figure: at least 99.5% of scanned answers exact (awarded and N/A)."""
    exact = total = 0
    for expected in SCANNED:
        c = compare_answers(extract_file(SAMPLES / expected["file"], None, settings), expected)
        exact, total = exact + c.exact, total + c.total
    assert total >= 150 and exact / total >= 0.995, (exact, total)


ORG = truths("org-chart")


@pytest.mark.parametrize("expected", ORG, ids=[t["file"] for t in ORG])
def test_org_chart_people(expected: dict, settings: Settings) -> None:
    result = extract_file(SAMPLES / expected["file"], "org_chart", settings)
    assert result["status"] == "ok"

    def pairs(people: list[dict]) -> list[tuple[str, str]]:
        return sorted((p["name"], p["title"]) for p in people)

    assert pairs(result["people"]) == pairs(expected["people"])


def test_extract_cli_prints_one_json_object_per_file_and_exit_codes(tmp_path: Path) -> None:
    import json
    import subprocess

    from tests.conftest import ROOT, secor_cmd

    junk = tmp_path / "notes.pdf"
    junk.write_bytes(b"MZ\x90\x00" + b"\x00" * 4000)
    env = {"SECOR_INSTANCE_DIR": str(tmp_path / "inst"), "PATH": "/usr/bin:/bin"}
    res = subprocess.run(
        secor_cmd("extract", "--json", str(SAMPLES / "fillable-2025-pass.pdf"), str(junk)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["status"] for r in lines] == ["ok", "rejected"]
    ok, refused = lines
    assert set(ok) >= {
        "file",
        "status",
        "reason",
        "kind",
        "protocol",
        "answers",
        "elements",
        "overall",
        "passed",
        "flags",
    }
    assert ok["answers"][0].keys() >= {
        "question",
        "awarded",
        "available",
        "na",
        "notes",
        "method",
        "confidence",
        "page",
        "box",
    }
    assert refused["reason"]["code"] == "unsupported_type"
    bad = subprocess.run(
        secor_cmd("extract", "--json"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2
    missing = subprocess.run(
        secor_cmd("extract", str(tmp_path / "nope.pdf")),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert missing.returncode == 2

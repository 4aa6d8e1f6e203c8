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
    assert [e["percent"] for e in result["elements"]] == [e["percent"] for e in expected["elements"]]
    notes = {a["question"]: a["notes"] for a in result["answers"]}
    assert all(notes[q] == a["notes"] for q, a in expected["answers"].items())
    # The assessor's own summary matches the computed totals in these samples.
    assert not [f for f in result["flags"] if f["code"] == "summary_mismatch"]
    outdated = [f for f in result["flags"] if f["code"] == "outdated_form"]
    assert bool(outdated) == (not expected["current"])

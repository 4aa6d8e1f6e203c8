"""GIVEN organisation charts drawn the ways small companies draw them (Word tables, nested
lists, SmartArt, shapes with connectors; PDFs of boxes and elbow connectors, titles above
names, a staff listing; a scan), WHEN they are read, THEN every person comes back with title
and manager, names written with accents, "Last, First" and initials included, and nothing
of the document (its title, date, legend) is taken for a person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.extract.orgchart import as_name, people_from_text
from ingest.settings import Settings
from review.names import same_person
from review.registration_rules import roster_warnings
from tests.accuracy import SAMPLES
from web.commands import _guess_kind, extract_file

CHARTS = sorted((SAMPLES / "truth").glob("orgchart-*.json"))


def _score(result: dict, expected: dict) -> tuple[int, int, int, list[str]]:
    got = result["people"]
    found = titles = lines = 0
    for want in expected["people"]:
        person = next((p for p in got if same_person(p["name"], want["name"])), None)
        if person is None:
            continue
        found += 1
        titles += person["title"] == want["title"]
        boss, want_boss = person["reports_to"], want["reports_to"]
        lines += (boss is None and want_boss is None) or bool(
            boss and want_boss and same_person(boss, want_boss)
        )
    extra = [
        p["name"]
        for p in got
        if not any(same_person(p["name"], w["name"]) for w in expected["people"])
    ]
    return found, titles, lines, extra


def test_charts_drawn_every_way_give_people_titles_and_reporting_lines(tmp_path: Path) -> None:
    assert len(CHARTS) >= 8
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    total = found = titles = lines = 0
    for path in CHARTS:
        expected = json.loads(path.read_text())
        result = extract_file(SAMPLES / expected["file"], "org_chart", settings)
        assert result["status"] == "ok", (expected["file"], result.get("reason"))
        f, t, r, extra = _score(result, expected)
        assert not extra, (expected["file"], extra)  # no chart title, date or legend
        total += len(expected["people"])
        found, titles, lines = found + f, titles + t, lines + r
    assert found / total >= 0.98, (found, total)
    assert titles / total >= 0.95, (titles, total)
    assert lines / total >= 0.95, (lines, total)


def test_the_cli_takes_a_pdf_chart_for_a_chart() -> None:
    assert _guess_kind(SAMPLES / "orgchart-boxes.pdf") == "org_chart"
    assert _guess_kind(SAMPLES / "flattened-2025-pass.pdf") == "protocol"


def test_a_reporting_line_written_in_words_is_the_managers_not_the_title() -> None:
    """What antiword gives of a DOC chart."""
    text = "Organization Chart\nLuis Ortega\nWelder - reports to Shauna Eriksen\n"
    people = people_from_text(text)
    assert [(p.name, p.title, p.reports_to) for p in people] == [
        ("Luis Ortega", "Welder", "Shauna Eriksen")
    ]


@pytest.mark.parametrize(
    "written,name",
    [
        ("Élise Gagné", "Élise Gagné"),
        ("Gagné, Élise", "Élise Gagné"),
        ("Côté-Lavoie, Marc", "Marc Côté-Lavoie"),
        ("J. Tremblay", "J. Tremblay"),
        ("Organization Chart", None),
        ("Updated March 2025", None),
        ("Gagné Contracting Ltd.", None),
        ("Safety Coordinator", None),
    ],
)
def test_names_as_people_write_them(written: str, name: str | None) -> None:
    assert as_name(written) == name


@pytest.mark.parametrize(
    "a,b,same",
    [
        ("Élise Gagné", "Elise Gagne", True),
        ("Gagné, Élise", "Élise Gagné", True),
        ("Robert Côté-Lavoie", "Bob Cote-Lavoie", True),
        ("E. Gagné", "Élise Gagné", True),
        ("Marc Cété-Lavoie", "Marc Côté-Lavoie", True),  # one letter misread in a scan
        ("Amy Chen", "Amy Chan", False),  # a short surname must agree
        ("Tom O'Brien", "Tim O'Brien", False),
        ("Robert Smith", "William Smith", False),
    ],
)
def test_one_person_however_the_name_is_written(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


def test_the_roster_check_matches_names_the_way_people_write_them() -> None:
    roster = [{"name": "Robert Côté-Lavoie"}, {"name": "Élise Gagné"}, {"name": "Priya Nair"}]
    chart = ["Bob Cote-Lavoie", "Gagné, É.", "Jo Tremblay"]
    warnings = roster_warnings(3, roster, chart)
    assert warnings == [
        "On the organisation chart but not in the roster: Jo Tremblay.",
        "In the roster but not on the organisation chart: Priya Nair.",
    ]

"""A clean form shows no flags: what a person sees, not only what a benchmark measures.

The official blank forms are filled the way another tool would fill them, by what their field
names say (``summary.E01.awarded``, ``Elem1_Avail``), not through our catalogue's mapping.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pypdf
import pytest

from ingest.extract import extract_document
from ingest.settings import Settings
from review.protocol import Catalogue
from tests.accuracy import SAMPLES

_COLUMN = [
    ("awarded", re.compile(r"(awarded|total)$", re.I)),
    ("available", re.compile(r"(available|avail)$", re.I)),
    ("percent", re.compile(r"(percent|pct)$", re.I)),
]
_ROW = re.compile(r"(?:E|Elem)0*(\d+)|(overall)", re.I)


def _flags(path: Path, tmp_path: Path, kind: str = "protocol") -> Counter[str]:
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    result = extract_document(path, kind=kind, content_type="pdf", settings=settings)
    return Counter(f["code"] for f in result.get("flags", []))


@pytest.mark.parametrize(
    "sample",
    sorted(
        p.name for p in SAMPLES.glob("*.pdf") if not p.name.startswith(("org-chart", "orgchart"))
    ),
)
def test_no_sample_carries_a_false_summary_mismatch(sample: str, tmp_path: Path) -> None:
    pictured = ("scanned", "handwritten", "photo", "ocrlayer")
    kind = "binder" if sample.startswith(pictured) else "protocol"
    flags = _flags(SAMPLES / sample, tmp_path, kind)
    assert flags["summary_mismatch"] == 0, flags
    if sample.startswith(("fillable-2025", "flattened-2025")):
        assert not flags, f"a clean current form shows flags: {flags}"


def _fill(blank: Path, out: Path, wrong: dict[tuple[str, str], str]) -> int:
    """Full points everywhere, and the summary the assessor would write, by field name."""
    version = next(
        v
        for v in Catalogue.default().versions.values()
        if v.blank_file.split("-")[-2] == blank.name.split("-")[-2]
    )
    values: dict[str, str] = {q.awarded.name: str(q.available) for q in version.questions}
    reader = pypdf.PdfReader(str(blank))
    written = 0
    for name in reader.get_fields() or {}:
        row = _ROW.search(name)
        column = next((c for c, pattern in _COLUMN if pattern.search(name)), None)
        if row is None or column is None or name in values:
            continue
        key = row.group(2).lower() if row.group(2) else row.group(1)
        if key == "overall":
            available = sum(e.available for e in version.elements)
        else:
            available = next(e.available for e in version.elements if e.key == key)
        figure = {"awarded": str(available), "available": str(available), "percent": "100.00"}[
            column
        ]
        values[name] = wrong.get((key, column), figure)
        written += 1
    writer = pypdf.PdfWriter(clone_from=str(blank))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(str(out))
    return written


@pytest.mark.parametrize("year", ["2019", "2023", "2025"])
def test_official_forms_filled_by_field_name_have_no_summary_mismatch(
    year: str, forms_dir: Path, tmp_path: Path
) -> None:
    blank = forms_dir / f"secor-audit-protocol-{year}-blank.pdf"
    clean = tmp_path / "clean.pdf"
    written = _fill(blank, clean, {})
    assert written >= 27  # 8 elements and the overall row, three figures each
    assert _flags(clean, tmp_path)["summary_mismatch"] == 0
    # a wrong summary is flagged once per wrong figure
    wrong = tmp_path / "wrong.pdf"
    _fill(blank, wrong, {("2", "awarded"): "1", ("overall", "percent"): "50.00"})
    assert _flags(wrong, tmp_path)["summary_mismatch"] == 2

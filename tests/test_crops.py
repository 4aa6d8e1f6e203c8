"""GIVEN an answer read from a page, WHEN the reviewer's picture of it is made, THEN it shows
what was read: a fillable form's value drawn even where the file has no appearance streams,
a page scanned upside down or sideways turned upright, the box outlined. The crops are saved
in test-artifacts/ to be looked at."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ingest.crops import OUTLINE, crop_png
from ingest.settings import Settings
from tests.accuracy import SAMPLES
from tests.conftest import ARTIFACTS
from web.commands import extract_file


def _keep(png: Path, name: str) -> np.ndarray:
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / f"crop-{name}.png")
    return np.asarray(Image.open(png).convert("RGB"))


def _inside_outline(img: np.ndarray) -> np.ndarray:
    red = (img[:, :, 0] == OUTLINE[0]) & (img[:, :, 1] == OUTLINE[1])
    ys, xs = np.nonzero(red)
    assert len(ys), "the box is outlined"
    return img[ys.min() + 5 : ys.max() - 4, xs.min() + 5 : xs.max() - 4]


def test_a_fillable_crop_shows_the_value_even_without_appearances(tmp_path: Path) -> None:
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    result = extract_file(SAMPLES / "fillable-2025-noappearance.pdf", None, settings)
    answer = next(a for a in result["answers"] if a["awarded"] not in (None, 0))
    png = crop_png(
        SAMPLES / "fillable-2025-noappearance.pdf", answer["page"], tuple(answer["box"]), tmp_path
    )
    box = _inside_outline(_keep(png, "fillable-value"))
    assert (box.min(axis=2) < 128).mean() > 0.01  # the digits are drawn in the box


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_a_crop_of_a_page_scanned_upside_down_is_upright(tmp_path: Path) -> None:
    from ingest.ocr import read_lines

    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    sample = SAMPLES / "scanned-2025-binder-200dpi.pdf"
    result = extract_file(sample, None, settings)
    assert result["turns"], "the sample has pages scanned turned"
    page, turns = next((int(p), t) for p, t in result["turns"].items())
    answer = next(a for a in result["answers"] if a["page"] == page)
    upright = crop_png(sample, page, tuple(answer["box"]), tmp_path, turns)
    as_scanned = crop_png(sample, page, tuple(answer["box"]), tmp_path / "raw", 0)
    _keep(upright, f"scan-upright-{turns}")

    def words(png: Path) -> int:
        gray = np.asarray(Image.open(png).convert("L"))
        return sum(
            len([w for w in line.split() if w.isalpha() and len(w) > 3])
            for line in read_lines(gray)
        )

    assert words(upright) > 3 * max(words(as_scanned), 1)


@pytest.mark.parametrize("shape", [(30, 50), (50, 30)])
@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_a_point_on_a_turned_scan_maps_back_to_the_page(shape: tuple[int, int], turns: int) -> None:
    """Boxes found on the upright picture of a turned scan are put back on the page where
    they are (the crops were once mislaid on pages scanned upside down)."""
    from ingest.extract.scanned import _unturn

    page = np.zeros(shape)
    page[7, 21] = 1
    upright = np.rot90(page, turns)
    y, x = (int(v[0]) for v in np.nonzero(upright))
    back_x, back_y, _ = _unturn(turns, upright.shape) @ np.array([x, y, 1.0])
    assert (back_x, back_y) == (21, 7)


@pytest.mark.parametrize(
    "read,clean",
    [
        ("Not all forms signed —", "Not all forms signed"),
        ("'Schedule out of date", "Schedule out of date"),
        ("Not all forms signed |", "Not all forms signed"),
        ("| Minutes kept monthly.", "Minutes kept monthly."),
        ("Policy signed 2025-02-03", "Policy signed 2025-02-03"),
        ("— |", ""),
    ],
)
def test_notes_are_read_without_the_marks_of_the_box(read: str, clean: str) -> None:
    from ingest.ocr import clean_text

    assert clean_text(read) == clean

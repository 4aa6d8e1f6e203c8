"""GIVEN a scanned binder that went through OCR (an invisible text layer over each page image,
what office scanners and OCRmyPDF produce), WHEN it is read, THEN the pages are taken for the
images they are and read by the scan reader, the layer ignored: the same answers as the plain
scan. The layer is made by tesseract's PDF renderer, the engine OCRmyPDF drives."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest

from ingest.pdfdoc import PdfDoc
from ingest.settings import Settings
from tests.accuracy import SAMPLES, compare_answers, truth
from web.commands import _guess_kind, extract_file

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
SAMPLE = "scanned-2025-binder-150dpi.pdf"


def _with_ocr_layer(src: Path, work: Path) -> Path:
    """Each page image through `tesseract ... pdf` (image plus invisible text), merged."""
    doc = pdfium.PdfDocument(str(src))
    writer = pypdf.PdfWriter()
    try:
        for i in range(len(doc)):
            png = work / f"p{i}.png"
            doc[i].render(scale=150 / 72, grayscale=True).to_pil().save(png, dpi=(150, 150))
            subprocess.run(
                ["tesseract", str(png), str(work / f"p{i}"), "--dpi", "150", "pdf"],
                check=True,
                capture_output=True,
            )
            writer.append(str(work / f"p{i}.pdf"))
    finally:
        doc.close()
    out = work / "binder-ocr.pdf"
    writer.write(str(out))
    return out


@pytest.mark.slow
def test_a_binder_with_an_ocr_text_layer_is_read_as_the_scan_it_is(tmp_path: Path) -> None:
    binder = _with_ocr_layer(SAMPLES / SAMPLE, tmp_path)
    with PdfDoc(binder, 100) as doc:  # the layer is there, and none of it is visible
        assert doc.char_count(1) > 200 and doc.visible_chars(1) == 0
    assert _guess_kind(binder) == "binder"  # the CLI, without --kind, decides by content too
    assert _guess_kind(SAMPLES / "flattened-2025-pass.pdf") == "protocol"
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "inst")})
    result = extract_file(binder, None, settings)
    expected = truth(SAMPLE)
    assert result["method"] == "ocr" and result["protocol"]["version"] == expected["version"]
    assert result["pages"] == expected["pages"]
    comparison = compare_answers(result, expected)
    assert comparison.rate >= 0.995, comparison.wrong
    assert result["passed"] == expected["passed"]


def test_a_form_with_visible_text_keeps_it(tmp_path: Path) -> None:
    with PdfDoc(SAMPLES / "flattened-2025-pass.pdf", 100) as doc:
        assert doc.visible_chars(1) > 0.9 * doc.char_count(1) > 200

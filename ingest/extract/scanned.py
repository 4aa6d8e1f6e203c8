"""Scanned protocols (OCR); see read_scanned."""

from __future__ import annotations

from collections.abc import Callable

from ingest.detect import Detection
from ingest.extract.reading import Reading
from ingest.pdfdoc import PdfDoc
from ingest.settings import Settings
from review.protocol import Catalogue


def read_scanned(doc: PdfDoc, catalogue: Catalogue, settings: Settings,
                 progress: Callable[[int, int], None], pages: list[int],
                 detection: Detection) -> tuple[Detection, Reading | None]:
    return detection, None

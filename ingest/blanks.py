"""The catalogue's blank forms as reference images and text, loaded once per process."""

from __future__ import annotations

import atexit
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

from ingest.pdfdoc import PdfDoc, Segment
from review.protocol import Catalogue, ProtocolVersion


class BlankForm:
    def __init__(self, version: ProtocolVersion, path: Path) -> None:
        self.version = version
        self.path = path
        self._doc = PdfDoc(path, max_pages=100)
        self._segments: dict[int, list[Segment]] = {}
        self._renders: dict[tuple[int, int], np.ndarray] = {}
        self._texts: dict[tuple[int, tuple[float, ...]], str] = {}
        self._inks: dict[tuple[int, tuple[float, ...]], float] = {}

    def segments(self, page: int) -> list[Segment]:
        """Text runs of a blank page (1-based)."""
        if page not in self._segments:
            self._segments[page] = self._doc.segments(page - 1)
        return self._segments[page]

    def render(self, page: int, dpi: int) -> np.ndarray:
        """The blank page in grayscale at ``dpi`` (uint8, white = 255)."""
        key = (page, dpi)
        if key not in self._renders:
            pdf_page = self._doc.pdfium[page - 1]
            try:
                arr = pdf_page.render(scale=dpi / 72, grayscale=True).to_numpy()
                self._renders[key] = np.array(arr[:, :, 0] if arr.ndim == 3 else arr)
            finally:
                pdf_page.close()
        return self._renders[key]

    def text_in(self, page: int, rect: tuple[float, float, float, float]) -> str:
        key = (page, rect)
        if key not in self._texts:
            self._texts[key] = self._doc.text_in(page - 1, rect)
        return self._texts[key]

    def ink(self, page: int, rect: tuple[float, float, float, float]) -> float:
        key = (page, rect)
        if key not in self._inks:
            self._inks[key] = ink(self._doc.pdfium, page - 1, rect)
        return self._inks[key]


_cache: dict[tuple[str, str], BlankForm] = {}


def blank_for(catalogue: Catalogue, version: ProtocolVersion) -> BlankForm:
    path = catalogue.blank_path(version.version)
    key = (str(path), version.blank_sha256)
    if key not in _cache:
        _cache[key] = BlankForm(version, path)
    return _cache[key]


def ink(
    doc: pdfium.PdfDocument, index: int, rect: tuple[float, float, float, float], dpi: int = 144
) -> float:
    """Fraction of dark pixels inside ``rect`` (inset to skip the border) of a PDF page."""
    page = doc[index]
    try:
        width, height = page.get_size()
        x0, y0, x1, y1 = rect
        dx, dy = (x1 - x0) * 0.2, (y1 - y0) * 0.2
        crop = (x0 + dx, y0 + dy, width - (x1 - dx), height - (y1 - dy))
        arr = page.render(scale=dpi / 72, grayscale=True, crop=crop).to_numpy()
    finally:
        page.close()
    arr = arr[:, :, 0] if arr.ndim == 3 else arr
    return float((arr < 128).mean()) if arr.size else 0.0


@atexit.register
def _close_all() -> None:
    for blank in _cache.values():
        blank._doc.close()
    _cache.clear()

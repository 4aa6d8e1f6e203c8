"""The image of where an answer was read: a crop of the uploaded page, rendered once, cached."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from ingest.errors import ErrorCode, IngestError
from ingest.pdfium_lock import PDFIUM

CROP_DPI = 150
MARGIN = (220.0, 170.0, 30.0)  # points left (question), right (notes), above and below


def crop_png(pdf: Path, page: int, box: tuple[float, float, float, float], cache: Path) -> Path:
    """PNG of ``box`` (PDF points) on 1-based ``page`` with its surroundings; cached on disk."""
    key = hashlib.sha256(f"{pdf.name}:{page}:{box}:{CROP_DPI}".encode()).hexdigest()[:24]
    target = cache / f"{key}.png"
    if target.exists():
        return target
    with PDFIUM:
        try:
            doc = pdfium.PdfDocument(str(pdf))
        except pdfium.PdfiumError as e:
            raise IngestError(ErrorCode.CORRUPT, "The document cannot be rendered.") from e
        try:
            if not 1 <= page <= len(doc):
                raise IngestError(ErrorCode.CORRUPT, "The page is not in the document.")
            p = doc[page - 1]
            width, height = p.get_size()
            x0, y0 = max(box[0] - MARGIN[0], 0), max(box[1] - MARGIN[2], 0)
            x1, y1 = min(box[2] + MARGIN[1], width), min(box[3] + MARGIN[2], height)
            crop = (x0, y0, width - x1, height - y1)
            image = p.render(scale=CROP_DPI / 72, crop=crop).to_pil()
            p.close()
        finally:
            doc.close()
    cache.mkdir(parents=True, exist_ok=True)
    # a name of its own per writer: two requests for the same crop must not share a half file
    fd, tmp_name = tempfile.mkstemp(dir=cache, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        image.save(fh, "PNG", optimize=True)
    Path(tmp_name).replace(target)
    return target

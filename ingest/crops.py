"""The image of where an answer was read: a crop of the uploaded page, rendered once, cached."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ingest.pdfium_lock import render_page

CROP_DPI = 150
MARGIN = (220.0, 170.0, 30.0)  # points left (question), right (notes), above and below


def crop_png(pdf: Path, page: int, box: tuple[float, float, float, float], cache: Path) -> Path:
    """PNG of ``box`` (PDF points) on 1-based ``page`` with its surroundings; cached on disk."""
    key = hashlib.sha256(f"{pdf.name}:{page}:{box}:{CROP_DPI}".encode()).hexdigest()[:24]
    target = cache / f"{key}.png"
    if target.exists():
        return target
    region = (box[0] - MARGIN[0], box[1] - MARGIN[2], box[2] + MARGIN[1], box[3] + MARGIN[2])
    image, _ = render_page(pdf, page, CROP_DPI / 72, region)
    cache.mkdir(parents=True, exist_ok=True)
    # a name of its own per writer: two requests for the same crop must not share a half file
    fd, tmp_name = tempfile.mkstemp(dir=cache, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        image.save(fh, "PNG", optimize=True)
    Path(tmp_name).replace(target)
    return target

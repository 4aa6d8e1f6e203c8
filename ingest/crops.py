"""The picture of where an answer was read: its row of the uploaded page (question, box,
notes), with the form's fields drawn with their values, turned upright, the box outlined;
rendered once and cached. And a whole page of a binder, for the reviewer's records grid."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from ingest.pdfium_lock import render_page

CROP_DPI = 192  # twice a 96-dpi screen's pixels: sharp on a high-density display
MARGIN = (400.0, 170.0, 30.0)  # points left (the question), right (notes), above and below
OUTLINE = (200, 30, 30)
VERSION = 3  # of the picture's recipe: part of the cache key
PAGE_DPI = 100  # a whole page on a screen: its title and dates readable


def crop_png(
    pdf: Path,
    page: int,
    box: tuple[float, float, float, float],
    cache: Path,
    turns: int = 0,
) -> Path:
    """PNG of ``box`` (PDF points) on 1-based ``page`` with its surroundings, turned by
    ``turns`` quarter turns counter-clockwise (a page scanned sideways); cached on disk."""
    key = hashlib.sha256(
        f"{pdf.name}:{page}:{box}:{CROP_DPI}:{turns % 4}:{VERSION}".encode()
    ).hexdigest()[:24]
    target = cache / f"{key}.png"
    if target.exists():
        return target
    if turns % 2:  # the row runs up the page: its question and notes lie above and below
        side = max(MARGIN[0], MARGIN[1])
        region = (box[0] - MARGIN[2], box[1] - side, box[2] + MARGIN[2], box[3] + side)
    else:
        region = (box[0] - MARGIN[0], box[1] - MARGIN[2], box[2] + MARGIN[1], box[3] + MARGIN[2])
    image, (width, height) = render_page(pdf, page, CROP_DPI / 72, region, forms=True)
    image = image.convert("RGB")
    s = CROP_DPI / 72
    left, top = max(region[0], 0.0), min(region[3], height)  # the region as clipped
    outline = [
        (box[0] - left) * s - 2,
        (top - box[3]) * s - 2,
        (box[2] - left) * s + 2,
        (top - box[1]) * s + 2,
    ]
    ImageDraw.Draw(image).rectangle(outline, outline=OUTLINE, width=3)
    if turns % 4:
        image = image.rotate(90 * (turns % 4), expand=True)
    return _keep(image, target)


def page_png(pdf: Path, page: int, cache: Path) -> Path:
    """PNG of the whole 1-based ``page`` at ``PAGE_DPI``; cached on disk."""
    key = hashlib.sha256(f"{pdf.name}:{page}:page:{PAGE_DPI}".encode()).hexdigest()[:24]
    target = cache / f"{key}.png"
    if target.exists():
        return target
    image, _size = render_page(pdf, page, PAGE_DPI / 72, forms=True)
    return _keep(image.convert("L"), target)


def _keep(image: Image.Image, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # a name of its own per writer: two requests for the same picture must not share a half file
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        image.save(fh, "PNG", optimize=True)
    Path(tmp_name).replace(target)
    return target

"""One lock for every PDFium call a request thread can make, and the one way they render.

PDFium is not thread-safe: no two calls may run at once in one process, not even on different
documents (pypdfium2's documentation); doing so corrupts the heap and kills the process. The
worker runs one document per process, but the web server answers on threads and opens PDFs
there (the upload probe, the reviewer's crops, the staff preview), so those hold this lock.
Parallelism comes from processes (gunicorn workers, worker slots), as pypdfium2 advises.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from ingest.errors import ErrorCode, IngestError

PDFIUM = threading.RLock()

Rect = tuple[float, float, float, float]  # PDF points: x0, y0, x1, y1 (origin bottom-left)


def render_page(
    path: Path,
    page: int,
    scale: float,
    region: Rect | None = None,
    what: str = "document",
    forms: bool = False,
) -> tuple[Image.Image, tuple[float, float]]:
    """Page ``page`` (1-based) of ``path`` at ``scale``, or only ``region`` of it (clipped to
    the page), with the page's size in points; the lock held throughout. With ``forms`` the
    form fields are drawn with their values (PDFium's form filler: also where a file has no
    appearance streams)."""
    with PDFIUM:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise IngestError(ErrorCode.CORRUPT, f"The {what} cannot be rendered.") from e
        try:
            if forms:
                doc.init_forms()
            if not 1 <= page <= len(doc):
                raise IngestError(ErrorCode.CORRUPT, f"The {what} has no such page.")
            pdf_page = doc[page - 1]
            width, height = pdf_page.get_size()
            crop = (0.0, 0.0, 0.0, 0.0)
            if region is not None:
                x0, y0 = max(region[0], 0), max(region[1], 0)
                x1, y1 = min(region[2], width), min(region[3], height)
                crop = (x0, y0, width - x1, height - y1)
            image = pdf_page.render(scale=scale, crop=crop, may_draw_forms=forms).to_pil()
            pdf_page.close()
        finally:
            doc.close()
    return image, (width, height)

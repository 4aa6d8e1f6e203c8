"""Supporting pages read for what they are: cheap signals first, the whole page only if needed.

A page with a real text layer is read from it (free). An image page is rendered once at
``RECORD_DPI`` and tesseract reads its regions in order: the header (title, company, date,
who), then the foot (a policy's signature, a letter's closing), then the middle, stopping as
soon as the lines read decide the page (``recordtext.Understood.decided``). Rendering stays
on the calling thread (PDFium is not thread-safe); tesseract runs on ``threads`` threads, each
with its own engine, since tesserocr lets go of the GIL while it recognises.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import cv2
import numpy as np
import tesserocr
from PIL import Image

from ingest.extract.recordtext import Understood, understand
from ingest.extract.scanned import check_pixels
from ingest.ocr import tessdata_dir
from ingest.pdfdoc import PdfDoc, Segment
from ingest.settings import Settings
from review.coverage import PageRecord, RecordType

RECORD_DPI = 150  # 10-point print is ~20 px high: enough for tesseract, a quarter of 300 dpi
MAX_PIXELS = 8_000_000  # a tabloid sheet at 150 dpi is 3.8 million; larger is drawn wrong
RULE_PX = 60  # ink this long in a straight line is a table's rule, not a letter
INK_CONTRAST = 90  # grey levels between paper and print; a scanner's grain splits at ~30
TEXT_CHARS = 40  # a text layer with fewer characters says nothing
#: Regions read in turn, as fractions of the page's height from the top.
REGIONS = ((0.0, 0.28), (0.78, 1.0), (0.28, 0.78))
_local = threading.local()


def _engine() -> tesserocr.PyTessBaseAPI:
    api = getattr(_local, "api", None)
    if api is None:
        api = tesserocr.PyTessBaseAPI(
            path=tessdata_dir(), lang="eng", psm=tesserocr.PSM.SINGLE_BLOCK
        )
        _local.api = api
    return api


def legible(image: np.ndarray) -> np.ndarray:
    """A region as tesseract reads it best: the scanner's noise smoothed, black on white, and
    the rules of tables taken out (tesseract reads a ruled cell's border as letters)."""
    smooth = cv2.medianBlur(image, 3)
    _, bw = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    ink = bw < 128
    if not ink.any() or smooth[~ink].mean() - smooth[ink].mean() < INK_CONTRAST:
        return np.full_like(image, 255)  # blank paper: Otsu split its grain, not ink from it
    mask = ink.astype(np.uint8)
    rules = cv2.bitwise_or(
        cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, RULE_PX), np.uint8)),
        cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((RULE_PX, 1), np.uint8)),
    )
    bw[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 255
    return bw


def ocr_lines(image: np.ndarray) -> list[str]:
    """The lines tesseract reads in a region, top to bottom."""
    api = _engine()
    api.SetImage(Image.fromarray(legible(image)))
    text = api.GetUTF8Text()
    api.Clear()
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def text_lines(segments: Sequence[Segment]) -> list[str]:
    """A text layer's runs put into lines, top to bottom, left to right."""
    rows: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: (-s.rect[3], s.rect[0])):
        if rows and abs(rows[-1][0].rect[3] - seg.rect[3]) < 0.5 * (seg.rect[3] - seg.rect[1]):
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return ["   ".join(s.text for s in sorted(row, key=lambda s: s.rect[0])) for row in rows]


def read_regions(image: np.ndarray) -> Understood:
    """Read regions of an upright page image until they decide it."""
    height = image.shape[0]
    parts: list[list[str]] = [[], [], []]  # header, middle, foot: in reading order
    seen = understand([])
    for slot, (top, bottom) in zip((0, 2, 1), REGIONS, strict=True):
        parts[slot] = ocr_lines(image[int(top * height) : int(bottom * height)])
        seen = understand([line for part in parts for line in part])
        if seen.decided():
            break
    return seen


def _record(index: int, seen: Understood) -> PageRecord:
    return PageRecord(
        page=index + 1,
        type=(seen.type or RecordType.OTHER).value,
        dates=seen.dates,
        company=seen.company,
        people=seen.people,
        roster=seen.roster,
    )


def _render(doc: PdfDoc, index: int, settings: Settings) -> np.ndarray:
    """The page at ``RECORD_DPI``, or smaller where a page is drawn absurdly large."""
    check_pixels(doc, index, settings)
    width, height = doc.size(index)
    scale = min(RECORD_DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
    page = doc.pdfium[index]
    try:
        bitmap = page.render(scale=scale, grayscale=True)
        return np.asarray(bitmap.to_pil().convert("L"))
    finally:
        page.close()


def read_records(
    doc: PdfDoc,
    pages: Sequence[int],
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
) -> list[PageRecord]:
    """Each of ``pages`` (0-based) classified, dated and its company and people read."""
    out: dict[int, PageRecord] = {}
    pending: dict[int, Future[Understood]] = {}
    threads = max(1, settings.ocr_threads)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for n, index in enumerate(pages, start=1):
            if doc.char_count(index) >= TEXT_CHARS:
                out[index] = _record(index, understand(text_lines(doc.segments(index))))
                doc.release(index)
            else:
                while len(pending) >= 2 * threads:  # bound the images held in memory
                    first = next(iter(pending))
                    out[first] = _record(first, pending.pop(first).result())
                pending[index] = pool.submit(read_regions, _render(doc, index, settings))
            if progress:
                progress(n, len(pages))
        for index, future in pending.items():
            out[index] = _record(index, future.result())
    return [out[i] for i in pages]

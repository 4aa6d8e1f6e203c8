"""Supporting pages read for what they are: cheap signals first, the whole page only if needed.

A page with a real text layer is read from it (free). Of an image page only the header band
is rendered at ``RECORD_DPI`` and only its first lines of print read (title, company, date,
who); most records are decided by them (``recordtext.Understood.decided``). The others are
rendered whole and read on: the foot (a policy's signature, a letter's closing), then the
middle, stopping as soon as the page is decided. Rendering stays on the calling thread (PDFium is not thread-safe);
tesseract runs on ``settings.ocr_threads`` threads, each with an engine of its own
(``ocr.engine``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import cv2
import numpy as np
import tesserocr
from PIL import Image

from ingest.extract.recordtext import Understood, understand
from ingest.extract.scanned import check_pixels
from ingest.ocr import engine
from ingest.pdfdoc import PdfDoc, Segment
from ingest.settings import Settings
from review.coverage import PageRecord, RecordType

RECORD_DPI = 150  # 10-point print is ~20 px high: enough for tesseract, a quarter of 300 dpi
MAX_PIXELS = 8_000_000  # a tabloid sheet at 150 dpi is 3.8 million; larger is drawn wrong
RULE_PX = 60  # ink this long in a straight line is a table's rule, not a letter
INK_CONTRAST = 90  # grey levels between paper and print; a scanner's grain splits at ~30
TEXT_CHARS = 40  # a text layer with fewer characters says nothing
#: Regions read in turn, as fractions of the page's height from the top.
HEADER, FOOT, MIDDLE = (0.0, 0.28), (0.78, 1.0), (0.28, 0.78)
HEADER_LINES = 6  # a record's title and its labelled lines (company, date, who) come first


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


def ocr_lines(image: np.ndarray, most: int | None = None) -> tuple[list[str], int]:
    """The lines tesseract reads in a region, top to bottom: all of them, or the ``most``
    first lines of print; with the height (pixels) of the part read."""
    clean = legible(image)
    if most is not None:
        clean = clean[: _lines_end(clean, most)]
    with engine(tesserocr.PSM.SINGLE_BLOCK) as api:
        api.SetImage(Image.fromarray(clean))
        text = api.GetUTF8Text()
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()], len(clean)


def _lines_end(clean: np.ndarray, most: int) -> int:
    """Where the ``most``-th line of print ends (a few pixels below it), else the bottom."""
    rows = np.r_[0, (clean < 128).sum(axis=1) > 1, 0].astype(np.int8)
    edges = np.flatnonzero(np.diff(rows))
    runs = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 4]
    return min(runs[most - 1][1] + 4, len(clean)) if len(runs) > most else len(clean)


def text_lines(segments: Sequence[Segment]) -> list[str]:
    """A text layer's runs put into lines, top to bottom, left to right."""
    rows: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: (-s.rect[3], s.rect[0])):
        if rows and abs(rows[-1][0].rect[3] - seg.rect[3]) < 0.5 * (seg.rect[3] - seg.rect[1]):
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return ["   ".join(s.text for s in sorted(row, key=lambda s: s.rect[0])) for row in rows]


def read_regions(image: np.ndarray, header: list[str], read_to: float) -> Understood:
    """Read the rest of an upright page, the foot then the middle, until the lines decide it;
    ``header``: the lines read already, down to ``read_to`` (a fraction of the height)."""
    height = image.shape[0]
    parts: list[list[str]] = [header, [], []]  # header, middle, foot: in reading order
    seen = understand(header)
    for slot, (top, bottom) in ((2, FOOT), (1, (read_to, MIDDLE[1]))):
        if seen.decided():
            break
        parts[slot] = ocr_lines(image[int(top * height) : int(bottom * height)])[0]
        seen = understand([line for part in parts for line in part])
    return seen


def _read_header(image: np.ndarray) -> tuple[list[str], float]:
    """The header's first lines of print, and how far down the page they reach."""
    lines, height = ocr_lines(image, HEADER_LINES)
    return lines, HEADER[0] + (HEADER[1] - HEADER[0]) * height / max(len(image), 1)


def _record(index: int, seen: Understood) -> PageRecord:
    return PageRecord(
        page=index + 1,
        type=(seen.type or RecordType.OTHER).value,
        dates=seen.dates,
        company=seen.company,
        people=seen.people,
        roster=seen.roster,
    )


def _render(
    doc: PdfDoc, index: int, settings: Settings, band: tuple[float, float] = (0, 1)
) -> np.ndarray:
    """The page (or the ``band`` of its height) at ``RECORD_DPI``, or smaller where a page is
    drawn absurdly large."""
    check_pixels(doc, index, settings)
    width, height = doc.size(index)
    scale = min(RECORD_DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
    page = doc.pdfium[index]
    try:
        crop = (0, height * (1 - band[1]), 0, height * band[0])  # left, bottom, right, top
        bitmap = page.render(scale=scale, grayscale=True, crop=crop)
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
    headers: dict[int, tuple[list[str], float]] = {}
    threads = max(1, settings.ocr_threads)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        first = _Batch(pool, 2 * threads)  # bounds the images held in memory
        for n, index in enumerate(pages, start=1):
            if doc.char_count(index) >= TEXT_CHARS:
                out[index] = _record(index, understand(text_lines(doc.segments(index))))
                doc.release(index)
            else:
                image = _render(doc, index, settings, HEADER)
                first.add(index, _read_header, image)
            if progress:
                progress(n, len(pages))
        for index, (lines, read_to) in first.results():
            seen = understand(lines)
            if seen.decided():
                out[index] = _record(index, seen)
            else:
                headers[index] = (lines, read_to)
        rest = _Batch(pool, 2 * threads)
        for index, (lines, read_to) in headers.items():
            rest.add(index, read_regions, _render(doc, index, settings), lines, read_to)
        out.update((index, _record(index, seen)) for index, seen in rest.results())
    return [out[i] for i in pages]


class _Batch:
    """Work on a pool with at most ``limit`` pages in flight; results in the order added."""

    def __init__(self, pool: ThreadPoolExecutor, limit: int) -> None:
        self.pool, self.limit = pool, limit
        self.pending: dict[int, Future[Any]] = {}
        self.done: list[tuple[int, Any]] = []

    def add(self, index: int, fn: Callable[..., Any], *args: Any) -> None:
        while len(self.pending) >= self.limit:
            first = next(iter(self.pending))
            self.done.append((first, self.pending.pop(first).result()))
        self.pending[index] = self.pool.submit(fn, *args)

    def results(self) -> list[tuple[int, Any]]:
        self.done += [(index, f.result()) for index, f in self.pending.items()]
        self.pending = {}
        return self.done

"""Tesseract on many small boxes at once: crops are stacked into one strip per call.

Tesseract runs in-process through tesserocr's API (no process launch per call), and one
call reads a whole strip of boxes: that is what makes reading the boxes faster than
reading the whole page.
"""

from __future__ import annotations

import contextlib
import glob
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import tesserocr
from PIL import Image

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # two single-thread processes beat one with two

GAP = 48  # white pixels between stacked crops
SPECK_AREA = 12  # pixels at 300 dpi: dust is smaller, the point of "2.5" (~17 px) is larger
DIGITS = "0123456789./"
#: Ink heights (pixels) at which checked boxes are read again: a glyph that one size turns
#: into another digit ("1" as "4") reads right at the others.
CHECK_HEIGHTS = (20, 32)
_idle: dict[tuple[int, bool], list[tesserocr.PyTessBaseAPI]] = {}  # engines no one is using
_lock = threading.Lock()


@dataclass(frozen=True)
class Read:
    text: str
    confidence: float  # 0-1; 0 where nothing was read


def tessdata_dir() -> str:
    """Debian's English model (tesseract-ocr-eng), or TESSDATA_PREFIX where set."""
    if os.environ.get("TESSDATA_PREFIX"):
        return os.environ["TESSDATA_PREFIX"]
    found = sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata/eng.traineddata"))
    if not found:
        raise RuntimeError("tesseract's English data is missing: apt-get install tesseract-ocr-eng")
    return os.path.dirname(found[-1]) + "/"


def _new_engine(psm: int, digits: bool) -> tesserocr.PyTessBaseAPI:
    api = tesserocr.PyTessBaseAPI(
        path=tessdata_dir(), lang="eng", psm=psm, oem=tesserocr.OEM.LSTM_ONLY
    )
    if digits:
        api.SetVariable("tessedit_char_whitelist", DIGITS)
    return api


@contextlib.contextmanager
def engine(psm: int, digits: bool = False) -> Iterator[tesserocr.PyTessBaseAPI]:
    """A tesseract engine of this kind for one thread at a time, kept for the next caller
    (loading the model costs more than reading a box); threads reading at once get engines
    of their own, and tesserocr lets go of the GIL while it recognises."""
    key = (psm, digits)
    with _lock:
        idle = _idle.setdefault(key, [])
        api = idle.pop() if idle else None
    if api is None:
        api = _new_engine(psm, digits)
    try:
        yield api
    finally:
        api.Clear()
        with _lock:
            _idle[key].append(api)


def _words(
    image: np.ndarray, psm: int, digits: bool
) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    """(text, confidence 0-100, box) of each word, in tesseract's reading order."""
    with engine(psm, digits) as api:
        api.SetImage(Image.fromarray(image))
        api.Recognize()
        out = []
        iterator = api.GetIterator()
        level = tesserocr.RIL.WORD
        try:
            for word in tesserocr.iterate_level(iterator, level) if iterator else ():
                text = word.GetUTF8Text(level)
                box = word.BoundingBox(level)
                if text and text.strip() and box:
                    out.append((text.strip(), word.Confidence(level), box))
        except RuntimeError:  # "No text returned": the image held no words
            pass
    return out


def clean(crop: np.ndarray) -> np.ndarray:
    """Binarise (Otsu), drop box borders (rows or columns that are mostly ink), despeckle."""
    if crop.size == 0:
        return np.full((8, 8), 255, np.uint8)
    _, bw = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if (bw < 128).mean() < 0.002:  # Otsu on a blank box splits the noise: keep it blank
        return np.full_like(crop, 255)
    dark = bw < 128
    bw[dark.mean(axis=1) > 0.6, :] = 255
    bw[:, dark.mean(axis=0) > 0.6] = 255
    bw = cv2.medianBlur(bw, 3)
    # Specks of scanner dust: ink blobs far smaller than any stroke of a glyph.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(  # type: ignore[call-overload]
        (bw < 128).astype(np.uint8), 8
    )
    specks = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] < SPECK_AREA]
    if specks:
        bw[np.isin(labels, specks)] = 255
    return bw


def _pad(
    crop: np.ndarray, pad: int = 16, scale: float = 1.0, height: int | None = None
) -> np.ndarray:
    """Clean at full resolution, then shrink (area averaging keeps the strokes' edges): by
    ``scale``, or so that the ink stands ``height`` pixels tall."""
    cleaned = clean(crop)
    if height is not None:
        rows = np.where((cleaned < 128).any(axis=1))[0]
        if rows.size:
            scale = min(max(height / (rows[-1] - rows[0] + 1), 0.25), 2.0)
    if scale != 1.0:
        cleaned = cv2.resize(
            cleaned,
            (max(int(cleaned.shape[1] * scale), 1), max(int(cleaned.shape[0] * scale), 1)),
            interpolation=cv2.INTER_AREA,
        )
    return np.pad(cleaned, pad, constant_values=255)


def read_one(crop: np.ndarray, digits: bool = False, scale: float = 1.0) -> Read:
    """A single box as a single line (psm 7), used only to retry."""
    words = _words(_pad(crop, scale=scale), tesserocr.PSM.SINGLE_LINE, digits)
    if not words:
        return Read("", 0.0)
    return Read(" ".join(w for w, _, _ in words), max(0.0, min(c for _, c, _ in words) / 100))


def read_boxes(
    crops: list[np.ndarray],
    digits: bool = False,
    retry_below: float = 0.9,
    scale: float = 1.0,
    check: bool = False,
) -> list[Read]:
    """Read all crops in one strip, then read again alone the few that came back empty or
    unsure (at ``scale`` and at full size). With ``check`` every box is also read in two more
    strips with the ink sized to CHECK_HEIGHTS, and two reads that agree outvote the third: at
    one size a sure "1" can come out a sure "4". Among retries, two that agree outvote the
    others; otherwise the surest wins."""
    reads = read_strip(crops, digits=digits, scale=scale)
    others = (
        list(zip(*(read_strip(crops, digits=digits, height=h) for h in CHECK_HEIGHTS)))
        if check
        else [()] * len(crops)
    )
    for i, (crop, read) in enumerate(zip(crops, reads)):
        if check:
            votes = Counter(t.text for t in (read, *others[i]) if t.text)
            top = votes.most_common(1)
            if top and top[0][1] >= 2 and top[0][0] != read.text:
                read = reads[i] = max(
                    (t for t in others[i] if t.text == top[0][0]), key=lambda t: t.confidence
                )
        if read.confidence < retry_below:
            tries = [
                read,
                read_one(crop, digits=digits, scale=scale),
                read_strip([crop], digits=digits, scale=scale)[0],
            ]
            if scale != 1.0:  # the other size too: a "0" lost at one size reads at the other
                tries.append(read_one(crop, digits=digits))
            votes = Counter(t.text for t in tries if t.text)
            agreed = [text for text, n in votes.items() if n >= 2]
            pool = [t for t in tries if t.text in agreed] if agreed else tries
            reads[i] = max(pool, key=lambda t: t.confidence)
    return reads


def read_strip(
    crops: list[np.ndarray], digits: bool = False, scale: float = 1.0, height: int | None = None
) -> list[Read]:
    """OCR each crop (grayscale uint8) and return one Read per crop, in order.

    ``scale`` < 1 shrinks text crops first: tesseract's time grows with the pixels, and
    10-point text is still well resolved at ~210 dpi. ``height`` sizes each crop by its ink."""
    if not crops:
        return []
    padded = [_pad(c, scale=scale, height=height) for c in crops]
    width = max(c.shape[1] for c in padded)
    rows, spans, y = [], [], 0
    for c in padded:
        canvas = np.full((c.shape[0], width), 255, np.uint8)
        canvas[:, : c.shape[1]] = c
        rows += [canvas, np.full((GAP, width), 255, np.uint8)]
        spans.append((y, y + c.shape[0]))
        y += c.shape[0] + GAP
    strip = np.vstack(rows)
    words: list[list[tuple[str, float]]] = [[] for _ in crops]
    for text, conf, (_x0, y0, _x1, y1) in _words(strip, tesserocr.PSM.SINGLE_BLOCK, digits):
        center = (y0 + y1) / 2
        for i, (top, bottom) in enumerate(spans):
            if top - GAP / 2 <= center < bottom + GAP / 2:
                words[i].append((text, float(conf)))
                break
    out = []
    for ws in words:
        text = " ".join(w[0] for w in ws)
        conf = min((w[1] for w in ws), default=0.0) / 100
        out.append(Read(text, max(0.0, conf)))
    return out


def read_lines(crop: np.ndarray) -> list[str]:
    """The lines of text in a block (a box of a chart), top to bottom (psm 6)."""
    words = _words(_pad(crop), tesserocr.PSM.SINGLE_BLOCK, False)
    lines: list[list[tuple[int, str]]] = []
    last_mid = None
    for text, _, (x0, y0, _x1, y1) in sorted(words, key=lambda w: (w[2][1], w[2][0])):
        mid = (y0 + y1) / 2
        if last_mid is None or abs(mid - last_mid) > (y1 - y0) * 0.6:
            lines.append([])
        lines[-1].append((x0, text))
        last_mid = mid
    return [" ".join(t for _, t in sorted(line)) for line in lines]


_EDGE_NOISE = "'\"`‘’“”|¦—–_~-:;,."


def clean_text(text: str) -> str:
    """OCR'd writing without the marks a box's border or a speck leaves: lone symbols ("—",
    "|") and stray quotes or bars at either end ("'Schedule out of date", "signed |")."""
    words = [w for w in text.split() if any(ch.isalnum() for ch in w)]
    if not words:
        return ""
    words[0] = words[0].lstrip(_EDGE_NOISE) or words[0]
    last = words[-1].rstrip(_EDGE_NOISE.replace(".", ""))
    words[-1] = last or words[-1]
    return " ".join(words)

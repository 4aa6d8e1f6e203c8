"""Flattened forms: the values are printed but the fields are gone.

Each submitted page is matched to a page of the blank form by its printed text; text runs
printed on both pages anchor a fit (scale and offset) so that a page re-printed by another
tool still lines up; then the words inside each field's box are the answer, and a checkbox
is ticked when its box holds more ink than on the blank form.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from ingest.blanks import BlankForm, ink
from ingest.extract.reading import Reading
from ingest.pdfdoc import PdfDoc, Segment
from review.answers import ExtractedAnswer
from review.protocol import FieldRef, ProtocolVersion

Fit = tuple[float, float, float, float]  # ax, bx, ay, by
IDENTITY: Fit = (1.0, 0.0, 1.0, 0.0)
TICK_INK = 0.06


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _signature(segments: list[Segment]) -> set[str]:
    return {_norm(s.text) for s in segments if len(s.text) > 2}


def map_pages(doc: PdfDoc, blank: BlankForm, candidates: list[int]) -> dict[int, int]:
    """Blank page number (1-based) -> uploaded page index (0-based), by printed text."""
    sigs = {i: _signature(doc.segments(i)) for i in candidates}
    pairs = []
    for page in range(1, blank.version.page_count + 1):
        ref = _signature(blank.segments(page))
        for i, sig in sigs.items():
            union = ref | sig
            if union:
                pairs.append((len(ref & sig) / len(union), page, i))
    mapping: dict[int, int] = {}
    used: set[int] = set()
    for similarity, page, i in sorted(pairs, reverse=True):
        if similarity >= 0.3 and page not in mapping and i not in used:
            mapping[page] = i
            used.add(i)
    return mapping


def fit(found: list[Segment], reference: list[Segment]) -> Fit:
    """Least-squares scale and offset from text runs printed once on both pages."""
    a = Counter(_norm(s.text) for s in found)
    b = Counter(_norm(s.text) for s in reference)
    ref_at = {_norm(s.text): s.rect for s in reference}
    pairs = [
        (ref_at[_norm(s.text)], s.rect)
        for s in found
        if a[_norm(s.text)] == 1 and b.get(_norm(s.text)) == 1 and len(s.text) > 3
    ]
    if len(pairs) < 3:
        return IDENTITY
    src = np.array([[r[0], r[1]] for r, _ in pairs])
    dst = np.array([[r[0], r[1]] for _, r in pairs])
    if np.ptp(src[:, 0]) < 10 or np.ptp(src[:, 1]) < 10:
        return IDENTITY
    ax, bx = np.polyfit(src[:, 0], dst[:, 0], 1)
    ay, by = np.polyfit(src[:, 1], dst[:, 1], 1)
    return float(ax), float(bx), float(ay), float(by)


def apply(f: Fit, rect: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    ax, bx, ay, by = f
    x0, y0, x1, y1 = ax * rect[0] + bx, ay * rect[1] + by, ax * rect[2] + bx, ay * rect[3] + by
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class _Page:
    def __init__(self, doc: PdfDoc, blank: BlankForm, page: int, index: int) -> None:
        self.doc, self.blank, self.page, self.index = doc, blank, page, index
        self.fit = fit(doc.segments(index), blank.segments(page))

    def text(self, ref: FieldRef) -> str:
        rect = apply(self.fit, ref.rect)
        found = " ".join(self.doc.text_in(self.index, rect).split())
        printed = " ".join(self.blank.text_in(self.page, ref.rect).split())
        if printed and found.startswith(printed):  # text the blank form prints in the box
            found = found[len(printed) :].strip()
        return found

    def ticked(self, ref: FieldRef) -> tuple[bool, float]:
        mine = ink(self.doc.pdfium, self.index, apply(self.fit, ref.rect))
        base = self.blank.ink(self.page, ref.rect)
        extra = mine - base
        confidence = min(1.0, 0.6 + abs(extra - TICK_INK) * 4)
        return extra > TICK_INK, confidence


def read_text_layer(
    doc: PdfDoc, version: ProtocolVersion, blank: BlankForm, candidates: list[int]
) -> Reading:
    mapping = map_pages(doc, blank, candidates)
    pages = {p: _Page(doc, blank, p, i) for p, i in mapping.items()}
    answers = []
    for q in version.questions:
        page = pages.get(q.awarded.page)
        if page is None:
            answers.append(ExtractedAnswer.read(q.id, "", False, "", "text", 0.0))
            continue
        raw = page.text(q.awarded)
        na, na_conf = page.ticked(q.na) if q.na else (False, 1.0)
        # one "Notes:" area may serve sub-questions on the page before it
        notes_page = pages.get(q.notes.page) if q.notes else None
        notes = notes_page.text(q.notes) if q.notes and notes_page else ""
        confidence = min(na_conf, 0.99 if raw or na else 0.95)
        answers.append(
            ExtractedAnswer.read(
                q.id,
                raw,
                na,
                notes,
                "text",
                confidence,
                page.index + 1,
                apply(page.fit, q.awarded.rect),
            )
        )
    summary: dict[str, dict[str, str]] = {}
    rows = {e.key: e.summary for e in version.elements if e.summary}
    if version.overall:
        rows["overall"] = version.overall
    for key, refs in rows.items():
        values = {k: pages[r.page].text(r) for k, r in refs.items() if r.page in pages}
        if values:
            summary[key] = values
    cover = {
        role: pages[ref.page].text(ref)
        for role, ref in version.cover.items()
        if ref.page in pages and ref.kind == "text"
    }
    return Reading("text", answers, summary, cover, {p: i + 1 for p, i in mapping.items()})

"""Fillable forms: the answers are AcroForm field values (pypdf), read by field name.

Values count even where a filler wrote no appearance stream. Where another tool renamed the
fields, a widget sitting where the catalogue's field sits on the same page is taken instead.
"""

from __future__ import annotations

from typing import Any

from ingest.extract.reading import Reading
from ingest.formimport import Widget, read_widgets
from ingest.pdfdoc import PdfDoc
from review.answers import ExtractedAnswer
from review.protocol import FieldRef, ProtocolVersion

_OFF = {None, "", "/Off", "Off", "/off", "/0"}


def _value(field: Any) -> Any:
    if field is None:
        return None
    value = field.get("/V")
    if value is None:
        value = field.get("/AS")
    return value


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


class _Fields:
    """The document's fields; widget positions are read only if names went missing."""

    def __init__(self, doc: PdfDoc) -> None:
        self.doc = doc
        self.fields = doc.fields()
        self._widgets: list[Widget] | None = None

    @property
    def widgets(self) -> list[Widget]:
        if self._widgets is None:
            reader = self.doc.reader
            self._widgets = read_widgets(reader) if reader is not None else []
        return self._widgets

    def find(self, ref: FieldRef) -> tuple[str | None, Widget | None]:
        if ref.name in self.fields:  # the official form's own field: its place is the catalogue's
            return ref.name, None
        widget = next((w for w in self.widgets if w.name == ref.name), None)
        if widget is None:  # renamed by another tool: the widget in the same place
            same_page = [w for w in self.widgets if w.page == ref.page and w.kind == ref.kind]
            scored = sorted(
                ((_overlap(ref.rect, w.rect), w) for w in same_page), key=lambda t: -t[0]
            )
            if scored and scored[0][0] > 0.6:
                widget = scored[0][1]
        name = widget.name if widget else (ref.name if ref.name in self.fields else None)
        return name, widget

    def text(self, ref: FieldRef | None) -> str:
        if ref is None:
            return ""
        name, _ = self.find(ref)
        value = _value(self.fields.get(name)) if name else None
        return "" if value is None else str(value)

    def checked(self, ref: FieldRef | None) -> bool:
        if ref is None:
            return False
        name, widget = self.find(ref)
        value = _value(self.fields.get(name)) if name else None
        return str(value) not in {str(v) for v in _OFF} if value is not None else False


def read_acroform(doc: PdfDoc, version: ProtocolVersion, f: _Fields | None = None) -> Reading:
    f = f or _Fields(doc)
    answers = []
    for q in version.questions:
        _, widget = f.find(q.awarded)
        page = widget.page if widget else q.awarded.page
        rect = widget.rect if widget else q.awarded.rect
        answers.append(
            ExtractedAnswer.read(
                q.id,
                f.text(q.awarded),
                f.checked(q.na),
                f.text(q.notes),
                "acroform",
                1.0 if widget or q.awarded.name in f.fields else 0.5,
                page,
                rect,
            )
        )
    # (page, rect) come from the catalogue when the field kept its official name.
    summary = {
        e.key: {k: f.text(ref) for k, ref in e.summary.items()}
        for e in version.elements
        if e.summary
    }
    if version.overall:
        summary["overall"] = {k: f.text(ref) for k, ref in version.overall.items()}
    cover = {
        role: (str(f.checked(ref)) if ref.kind == "checkbox" else f.text(ref))
        for role, ref in version.cover.items()
    }
    return Reading(
        "acroform", answers, summary, cover, {p: p for p in range(1, version.page_count + 1)}
    )


def fillable_reading(doc: PdfDoc, version: ProtocolVersion) -> Reading | None:
    """The answers from the form's fields, or None when the version's fields are not there."""
    f = _Fields(doc)
    if not f.fields:
        return None
    found = sum(1 for q in version.questions if f.find(q.awarded)[0] is not None)
    if found < len(version.questions) // 2:
        return None
    return read_acroform(doc, version, f)

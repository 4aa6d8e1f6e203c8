"""Build a protocol version from an official blank fillable form, with no code change.

The form itself is the only truth: question ids, text, method and points are read from the
printed page; the field layout from the AcroForm widgets; each widget is assigned to the
printed row it sits in. Summary rows are matched to their printed column headers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf

from ingest.errors import ErrorCode, IngestError
from review.points import Allowed, parse_notation
from review.protocol import DRAFT, Element, FieldRef, ProtocolVersion, Question

_QID = re.compile(r"^\d{1,2}\.\d{1,2}$")
_METHOD = re.compile(r"^[DIO](?:[/,][DIO])*$")
_FORM_NUMBER = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})*-(\d{4})(?:\s+Rev\s*\d+)?\b")
_EFFECTIVE = re.compile(
    r"(?:Effective|Revised|Revision\s+date|Rev\.?)\s*:?\s*"
    r"(\d{4}-\d{2}-\d{2}|\d{8}|[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4})"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_ELEMENT = re.compile(r"^element\s+(\d+)\s*[:\-–]?\s*(.*)$", re.I)
_SUMMARY_COLUMNS = {
    "awarded": "awarded",
    "score": "awarded",
    "available": "available",
    "percent": "percent",
    "(%)": "percent",
}
_COVER_ROLES = [
    ("company", re.compile(r"company", re.I)),
    ("audit_number", re.compile(r"audit\s*(number|no|#)", re.I)),
    ("employees", re.compile(r"employees", re.I)),
    ("start_date", re.compile(r"start\s*date|startdate", re.I)),
    ("end_date", re.compile(r"end\s*date|enddate", re.I)),
    ("wcb", re.compile(r"wcb", re.I)),
    ("declaration_date", re.compile(r"declaration\s*date|signdate|^date", re.I)),
    ("type_certification", re.compile(r"type.*\bcertification|type_certification", re.I)),
    ("type_maintenance", re.compile(r"maintenance", re.I)),
    ("type_recertification", re.compile(r"recertification", re.I)),
    ("assessor", re.compile(r"assessor|auditor|signname", re.I)),
]
_SMALL_WORDS = {"and", "of", "the", "for", "to", "in", "on"}


@dataclass
class Widget:
    name: str
    page: int
    rect: tuple[float, float, float, float]
    kind: str
    tooltip: str
    top: float  # distance from the top of the page, as pdfplumber measures
    bottom: float

    @property
    def center(self) -> float:
        return (self.top + self.bottom) / 2

    def ref(self) -> FieldRef:
        return FieldRef(self.name, self.page, self.rect, self.kind)


def _ancestry(annot: Any, limit: int = 32) -> list[Any]:
    """The widget and its parent fields, bounded (a damaged file may loop)."""
    chain: list[Any] = []
    node = annot
    while node is not None and hasattr(node, "get") and len(chain) < limit:
        chain.append(node)
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return chain


def _full_name(annot: Any) -> str:
    return ".".join(reversed([str(n["/T"]) for n in _ancestry(annot) if "/T" in n]))


def _field_type(annot: Any) -> str | None:
    return next((str(n["/FT"]) for n in _ancestry(annot) if "/FT" in n), None)


def read_widgets(reader: pypdf.PdfReader) -> list[Widget]:
    """Every text field and checkbox widget with its page and rectangle."""
    out = []
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)
        try:
            annots = list(page.get("/Annots") or [])
        except (AttributeError, TypeError, ValueError, pypdf.errors.PyPdfError):
            continue  # a damaged annotation array: this page has no readable fields
        for ref in annots:
            widget = _widget(ref, number, height)
            if widget is not None:
                out.append(widget)
    return out


def _widget(ref: Any, number: int, height: float) -> Widget | None:
    """One widget annotation, or None where it is not a usable text field or checkbox."""
    try:
        annot = ref.get_object()
        if not hasattr(annot, "get") or annot.get("/Subtype") != "/Widget":
            return None
        ftype = _field_type(annot)
        if ftype not in ("/Tx", "/Btn"):
            return None
        x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        return Widget(
            _full_name(annot),
            number,
            (x0, y0, x1, y1),
            "text" if ftype == "/Tx" else "checkbox",
            str(annot.get("/TU", "")),
            height - y1,
            height - y0,
        )
    except (AttributeError, KeyError, TypeError, ValueError, pypdf.errors.PyPdfError):
        return None


def _lines(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) < 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _title(name: str) -> str:
    name = name.strip(" -:|")
    if name.isupper():
        words = name.lower().split()
        name = " ".join(
            w if (i and w in _SMALL_WORDS) else w.capitalize() for i, w in enumerate(words)
        )
    return name


def _element_names(lines_by_page: dict[int, list[list[dict[str, Any]]]]) -> dict[int, str]:
    names: dict[int, str] = {}
    for lines in lines_by_page.values():
        for line in lines:
            m = _ELEMENT.match(" ".join(w["text"] for w in line))
            if m and m.group(2):
                rest = re.split(r"\s+\d+\s+questions|\s+maximum\s+\d+", m.group(2), flags=re.I)[0]
                names.setdefault(int(m.group(1)), _title(rest))
    return names


def _questions_on_page(
    page: int, width: float, lines: list[list[dict[str, Any]]], widgets: list[Widget]
) -> list[Question]:
    starts = [
        line[0] for line in lines if _QID.match(line[0]["text"]) and line[0]["x0"] < width * 0.2
    ]
    bounds = [
        line[0]["top"] for line in lines if _ELEMENT.match(" ".join(w["text"] for w in line))
    ] + [1e9]
    out = []
    for i, qword in enumerate(starts):
        nxt = starts[i + 1]["top"] if i + 1 < len(starts) else 1e9
        end = min([nxt] + [b for b in bounds if b > qword["top"]])
        row = [w for w in widgets if qword["top"] - 6 <= w.center < end]
        texts = sorted((w for w in row if w.kind == "text"), key=lambda w: w.rect[2] - w.rect[0])
        if not texts:
            continue
        awarded = texts[0]
        notes = texts[-1] if len(texts) > 1 else None
        end = min(end, max(w.bottom for w in row) + 14)  # never run into a footer
        na = next((w for w in row if w.kind == "checkbox"), None)
        line = next(ln for ln in lines if ln[0] is qword)
        found = _points_cell(line, awarded.rect[0] + 1)
        if found is None:
            raise IngestError(
                ErrorCode.EXTRACTION_FAILED,
                f"Question {qword['text']} has no printed points available.",
            )
        points, allowed = found
        methods = [w for w in line if _METHOD.match(w["text"]) and w["x1"] <= points["x0"]]
        method = methods[-1] if methods else None
        right_edge = (method or points)["x0"] - 1
        text_words = [
            w
            for ln in lines
            if qword["top"] - 2 <= ln[0]["top"] < end
            for w in ln
            if w["x0"] > qword["x1"] and w["x1"] <= right_edge
        ]
        out.append(
            Question(
                id=qword["text"],
                element=int(qword["text"].split(".")[0]),
                text=" ".join(w["text"] for w in text_words),
                method=method["text"] if method else None,
                available=allowed.maximum,
                allowed=allowed.values,
                na_allowed=na is not None,
                awarded=awarded.ref(),
                notes=notes.ref() if notes else None,
                na=na.ref() if na else None,
            )
        )
    return out


def _points_cell(line: list[dict[str, Any]], right: float) -> tuple[dict[str, Any], Allowed] | None:
    """The points printed left of the awarded box: "5", "(0 - 3)", "(0 or 2)", "0/2/4",
    "Max 5". Returns the cell's first word (its left edge bounds the method column) and what
    it allows; the longest run of words ending at the box that reads as points wins."""
    before = [w for w in line if w["x1"] <= right]
    best = None
    for start in range(len(before) - 1, max(len(before) - 6, 0) - 1, -1):
        run = before[start:]
        if run[0]["text"] in ("-", "or", "/", ","):
            continue
        allowed = parse_notation(" ".join(w["text"] for w in run))
        if allowed is not None:
            best = (run[0], allowed)
    return best


def _summary_rows(
    lines: list[list[dict[str, Any]]], width: float, widgets: list[Widget]
) -> dict[str, dict[str, FieldRef]]:
    """Map summary widgets to element numbers (or 'overall') and their column.

    The header is the line of column titles nearest above the first row that has summary
    widgets: instructions above the table ("add the points awarded and the points available")
    name the same words in another order and must not be taken for it.
    """
    text_widgets = [w for w in widgets if w.kind == "text"]
    candidates = [
        ln
        for ln in lines
        if len(
            {
                _SUMMARY_COLUMNS[w["text"].lower()]
                for w in ln
                if w["text"].lower() in _SUMMARY_COLUMNS
            }
        )
        >= 2
    ]
    first_row = min((w.top for w in text_widgets), default=None)
    above = [ln for ln in candidates if first_row is None or ln[0]["bottom"] <= first_row + 2]
    header = max(above, key=lambda ln: ln[0]["top"], default=None)
    if header is None:
        return {}
    columns = [
        ((w["x0"] + w["x1"]) / 2, _SUMMARY_COLUMNS[w["text"].lower()])
        for w in header
        if w["text"].lower() in _SUMMARY_COLUMNS
    ]
    rows: dict[str, dict[str, FieldRef]] = {}
    for line in lines:
        first = line[0]
        if first["top"] <= header[0]["top"]:
            continue
        if first["text"].isdigit() and first["x0"] < width * 0.2:
            key = first["text"]
        elif first["text"].lower() in ("overall", "total") or (
            len(line) == 1 and line[0]["text"].lower() in ("overall", "total")
        ):
            key = "overall"
        else:
            continue
        center = (first["top"] + first["bottom"]) / 2
        for w in widgets:
            if w.kind == "text" and abs(w.center - center) < 8:
                wx = (w.rect[0] + w.rect[2]) / 2
                col = min(columns, key=lambda c: abs(c[0] - wx))[1]
                rows.setdefault(key, {})[col] = w.ref()
    return rows


def _cover(widgets: list[Widget], used: set[str]) -> dict[str, FieldRef]:
    cover: dict[str, FieldRef] = {}
    for w in widgets:
        if w.name in used:
            continue
        label = f"{w.tooltip} {w.name}"
        for role, pattern in _COVER_ROLES:
            if role not in cover and pattern.search(label):
                cover[role] = w.ref()
                break
    return cover


def _printed_date(text: str) -> str | None:
    """The effective or revision date printed on the form, as ISO: "Effective 2026-01-10",
    "Revised 20260110", "Revised: January 10, 2026", "Rev. 10 Jan 2026"."""
    for match in _EFFECTIVE.finditer(text):
        raw = match.group(1)
        try:
            if re.fullmatch(r"\d{8}", raw):
                return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                return dt.date.fromisoformat(raw).isoformat()
            words = re.findall(r"[A-Za-z]+|\d+", raw)
            month = next(_MONTHS[w[:3].lower()] for w in words if w.isalpha())
            numbers = [int(w) for w in words if w.isdigit()]
            day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
            return dt.date(year, month, day).isoformat()
        except (ValueError, StopIteration, KeyError, IndexError):
            continue
    return None


def _identity(reader: pypdf.PdfReader, first_text: str) -> tuple[str, str, str, str]:
    meta: Any = reader.metadata or {}
    subject = str(meta.get("/Subject") or "")
    m = _FORM_NUMBER.search(first_text) or _FORM_NUMBER.search(subject)
    if not m:
        raise IngestError(
            ErrorCode.EXTRACTION_FAILED,
            "No form number (like SECOR-AP-2025) is printed on the first page.",
        )
    form_number = re.sub(r"\s+", " ", m.group(0))
    effective = _printed_date(first_text) or f"{m.group(1)}-01-01"
    title = str(meta.get("/Title") or first_text.splitlines()[0]).strip()
    return m.group(1), form_number, title, effective


def import_blank_form(path: Path) -> ProtocolVersion:
    """Read an official blank form and return its protocol version as data."""
    try:
        reader = pypdf.PdfReader(str(path))
        widgets = read_widgets(reader)
        pdf = pdfplumber.open(str(path))
    except (pypdf.errors.PdfReadError, OSError) as e:
        raise IngestError(ErrorCode.CORRUPT, "The blank form cannot be read.") from e
    if not widgets:
        raise IngestError(ErrorCode.EXTRACTION_FAILED, "The form has no fillable fields.")
    with pdf:
        sizes = tuple((float(p.width), float(p.height)) for p in pdf.pages)
        lines_by_page = {
            i: _lines(p.extract_words(keep_blank_chars=False))
            for i, p in enumerate(pdf.pages, start=1)
        }
        first_text = pdf.pages[0].extract_text() or ""
    version, form_number, title, effective = _identity(reader, first_text)
    names = _element_names(lines_by_page)
    questions: list[Question] = []
    summary: dict[str, dict[str, FieldRef]] = {}
    for page, lines in lines_by_page.items():
        on_page = [w for w in widgets if w.page == page]
        found = _questions_on_page(page, sizes[page - 1][0], lines, on_page)
        questions += found
        if not found:
            summary.update(_summary_rows(lines, sizes[page - 1][0], on_page))
    if not questions:
        raise IngestError(
            ErrorCode.EXTRACTION_FAILED, "No scored questions were found on the form."
        )
    elements = tuple(
        Element(
            number=n,
            name=names.get(n, f"Element {n}"),
            questions=tuple(q for q in questions if q.element == n),
            summary=summary.get(str(n), {}),
        )
        for n in sorted({q.element for q in questions})
    )
    used = {f.name for q in questions for f in (q.awarded, q.notes, q.na) if f}
    used |= {f.name for row in summary.values() for f in row.values()}
    return ProtocolVersion(
        version=version,
        form_number=form_number,
        title=title,
        effective=effective,
        elements=elements,
        page_count=len(sizes),
        page_sizes=sizes,
        markers=(form_number, f"Version {version}"),
        field_names=frozenset(w.name for w in widgets),
        overall=summary.get("overall", {}),
        cover=_cover(widgets, used),
        blank_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        blank_file=f"secor-protocol-{version}-blank.pdf",
        status=DRAFT,  # staff activate it; importing never changes what is current
    )


def save_version(version: ProtocolVersion, blank: Path, folder: Path) -> Path:
    """Write the version's JSON and a copy of its blank form into a catalogue folder."""
    import json

    (folder / "forms").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(blank, folder / "forms" / version.blank_file)
    target = folder / f"protocol-{version.version}.json"
    target.write_text(json.dumps(version.to_json(), indent=1) + "\n")
    return target

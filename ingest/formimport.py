"""Build a protocol version from an official blank fillable form, with no code change.

The form itself is the only truth: question ids, text, method and points are read from the
printed page; the field layout from the AcroForm widgets; each widget is assigned to the
printed row it sits in. Summary rows are matched to their printed column headers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf

from ingest.detect import STAMP
from ingest.errors import ErrorCode, IngestError
from review.points import Allowed, parse_notation
from review.protocol import (
    DRAFT,
    PROGRAM_PASS,
    Element,
    FieldRef,
    PassRule,
    ProtocolVersion,
    Question,
)

#: Question ids as printed: "1.3", "A1", "B12", "C1a" (a sub-question with its letter).
_QID = re.compile(r"^(?:\d{1,2}\.\d{1,2}|[A-Z]{1,2}\d{1,2})[a-z]?$")
#: A sub-question printed by its letter alone under a stem: "a)", "b."
_SUB = re.compile(r"^\(?([a-z])[).]$")
_METHOD = re.compile(r"^[DIO](?:[/,][DIO])*$")
_FORM_NUMBER = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})*-(\d{4})(?:\s+Rev\s*\d+)?\b")
_YEAR = re.compile(r"\b(20\d{2})\b")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
#: Element headings as forms print them: "Element 1: Name", "Element A - Name",
#: "Section A - Name", "Topic B: Name", "A. NAME". The label is what precedes the name.
_HEADINGS = (
    re.compile(r"^((?:element|section|topic)\s+(\d{1,2}|[A-Z]))\s*[:.\-–]\s*(.+)$", re.I),
    re.compile(r"^((\d{1,2}|[A-Z]))\.\s+([A-Z][A-Za-z,'&-]+\s.+)$"),
)
#: What a pass takes, where the form prints it.
_PASS_OVERALL = re.compile(r"at\s+least\s+(\d{1,3})\s*%\s+overall", re.I)
_PASS_ELEMENT = re.compile(
    r"at\s+least\s+(\d{1,3})\s*%\s+(?:in|for|on)\s+(?:every|each)\s+(?:element|section|topic)",
    re.I,
)
#: Column titles of the question table, by the role of the column (first match wins).
_COLUMN_ROLES = (
    ("awarded", re.compile(r"awarded|\bscore\b|scored|given", re.I)),
    ("points", re.compile(r"available|possible|points|value|\bmax", re.I)),
    ("na", re.compile(r"^n/?a$", re.I)),
    ("method", re.compile(r"method", re.I)),
    ("instructions", re.compile(r"instruction|guideline|what\s+to\s+review|verification", re.I)),
    ("notes", re.compile(r"note|evidence|comment", re.I)),
    ("id", re.compile(r"^(no\.?|#|id|item|ref\.?)$", re.I)),
    ("question", re.compile(r"question|criteri|requirement", re.I)),
)
SLACK = 6.0  # points a centred cell may start left of its column title
_SUMMARY_COLUMNS = {
    "awarded": "awarded",
    "score": "awarded",
    "available": "available",
    "possible": "available",
    "percent": "percent",
    "(%)": "percent",
    "%": "percent",
}
#: Cover fields by their printed label (or, failing that, the field's tooltip and name).
_COVER_ROLES = [
    ("company", re.compile(r"company", re.I)),
    ("audit_number", re.compile(r"audit\s*(number|no|#)", re.I)),
    ("employees", re.compile(r"employees", re.I)),
    ("last_audit_score", re.compile(r"last\s+audit\s+score", re.I)),
    ("last_audit_date", re.compile(r"last\s+audit\s+date", re.I)),
    ("start_date", re.compile(r"start\s*date|startdate", re.I)),
    ("end_date", re.compile(r"end\s*date|enddate", re.I)),
    ("audit_dates", re.compile(r"audit\s+date", re.I)),
    ("wcb", re.compile(r"wcb", re.I)),
    ("declaration_date", re.compile(r"declaration\s*date|signdate|^date", re.I)),
    ("type_certification", re.compile(r"type.*\bcertification|type_certification", re.I)),
    ("type_maintenance", re.compile(r"maintenance", re.I)),
    ("type_recertification", re.compile(r"recertification", re.I)),
    ("assessor", re.compile(r"assessor|auditor|signname", re.I)),
    ("declaration_name", re.compile(r"declaration.*name|signname", re.I)),
]
_SMALL_WORDS = {"and", "of", "the", "for", "to", "in", "on"}
Line = list[dict[str, Any]]


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


@dataclass(frozen=True)
class Heading:
    """An element heading where it is printed: its key ("1", "A"), label and name."""

    page: int
    top: float
    key: str
    label: str
    name: str


def _heading(line: Line, width: float) -> tuple[str, str, str] | None:
    if line[0]["x0"] > width * 0.3:
        return None
    text = " ".join(w["text"] for w in line)
    for pattern in _HEADINGS:
        m = pattern.match(text)
        if m:
            name = re.split(
                r"\s+\d+\s+questions|\s+maximum\s+\d+|\s+\(cont", m.group(3), flags=re.I
            )[0]
            label = m.group(1)
            return m.group(2).upper(), label[0].upper() + label[1:], _title(name)
    return None


@dataclass(frozen=True)
class Columns:
    """The question table's columns, from its printed titles: role -> left edge."""

    edges: tuple[tuple[str, float], ...]  # sorted by x

    def role_of(self, x: float) -> str | None:
        """The column ``x`` lies in; the first column reaches to the page's left edge (a
        centred "#" title over left-aligned ids)."""
        found = self.edges[0][0]
        for role, left in self.edges[1:]:
            if x >= left - SLACK:
                found = role
        return found

    def has(self, role: str) -> bool:
        return any(r == role for r, _ in self.edges)


def _cell_role(text: str) -> str | None:
    return next((role for role, pattern in _COLUMN_ROLES if pattern.search(text)), None)


def _header(lines: list[Line]) -> tuple[Columns, float, float] | None:
    """The question table's title row: its columns, and where it starts and ends.

    A title may run over two lines ("Points" above "available"), so the words of the lines
    around the best line are grouped into cells by horizontal overlap before they are named.
    """
    best, best_roles = None, 1
    for i, line in enumerate(lines):
        roles = {_cell_role(w["text"]) for w in line} - {None}
        if len(roles) > best_roles and ("question" in roles or "points" in roles):
            best, best_roles = i, len(roles)
    if best is None:
        return None
    top = lines[best][0]["top"]
    block = [w for ln in lines if abs(ln[0]["top"] - top) <= 10 for w in ln]
    cells: list[list[dict[str, Any]]] = []
    for w in sorted(block, key=lambda w: w["x0"]):
        if cells and w["x0"] <= max(c["x1"] for c in cells[-1]) + 4:
            cells[-1].append(w)
        else:
            cells.append([w])
    edges: list[tuple[str, float]] = []
    for cell in cells:
        text = " ".join(w["text"] for w in sorted(cell, key=lambda w: (round(w["top"]), w["x0"])))
        role = _cell_role(text)
        if role is not None and all(r != role for r, _ in edges):
            edges.append((role, min(w["x0"] for w in cell)))
    if len(edges) < 3 or not any(r in ("points", "awarded") for r, _ in edges):
        return None
    bottom = max(w["bottom"] for w in block)
    return Columns(tuple(sorted(edges, key=lambda e: e[1]))), top, bottom


@dataclass
class Row:
    """One printed question row: the id as printed and everything between it and the next."""

    page: int
    printed: str
    top: float
    end: float
    lines: list[Line]
    widgets: list[Widget]


def _row_starts(lines: list[Line], width: float, columns: Columns | None) -> list[Line]:
    def starts_row(line: Line) -> bool:
        first = line[0]
        if not (_QID.match(first["text"]) or _SUB.match(first["text"])):
            return False
        if columns is not None and columns.has("id"):
            return columns.role_of(first["x0"]) == "id"
        return first["x0"] < width * 0.2

    return [line for line in lines if starts_row(line)]


def _rows_on_page(
    page: int,
    width: float,
    lines: list[Line],
    widgets: list[Widget],
    columns: Columns | None,
    bounds: list[float],
) -> list[Row]:
    starts = _row_starts(lines, width, columns)
    rows = []
    for i, line in enumerate(starts):
        top = line[0]["top"]
        nxt = starts[i + 1][0]["top"] if i + 1 < len(starts) else 1e9
        end = min([nxt] + [b for b in bounds if b > top])
        mine = [w for w in widgets if top - 6 <= w.center < end]
        if nxt == 1e9 and mine:
            end = min(end, max(w.bottom for w in mine) + 14)  # never run into a footer
        elif nxt == 1e9:
            end = min(end, top + 40)
        rows.append(
            Row(
                page,
                line[0]["text"],
                top,
                end,
                [ln for ln in lines if top - 2 <= ln[0]["top"] < end],
                mine,
            )
        )
    return rows


def _printed_lines(row: Row) -> list[Line]:
    """The row's lines up to its "Notes:" area (the label is not part of the question)."""
    out = []
    for ln in row.lines:
        if ln[0]["text"].lower().rstrip(":") in ("notes", "note", "comments"):
            break
        out.append(ln)
    return out


def _words_in(row: Row, columns: Columns, role: str, first_id: dict[str, Any]) -> list[str]:
    return [
        w["text"]
        for ln in _printed_lines(row)
        for w in ln
        if w is not first_id and columns.role_of((w["x0"] + w["x1"]) / 2) == role
    ]


@dataclass
class Parsed:
    """What one row prints and which boxes are its own."""

    row: Row
    text: str
    instructions: str
    method: str | None
    allowed: Allowed | None
    awarded: Widget | None
    notes: Widget | None
    na: Widget | None


def _parse_row(row: Row, columns: Columns | None) -> Parsed:
    first_id = row.lines[0][0]
    texts = sorted(
        (w for w in row.widgets if w.kind == "text"), key=lambda w: w.rect[2] - w.rect[0]
    )
    na = next((w for w in row.widgets if w.kind == "checkbox"), None)
    if columns is None:
        return _parse_row_by_position(row, texts, na)
    in_awarded = [w for w in texts if columns.role_of((w.rect[0] + w.rect[2]) / 2) == "awarded"]
    awarded = in_awarded[0] if in_awarded else None
    rest = [w for w in texts if w is not awarded]
    notes = max(rest, key=lambda w: (w.rect[2] - w.rect[0]) * (w.rect[3] - w.rect[1]), default=None)
    points_words = _words_in(row, columns, "points", first_id)
    allowed = parse_notation(" ".join(points_words)) if points_words else None
    if allowed is None and awarded is not None:
        found = _points_cell(row.lines[0], awarded.rect[0] + 1)
        allowed = found[1] if found else None
    methods = [t for t in _words_in(row, columns, "method", first_id) if _METHOD.match(t)]
    question = _words_in(row, columns, "question", first_id)
    if not columns.has("id"):
        question = [t for t in question if t != first_id["text"]]
    return Parsed(
        row,
        " ".join(question),
        " ".join(_words_in(row, columns, "instructions", first_id)),
        methods[0] if methods else None,
        allowed,
        awarded,
        notes,
        na,
    )


def _parse_row_by_position(row: Row, texts: list[Widget], na: Widget | None) -> Parsed:
    """A table without column titles: the points sit left of the awarded box, the method left
    of the points, and the question between the id and the method."""
    qword = row.lines[0][0]
    awarded = texts[0] if texts else None
    notes = texts[-1] if len(texts) > 1 else None
    found = _points_cell(row.lines[0], awarded.rect[0] + 1) if awarded else None
    allowed = found[1] if found else None
    right_edge = 1e9
    method = None
    if found:
        methods = [
            w for w in row.lines[0] if _METHOD.match(w["text"]) and w["x1"] <= found[0]["x0"]
        ]
        method = methods[-1] if methods else None
        right_edge = (method or found[0])["x0"] - 1
    text = [
        w["text"] for ln in row.lines for w in ln if w["x0"] > qword["x1"] and w["x1"] <= right_edge
    ]
    return Parsed(
        row, " ".join(text), "", method["text"] if method else None, allowed, awarded, notes, na
    )


def _element_key(printed: str) -> str:
    """The element a question id names: "1" for 1.3, "C" for C1a."""
    if "." in printed:
        return printed.split(".")[0]
    letters = re.match(r"[A-Z]+", printed)
    return letters.group(0) if letters else printed


def _questions(parsed: list[Parsed], headings: list[Heading]) -> list[Question]:
    """Questions from the parsed rows in reading order: a row with no points of its own is
    the stem of the sub-questions under it; "a)" under a stem C1 is C1a."""
    out: list[Question] = []
    stem: Parsed | None = None
    for item in parsed:
        printed = item.row.printed
        if item.allowed is None or item.awarded is None:
            if _QID.match(printed):
                stem = item  # scored in its sub-questions
                continue
            raise IngestError(
                ErrorCode.EXTRACTION_FAILED,
                f"Question {printed} on page {item.row.page} has no printed points or no box for them.",
            )
        sub = _SUB.match(printed)
        under = stem if stem is not None and (sub or printed.startswith(stem.row.printed)) else None
        if sub:
            if under is None:
                raise IngestError(
                    ErrorCode.EXTRACTION_FAILED,
                    f"Sub-question {printed} on page {item.row.page} has no question above it.",
                )
            qid = under.row.printed + sub.group(1)
        else:
            qid = printed
            if under is None:
                stem = None
        heading = _heading_above(headings, item.row.page, item.row.top)
        notes = item.notes or (under.notes if under else None)
        out.append(
            Question(
                id=qid,
                element=heading.key if heading else _element_key(qid),
                text=item.text,
                method=item.method,
                available=item.allowed.maximum,
                allowed=item.allowed.values,
                na_allowed=item.na is not None,
                awarded=item.awarded.ref(),
                notes=notes.ref() if notes else None,
                na=item.na.ref() if item.na else None,
                stem=under.text if under else "",
                instructions=item.instructions or (under.instructions if under else ""),
            )
        )
    return _share_stem_notes(out)


def _share_stem_notes(questions: list[Question]) -> list[Question]:
    """Sub-questions with one "Notes:" area for their stem all write to it."""
    by_stem: dict[tuple[str, str], FieldRef] = {}
    for q in questions:
        if q.stem and q.notes is not None:
            by_stem.setdefault((q.element, q.stem), q.notes)
    return [
        dataclasses.replace(q, notes=by_stem[(q.element, q.stem)])
        if q.stem and q.notes is None and (q.element, q.stem) in by_stem
        else q
        for q in questions
    ]


def _heading_above(headings: list[Heading], page: int, top: float) -> Heading | None:
    above = [h for h in headings if (h.page, h.top) < (page, top)]
    return above[-1] if above else None


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
    lines: list[Line], width: float, widgets: list[Widget], keys: set[str]
) -> dict[str, dict[str, FieldRef]]:
    """Map summary widgets to element keys ("1", "A"; or 'overall') and their column.

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
        key = _summary_key(line, width, keys)
        if key is None and first["text"].lower() in ("overall", "total"):
            key = "overall"
        if key is None:
            continue
        center = (first["top"] + first["bottom"]) / 2
        for w in widgets:
            if w.kind == "text" and abs(w.center - center) < 8:
                wx = (w.rect[0] + w.rect[2]) / 2
                col = min(columns, key=lambda c: abs(c[0] - wx))[1]
                rows.setdefault(key, {})[col] = w.ref()
    return rows


def _summary_key(line: Line, width: float, keys: set[str]) -> str | None:
    """The element a summary row is for: "3", "C", "C.", "Element C", "Section 3"."""
    if line[0]["x0"] >= width * 0.2:
        return None
    words = [w["text"].strip(".:") for w in line[:2]]
    if words[0].lower() in ("element", "section", "topic") and len(words) > 1:
        words = words[1:]
    return words[0].upper() if words[0].upper() in keys else None


def _printed_label(w: Widget, lines: list[Line]) -> str:
    """The words printed left of a field on its line, or else just above it."""
    left = [
        x["text"]
        for ln in lines
        for x in ln
        if abs((x["top"] + x["bottom"]) / 2 - w.center) < 6
        and w.rect[0] - 220 < x["x1"] <= w.rect[0] + 2
    ]
    if left:
        return " ".join(left)
    above = [
        x["text"]
        for ln in lines
        for x in ln
        if 0 <= w.top - x["bottom"] < 14 and x["x0"] < w.rect[2] and x["x1"] > w.rect[0]
    ]
    return " ".join(above)


def _cover(
    widgets: list[Widget], used: set[str], lines_by_page: dict[int, list[Line]]
) -> dict[str, FieldRef]:
    """Cover fields by their role. The printed label decides where there is one (Acrobat's
    names such as "Text1" tell nothing); the tooltip and name where there is none."""
    cover: dict[str, FieldRef] = {}
    for w in widgets:
        if w.name in used:
            continue
        for label in (_printed_label(w, lines_by_page.get(w.page, [])), f"{w.tooltip} {w.name}"):
            role = next(
                (r for r, pattern in _COVER_ROLES if r not in cover and pattern.search(label)),
                None,
            )
            if role is not None:
                cover[role] = w.ref()
                break
    return cover


def _printed_date(text: str) -> str | None:
    """The effective or revision date printed on the form, as ISO: "Effective 2026-01-10",
    "Revised 20260110", "Revised: January 10, 2026", "Rev. 10 Jan 2026"."""
    for match in STAMP.finditer(text):
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


@dataclass(frozen=True)
class Identity:
    version: str
    form_number: str
    title: str
    effective: str
    markers: tuple[str, ...]


def _identity(reader: pypdf.PdfReader, first_text: str, all_text: str) -> Identity:
    """Which version the form is and how to recognise it in print.

    A form number like SECOR-AP-2025 names the version where one is printed. Real forms often
    print none: then the year comes from the title (or the revision stamp), and the stamp
    ("Revised 20260110") and title are what tell a filled copy's version apart.
    """
    meta: Any = reader.metadata or {}
    subject = str(meta.get("/Subject") or "")
    lines = [ln.strip() for ln in first_text.splitlines() if ln.strip()]
    title = str(meta.get("/Title") or (lines[0] if lines else "")).strip()
    effective = _printed_date(first_text) or _printed_date(all_text)
    stamp = STAMP.search(first_text) or STAMP.search(all_text)
    m = _FORM_NUMBER.search(first_text) or _FORM_NUMBER.search(subject)
    if m:
        form_number = re.sub(r"\s+", " ", m.group(0))
        version = m.group(1)
        markers: tuple[str, ...] = (form_number, f"Version {version}")
    else:
        year = _YEAR.search(title) or _YEAR.search(first_text)
        version = year.group(1) if year else (effective or "")[:4]
        if not version or stamp is None:
            raise IngestError(
                ErrorCode.EXTRACTION_FAILED,
                "The form prints neither a form number (like SECOR-AP-2025) nor a revision "
                'date (like "Revised 20260110") on its first pages.',
            )
        form_number = f"{title} ({stamp.group(0)})"
        markers = (stamp.group(0),)
    return Identity(version, form_number, title, effective or f"{version}-01-01", markers)


def _names(refs: dict[str, FieldRef]) -> set[str]:
    return {ref.name for ref in refs.values()}


def _pass_rule(text: str) -> PassRule:
    """The pass rule the form prints, or the program's."""
    overall = _PASS_OVERALL.search(text)
    element = _PASS_ELEMENT.search(text)
    return PassRule(
        int(overall.group(1)) if overall else PROGRAM_PASS.overall,
        int(element.group(1)) if element else PROGRAM_PASS.element,
    )


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
        texts = [p.extract_text() or "" for p in pdf.pages]
    identity = _identity(reader, texts[0], "\n".join(texts[:3]))
    headings: list[Heading] = []
    parsed: list[Parsed] = []
    question_pages: set[int] = set()
    columns: Columns | None = None
    for page, lines in lines_by_page.items():
        width = sizes[page - 1][0]
        found = _header(lines)
        if found is not None:
            columns = found[0]  # a page without titles continues the table above
        bounds = []
        for line in lines:
            head = _heading(line, width)
            if head is not None:
                headings.append(Heading(page, line[0]["top"], *head))
                bounds.append(line[0]["top"])
        on_page = [w for w in widgets if w.page == page]
        rows = _rows_on_page(page, width, lines, on_page, columns, bounds)
        if rows:
            question_pages.add(page)
        parsed += [_parse_row(row, columns) for row in rows]
    questions = _questions(parsed, headings)
    if not questions:
        raise IngestError(
            ErrorCode.EXTRACTION_FAILED, "No scored questions were found on the form."
        )
    keys = list(dict.fromkeys(q.element for q in questions))
    summary: dict[str, dict[str, FieldRef]] = {}
    for page, lines in lines_by_page.items():
        if page not in question_pages:
            on_page = [w for w in widgets if w.page == page]
            summary.update(_summary_rows(lines, sizes[page - 1][0], on_page, set(keys)))
    named = {h.key: h for h in headings}
    elements = tuple(
        Element(
            key=key,
            label=named[key].label if key in named else "",
            name=named[key].name if key in named else f"Element {key}",
            questions=tuple(q for q in questions if q.element == key),
            summary=summary.get(key, {}),
        )
        for key in keys
    )
    used = {f.name for q in questions for f in (q.awarded, q.notes, q.na) if f}
    used |= {f.name for row in summary.values() for f in row.values()}
    cover = _cover(widgets, used, lines_by_page)
    return ProtocolVersion(
        version=identity.version,
        form_number=identity.form_number,
        title=identity.title,
        effective=identity.effective,
        elements=elements,
        page_count=len(sizes),
        page_sizes=sizes,
        markers=identity.markers,
        field_names=frozenset(w.name for w in widgets),
        overall=summary.get("overall", {}),
        cover=cover,
        unplaced=tuple(w.ref() for w in widgets if w.name not in used | _names(cover)),
        blank_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        blank_file=f"secor-protocol-{identity.version}-blank.pdf",
        status=DRAFT,  # staff activate it; importing never changes what is current
        pass_rule=_pass_rule("\n".join(texts)),
    )


def save_version(version: ProtocolVersion, blank: Path, folder: Path) -> Path:
    """Write the version's JSON and a copy of its blank form into a catalogue folder."""
    import json

    (folder / "forms").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(blank, folder / "forms" / version.blank_file)
    target = folder / f"protocol-{version.version}.json"
    target.write_text(json.dumps(version.to_json(), indent=1) + "\n")
    return target

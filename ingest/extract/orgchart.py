"""Organisation charts: people and their titles, for the roster cross-check.

DOCX: table rows, "Name - Title" paragraphs and text boxes; PDF: text runs with positions
(a name with its title on the line below, as chart tools draw boxes); DOC: antiword's text,
catdoc where antiword cannot read it.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from typing import Any

from ingest.errors import ErrorCode, IngestError
from ingest.extract.registry import ParseContext, register
from ingest.filetypes import FileType, Kind
from ingest.pdfdoc import PdfDoc
from ingest.settings import KIND_TYPES

_ROLE_WORDS = re.compile(
    r"\b(owner|president|ceo|cfo|coo|vp|manager|supervisor|coordinator|foreman|lead|director|"
    r"officer|operator|labou?rer|driver|dispatch\w*|admin\w*|assistant|technician|helper|worker|"
    r"apprentice|journeyman|electrician|welder|mechanic|clerk|accountant|superintendent|"
    r"representative|hse|safety|secretary|estimator|engineer|bookkeeper|partner|principal)\b",
    re.I,
)
_NAME = re.compile(r"^[A-Z][a-zA-Z'\-\.]+(?: [A-Z][a-zA-Z'\-\.]*){1,3}$")
_SPLIT = re.compile(r"\s+[-–—:|]\s+|,\s+|\t+")
_HEADER = re.compile(r"^(name|employee|employee name|title|position|role)$", re.I)


@dataclass(frozen=True)
class Person:
    name: str
    title: str


def is_name(text: str) -> bool:
    text = text.strip()
    return bool(_NAME.match(text)) and not _ROLE_WORDS.search(text) and len(text) <= 60


def is_title(text: str) -> bool:
    return bool(_ROLE_WORDS.search(text)) and len(text) <= 80


def _pair(a: str, b: str) -> Person | None:
    a, b = a.strip(), b.strip()
    if _HEADER.match(a) or _HEADER.match(b):
        return None
    if is_name(a) and b and not is_name(b):
        return Person(a, b)
    if is_name(b) and a and is_title(a):
        return Person(b, a)
    return None


def from_line(line: str) -> Person | None:
    parts = [p for p in _SPLIT.split(line.strip(), maxsplit=1) if p.strip()]
    return _pair(parts[0], parts[1]) if len(parts) == 2 else None


def from_stacked(lines: list[str]) -> list[Person]:
    """A name followed by its title on the next line (boxes, text boxes, plain lists)."""
    out = []
    for a, b in zip(lines, lines[1:]):
        if is_name(a) and is_title(b) and not is_name(b):
            out.append(Person(a.strip(), b.strip()))
    return out


def _unique(people: list[Person]) -> list[Person]:
    seen: dict[str, Person] = {}
    for p in people:
        seen.setdefault(p.name.lower(), p)
    return list(seen.values())


def people_from_docx(path: Any) -> list[Person]:
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(str(path))
    except (ValueError, KeyError, zipfile.BadZipFile) as e:
        raise IngestError(ErrorCode.CORRUPT, "The Word document cannot be read.") from e
    people: list[Person] = []
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
            if len(cells) >= 2:
                found = _pair(cells[0], cells[1])
                if found:
                    people.append(found)
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    people += [p for p in (from_line(t) for t in paragraphs) if p]
    boxes = [
        "".join(t.text or "" for t in p.iter(qn("w:t")))
        for box in document.element.body.iter(qn("w:txbxContent"))
        for p in box.iter(qn("w:p"))
    ]
    boxes = [b for b in boxes if b.strip()]
    people += [p for p in (from_line(t) for t in boxes) if p] + from_stacked(boxes)
    return _unique(people + from_stacked(paragraphs))


def people_from_pdf(doc: PdfDoc, max_pages: int = 20) -> list[Person]:
    people: list[Person] = []
    for index in range(min(doc.page_count, max_pages)):
        segments = doc.segments(index)
        people += [p for p in (from_line(s.text) for s in segments) if p]
        # Chart boxes: the title is the run just below the name, starting at about the same x.
        for s in segments:
            if not is_name(s.text):
                continue
            height = s.rect[3] - s.rect[1]
            below = [
                t
                for t in segments
                if t is not s
                and abs(t.rect[0] - s.rect[0]) < 12
                and 0 < s.rect[1] - t.rect[3] < 2.5 * height
            ]
            below.sort(key=lambda t: s.rect[1] - t.rect[3])
            if below and not is_name(below[0].text):
                people.append(Person(s.text.strip(), below[0].text.strip()))
    return _unique(people)


def doc_text(path: Any, timeout: float = 20) -> str:
    for cmd in (["antiword", "-w", "0", str(path)], ["catdoc", "-w", str(path)]):
        try:
            res = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        text = res.stdout.decode("utf-8", "replace")
        if res.returncode == 0 and text.strip():
            return text
    text = _stream_text(path)
    if text.strip():
        return text
    raise IngestError(ErrorCode.CORRUPT, "The Word 97-2003 document's text cannot be read.")


def _stream_text(path: Any) -> str:
    """Last resort (e.g. lower-case stream names that antiword rejects): text runs of the
    WordDocument stream, as UTF-16 or as 8-bit text."""
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        name = next((s for s in ole.listdir() if "/".join(s).lower() == "worddocument"), None)
        if name is None:
            return ""
        data = ole.openstream(name).read(8 * 1024 * 1024)
    body = data[0x200:] if len(data) > 0x200 else data  # skip the FIB
    wide = re.findall(rb"(?:[\x20-\x7e\r][\x00]){4,}", body)
    narrow = re.findall(rb"[\x20-\x7e\r]{4,}", body)
    runs = [w.decode("utf-16-le") for w in wide] or [n.decode("cp1252") for n in narrow]
    return "\n".join(r.replace("\r", "\n") for r in runs)


def people_from_text(text: str) -> list[Person]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    people = []
    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            found = _pair(cells[0], cells[1]) if len(cells) >= 2 else None
        else:
            found = from_line(line)
        if found:
            people.append(found)
    return _unique(people + from_stacked(lines))


@register
class OrgChartParser:
    name = "org_chart"

    def score(self, ctx: ParseContext) -> int:
        return (
            10
            if ctx.kind == Kind.ORG_CHART and ctx.content_type in KIND_TYPES[Kind.ORG_CHART]
            else 0
        )

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        if ctx.content_type == FileType.DOCX:
            people = people_from_docx(ctx.path)
        elif ctx.content_type == FileType.DOC:
            people = people_from_text(doc_text(ctx.path))
        else:
            with PdfDoc(ctx.path, ctx.settings.max_pages) as doc:
                people = people_from_pdf(doc)
        ctx.progress(1, 1)
        return {"kind": "org_chart", "people": [{"name": p.name, "title": p.title} for p in people]}

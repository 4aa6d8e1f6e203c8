"""Organisation charts as small companies draw them: every person with name, title and whom
they report to, for the roster cross-check.

- DOCX: tables (with a "Reports to" column where there is one), paragraphs ("Name - Title",
  indented or bulleted under their manager, "... reports to Name"), text boxes, SmartArt (its
  text and hierarchy live in ``word/diagrams/data*.xml``) and shapes joined by connectors.
- PDF: the text of each drawn box, and reporting lines from the connectors' geometry
  (``chartdrawing``); a chart with no text (scanned, or exported as a picture) is read by OCR.
- DOC: antiword's text (catdoc where antiword cannot read it).

The chart's own title, dates and legends are not people: a name is two to four capitalised
words with no word of a title, a company or a document in it.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np

from ingest.errors import ErrorCode, IngestError
from ingest.extract.registry import ParseContext, register
from ingest.filetypes import FileType, Kind
from ingest.pdfdoc import PdfDoc
from ingest.settings import KIND_TYPES

_ROLE_WORDS = re.compile(
    r"\b(owner|president|ceo|cfo|coo|vp|manager|supervisor|coordinator|foreman|foreperson|"
    r"lead|leader|director|officer|operator|labou?rer|driver|dispatch\w*|admin\w*|assistant|"
    r"technician|helper|worker|apprentice|journeyman|journeyperson|electrician|welder|"
    r"mechanic|clerk|accountant|superintendent|representative|hse|safety|secretary|estimator|"
    r"engineer|bookkeeper|partner|principal|carpenter|roofer|plumber|painter|installer|"
    r"framer|fitter|pipefitter|hand|crew|receptionist|controller|planner|inspector|"
    r"surveyor|locator|trainee|student|general|senior|junior|chief|head|executive|"
    r"specialist|analyst|consultant|agent|scheduler|shipper|receiver|warehouse|yard|"
    r"maintenance|service|sales|office|field|site|project|hr|it)\b",
    re.I,
)
#: Words of a document, a company or a date: a line holding one is no person's name.
_NOT_NAME = re.compile(
    r"\b(organi[sz]ation(al)?|chart|company|ltd|inc|corp|corporation|limited|llc|co|"
    r"updated|revised|effective|legend|department|dept|division|team|page|date|structure|"
    r"reporting|lines?|staff|employees|group|services|solutions|contracting|construction|"
    r"hauling|roofing|drilling|welding|excavating|energy|oilfield|holdings|enterprises|"
    r"january|february|march|april|may|june|july|august|september|october|november|"
    r"december|vacant|tbd|contractors?|subcontractors?|board)\b",
    re.I,
)
_WORD = r"[^\W\d_][\w'’\-]*\.?"
_NAME = re.compile(rf"^(?:[^\W\d_]\.\s?)?{_WORD}(?:\s{_WORD}){{0,3}}$")
_LAST_FIRST = re.compile(rf"^({_WORD}(?:[\s\-]{_WORD})?),\s*({_WORD}(?:\s{_WORD})?)$")
_SPLIT = re.compile(r"\s+[-–—:|]\s+|,\s+|\t+|\s*\(\s*")
_REPORTS = re.compile(
    r"[\s,;(\-–—]*\b(?:reports?\s+to|reporting\s+to|supervised\s+by|manager:?)\s*:?\s*"
    r"(?P<boss>[^()\n,;]+?)\s*\)?\s*$",
    re.I,
)
_HEADER_NAME = re.compile(r"^(name|employee|employee name|full name|person)$", re.I)
_HEADER_TITLE = re.compile(r"^(title|position|role|job title|job)$", re.I)
_HEADER_BOSS = re.compile(r"^(reports? to|supervisor|manager|reporting to|supervised by)$", re.I)


_CHART_HEADING = re.compile(
    r"\borgani[sz]ation(al)?\s+(chart|structure)\b|\borg\s+chart\b|\breports?\s+to\b", re.I
)


def looks_like_chart(text: str) -> bool:
    """Whether a document's text names itself an organisation chart (or its lines)."""
    return bool(_CHART_HEADING.search(text))


@dataclass(frozen=True)
class Person:
    name: str
    title: str
    reports_to: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "reports_to": self.reports_to}


def _tidy(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).strip(" -–—:|•·*,")


def as_name(text: str) -> str | None:
    """The name written in ``text`` as "First Last" ("Gagné, Élise" too), or None."""
    text = _tidy(text)
    if not text or len(text) > 60 or _ROLE_WORDS.search(text) or _NOT_NAME.search(text):
        return None
    m = _LAST_FIRST.match(text)
    if m:
        text = f"{m.group(2)} {m.group(1)}"
    if not _NAME.match(text) or " " not in text.replace(". ", ".").strip() and "." not in text:
        return None
    words = re.split(r"[\s]+", text)
    if len(words) < 2 or not all(w[0].isupper() for w in words):
        return None
    return text


def is_name(text: str) -> bool:
    return as_name(text) is not None


def is_title(text: str) -> bool:
    text = _tidy(text)
    return bool(_ROLE_WORDS.search(text)) and len(text) <= 80 and not _NOT_NAME.search(text)


def _boss(text: str) -> tuple[str, str | None]:
    """``text`` without its "reports to NAME" part, and that name."""
    m = _REPORTS.search(text)
    if not m:
        return text, None
    return text[: m.start()], as_name(m.group("boss"))


def from_line(line: str) -> Person | None:
    """ "Name - Title", "Title: Name", "Name, Title (reports to Name)", "Last, First - Title"."""
    rest, boss = _boss(_tidy(line))
    m = re.match(rf"^({_WORD}(?:[\s\-]{_WORD})?,\s*{_WORD}(?:\s{_WORD})?)\s+[-–—:|]\s+(.+)$", rest)
    parts = [m.group(1), m.group(2)] if m else _SPLIT.split(rest, maxsplit=1)
    parts = [_tidy(p) for p in parts if _tidy(p)]
    if len(parts) != 2:
        return None
    a, b = parts
    if (name := as_name(a)) and is_title(b):
        return Person(name, b, boss)
    if (name := as_name(b)) and is_title(a):
        return Person(name, a, boss)
    return None


def from_lines(lines: list[str]) -> Person | None:
    """One box of a chart: a name and a title on lines of their own, in either order."""
    lines = [_tidy(t) for t in lines if _tidy(t)]
    if len(lines) == 1:
        return from_line(lines[0])
    names = [(i, n) for i, t in enumerate(lines) if (n := as_name(t))]
    if len(names) != 1:
        found = [p for p in (from_line(t) for t in lines) if p]
        return found[0] if len(found) == 1 else None
    i, name = names[0]
    title, boss = _boss(" ".join(t for j, t in enumerate(lines) if j != i))
    title = _tidy(title)
    return Person(name, title, boss) if is_title(title) else None


def from_stacked(lines: list[str]) -> list[Person]:
    """A name followed by its title on the next line (boxes, text boxes, plain lists)."""
    out = []
    for a, b in zip(lines, lines[1:]):
        name = as_name(a)
        if name and is_title(b) and not is_name(b):
            title, boss = _boss(_tidy(b))
            out.append(Person(name, _tidy(title), boss))
    return out


def _unique(people: list[Person]) -> list[Person]:
    """One entry per person; a later sighting fills in a missing manager."""
    seen: dict[str, Person] = {}
    for p in people:
        key = p.name.casefold()
        if key not in seen:
            seen[key] = p
        elif seen[key].reports_to is None and p.reports_to:
            seen[key] = replace(seen[key], reports_to=p.reports_to)
    return list(seen.values())


def _nested(items: list[tuple[int, str]]) -> list[Person]:
    """Indented lists: each person reports to the nearest person above at a lower level."""
    out: list[Person] = []
    stack: list[tuple[int, str]] = []
    for level, text in items:
        person = from_line(text)
        if person is None:
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        if person.reports_to is None and stack:
            person = replace(person, reports_to=stack[-1][1])
        out.append(person)
        stack.append((level, person.name))
    return out


# ---------------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_DGM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"
_WPS = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def _table_people(table: Any) -> list[Person]:
    rows = [[_tidy(c.text) for c in row.cells] for row in table.rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    head = rows[0]
    cols = {
        "name": next((i for i, c in enumerate(head) if _HEADER_NAME.match(c)), None),
        "title": next((i for i, c in enumerate(head) if _HEADER_TITLE.match(c)), None),
        "boss": next((i for i, c in enumerate(head) if _HEADER_BOSS.match(c)), None),
    }
    out = []
    if cols["name"] is not None and cols["title"] is not None:
        for r in rows[1:]:
            name = as_name(r[cols["name"]])
            if name:
                boss = as_name(r[cols["boss"]]) if cols["boss"] is not None else None
                out.append(Person(name, r[cols["title"]], boss))
        return out
    for r in rows:
        cells = [c for i, c in enumerate(r) if c and c not in r[:i]]
        if len(cells) >= 2 and (p := from_line(f"{cells[0]} - {cells[1]}")):
            out.append(p)
    return out


def _level(paragraph: Any) -> int:
    """How deep a paragraph sits in a list: its numbering level, else its indent."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None and ppr.numPr.ilvl is not None:
        return int(ppr.numPr.ilvl.val) * 1000
    style = paragraph.style.name if paragraph.style is not None else ""
    m = re.search(r"List \w+ (\d)", style)
    if m:
        return int(m.group(1)) * 1000
    indent = paragraph.paragraph_format.left_indent
    spaces = len(paragraph.text) - len(paragraph.text.lstrip(" \t"))
    return int(indent.pt) if indent else spaces * 4


def _text_of(element: Any) -> list[str]:
    """The paragraphs' text inside a drawing element."""
    lines = []
    for p in element.iter(f"{_W}p"):
        lines.append("".join(t.text or "" for t in p.iter(f"{_W}t")))
    if not lines:
        for p in element.iter(f"{_A}p"):
            lines.append("".join(t.text or "" for t in p.iter(f"{_A}t")))
    return [t for t in lines if t.strip()]


def smartart_people(zf: zipfile.ZipFile) -> list[Person]:
    """SmartArt hierarchies: each node's text, its parent from the data model's links."""
    out: list[Person] = []
    for part in sorted(n for n in zf.namelist() if re.match(r"word/diagrams/data\d*\.xml$", n)):
        root = ElementTree.fromstring(zf.read(part))
        nodes = {}
        for pt in root.iter(f"{_DGM}pt"):
            if pt.get("type", "node") != "node":  # transitions and presentation points
                continue
            text = _text_of(pt)
            if text:
                nodes[pt.get("modelId")] = text
        parents = {}
        for cxn in root.iter(f"{_DGM}cxn"):
            if cxn.get("type", "parOf") == "parOf":
                parents[cxn.get("destId")] = cxn.get("srcId")
        people = {k: p for k, lines in nodes.items() if (p := from_lines(lines))}
        for key, person in people.items():
            up = parents.get(key)
            while up is not None and up not in people:
                up = parents.get(up)
            boss = people[up].name if up is not None else person.reports_to
            out.append(replace(person, reports_to=boss))
    return out


def _xfrm(shape: Any) -> tuple[float, float, float, float, bool, bool] | None:
    xfrm = next(shape.iter(f"{_A}xfrm"), None)
    if xfrm is None:
        return None
    off, ext = xfrm.find(f"{_A}off"), xfrm.find(f"{_A}ext")
    if off is None or ext is None:
        return None
    x, y = float(off.get("x", 0)), float(off.get("y", 0))
    w, h = float(ext.get("cx", 0)), float(ext.get("cy", 0))
    return x, y, w, h, xfrm.get("flipH") == "1", xfrm.get("flipV") == "1"


def shape_people(body: Any) -> list[Person]:
    """Shapes with text joined by connector shapes (Word's drawing canvas or a group): the
    geometry of the shapes' frames, in the group's coordinates."""
    out: list[Person] = []
    for group in list(
        body.iter("{http://schemas.microsoft.com/office/word/2010/wordprocessingGroup}wgp")
    ) + list(body.iter("{http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas}wpc")):
        boxes: list[tuple[tuple[float, float, float, float], Person]] = []
        lines: list[tuple[float, float, float, float]] = []
        for shape in group.iter(f"{_WPS}wsp"):
            frame = _xfrm(shape)
            if frame is None:
                continue
            x, y, w, h, flip_h, flip_v = frame
            if shape.find(f"{_WPS}cNvCnPr") is not None:
                x0, x1 = (x + w, x) if flip_h else (x, x + w)
                y0, y1 = (y + h, y) if flip_v else (y, y + h)
                lines.append((x0, y0, x1, y1))
                continue
            person = from_lines(_text_of(shape))
            if person:
                boxes.append(((x, y, x + w, y + h), person))
        if not boxes:
            continue
        from ingest.extract.chartdrawing import tree

        slack = 0.02 * max(b[0][3] for b in boxes)
        joined: list[set[int]] = []
        for x0, y0, x1, y1 in lines:
            ends = [(x0, y0), (x1, y1)]
            touched = {
                i
                for i, ((bx0, by0, bx1, by1), _) in enumerate(boxes)
                for ex, ey in ends
                if bx0 - slack <= ex <= bx1 + slack and by0 - slack <= ey <= by1 + slack
            }
            joined.append(touched)
        joined = _merge_groups(joined, lines, boxes, slack)
        rects = [tuple(int(v) for v in r) for r, _ in boxes]
        parent = tree(rects, [g for g in joined if len(g) >= 2])  # type: ignore[arg-type]
        for i, (_, person) in enumerate(boxes):
            boss = boxes[parent[i]][1].name if i in parent else person.reports_to
            out.append(replace(person, reports_to=boss))
    return out


def _merge_groups(
    joined: list[set[int]],
    lines: list[tuple[float, float, float, float]],
    boxes: list[Any],
    slack: float,
) -> list[set[int]]:
    """Connectors meeting end to end (a bus bar and its drops) are one connector."""
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def near(p: tuple[float, float], seg: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = seg
        return (
            min(x0, x1) - slack <= p[0] <= max(x0, x1) + slack
            and min(y0, y1) - slack <= p[1] <= max(y0, y1) + slack
        )

    for i, a in enumerate(lines):
        for j, b in enumerate(lines):
            if i < j and (
                near((a[0], a[1]), b)
                or near((a[2], a[3]), b)
                or near((b[0], b[1]), a)
                or near((b[2], b[3]), a)
            ):
                parent[find(i)] = find(j)
    merged: dict[int, set[int]] = {}
    for i, group in enumerate(joined):
        merged.setdefault(find(i), set()).update(group)
    return list(merged.values())


def people_from_docx(path: Any) -> list[Person]:
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(str(path))
        with zipfile.ZipFile(path) as zf:
            smart = smartart_people(zf)
    except (ValueError, KeyError, zipfile.BadZipFile, ElementTree.ParseError) as e:
        raise IngestError(ErrorCode.CORRUPT, "The Word document cannot be read.") from e
    people: list[Person] = smart + shape_people(document.element.body)
    for table in document.tables:
        people += _table_people(table)
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    people += _nested([(_level(p), p.text) for p in paragraphs])
    boxes = [
        "".join(t.text or "" for t in p.iter(qn("w:t")))
        for box in document.element.body.iter(qn("w:txbxContent"))
        for p in box.iter(qn("w:p"))
    ]
    boxes = [b for b in boxes if b.strip()]
    people += [p for p in (from_line(t) for t in boxes) if p] + from_stacked(boxes)
    return _unique(people + from_stacked([p.text for p in paragraphs]))


# ----------------------------------------------------------------------------------- PDF

CHART_DPI = 100
OCR_DPI = 300
TEXT_PAGE_CHARS = 20  # fewer visible characters: a picture of a chart, read by OCR


def _page_people(doc: PdfDoc, index: int) -> list[Person]:
    from ingest.extract.chartdrawing import read_drawing

    height = doc.size(index)[1]
    scanned = doc.visible_chars(index) < TEXT_PAGE_CHARS
    dpi = OCR_DPI if scanned else CHART_DPI
    page = doc.pdfium[index]
    try:
        arr = page.render(scale=dpi / 72, grayscale=True).to_numpy()
    finally:
        page.close()
    gray = np.ascontiguousarray(arr[:, :, 0] if arr.ndim == 3 else arr)
    drawing = read_drawing(gray)
    s = dpi / 72
    texts: list[list[str]] = [[] for _ in drawing.boxes]
    loose: list[str] = []
    if scanned:
        from ingest.ocr import read_lines

        for i, (x0, y0, x1, y1) in enumerate(drawing.boxes):
            lines = read_lines(gray[y0 + 3 : y1 - 2, x0 + 3 : x1 - 2])
            texts[i] = [t[:1].upper() + t[1:] for t in lines]  # OCR reads "Jo" as "jo"
    else:
        segments = sorted(doc.segments(index), key=lambda g: (-g.rect[3], g.rect[0]))
        for seg in segments:
            cx, cy = (
                (seg.rect[0] + seg.rect[2]) / 2 * s,
                (height - (seg.rect[1] + seg.rect[3]) / 2) * s,
            )
            box = next(
                (
                    i
                    for i, (x0, y0, x1, y1) in enumerate(drawing.boxes)
                    if x0 <= cx <= x1 and y0 <= cy <= y1
                ),
                None,
            )
            (texts[box] if box is not None else loose).append(seg.text)
    people: dict[int, Person] = {i: p for i, t in enumerate(texts) if (p := from_lines(t))}
    out = []
    for i, person in people.items():
        up = drawing.parent.get(i)
        while up is not None and up not in people:
            up = drawing.parent.get(up)
        boss = people[up].name if up is not None else person.reports_to
        out.append(replace(person, reports_to=boss))
    if not drawing.boxes:  # a list or table printed to PDF
        out += _nested([(0, t) for t in loose]) + from_stacked(loose)
    return out


def people_from_pdf(doc: PdfDoc, max_pages: int = 20) -> list[Person]:
    people: list[Person] = []
    for index in range(min(doc.page_count, max_pages)):
        people += _page_people(doc, index)
    return _unique(people)


# ----------------------------------------------------------------------------------- DOC


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
    raw = [ln for ln in text.splitlines() if ln.strip()]
    items: list[tuple[int, str]] = []
    people: list[Person] = []
    for line in raw:
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            found = from_line(f"{cells[0]} - {cells[1]}") if len(cells) >= 2 else None
            if found:
                people.append(found)
            continue
        depth = len(line) - len(line.lstrip(" \t•·-*o"))
        items.append((depth, stripped))
    return _unique(people + _nested(items) + from_stacked([t for _, t in items]))


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
            with PdfDoc(Path(ctx.path), ctx.settings.max_pages) as doc:
                people = people_from_pdf(doc)
        ctx.progress(1, 1)
        return {"kind": "org_chart", "people": [p.to_json() for p in people]}

"""Blank SECOR forms laid out the ways really published instruments are, made with ReportLab.

``../shared/program/real-forms.md`` is the brief. Each seed picks one point of the variation
space: elements by letter (A-F) or number; headings "A. NAME", "Element 1: Name" or "Section A -
Name"; ids ``A1`` and sub-questions ``C1a`` (printed "C1a" or "a)") under one stem; points as
allowed values ("(0 or 2)", "(0 - 3)", "0/2/4", "Max 4", "5"); an instructions column; column
orders; a "Notes:" area under each question or one per stem; column titles repeated on every
page or only on the first; elements running over pages; page labels "B-2", "Page 3 of 12" or
"3"; a "Revised 20260110" stamp; portrait or landscape; a summary table by letter, by number
or none; Acrobat-style widget names ("Text1", "Check Box7") or "Score A1". Seed 0 is the style
closest to the published instruments. ``make_blank`` returns the structure a correct importer
must recover.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT, BOLD = "Helvetica", "Helvetica-Bold"
SIZE = 8.0
LEAD = 9.6
MARGIN = 36.0
TITLE = "External SECOR Health and Safety Audit"

ELEMENTS = [
    (
        "Owner Commitment and Program Administration",
        [
            "Is there a written health and safety policy signed by the owner?",
            "Are workers aware of the policy and its intent?",
            (
                "Have specific health and safety responsibilities been written for:",
                ["Manager(s)?", "Supervisor(s)?", "Worker(s)?", "Sub-contractor(s) (others)?"],
            ),
            "Have the responsibilities been communicated to all current employees?",
        ],
    ),
    (
        "Hazard Identification and Assessment",
        [
            "Is there a formal hazard assessment for every position in the inventory?",
            "Are hazards ranked by risk?",
            "Are site-specific hazard assessments completed before work starts?",
            "Do workers take part in hazard assessments?",
            "Are inspections done as often as the policy requires?",
        ],
    ),
    (
        "Hazard Control",
        [
            "Are controls in place for every hazard ranked high?",
            (
                "Is personal protective equipment:",
                ["provided where required?", "inspected before use?", "used correctly?"],
            ),
            "Are workers trained in the use of their PPE?",
        ],
    ),
    (
        "Qualifications, Orientation and Training",
        [
            "Does every new worker receive an orientation before starting work?",
            "Are training records kept for all employees?",
            "Can workers describe the hazards of their work?",
        ],
    ),
    (
        "Emergency Preparedness",
        [
            "Is there a written emergency response plan for each worksite?",
            "Has the plan been practised in the last 12 months?",
            "Are first aid supplies and trained first aiders available as required?",
            "Do workers know the muster point and the alarm?",
        ],
    ),
    (
        "Incident Reporting and Investigation",
        [
            "Is there a written procedure for reporting incidents?",
            "Are incidents investigated and causes found?",
            "Are corrective actions tracked to completion?",
        ],
    ),
]
INSTRUCTIONS = [
    "Review the written policy. It must be signed and dated by the owner.",
    "Review documented awareness for all current employees.",
    "Score based on percentage of positive responses from interviews.",
    "Review a quarterly sample of every inspection the policy requires.",
    "Observe the worksite; look for the controls named in the assessment.",
    "Review training records of all employees who perform the task.",
    "Depending on the size of the company, one or more categories may not apply: indicate n/a.",
]
NOTATIONS = [
    ("(0 or 2)", 2, (0, 2)),
    ("(0 - 3)", 3, None),
    ("(0 -2)", 2, None),
    ("5", 5, None),
    ("Max 4", 4, None),
    ("0/2/4", 4, (0, 2, 4)),
    ("(0-10)", 10, None),
    ("(0 or 3)", 3, (0, 3)),
]
ORDERS = [
    ("id", "question", "instructions", "method", "points", "awarded", "na"),
    ("id", "question", "method", "points", "awarded", "na", "instructions"),
    ("id", "question", "instructions", "points", "method", "awarded", "na"),
    ("id", "question", "points", "awarded", "na", "method", "instructions"),
]
TITLES = {
    "id": [("#",), ("No.",), ("Item",)],
    "question": [("Question",), ("Audit Question",), ("Criteria",)],
    "instructions": [("Instructions",), ("Guidelines",), ("What to review",)],
    "method": [("Method",), ("Verification", "Method")],
    "points": [("Points",), ("Points", "Available"), ("Possible",)],
    "awarded": [("Score",), ("Points", "Awarded"), ("Awarded",)],
    "na": [("N/A",)],
}
FIXED = {"id": 34.0, "method": 44.0, "points": 50.0, "awarded": 46.0, "na": 30.0}


@dataclass(frozen=True)
class Style:
    lettered: bool
    heading: str  # letter | element | section
    order: tuple[str, ...]
    titles: dict[str, tuple[str, ...]]
    sub_ids: str  # full (C1a) | letter (a))
    notes_per_stem: bool
    repeat_titles: bool
    page_labels: str  # section (B-2) | of (Page 3 of 12) | bare (3)
    landscape: bool
    summary: str  # by_key | by_element | none
    acrobat_names: bool
    revised: dt.date

    @classmethod
    def pick(cls, seed: int, year: int = 2026) -> Style:
        rng = random.Random(seed)
        if seed == 0:  # the published instruments' own style
            return cls(
                True,
                "letter",
                ORDERS[0],
                {
                    "id": ("#",),
                    "question": ("Question",),
                    "instructions": ("Instructions",),
                    "method": ("Method",),
                    "points": ("Points",),
                    "awarded": ("Score",),
                    "na": ("N/A",),
                },
                "full",
                True,
                False,
                "section",
                False,
                "by_key",
                True,
                dt.date(year, 1, 10),
            )
        return cls(
            lettered=rng.random() < 0.7,
            heading=rng.choice(["letter", "element", "section"]),
            order=rng.choice(ORDERS),
            titles={role: rng.choice(options) for role, options in TITLES.items()},
            sub_ids=rng.choice(["full", "letter"]),
            notes_per_stem=rng.random() < 0.5,
            repeat_titles=rng.random() < 0.5,
            page_labels=rng.choice(["section", "of", "bare"]),
            landscape=rng.random() < 0.3,
            summary=rng.choice(["by_key", "by_element", "none"]),
            acrobat_names=rng.random() < 0.6,
            revised=dt.date(year, rng.randint(1, 3), rng.randint(1, 28)),
        )


@dataclass(frozen=True)
class Expected:
    """One question as a correct importer must recover it."""

    id: str
    element: str
    stem: str
    maximum: int
    values: tuple[int, ...] | None
    method: str
    na: bool
    page: int


@dataclass
class Blank:
    """What a generated blank form holds."""

    version: str
    effective: str
    questions: list[Expected] = field(default_factory=list)
    summary_keys: list[str] = field(default_factory=list)  # element keys, then "overall"
    labels: dict[str, str] = field(default_factory=dict)  # element key -> printed label
    names: dict[str, str] = field(default_factory=dict)
    page_count: int = 0


def _wrap(text: str, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", FONT, SIZE) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


class _Writer:
    """Lays the form out page by page, and keeps the truth as it goes."""

    def __init__(self, target: Path, style: Style, rng: random.Random, blank: Blank) -> None:
        self.style, self.rng, self.blank = style, rng, blank
        self.size = landscape(letter) if style.landscape else letter
        self.canvas = Canvas(str(target), pagesize=self.size)
        self.canvas.setTitle(f"{blank.version} SECOR Audit Instrument")
        self.width, self.height = self.size
        self.page = 1
        #: the section a page starts with, which labels it ("B-2"), and pages per section
        self.page_first: str | None = None
        self.section_pages: dict[str, int] = {}
        self.counter = {"text": 0, "check": 0}
        self._columns()

    def _columns(self) -> None:
        free = self.width - 2 * MARGIN - sum(FIXED.values())
        widths = dict(FIXED, question=free * 0.56, instructions=free * 0.44)
        x, self.col = MARGIN, {}
        for role in self.style.order:
            self.col[role] = (x, x + widths[role])
            x += widths[role]

    def name(self, kind: str, label: str) -> str:
        if self.style.acrobat_names:
            key = "text" if kind == "text" else "check"
            self.counter[key] += 1
            return f"Text{self.counter[key]}" if key == "text" else f"Check Box{self.counter[key]}"
        return label

    def text_field(self, name: str, x: float, y: float, w: float, h: float) -> None:
        self.canvas.setLineWidth(0.8)
        self.canvas.rect(x, y, w, h)  # the printed box, there when the form is flattened
        self.canvas.acroForm.textfield(
            name=self.name("text", name),
            tooltip="",
            x=x,
            y=y,
            width=w,
            height=h,
            borderWidth=0,
            borderColor=None,
            fillColor=None,
            fontSize=8,
            fontName=FONT,
            forceBorder=True,
        )

    def checkbox(self, name: str, x: float, y: float) -> None:
        self.canvas.acroForm.checkbox(
            name=self.name("check", name),
            tooltip="",
            x=x,
            y=y,
            size=10,
            borderWidth=0.8,
            buttonStyle="check",
            forceBorder=True,
        )

    def frame(self) -> None:
        c = self.canvas
        c.setFont(FONT, 7)
        c.drawString(MARGIN, self.height - 24, TITLE)
        c.drawString(MARGIN, 20, f"Revised {self.style.revised:%Y%m%d}")
        c.drawCentredString(self.width / 2, 20, "Keep all pages in this package together")
        c.drawRightString(self.width - MARGIN, 20, self.page_label())

    def page_label(self) -> str:
        if self.style.page_labels == "section":
            if self.page_first is None:
                return "i"
            self.section_pages[self.page_first] = self.section_pages.get(self.page_first, 0) + 1
            return f"{self.page_first}-{self.section_pages[self.page_first]}"
        if self.style.page_labels == "of":
            return f"Page {self.page} of {{total}}"
        return str(self.page)

    def new_page(self) -> None:
        self.frame()
        self.canvas.showPage()
        self.page += 1
        self.page_first = None

    def cover(self, pass_overall: int) -> None:
        c = self.canvas
        c.setFont(BOLD, 16)
        c.drawString(MARGIN, self.height - 80, f"{self.blank.version} SECOR Audit Instrument")
        c.setFont(FONT, 10)
        c.drawString(MARGIN, self.height - 98, "Small Employer Certificate of Recognition")
        y = self.height - 140
        for label in (
            "Company name",
            "Auditor name(s)",
            "Audit date(s)",
            "Last audit score",
            "Last audit date(s)",
        ):
            c.setFont(FONT, 9)
            c.drawString(MARGIN, y + 4, label)
            self.text_field(label, MARGIN + 110, y, 300, 16)
            y -= 28
        c.setFont(FONT, SIZE)
        lines = _wrap(
            "Score every question as printed: points are given only as the values shown; a "
            "range allows any whole number in it. Write in the Notes area what was reviewed. "
            f"To achieve a SECOR the audit must score at least {pass_overall}% overall and at least 50% in "
            "each element. Methods: D = documentation, I = interview, O = observation.",
            self.width - 2 * MARGIN,
        )
        for line in lines:
            y -= LEAD
            c.drawString(MARGIN, y, line)

    def titles(self, y: float) -> float:
        c = self.canvas
        c.setFont(BOLD, SIZE)
        deepest = 1
        for role in self.style.order:
            words = self.style.titles[role]
            x0, x1 = self.col[role]
            for i, word in enumerate(words):
                if role in ("question", "instructions"):
                    c.drawString(x0 + 2, y - i * LEAD, word)
                else:
                    c.drawCentredString((x0 + x1) / 2, y - i * LEAD, word)
            deepest = max(deepest, len(words))
        c.line(
            MARGIN, y - (deepest - 1) * LEAD - 4, self.width - MARGIN, y - (deepest - 1) * LEAD - 4
        )
        return y - (deepest - 1) * LEAD - 16

    def heading(self, key: str, name: str) -> tuple[str, str]:
        if self.style.heading == "letter":
            return f"{key}. {name.upper()}", key
        if self.style.heading == "element":
            return f"Element {key}: {name}", f"Element {key}"
        return f"Section {key} - {name}", f"Section {key}"

    def row_height(self, text: str, instructions: str, notes: bool) -> float:
        q = len(_wrap(text, self.col["question"][1] - self.col["question"][0] - 4))
        i = len(_wrap(instructions, self.col["instructions"][1] - self.col["instructions"][0] - 4))
        return max(q, i, 2) * LEAD + 8 + (30 if notes else 0)

    def draw_row(
        self,
        y: float,
        printed: str,
        text: str,
        instructions: str,
        points: str | None,
        method: str | None,
        na: bool,
        notes: bool,
        label: str,
    ) -> None:
        c = self.canvas
        c.setFont(FONT, SIZE)
        x0, _ = self.col["id"]
        c.drawString(x0 + 2, y, printed)
        for role, body in (("question", text), ("instructions", instructions)):
            left, right = self.col[role]
            for i, line in enumerate(_wrap(body, right - left - 4)):
                c.drawString(left + 2, y - i * LEAD, line)
        if method:
            left, right = self.col["method"]
            c.drawCentredString((left + right) / 2, y, method)
        if points is not None:
            left, right = self.col["points"]
            c.drawCentredString((left + right) / 2, y, points)
            left, right = self.col["awarded"]
            self.text_field(f"Score {label}", left + 6, y - 5, right - left - 12, 15)
        if na:
            left, right = self.col["na"]
            self.checkbox(f"NA {label}", (left + right) / 2 - 5, y - 3)
        if notes:
            left = self.col["id"][1]
            bottom = y - self.row_height(text, instructions, False) + 6
            c.drawString(left + 2, bottom - 2, "Notes:")
            self.text_field(
                f"Notes {label}", left + 32, bottom - 22, self.width - MARGIN - left - 34, 22
            )


def make_blank(
    seed: int, target: Path, year: int = 2026, pass_overall: int = 80, stray: bool = False
) -> Blank:
    """Write blank form ``seed`` to ``target``; returns the structure it prints. ``stray``
    adds a box that belongs to nothing (top right of the first question page)."""
    style = Style.pick(seed, year)
    rng = random.Random(seed * 7919 + 1)
    blank = Blank(str(year), style.revised.isoformat())
    w = _Writer(target, style, rng, blank)
    w.cover(pass_overall)
    w.new_page()
    keys = "ABCDEF" if style.lettered else "123456"
    if stray:
        w.text_field("Stray", w.width - MARGIN - 60, w.height - 30, 60, 12)
    y = w.titles(w.height - 50)
    for (name, questions), key in zip(ELEMENTS, keys):
        heading, label = w.heading(key, name)
        blank.labels[key], blank.names[key] = label, name
        if y < 160:
            w.new_page()
            y = w.titles(w.height - 50) if style.repeat_titles else w.height - 50
        w.page_first = w.page_first or key
        w.canvas.setFont(BOLD, 9)
        w.canvas.drawString(MARGIN, y, heading)
        y -= 18
        for n, item in enumerate(questions, start=1):
            qid = f"{key}{n}" if style.lettered else f"{key}.{n}"
            subs = item[1] if isinstance(item, tuple) else None
            text = item[0] if isinstance(item, tuple) else item
            instructions = rng.choice(INSTRUCTIONS)
            rows = (
                [(qid, text, None)]
                if subs is None
                else [(qid, text, "stem")]
                + [
                    (
                        f"{qid}{chr(97 + i)}" if style.sub_ids == "full" else f"{chr(97 + i)})",
                        sub,
                        f"{qid}{chr(97 + i)}",
                    )
                    for i, sub in enumerate(subs)
                ]
            )
            for i, (printed, body, sub_id) in enumerate(rows):
                stem_row = sub_id == "stem"
                last = i == len(rows) - 1
                notes = not stem_row and (last or not (subs and style.notes_per_stem))
                body_instr = "" if (subs and not stem_row) else instructions
                need = w.row_height(body, body_instr, notes)
                if y - need < 50:
                    w.new_page()
                    y = w.titles(w.height - 50) if style.repeat_titles else w.height - 50
                w.page_first = w.page_first or key
                if stem_row:
                    w.draw_row(y, printed, body, body_instr, None, None, False, False, qid)
                else:
                    notation, maximum, values = rng.choice(NOTATIONS)
                    method = rng.choice(["D", "I", "O"])
                    na = bool(subs) or rng.random() < 0.3
                    real_id = sub_id or qid
                    w.draw_row(y, printed, body, body_instr, notation, method, na, notes, real_id)
                    blank.questions.append(
                        Expected(
                            real_id, key, text if subs else "", maximum, values, method, na, w.page
                        )
                    )
                y -= need + 4
        y -= 8
    if style.summary != "none":
        w.new_page()
        w.page_first = "S"
        _summary_page(w, keys)
    w.frame()
    w.canvas.showPage()
    blank.page_count = w.page
    w.canvas.save()
    if style.page_labels == "of":
        _fill_totals(target, blank.page_count)
    return blank


def _summary_page(w: _Writer, keys: str) -> None:
    c = w.canvas
    y = w.height - 60
    c.setFont(BOLD, 11)
    c.drawString(MARGIN, y, "Audit Summary")
    y -= 24
    c.setFont(BOLD, SIZE)
    columns = [("Element", MARGIN), ("Points Awarded", 300), ("Points Possible", 380), ("%", 470)]
    for title, x in columns:
        c.drawString(x, y, title)
    y -= 20
    c.setFont(FONT, SIZE)
    for key in keys:
        first = key if w.style.summary == "by_key" else f"Element {key}"
        c.drawString(MARGIN, y, f"{first}  {w.blank.names[key]}")
        for title, x in columns[1:]:
            w.text_field(f"{title} {key}", x - 4, y - 4, 60, 14)
        w.blank.summary_keys.append(key)
        y -= 20
    c.setFont(BOLD, SIZE)
    c.drawString(MARGIN, y, "Overall")
    for title, x in columns[1:]:
        w.text_field(f"{title} overall", x - 4, y - 4, 60, 14)
    w.blank.summary_keys.append("overall")


def _fill_totals(target: Path, total: int) -> None:
    """'Page 3 of {total}': the count is known only at the end, as in a word processor."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(target))
    for page in writer.pages:
        contents = page.get_contents()
        if contents is not None:
            contents.set_data(contents.get_data().replace(b"{total}", str(total).encode()))
            page.replace_contents(contents)
    writer.write(str(target))

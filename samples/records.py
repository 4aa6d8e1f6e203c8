"""Binders with twelve months of records behind the protocol, and their known coverage.

    python samples/records.py

Each binder is the flattened 2025 protocol of ``flattened-2025-pass.pdf`` (Acme Drilling
Ltd., data gathering from 2025-09-02: the window is 2024-09 to 2025-08) followed by the
company's records as offices make them: typed in a word processor and printed to PDF (a text
layer), or printed, signed and scanned (pictures, skewed and noisy). Dates are written in
the forms people use, and pages carry dates that are not theirs ("Next meeting: ...",
"Expires ...", "Corrected by ..."). The truth of each page (type, dates, company, people) and
of the binder's coverage is in ``truth/<name>.json``.

- ``coverage-full-year.pdf``: every record scanned; a full year, a witness no list knows.
- ``coverage-missing-quarter.pdf``: no inspection from January to March 2025.
- ``coverage-six-months.pdf``: records from March 2025 only (six months: one-year SECOR).
- ``coverage-foreign-record.pdf``: an inspection of another company among the records.
- ``coverage-missing-training.pdf``: an employee on the list has no training record.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import img2pdf
import pypdf
import pypdfium2 as pdfium
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from samples.generate import PEOPLE, scan  # noqa: E402

COMPANY = "Acme Drilling Ltd."
OTHER_COMPANY = "Northern Pipe Fitters Inc."
PROTOCOL = ROOT / "flattened-2025-pass.pdf"
WINDOW = ("2024-09", "2025-08")
ROSTER = [name for name, _ in PEOPLE]
STRANGER = "Gary Olsen"  # a delivery driver who witnessed a near miss
SCAN_DPI = 150
W, H = letter


def written(day: dt.date, style: int) -> str:
    """A date as people write it, in one of five styles."""
    return [
        day.isoformat(),
        day.strftime("%B ") + f"{day.day}, {day.year}",
        day.strftime("%d/%m/%Y"),
        day.strftime("%b. ") + f"{day.day} '{day.strftime('%y')}",
        f"{day.day} " + day.strftime("%b %Y"),
    ][style % 5]


@dataclass
class Page:
    """One record page: how it is drawn, and its truth."""

    type: str
    draw: Callable[[Canvas], None]
    dates: list[str]
    company: str | None
    people: list[str]
    roster: bool = False
    scanned: bool = False

    def truth(self, number: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "page": number,
            "type": self.type,
            "dates": self.dates,
            "company": self.company,
            "people": self.people,
        }
        if self.roster:
            body["roster"] = True
        return body


@dataclass
class Writer:
    """Lines on a letter page, top to bottom, in a word processor's plain style."""

    c: Canvas
    y: float = H - 72
    lines: list[str] = field(default_factory=list)

    def title(self, text: str, size: int = 16) -> None:
        self.c.setFont("Helvetica-Bold", size)
        self.c.drawString(72, self.y, text)
        self.y -= size * 1.9

    def line(self, text: str, size: int = 11, x: float = 72, bold: bool = False) -> None:
        self.c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.c.drawString(x, self.y, text)
        self.y -= size * 1.6

    def pair(self, left: str, right: str, size: int = 11) -> None:
        self.c.setFont("Helvetica", size)
        self.c.drawString(72, self.y, left)
        self.c.drawString(330, self.y, right)
        self.y -= size * 1.6

    def gap(self, points: float = 10) -> None:
        self.y -= points

    def rows(self, rows: list[list[str]], widths: list[float], size: int = 10) -> None:
        x0 = 72
        for r, row in enumerate(rows):
            x = x0
            self.c.setFont("Helvetica-Bold" if r == 0 else "Helvetica", size)
            for text, w in zip(row, widths, strict=True):
                self.c.rect(x, self.y - 5, w, size * 1.9)
                self.c.drawString(x + 4, self.y + 1, text)
                x += w
            self.y -= size * 1.9

    def signature(self, who: str, day: str | None, label: str = "Date") -> None:
        self.y = min(self.y, 150)
        self.c.setFont("Helvetica", 11)
        self.c.line(72, self.y + 14, 260, self.y + 14)
        self.c.drawString(72, self.y, f"Signed: {who}")
        if day:
            self.c.drawString(330, self.y, f"{label}: {day}")


BODY = [
    "Reviewed last month's action items; all closed.",
    "Discussed winter driving and the journey management plan.",
    "Reminder to complete pre-use checks on the pickers.",
    "Housekeeping in the shop to be improved near the wash bay.",
    "New hand tools ordered for the service truck.",
]


def minutes(day: dt.date, style: int, rng: random.Random, company: str = COMPANY) -> Page:
    present = rng.sample(ROSTER, 4)
    nxt = day + dt.timedelta(days=28)
    title = rng.choice(
        [
            "Safety Meeting Minutes",
            "Monthly Health and Safety Meeting Minutes",
            "Toolbox Meeting Minutes",
        ]
    )

    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.title(title)
        w.pair(f"Company: {company}", f"Date of meeting: {written(day, style)}")
        w.line(f"Present: {', '.join(present)}")
        w.gap()
        for n, item in enumerate(rng.sample(BODY, 3), start=1):
            w.line(f"{n}. {item}")
        w.gap()
        w.line(f"Next meeting: {written(nxt, style + 1)}", bold=True)

    return Page("minutes", draw, [day.isoformat()], company, present)


def inspection(
    day: dt.date, style: int, rng: random.Random, company: str = COMPANY, inspector: str = ""
) -> Page:
    inspector = inspector or rng.choice(ROSTER[:4])
    title = rng.choice(
        ["Workplace Inspection Checklist", "Site Inspection Report", "Shop and Yard Inspection"]
    )
    fix = day + dt.timedelta(days=10)

    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.title(title)
        w.pair(f"Company: {company}", f"Date: {written(day, style)}")
        w.line(f"Inspected by: {inspector}")
        w.gap()
        items = [
            "Fire extinguishers charged",
            "Exits clear",
            "First aid kit stocked",
            "Ladders tagged",
            "Guards in place",
            "Spill kit present",
        ]
        w.rows(
            [["Item", "OK", "Action"]]
            + [[i, "Yes", ""] for i in items]
            + [["Eyewash station", "No", f"Corrected by {written(fix, style)}"]],
            [220, 50, 200],
        )

    return Page("inspection", draw, [day.isoformat()], company, [inspector])


def hazard_assessment(day: dt.date, style: int, rng: random.Random) -> Page:
    name, position = rng.choice(PEOPLE[3:])
    review = day.replace(year=day.year + 1)

    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.title("Formal Hazard Assessment")
        w.pair(f"Company: {COMPANY}", f"Assessment date: {written(day, style)}")
        w.pair(f"Position: {position}", f"Assessed by: {name}")
        w.gap()
        w.rows(
            [
                ["Task", "Hazard", "Risk", "Control"],
                ["Loading truck", "Strain", "Med", "Two-person lift"],
                ["Driving", "Collision", "High", "Journey plan"],
                ["Grinding", "Eye injury", "Med", "Face shield"],
            ],
            [120, 110, 50, 190],
        )
        w.gap()
        w.line(f"Next review due: {written(review, style)}")

    return Page("hazard_assessment", draw, [day.isoformat()], COMPANY, [name])


def incident(day: dt.date, style: int, rng: random.Random, witness: str | None = None) -> Page:
    reporter = rng.choice(ROSTER[3:])
    reported = day + dt.timedelta(days=1)
    people = [reporter] + ([witness] if witness else [])

    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.title("Near Miss / Incident Report")
        w.pair(f"Company: {COMPANY}", f"Date of incident: {written(day, style)}")
        w.pair(f"Reported by: {reporter}", f"Date reported: {written(reported, style)}")
        if witness:
            w.line(f"Witness: {witness}")
        w.gap()
        w.line("What happened: a pallet slid off the forks while backing up.")
        w.line("Cause: load not strapped. Corrective action: strap every load.")

    return Page("incident_report", draw, [day.isoformat()], COMPANY, people)


def training(name: str, as_of: dt.date, style: int) -> Page:
    courses = [("Company orientation", 2021), ("First Aid / CPR", 2023), ("WHMIS", 2024)]

    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.title("Employee Training Record")
        w.pair(f"Employee: {name}", f"Current as of: {written(as_of, style)}")
        w.line(f"Company: {COMPANY}")
        w.gap()
        rows = [["Course", "Completed", "Expires"]]
        for n, (course, year) in enumerate(courses):
            done = dt.date(year, 3 + n, 10 + n)
            rows.append([course, written(done, style), written(done.replace(year=year + 3), style)])
        w.rows(rows, [200, 130, 130])

    return Page("training_record", draw, [as_of.isoformat()], COMPANY, [name])


def policy(day: dt.date, style: int) -> Page:
    owner = ROSTER[0]

    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.line(COMPANY, 13, bold=True)
        w.title("Health and Safety Policy")
        for text in [
            "The health and safety of every worker is our first concern.",
            "Management will provide the training, equipment and supervision needed to",
            "work safely. Workers will follow safe work procedures and report hazards.",
            "Everyone has the right to refuse unsafe work.",
        ]:
            w.line(text)
        w.signature(f"{owner}, Owner", written(day, style))

    return Page("policy", draw, [day.isoformat()], COMPANY, [owner])


def cover_letter(day: dt.date, style: int) -> Page:
    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.line(COMPANY, 14, bold=True)
        w.line("Box 118, Grande Prairie AB  T8V 3A1", 9)
        w.gap(30)
        w.line(written(day, style))
        w.gap(10)
        for text in ["Certifying Partner, SECOR Program", "Quality Assurance Review"]:
            w.line(text)
        w.gap(10)
        w.line("Dear Reviewer,")
        w.line("Please find enclosed our SECOR audit and twelve months of records.")
        w.gap(20)
        w.line("Sincerely,")
        w.line(ROSTER[0])

    return Page("cover_letter", draw, [day.isoformat()], COMPANY, [])


def employee_list(names: list[str], day: dt.date) -> Page:
    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.title("Employee List")
        w.line(f"Company: {COMPANY}")
        w.gap()
        w.rows(
            [["Name", "Position", "Start date"]]
            + [
                [n, p, written(day.replace(year=2015 + i), 0)]
                for i, (n, p) in enumerate(PEOPLE)
                if n in names
            ],
            [150, 170, 110],
        )

    return Page("other", draw, [], COMPANY, list(names), roster=True)


def manual_page(title: str, lines: list[str]) -> Page:
    def draw(c: Canvas) -> None:
        w = Writer(c)
        w.title(title)
        for text in lines:
            w.line(text)

    return Page("other", draw, [], None, [])


def year_of_records(
    rng: random.Random,
    months: list[tuple[int, int]],
    skip_inspections: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    trained: list[str] | None = None,
) -> list[Page]:
    """Records of the given months, as a small company keeps them."""
    pages: list[Page] = [
        cover_letter(dt.date(2025, 9, 22), rng.randrange(5)),
        policy(dt.date(2025, 1, 15), rng.randrange(5)),
        employee_list(ROSTER, dt.date(2025, 8, 1)),
    ]
    for n, (y, m) in enumerate(months):
        pages.append(minutes(dt.date(y, m, rng.randint(3, 12)), n, rng))
        if (y, m) not in skip_inspections:
            pages.append(inspection(dt.date(y, m, rng.randint(13, 26)), n + 2, rng))
        if m % 3 == 0:
            pages.append(hazard_assessment(dt.date(y, m, rng.randint(1, 27)), n + 3, rng))
    pages.append(incident(dt.date(*months[len(months) // 2], 17), 1, rng, STRANGER))
    for n, name in enumerate(trained if trained is not None else ROSTER):
        pages.append(training(name, dt.date(2025, 8, 1 + n), n))
    pages.append(
        manual_page(
            "Emergency Contact Numbers",
            ["Ambulance, fire, police: 911", "Poison centre: 1-800-332-1414"],
        )
    )
    return pages


def year(first: tuple[int, int] = (2024, 9), count: int = 12) -> list[tuple[int, int]]:
    y, m = first
    out = []
    for _ in range(count):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def record_pdf(page: Page, rng: random.Random) -> pypdf.PageObject:
    """The page printed to PDF, or printed and scanned (one JPEG page, as scanners write)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=letter)
    c.setTitle("record")
    page.draw(c)
    c.showPage()
    c.save()
    if page.scanned:
        doc = pdfium.PdfDocument(buf.getvalue())
        picture = doc[0].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
        doc.close()
        jpeg = io.BytesIO()
        scan(picture, rng, SCAN_DPI).save(jpeg, "JPEG", quality=60, dpi=(SCAN_DPI, SCAN_DPI))
        buf = io.BytesIO(img2pdf.convert(jpeg.getvalue()))
    return pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0]


def binder(pages: list[Page], target: Path, rng: random.Random) -> list[dict[str, Any]]:
    """The protocol, then the records; each record page's truth, numbered in the binder."""
    writer = pypdf.PdfWriter()
    for p in pypdf.PdfReader(str(PROTOCOL)).pages:
        writer.add_page(p)
    first = len(writer.pages) + 1
    for page in pages:
        writer.add_page(record_pdf(page, rng))
    with target.open("wb") as fh:
        writer.write(fh)
    return [page.truth(first + n) for n, page in enumerate(pages)]


def plan(rng: random.Random) -> dict[str, tuple[list[Page], dict[str, Any]]]:
    """Each binder's pages and the coverage it has (months are checked against the truth)."""
    full = year()
    out: dict[str, tuple[list[Page], dict[str, Any]]] = {}
    pages = year_of_records(rng, full)
    for p in pages:
        p.scanned = True
    out["coverage-full-year"] = (pages, {"gaps": [], "flags": [], "unknown": [STRANGER]})
    q1 = {(2025, 1), (2025, 2), (2025, 3)}
    pages = year_of_records(rng, full, skip_inspections=q1)
    pages[5].scanned = pages[9].scanned = True
    out["coverage-missing-quarter"] = (
        pages,
        {"gaps": [{"type": "inspection", "quarter": "2025-Q1"}], "flags": ["documentation_gap"]},
    )
    pages = year_of_records(rng, year((2025, 3), 6))
    pages[4].scanned = True
    out["coverage-six-months"] = (pages, {"gaps": [], "flags": ["documentation_short"]})
    pages = year_of_records(rng, full, skip_inspections={(2024, 11)})
    foreign = inspection(dt.date(2024, 11, 19), 3, rng, OTHER_COMPANY, "Kurt Lindqvist")
    foreign.scanned = True
    pages.insert(8, foreign)
    out["coverage-foreign-record"] = (pages, {"gaps": [], "flags": ["foreign_record"]})
    pages = year_of_records(rng, full, trained=ROSTER[:-1])
    pages[7].scanned = True
    out["coverage-missing-training"] = (
        pages,
        {"gaps": [], "flags": ["training_record_missing"], "untrained": [ROSTER[-1]]},
    )
    return out


def months_of(pages: list[dict[str, Any]], companies: tuple[str, ...] = (COMPANY,)) -> dict:
    counted = ("minutes", "inspection", "hazard_assessment", "incident_report")
    months: dict[str, set[str]] = {t: set() for t in counted}
    for p in pages:
        if p["type"] in months and p["company"] in companies:
            months[p["type"]].update(d[:7] for d in p["dates"] if WINDOW[0] <= d[:7] <= WINDOW[1])
    return {t: sorted(ms) for t, ms in months.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT)
    out: Path = parser.parse_args().out
    rng = random.Random(20261126)
    base = json.loads((ROOT / "truth" / f"{PROTOCOL.name}.json").read_text())
    for name, (pages, expected) in plan(rng).items():
        truth_pages = binder(pages, out / f"{name}.pdf", rng)
        t = {
            **base,
            "file": f"{name}.pdf",
            "kind": "binder",
            "coverage": {
                "window": {"from": WINDOW[0], "to": WINDOW[1]},
                "pages": truth_pages,
                "months": months_of(truth_pages),
                **expected,
            },
        }
        (out / "truth" / f"{name}.pdf.json").write_text(json.dumps(t, indent=1) + "\n")
        print(name, len(truth_pages), "record pages")


if __name__ == "__main__":
    main()

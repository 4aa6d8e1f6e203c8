"""Documentation coverage: the binder's records set against the 12 months the program asks for.

The program requires 12 months of records behind an audit (3 to 11: a one-year SECOR only;
under 3: not eligible). Pages are classified and dated by ingest; this module decides, from
those pages alone, the months each record type covers inside the window (the 12 whole months
before the month data gathering started), the quarters a required type is missing from, the
employees without a training record, the people no list knows and the records of another
company. Pure functions over plain values: the worker, hand-in and the CLI all call them.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from review.flags import Flag, FlagCode
from review.names import same_person
from review.protocol import ProtocolVersion


class RecordType(enum.StrEnum):
    """What a supporting page is; the API and the reviewer's grid use these values."""

    MINUTES = "minutes"
    INSPECTION = "inspection"
    HAZARD_ASSESSMENT = "hazard_assessment"
    TRAINING_RECORD = "training_record"
    INCIDENT_REPORT = "incident_report"
    POLICY = "policy"
    COVER_LETTER = "cover_letter"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    RecordType.MINUTES: "Meeting minutes",
    RecordType.INSPECTION: "Inspections",
    RecordType.HAZARD_ASSESSMENT: "Hazard assessments",
    RecordType.TRAINING_RECORD: "Training records",
    RecordType.INCIDENT_REPORT: "Incident and near-miss reports",
    RecordType.POLICY: "Policies and procedures",
    RecordType.COVER_LETTER: "Cover letters",
    RecordType.OTHER: "Other pages",
}

#: Record types whose months are counted (activity over the year, not standing documents).
COUNTED = (
    RecordType.MINUTES,
    RecordType.INSPECTION,
    RecordType.HAZARD_ASSESSMENT,
    RecordType.INCIDENT_REPORT,
)
#: Required every calendar quarter where the protocol's own words do not say otherwise.
QUARTERLY = (RecordType.INSPECTION, RecordType.MINUTES)
FULL_MONTHS = 12  # the program's documented year
MIN_MONTHS = 3  # under this: not eligible; from here to 11: a one-year SECOR only

#: Words in a question's text or instructions that name a record type (see quarterly_types).
TYPE_WORDS: dict[RecordType, tuple[str, ...]] = {
    RecordType.MINUTES: ("minutes", "meeting"),
    RecordType.INSPECTION: ("inspection",),
    RecordType.HAZARD_ASSESSMENT: ("hazard assessment",),
    RecordType.INCIDENT_REPORT: ("incident", "near miss", "near-miss", "hazard report"),
}


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month | None:
        m = re.match(r"(\d{4})-(\d{2})", text or "")
        return cls(int(m.group(1)), int(m.group(2))) if m and 1 <= int(m.group(2)) <= 12 else None

    def plus(self, months: int) -> Month:
        n = self.year * 12 + self.month - 1 + months
        return Month(n // 12, n % 12 + 1)

    @property
    def quarter(self) -> str:
        return f"{self.year}-Q{(self.month - 1) // 3 + 1}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Window:
    """The documented year: ``first`` to ``last`` month, both included."""

    first: Month
    last: Month

    @classmethod
    def before(cls, gathering_started: dt.date) -> Window:
        """The 12 whole months before the month data gathering started."""
        start = Month.of(gathering_started)
        return cls(start.plus(-FULL_MONTHS), start.plus(-1))

    def months(self) -> list[Month]:
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = m.plus(1)
        return out

    def __contains__(self, month: object) -> bool:
        return isinstance(month, Month) and self.first <= month <= self.last

    def to_json(self) -> dict[str, str]:
        return {"from": str(self.first), "to": str(self.last)}


@dataclass(frozen=True)
class PageRecord:
    """One supporting page as ingest read it. ``page`` is its position in the uploaded PDF
    (from 1); ``document`` the upload it came from where there are several."""

    page: int
    type: str
    dates: tuple[str, ...] = ()
    company: str | None = None
    people: tuple[str, ...] = ()
    #: The page lists the company's employees (an "Employee list"): a roster offline.
    roster: bool = False
    document: int | None = None

    def months(self) -> list[Month]:
        return sorted({m for d in self.dates if (m := Month.parse(d))})

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "page": self.page,
            "type": self.type,
            "dates": list(self.dates),
            "company": self.company,
            "people": list(self.people),
        }
        if self.roster:
            body["roster"] = True
        if self.document is not None:
            body["document"] = self.document
        return body

    @classmethod
    def from_json(cls, data: dict[str, Any], document: int | None = None) -> PageRecord:
        return cls(
            page=int(data.get("page") or 0),
            type=str(data.get("type") or RecordType.OTHER),
            dates=tuple(str(d) for d in data.get("dates") or ()),
            company=data.get("company") or None,
            people=tuple(str(p) for p in data.get("people") or ()),
            roster=bool(data.get("roster")),
            document=document if document is not None else data.get("document"),
        )


@dataclass(frozen=True)
class Context:
    """What is known besides the pages: the window, the roster, the chart, the company."""

    window: Window | None
    roster: tuple[str, ...] = ()
    roster_source: str = "registration's roster"  # or "employee list on page N"
    chart: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    quarterly: tuple[RecordType, ...] = QUARTERLY


def offline_context(
    pages: Sequence[PageRecord],
    gathering_started: dt.date | None,
    company: str | None,
    version: ProtocolVersion | None,
) -> Context:
    """What one document says of itself (``secor extract``, the worker): the window from its
    cover's audit dates, the roster from an employee list among its pages, the company from
    its cover."""
    lists = [p for p in pages if p.roster and p.people]
    return Context(
        window=Window.before(gathering_started) if gathering_started else None,
        roster=lists[0].people if lists else (),
        roster_source=f"employee list on page {lists[0].page}" if lists else "",
        companies=(company,) if company else (),
        quarterly=quarterly_types(version),
    )


@dataclass
class Coverage:
    window: Window | None
    pages: list[PageRecord]
    months: dict[str, list[str]] = field(default_factory=dict)
    gaps: list[dict[str, str]] = field(default_factory=list)
    documented_months: int = 0
    training: list[dict[str, Any]] = field(default_factory=list)
    unknown_people: list[dict[str, Any]] = field(default_factory=list)
    foreign: list[dict[str, Any]] = field(default_factory=list)
    roster_source: str | None = None
    flags: list[Flag] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "window": self.window.to_json() if self.window else None,
            "pages": [p.to_json() for p in self.pages],
            "months": self.months,
            "gaps": self.gaps,
            "documented_months": self.documented_months,
            "training": self.training,
            "roster_source": self.roster_source,
            "unknown_people": self.unknown_people,
            "foreign": self.foreign,
            "flags": [f.to_json() for f in self.flags],
        }


_SUFFIXES = re.compile(
    r"\b(ltd|limited|inc|incorporated|corp|corporation|co|company|llc|llp|lp|ulc)\b\.?"
)


def company_key(name: str) -> str:
    """A company name for comparing: no accents, case, punctuation or legal suffix."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace("&", " and "))
    return " ".join(_SUFFIXES.sub(" ", text).split())


def same_company(a: str, b: str) -> bool:
    """One company, written two ways or read with an OCR slip or two."""
    ka, kb = company_key(a), company_key(b)
    if not ka or not kb:
        return False
    return ka == kb or SequenceMatcher(None, ka, kb).ratio() >= 0.85


def is_foreign(page: PageRecord, companies: Sequence[str]) -> bool:
    """The page names a company, and it is none of the audited ones."""
    return bool(page.company and companies) and not any(
        same_company(page.company or "", c) for c in companies
    )


def quarterly_types(version: ProtocolVersion | None) -> tuple[RecordType, ...]:
    """The record types the protocol asks for every quarter, where its questions say so
    ("inspection forms: quarterly sample"); the program's default where they do not."""
    found: list[RecordType] = []
    for q in version.questions if version else ():
        words = f"{q.text} {q.instructions}".lower()
        if "quarter" not in words:
            continue
        found += [t for t, names in TYPE_WORDS.items() if any(n in words for n in names)]
    return tuple(dict.fromkeys(found)) or QUARTERLY


def _own(pages: Iterable[PageRecord], companies: Sequence[str]) -> list[PageRecord]:
    return [p for p in pages if not is_foreign(p, companies)]


def _months_by_type(pages: Sequence[PageRecord], window: Window | None) -> dict[str, list[str]]:
    months: dict[str, set[Month]] = {t.value: set() for t in COUNTED}
    for p in pages:
        if p.type in months:
            months[p.type].update(m for m in p.months() if window is None or m in window)
    return {t: [str(m) for m in sorted(ms)] for t, ms in months.items()}


def _gaps(
    months: dict[str, list[str]], period: list[Month], quarterly: Sequence[RecordType]
) -> list[dict[str, str]]:
    quarters: dict[str, list[Month]] = {}
    for m in period:
        quarters.setdefault(m.quarter, []).append(m)
    gaps = []
    for kind in quarterly:
        have = {Month.parse(s) for s in months.get(kind.value, [])}
        gaps += [
            {"type": kind.value, "quarter": q}
            for q, ms in quarters.items()
            if not any(m in have for m in ms)
        ]
    return gaps


def _training(pages: Sequence[PageRecord], roster: Sequence[str]) -> list[dict[str, Any]]:
    records = [p for p in pages if p.type == RecordType.TRAINING_RECORD]
    return [
        {
            "name": name,
            "pages": [
                _where(p) for p in records if any(same_person(name, who) for who in p.people)
            ],
        }
        for name in roster
    ]


def _where(p: PageRecord) -> dict[str, int]:
    return {"page": p.page, **({"document": p.document} if p.document is not None else {})}


def _unknown(pages: Sequence[PageRecord], known: Sequence[str]) -> list[dict[str, Any]]:
    seen: dict[str, list[dict[str, int]]] = {}
    for p in pages:
        for who in p.people:
            if p.roster or any(same_person(who, k) for k in known):
                continue
            key = next((k for k in seen if same_person(k, who)), who)
            seen.setdefault(key, []).append(_where(p))
    return [{"name": n, "pages": w} for n, w in seen.items()]


def assess(pages: Sequence[PageRecord], ctx: Context) -> Coverage:
    """Coverage of the pages over the context's window, with its flags."""
    own = _own(pages, ctx.companies)
    months = _months_by_type(own, ctx.window)
    out = Coverage(ctx.window, list(pages), months)
    out.foreign = [
        {**_where(p), "company": p.company} for p in pages if is_foreign(p, ctx.companies)
    ]
    if ctx.window is not None:
        first = Month.parse(min((m for ms in months.values() for m in ms), default=""))
        period = [m for m in ctx.window.months() if first is not None and m >= first]
        out.documented_months = len(period)
        out.gaps = _gaps(months, period, ctx.quarterly)
    if ctx.roster:
        out.roster_source = ctx.roster_source
        out.training = _training(own, ctx.roster)
    if ctx.roster or ctx.chart:
        out.unknown_people = _unknown(own, [*ctx.roster, *ctx.chart])
    out.flags = coverage_flags(out)
    return out


def coverage_flags(c: Coverage) -> list[Flag]:
    flags = [
        Flag(
            FlagCode.DOCUMENTATION_GAP,
            f"No {RecordType(g['type']).label.lower()} for {g['quarter']}; the protocol asks "
            "for them every quarter.",
        )
        for g in c.gaps
    ]
    if c.window is not None and c.documented_months < FULL_MONTHS:
        n = c.documented_months
        verdict = (
            "a one-year SECOR only" if n >= MIN_MONTHS else "the audit is not eligible for SECOR"
        )
        flags.append(
            Flag(
                FlagCode.DOCUMENTATION_SHORT,
                f"The records cover {n} of the {FULL_MONTHS} months from {c.window.first} to "
                f"{c.window.last}: {verdict}.",
            )
        )
    flags += [
        Flag(
            FlagCode.TRAINING_RECORD_MISSING,
            f"No training record names {t['name']} (on the {c.roster_source}).",
            person=t["name"],
        )
        for t in c.training
        if not t["pages"]
    ]
    flags += [
        Flag(
            FlagCode.FOREIGN_RECORD,
            f"Page {f['page']} is a record of {f['company']}, not of the audited company; it is "
            "not counted.",
        )
        for f in c.foreign
    ]
    return flags


@dataclass(frozen=True)
class Cell:
    pages: tuple[dict[str, int], ...]  # {"page", "document"?} of each record dated that month
    gap: bool  # the month lies in a quarter the type is missing from


@dataclass(frozen=True)
class GridRow:
    type: RecordType
    cells: tuple[Cell, ...]
    other: tuple[dict[str, int], ...]  # undated, or dated outside the window


@dataclass(frozen=True)
class Grid:
    """Months x record types, for the reviewer's page."""

    months: tuple[str, ...]
    rows: tuple[GridRow, ...]


def grid(data: dict[str, Any]) -> Grid | None:
    """The reviewer's grid of a stored coverage (``Coverage.to_json``); None without a window."""
    window = data.get("window")
    if not window:
        return None
    first, last = Month.parse(window["from"]), Month.parse(window["to"])
    if first is None or last is None:
        return None
    months = Window(first, last).months()
    gaps = {(g["type"], g["quarter"]) for g in data.get("gaps", [])}
    foreign = {(f["page"], f.get("document")) for f in data.get("foreign", [])}
    pages = [
        PageRecord.from_json(p)
        for p in data.get("pages", [])
        if (p.get("page"), p.get("document")) not in foreign
    ]
    rows = []
    for kind in RecordType:
        if kind == RecordType.OTHER:
            continue
        mine = [p for p in pages if p.type == kind]
        cells = tuple(
            Cell(
                tuple(_where(p) for p in mine if m in p.months()),
                (kind.value, m.quarter) in gaps,
            )
            for m in months
        )
        other = tuple(_where(p) for p in mine if not any(m in months for m in p.months()))
        rows.append(GridRow(kind, cells, other))
    return Grid(tuple(str(m) for m in months), tuple(rows))

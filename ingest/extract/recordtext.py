"""What a supporting page's words say: its record type, its own dates, its company, its people.

Works on lines of text in reading order, whether they came from the page's text layer or
from OCR of one of its regions; ``understand`` says whether those lines decide the page or
more of it must be read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.extract.dates import find_dates
from review.coverage import RecordType

TITLE_LINES = 4  # a page's title is among its first lines
LABEL_WORDS = 4  # "Date of the meeting", "Next meeting", "Current as of": a label is short

#: Title words of each record type. The match that ends last on the title line wins:
#: titles end in the document's noun ("Training Policy" is a policy, "Inspection Report" an
#: inspection).
_TITLES: list[tuple[RecordType, re.Pattern[str]]] = [
    (
        RecordType.MINUTES,
        re.compile(
            r"\bminutes\b|\bsafety meeting\b|\b(toolbox|tailgate|crew|committee|staff|"
            r"safety) (meeting|talk)s?\b",
            re.I,
        ),
    ),
    (
        RecordType.INCIDENT_REPORT,
        re.compile(
            r"\bincident\b|\bnear[- ]?miss\b|\baccident\b|\binvestigation\b|\bhazard report",
            re.I,
        ),
    ),
    (
        RecordType.HAZARD_ASSESSMENT,
        re.compile(
            r"\bhazard (assessment|identification|analysis)\b|\b(flha|jha|jsa)\b|"
            r"\bjob (hazard|safety) analysis\b|\brisk assessment\b",
            re.I,
        ),
    ),
    (
        RecordType.INSPECTION,
        re.compile(r"\binspections?\b|\bpre-?(use|trip) check|\bwalk-?through\b", re.I),
    ),
    (
        RecordType.TRAINING_RECORD,
        re.compile(r"\btraining\b|\borientation\b|\bcompetency\b|\bcertifications?\b", re.I),
    ),
    (
        RecordType.POLICY,
        re.compile(
            r"\bpolic(y|ies)\b|\bprocedures?\b|\bsafe (work|job) (practice|procedure)s?\b|"
            r"\bcode of practice\b|\bresponse plan\b",
            re.I,
        ),
    ),
]
_LETTER = re.compile(
    r"^\s*(dear\b|to whom it may concern|(yours )?sincerely|yours truly|kind regards)", re.I
)
_ROSTER = re.compile(
    r"\b(employee|staff|worker|personnel)s?\s+(list|roster|listing)\b|\blist of (employees|"
    r"workers|staff)\b",
    re.I,
)

# Dates: the record's own (2), a plain "Date:" (1), none (0); some are never the page's.
_OWN = re.compile(
    r"date of (the )?(meeting|inspection|assessment|incident|occurrence|event|letter|"
    r"policy|issue)|(meeting|inspection|assessment|incident|effective|issue) date|"
    r"current (as )?(of|to)|\bas of\b|date signed|\bsigned\b|\bdated\b|\bheld( on)?\b",
    re.I,
)
_GENERIC = re.compile(r"\bdate\b", re.I)
_NOT_OURS = re.compile(
    r"\bnext\b|\bdue\b|expir|valid (to|until)|renew|follow[- ]?up|target|review(ed)? by|"
    r"birth|\bhired?\b|start(ed)?\b|previous|\blast\b|reported|completed|\bcourse\b|"
    r"corrected|\brevised\b|\bprinted\b",
    re.I,
)
#: Where a label's value ends: at a wide gap (a text layer's columns) or the next label.
_LABEL = re.compile(
    r"\s{3,}|\s+(?=(?:date|company|employer|assessment|meeting|inspection|incident|present|absent|inspected|inspector|employee|worker|"
    r"position|assessed|reported|witness|current|next|time|location|site|signed|prepared|"
    r"completed|job|task|department|page)\b[^:]{0,25}:?)",
    re.I,
)

_COMPANY = re.compile(
    r"^\s*(company( name)?|employer|contractor|business|organi[sz]ation)\s*[:.\-]\s*(?P<v>.+)",
    re.I,
)
_LEGAL = re.compile(
    r"\b(ltd|limited|inc|incorporated|corp|corporation|llc|ulc|services|company)\.?\s*$", re.I
)
_PEOPLE = re.compile(
    r"(?P<label>present|attendees|attended by|in attendance|absent|regrets|inspected by|"
    r"inspector\(?s?\)?|completed by|conducted by|assessed by|assessor|prepared by|"
    r"reported by|employee( name)?|worker( name)?|name of (employee|worker)|injured worker|"
    r"witness(es)?|chair(ed by)?|recorder|signed( by)?|trainee|participants|crew)\b\s*[:\-]?\s*"
    r"(?P<v>.+)",
    re.I,
)
_NAME = re.compile(r"^[A-Z][a-zA-Z'’.-]*(?:\s+[A-Z][a-zA-Z'’-]*\.?){1,2}$")
_NOT_NAMES = {"name", "position", "title", "start", "date", "status", "owner", "employee"}
#: Words of the paperwork itself ("Employee Training Record" is no employee's name).
_PAPERWORK = re.compile(
    r"\b(training|record|report|list|safety|meeting|minutes|inspection|company|checklist|"
    r"form|policy|assessment|hazard|incident|health|date|current|course|name)s?\b",
    re.I,
)
#: Words of job titles: an employee list's position column is not a name.
_JOBS = re.compile(
    r"\b(owner|president|manager|coordinator|supervisor|operator|labou?rer|dispatcher|"
    r"foreman|driver|technician|assistant|clerk|administrator|apprentice|journeyman|helper|"
    r"officer|director|lead|hand|welder|mechanic|electrician|estimator|bookkeeper)\b",
    re.I,
)


@dataclass(frozen=True)
class Understood:
    type: RecordType | None  # None: these lines do not say
    dates: tuple[str, ...]
    company: str | None
    people: tuple[str, ...]
    roster: bool

    def decided(self) -> bool:
        """Enough is known: the type, and the date and people where the type has them."""
        if self.type is None or self.roster:  # an employee list is read whole for its names
            return False
        if self.type == RecordType.OTHER:
            return True
        if not self.dates:
            return False
        return self.type != RecordType.TRAINING_RECORD or bool(self.people)


def record_type(lines: Sequence[str]) -> tuple[RecordType | None, bool]:
    """The page's type from its title (or a letter's salutation), and whether it lists the
    employees. None where nothing decides."""
    if any(_LETTER.match(line) for line in lines):
        return RecordType.COVER_LETTER, False
    for line in [ln for ln in lines if ln.strip()][:TITLE_LINES]:
        if _ROSTER.search(line):
            return RecordType.OTHER, True
        best: tuple[int, RecordType] | None = None
        for kind, pattern in _TITLES:
            for m in pattern.finditer(line):
                if best is None or m.end() > best[0]:
                    best = (m.end(), kind)
        if best is not None:
            return best[1], False
    return None, False


def page_dates(lines: Sequence[str]) -> list[str]:
    """The record's own dates: labelled ones first, never a "next meeting" or expiry date."""
    ranked: list[tuple[tuple[int, bool], str]] = []
    for line in lines:
        last = 0
        for found in find_dates(line):
            context = line[last : found.start].rstrip(" :-")
            last = found.end
            # The label is the words just before the date, after any earlier label's colon.
            label = " ".join(context.split(":")[-1].split()[-LABEL_WORDS:])
            if _NOT_OURS.search(label):
                continue
            rank = 2 if _OWN.search(label) else 1 if _GENERIC.search(label) else 0
            ranked.append(((rank, found.day), found.iso()))
    if not ranked:
        return []
    top = max(r for r, _ in ranked)
    return sorted({iso for r, iso in ranked if r == top})


def _value(text: str) -> str:
    """A label's value: up to the next label on the line."""
    return _LABEL.split(text.strip(), maxsplit=1)[0].strip(" :;,")


def company_named(lines: Sequence[str]) -> str | None:
    for line in lines:
        if m := _COMPANY.match(line):
            value = _value(m.group("v"))
            if value:
                return value
    for line in [ln.strip() for ln in lines if ln.strip()][:TITLE_LINES]:
        if _LEGAL.search(line) and len(line) < 60:
            return line  # a letterhead
    return None


def names_in(text: str) -> list[str]:
    """People's names in a list as written: "Dana Whitford (Owner), Tom Becker and Amy Chen"."""
    text = re.sub(r"\([^)]*\)", " ", text)
    out = []
    # A comma read as a full stop still parts two names ("Priya Nair. Amy Chen").
    for part in re.split(r"[,;/&]|\band\b|(?<=[a-z]{2})\.\s+", text):
        words = [w.rstrip(".") if len(w) > 2 else w for w in part.split(" - ")[0].split()]
        if len(words) == 4 and all(w[:1].isupper() for w in words):  # a lost comma
            out += names_in(" ".join(words[:2]) + ", " + " ".join(words[2:]))
            continue
        name = " ".join(words).strip(" .:")
        if (
            _NAME.match(name)
            and name.split()[0].lower() not in _NOT_NAMES
            and not _JOBS.search(name)
            and not _PAPERWORK.search(name)
        ):
            out.append(name)
    return out


def people_named(lines: Sequence[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        for m in _PEOPLE.finditer(line):
            if m.start() and not line[m.start() - 1].isspace():
                continue
            out += [n for n in names_in(_value(m.group("v"))) if n not in out]
    return out


def roster_names(lines: Sequence[str]) -> list[str]:
    """The employees an employee list names: the first two words of each row that are a
    name (three where the middle one is an initial)."""
    out: list[str] = []
    for line in lines:
        if ":" in line:  # "Company: ...", "Current as of: ...": not a row of the list
            continue
        words = re.findall(r"[A-Za-z][A-Za-z'’.-]*", line)
        take = 3 if len(words) > 2 and re.fullmatch(r"[A-Z]\.?", words[1]) else 2
        name = " ".join(words[:take])
        if (
            len(words) >= 2
            and _NAME.match(name)
            and words[0].lower() not in _NOT_NAMES
            and not _JOBS.search(name)
            and not _ROSTER.search(line)
            and name not in out
        ):
            out.append(name)
    return out


def understand(lines: Sequence[str]) -> Understood:
    kind, roster = record_type(lines)
    people = roster_names(lines[1:]) if roster else people_named(lines)
    dates = () if roster else tuple(page_dates(lines))  # a list's dates are its people's
    return Understood(kind, dates, company_named(lines), tuple(people), roster)

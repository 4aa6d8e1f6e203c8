"""Dates as people write them on records: "2025-03-14", "March 14, 2025", "14/03/2025",
"Mar. 14 '25", "14 Mar 2025", "2025/03/14", and a month alone ("March 2025").

Slashed or dotted numbers are read day first (dd/mm/yyyy, the Canadian forms' order) unless
the first number cannot be a month's day-of-month reading (13/.. is a day) or the second
cannot be a month (../13/.. : month first). OCR's usual slips in digits ("l" for 1, "O" for
0) are undone inside what is otherwise a date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
#: A month's abbreviation with its first letter misread ("yan", "Oec"): known by the rest.
_TAILS = {name[1:]: n for name, n in MONTHS.items() if len(name) == 3 and name != "may"}
_TAILS["ay"] = 5
_MONTH = (
    r"(?P<mon>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r"|[a-z](?:"
    + "|".join(_TAILS)
    + r")(?![a-z]))\.?"
)
_DIGIT = r"[0-9lIO]"  # what OCR makes of digits
_YEAR = rf"(?P<year>(?:19|2[0O]){_DIGIT}{{2}}|['‘’`´°]\s?{_DIGIT}{{2}})"  # '25 as OCR reads it
_DAY = rf"(?P<day>{_DIGIT}{{1,2}})(?:st|nd|rd|th)?"

_PATTERNS = [
    # 2025-03-14, 2025/03/14, 2025.03.14
    re.compile(
        rf"\b(?P<year>(?:19|2[0O]){_DIGIT}{{2}})[-/.](?P<num>{_DIGIT}{{1,2}})[-/.]"
        rf"(?P<day>{_DIGIT}{{1,2}})\b"
    ),
    # 14/03/2025, 03/14/2025, 14-03-2025, 14.03.25
    re.compile(
        rf"\b(?P<a>{_DIGIT}{{1,2}})[/.-](?P<b>{_DIGIT}{{1,2}})[/.-]"
        rf"(?P<year>(?:19|2[0O]){_DIGIT}{{2}}|{_DIGIT}{{2}})\b"
    ),
    # March 14, 2025 / Mar. 14 '25 / Mar 14th 2025
    re.compile(rf"\b{_MONTH}\s*{_DAY}\s*,?\s*{_YEAR}(?![0-9])", re.I),
    # 14 Mar 2025 / 14-Mar-2025 / 14 March, 2025
    re.compile(rf"\b{_DAY}[\s-]*{_MONTH}[\s,-]*{_YEAR}(?![0-9])", re.I),
]
_EXACT_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH_ONLY = re.compile(rf"\b{_EXACT_MONTH}\s*,?\s*(?P<year>(?:19|2[0O]){_DIGIT}{{2}})\b", re.I)
_OCR_DIGITS = str.maketrans({"l": "1", "I": "1", "O": "0"})


@dataclass(frozen=True)
class Found:
    """A date found in a text, where it starts and ends; ``day`` False for a month alone."""

    date: dt.date
    start: int
    end: int
    day: bool = True

    def iso(self) -> str:
        return self.date.isoformat() if self.day else self.date.isoformat()[:7]


def _month(text: str) -> int:
    name = text.lower().rstrip(".")
    return MONTHS.get(name) or _TAILS[name[1:]]


def _number(text: str) -> int:
    return int(text.translate(_OCR_DIGITS))


def _year(text: str) -> int:
    digits = re.sub(r"\D", "", text.translate(_OCR_DIGITS))
    year = int(digits)
    return year + 2000 if year < 100 else year


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _from_match(m: re.Match[str]) -> dt.date | None:
    groups = m.groupdict()
    year = _year(groups["year"])
    if groups.get("mon"):
        return _make(year, _month(groups["mon"]), _number(groups["day"]))
    if groups.get("num"):
        return _make(year, _number(groups["num"]), _number(groups["day"]))
    a, b = _number(groups["a"]), _number(groups["b"])
    day, month = (b, a) if b > 12 >= a else (a, b)  # day first unless that cannot be
    return _make(year, month, day)


def find_dates(text: str) -> list[Found]:
    """Every date in ``text``, in the order written; spans never overlap."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= s or m.start() >= e for s, e in taken)

    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            date = _from_match(m)
            if date is not None and free(m) and 1990 <= date.year <= 2100:
                found.append(Found(date, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    for m in _MONTH_ONLY.finditer(text):
        year = _year(m.group("year"))
        if free(m) and 1990 <= year <= 2100:
            month = _month(m.group("mon"))
            found.append(Found(dt.date(year, month, 1), m.start(), m.end(), day=False))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)

"""Blank-form variants of the 2025 protocol that print points and dates the ways real forms do.

Each seed rewrites the printed points of every question ("5", "(0 - 5)", "(0-5)", "Max 5",
"(0 or 5)", "0/2/5") and the footer's effective date ("Effective 2025-01-01", "Revised
20250110", "Revised: January 10, 2025"), by editing the form's own content streams with pypdf
(as a form editor would: the fields and their positions stay the form's own). It returns the
structure a correct importer must recover. This covers the points and dates on today's own
layout; ``samples/realstyle.py`` makes whole forms laid out like the published instruments
(lettered elements, sub-questions, page labels, column orders).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parent.parent
BLANK = ROOT / "review" / "catalogue" / "forms" / "secor-protocol-2025-blank.pdf"
_POINTS = re.compile(rb"BT 1 0 0 1 ([\d.]+) ([\d.]+) Tm \((\d+)\) Tj T\* ET")
_EFFECTIVE = b"Effective 2025-01-01"
#: Helvetica advance widths (per 1,000 units) for the characters the notations use.
_WIDTH = {
    **{str(d): 556 for d in range(10)},
    " ": 278,
    "(": 333,
    ")": 333,
    "o": 556,
    "r": 333,
    "-": 333,
    "/": 278,
    "M": 833,
    "a": 556,
    "x": 500,
}
FONT_SIZE = 8.5
DATES = [
    ("Effective 2025-01-01", "2025-01-01"),
    ("Revised 20250110", "2025-01-10"),
    ("Revised: January 10, 2025", "2025-01-10"),
    ("Rev. 15 Feb 2025", "2025-02-15"),
]


@dataclass(frozen=True)
class Printed:
    page: int
    y: float  # baseline of the question's first line, PDF points from the bottom
    text: str
    available: int
    allowed: tuple[int, ...] | None


def _notation(rng: random.Random, maximum: int) -> tuple[str, tuple[int, ...] | None]:
    choice = rng.randrange(6)
    if choice == 0:
        return str(maximum), None
    if choice == 1:
        return f"(0 - {maximum})", None
    if choice == 2:
        return f"(0-{maximum})", None
    if choice == 3:
        return f"Max {maximum}", None
    if choice == 4:
        return f"(0 or {maximum})", (0, maximum)
    middle = max(1, maximum // 2)
    values = tuple(sorted({0, middle, maximum}))
    return "/".join(str(v) for v in values), values if len(values) > 2 else (0, maximum)


def _escape(text: str) -> bytes:
    return text.replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def make_variant(seed: int, target: Path) -> tuple[list[Printed], str]:
    """Write variant ``seed`` to ``target``; returns what each question prints and the date."""
    rng = random.Random(seed)
    writer = pypdf.PdfWriter(clone_from=str(BLANK))
    printed: list[Printed] = []
    stamp, effective = DATES[rng.randrange(len(DATES))]
    for number, page in enumerate(writer.pages, start=1):
        contents = page.get_contents()
        if contents is None:
            continue
        data = contents.get_data()

        def rewrite(m: re.Match[bytes], number: int = number) -> bytes:
            x, y, digits = float(m[1]), float(m[2]), m[3].decode()
            if not 320 < x < 372:  # only the points column
                return m[0]
            maximum = int(digits)
            text, allowed = _notation(rng, maximum)
            printed.append(Printed(number, y, text, maximum, allowed))
            old_width = sum(_WIDTH[c] for c in digits) * FONT_SIZE / 1000
            width = sum(_WIDTH[c] for c in text) * FONT_SIZE / 1000
            left = x + old_width / 2 - width / 2  # centred where the number was
            return b"BT 1 0 0 1 %.3f %s Tm (%s) Tj T* ET" % (left, m[2], _escape(text))

        data = _POINTS.sub(rewrite, data)
        data = data.replace(_EFFECTIVE, _escape(stamp))
        contents.set_data(data)
        page.replace_contents(contents)
    writer.write(str(target))
    return printed, effective

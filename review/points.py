"""How a form prints the points a question may be given, and what that allows.

Forms print a bare maximum ("5"), a range ("(0 - 3)", "(0-3)", "Max 5") or a set of allowed
values ("(0 or 2)", "0/2/4", "0, 1 or 3"). A range allows every whole number in it; a set only
its members: a 1 on a "(0 or 2)" question is an error a reviewer must see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_NUMBER = r"\d{1,3}"
_RANGE = re.compile(rf"^\(?\s*({_NUMBER})\s*[-–]\s*({_NUMBER})\s*\)?$")
_MAX = re.compile(
    rf"^\(?\s*(?:max(?:imum)?\.?|up\s+to)\s*({_NUMBER})\s*(?:pts?|points)?\s*\)?$", re.I
)
_BARE = re.compile(rf"^\(?\s*({_NUMBER})\s*\)?$")
_SET = re.compile(rf"^\(?\s*{_NUMBER}(?:\s*(?:/|,|\bor\b)\s*{_NUMBER})+\s*\)?$", re.I)


@dataclass(frozen=True)
class Allowed:
    """The most points a question gives, and the only values it allows (None: any whole
    number from 0 to the maximum)."""

    maximum: int
    values: tuple[int, ...] | None = None

    def permits(self, points: Fraction) -> bool:
        if self.values is not None:
            return points in self.values
        return 0 <= points <= self.maximum  # whole numbers are a flag of their own

    def choices(self) -> tuple[int, ...]:
        """Every number of points that may be given."""
        return self.values if self.values is not None else tuple(range(self.maximum + 1))

    def notation(self) -> str:
        """How a form would print it, in a form ``parse_notation`` reads back."""
        if self.values is None:
            return str(self.maximum)
        return "/".join(str(v) for v in self.values)

    def describe(self) -> str:
        if self.values is None:
            return f"0 to {self.maximum}"
        *head, last = (str(v) for v in self.values)
        return f"{', '.join(head)} or {last}" if head else last


def parse_notation(text: str) -> Allowed | None:
    """The points printed in a form's points column, or None when the text is not points."""
    text = " ".join(text.split())
    if not text or len(text) > 40:
        return None
    if m := _BARE.match(text):
        return Allowed(int(m[1]))
    if m := _MAX.match(text):
        return Allowed(int(m[1]))
    if m := _RANGE.match(text):
        low, high = int(m[1]), int(m[2])
        if low >= high:
            return None
        return Allowed(high) if low == 0 else Allowed(high, tuple(range(low, high + 1)))
    if _SET.match(text):
        values = tuple(sorted({int(v) for v in re.findall(_NUMBER, text)}))
        return Allowed(values[-1], values) if len(values) > 1 else None
    return None


def describe(values: tuple[int, ...] | None, maximum: int) -> str:
    return Allowed(maximum, values).describe()

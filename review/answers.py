"""Extracted answers as the review domain receives them, and parsing of points."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from review.scoring import AnswerValue

_NA = re.compile(r"^\s*n\s*/?\s*a\.?\s*$", re.I)
_NUMBER = re.compile(r"^\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*$")


@dataclass(frozen=True)
class ParsedPoints:
    awarded: Fraction | None
    na: bool
    readable: bool  # False when the box holds something that is not a number


def parse_points(raw: str) -> ParsedPoints:
    """'3' -> 3; '2.5' -> 5/2; 'N/A' -> na; '' -> blank; anything else is unreadable."""
    text = (raw or "").strip()
    if not text:
        return ParsedPoints(None, False, True)
    if _NA.match(text):
        return ParsedPoints(None, True, True)
    m = _NUMBER.match(text)
    if not m:
        return ParsedPoints(None, False, False)
    return ParsedPoints(Fraction(m.group(1).replace(",", ".")), False, True)


@dataclass(frozen=True)
class ExtractedAnswer:
    question: str
    raw: str
    awarded: Fraction | None
    na: bool
    notes: str
    method: str  # acroform | text | ocr | manual
    confidence: float
    page: int | None = None
    box: tuple[float, float, float, float] | None = None
    readable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(
        cls,
        question: str,
        raw: str,
        na_ticked: bool,
        notes: str,
        method: str,
        confidence: float,
        page: int | None = None,
        box: tuple[float, float, float, float] | None = None,
    ) -> ExtractedAnswer:
        parsed = parse_points(raw)
        return cls(
            question,
            raw.strip(),
            parsed.awarded,
            na_ticked or parsed.na,
            notes.strip(),
            method,
            round(float(confidence), 3),
            page,
            box,
            parsed.readable,
        )

    def value(self) -> AnswerValue:
        return AnswerValue(self.question, self.awarded, self.na)

    def corrected(
        self, awarded: Fraction | None, na: bool, notes: str | None = None
    ) -> ExtractedAnswer:
        return replace(
            self,
            awarded=awarded,
            na=na,
            notes=self.notes if notes is None else notes,
            method="manual",
            confidence=1.0,
            readable=True,
            raw="N/A" if na else ("" if awarded is None else str(awarded)),
        )

    def to_json(self, available: int) -> dict[str, Any]:
        awarded: int | float | None = None
        if self.awarded is not None:
            awarded = int(self.awarded) if self.awarded.denominator == 1 else float(self.awarded)
        return {
            "question": self.question,
            "awarded": awarded,
            "available": available,
            "na": self.na,
            "raw": self.raw,
            "notes": self.notes,
            "method": self.method,
            "confidence": self.confidence,
            "page": self.page,
            "readable": self.readable,
            "box": [round(v, 1) for v in self.box] if self.box else None,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ExtractedAnswer:
        awarded = d.get("awarded")
        return cls(
            d["question"],
            d.get("raw", ""),
            None if awarded is None else Fraction(str(awarded)),
            bool(d.get("na")),
            d.get("notes", ""),
            d.get("method", "manual"),
            float(d.get("confidence", 1.0)),
            d.get("page"),
            tuple(d["box"]) if d.get("box") else None,
            d.get("readable", True),
        )

"""Scoring as pure functions: points awarded / available per element, N/A removed from both.

Pass = the version's pass rule (the program's: overall at least 80% and every element at least
50%), compared exactly with fractions (80.0% passes, 79.99% fails). Percentages are shown to
one decimal, rounded half up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from review.protocol import PROGRAM_PASS, PassRule, ProtocolVersion


@dataclass(frozen=True)
class AnswerValue:
    """One question's answer as scored: ``awarded`` None means blank."""

    question: str
    awarded: Fraction | None
    na: bool = False


@dataclass(frozen=True)
class Tally:
    awarded: Fraction
    available: int

    @property
    def ratio(self) -> Fraction | None:
        return self.awarded / self.available if self.available else None

    @property
    def percent(self) -> float | None:
        """Exact percent as a float, for display and sorting only."""
        return float(self.ratio * 100) if self.ratio is not None else None

    def shown(self) -> str:
        return format_percent(self.ratio)


@dataclass(frozen=True)
class ElementScore:
    key: str
    name: str
    tally: Tally
    rule: PassRule = PROGRAM_PASS

    @property
    def passed(self) -> bool:
        # An element whose every question is N/A has nothing to fail.
        return self.tally.ratio is None or self.tally.ratio >= Fraction(self.rule.element, 100)


@dataclass(frozen=True)
class Score:
    elements: tuple[ElementScore, ...]
    overall: Tally
    rule: PassRule = PROGRAM_PASS

    @property
    def passed(self) -> bool:
        ratio = self.overall.ratio
        return (
            ratio is not None
            and ratio >= Fraction(self.rule.overall, 100)
            and all(e.passed for e in self.elements)
        )


def format_percent(ratio: Fraction | None) -> str:
    if ratio is None:
        return "N/A"
    value = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def counted_points(awarded: Fraction | None, available: int) -> Fraction:
    """What a scored answer contributes: blank counts 0, and never more than available."""
    if awarded is None:
        return Fraction(0)
    return min(max(awarded, Fraction(0)), Fraction(available))


def score(
    version: ProtocolVersion, answers: Mapping[str, AnswerValue] | Iterable[AnswerValue]
) -> Score:
    """Score answers against a protocol version; unknown question ids are ignored."""
    by_id = answers if isinstance(answers, Mapping) else {a.question: a for a in answers}
    elements = []
    total_awarded, total_available = Fraction(0), 0
    for element in version.elements:
        awarded, available = Fraction(0), 0
        for q in element.questions:
            answer = by_id.get(q.id)
            if answer is not None and answer.na and q.na_allowed:
                continue  # N/A removes the question from both sides
            available += q.available
            if answer is not None and not answer.na:
                awarded += counted_points(answer.awarded, q.available)
        elements.append(
            ElementScore(element.key, element.name, Tally(awarded, available), version.pass_rule)
        )
        total_awarded += awarded
        total_available += available
    return Score(tuple(elements), Tally(total_awarded, total_available), version.pass_rule)


def score_json(result: Score) -> dict[str, object]:
    def num(f: Fraction) -> int | float:
        return int(f) if f.denominator == 1 else float(f)

    return {
        "elements": [
            {
                "element": e.key,
                "name": e.name,
                "awarded": num(e.tally.awarded),
                "available": e.tally.available,
                "percent": _round1(e.tally.ratio),
                "passed": e.passed,
            }
            for e in result.elements
        ],
        "overall": {
            "awarded": num(result.overall.awarded),
            "available": result.overall.available,
            "percent": _round1(result.overall.ratio),
        },
        "passed": result.passed,
    }


def _round1(ratio: Fraction | None) -> float | None:
    shown = format_percent(ratio)
    return None if shown == "N/A" else float(shown)

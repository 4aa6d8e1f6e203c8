"""What a reviewer must look at: each flag has a stable code and a plain sentence."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from review import registration_rules as rules
from review.answers import ExtractedAnswer, parse_points
from review.protocol import ProtocolVersion
from review.scoring import Score


class FlagCode(enum.StrEnum):
    """Every flag a reviewer can be shown; queue filters and the API take these values."""

    DATA_GATHERING_TOO_LONG = "data_gathering_too_long"
    DOCUMENTATION_GAP = "documentation_gap"
    DOCUMENTATION_SHORT = "documentation_short"
    FOREIGN_RECORD = "foreign_record"
    LOW_CONFIDENCE = "low_confidence"
    MISSING_ANSWER = "missing_answer"
    NA_NOT_ALLOWED = "na_not_allowed"
    OUTDATED_FORM = "outdated_form"
    POINTS_ABOVE_MAX = "points_above_max"
    POINTS_NOT_WHOLE = "points_not_whole"
    POINTS_NOT_ALLOWED = "points_not_allowed"
    REDUCED_WITHOUT_NOTES = "reduced_without_notes"
    SUBMITTED_LATE = "submitted_late"
    SUMMARY_MISMATCH = "summary_mismatch"
    TRAINING_EXPIRED = "training_expired"
    TRAINING_RECORD_MISSING = "training_record_missing"
    UNREADABLE_POINTS = "unreadable_points"
    UNRECOGNISED_FORM = "unrecognised_form"


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    question: str | None = None
    element: str | None = None
    person: str | None = None  # the employee a flag is about (training_record_missing)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Circumstances:
    """Registration facts, where they exist."""

    training_completed_on: dt.date | None = None
    audit_start: dt.date | None = None
    audit_end: dt.date | None = None
    submitted_on: dt.date | None = None


def answer_flags(
    version: ProtocolVersion, answers: Mapping[str, ExtractedAnswer], low_confidence: float
) -> list[Flag]:
    flags: list[Flag] = []
    for q in version.questions:
        a = answers.get(q.id)
        if a is None or (a.awarded is None and not a.na and a.readable):
            flags.append(
                Flag(FlagCode.MISSING_ANSWER, f"Question {q.id} has no points awarded.", q.id)
            )
            continue
        if not a.readable:
            flags.append(
                Flag(
                    FlagCode.UNREADABLE_POINTS,
                    f"Question {q.id}: '{a.raw}' is not a number of points.",
                    q.id,
                )
            )
        if a.na and not q.na_allowed:
            flags.append(
                Flag(
                    FlagCode.NA_NOT_ALLOWED,
                    f"Question {q.id} is marked N/A but the form does "
                    "not allow N/A for it; it counts as 0.",
                    q.id,
                )
            )
        if a.awarded is not None:
            if a.awarded > q.available:
                flags.append(
                    Flag(
                        FlagCode.POINTS_ABOVE_MAX,
                        f"Question {q.id} awards {a.raw} points; at "
                        f"most {q.available} are available.",
                        q.id,
                    )
                )
            elif q.allowed is not None and not q.points.permits(a.awarded):
                flags.append(
                    Flag(
                        FlagCode.POINTS_NOT_ALLOWED,
                        f"Question {q.id}: {a.raw} given where only {q.points.describe()} may "
                        "be given.",
                        q.id,
                    )
                )
            if a.awarded.denominator != 1:
                flags.append(
                    Flag(
                        FlagCode.POINTS_NOT_WHOLE,
                        f"Question {q.id} awards {a.raw}; points are whole numbers.",
                        q.id,
                    )
                )
            if a.awarded < q.available and not a.na and not a.notes.strip():
                flags.append(
                    Flag(
                        FlagCode.REDUCED_WITHOUT_NOTES,
                        f"Question {q.id} awards fewer than "
                        f"{q.available} points but gives no notes.",
                        q.id,
                    )
                )
        if a.confidence < low_confidence:
            flags.append(
                Flag(
                    FlagCode.LOW_CONFIDENCE,
                    f"Question {q.id} was read with confidence "
                    f"{a.confidence:.2f}; check it against the source.",
                    q.id,
                )
            )
    return flags


def summary_flags(result: Score, summary: Mapping[str, Mapping[str, str]]) -> list[Flag]:
    """Compare the assessor's own summary totals with the computed ones."""
    flags: list[Flag] = []
    tallies = {e.key: e.tally for e in result.elements} | {"overall": result.overall}
    for key, fields in summary.items():
        tally = tallies.get(key)
        if tally is None:
            continue
        where = "overall" if key == "overall" else f"element {key}"
        element = None if key == "overall" else key
        awarded = parse_points(fields.get("awarded", "")).awarded
        available = parse_points(fields.get("available", "")).awarded
        percent = parse_points(fields.get("percent", "").replace("%", "")).awarded
        if awarded is not None and awarded != tally.awarded:
            flags.append(
                Flag(
                    FlagCode.SUMMARY_MISMATCH,
                    f"The assessor's summary gives {awarded} points "
                    f"awarded for {where}; the answers add up to {tally.awarded}.",
                    element=element,
                )
            )
        if available is not None and available != tally.available:
            flags.append(
                Flag(
                    FlagCode.SUMMARY_MISMATCH,
                    f"The assessor's summary gives {available} points "
                    f"available for {where}; the form gives {tally.available}.",
                    element=element,
                )
            )
        ratio = tally.ratio
        if (
            percent is not None
            and ratio is not None
            and abs(percent - ratio * 100) > Fraction(1, 10)
        ):
            flags.append(
                Flag(
                    FlagCode.SUMMARY_MISMATCH,
                    f"The assessor's summary gives {float(percent):g}% "
                    f"for {where}; the computed figure is {float(ratio * 100):.1f}%.",
                    element=element,
                )
            )
    return flags


def form_flags(version: str | None, current: bool | None) -> list[Flag]:
    if version is None:
        return [Flag(FlagCode.UNRECOGNISED_FORM, "The form matches no known protocol version.")]
    if not current:
        return [
            Flag(
                FlagCode.OUTDATED_FORM,
                f"The audit was made on the outdated {version} protocol; "
                "audits on old forms are returned without a quality review.",
            )
        ]
    return []


def timing_flags(c: Circumstances) -> list[Flag]:
    """The program's timing rules (review.registration_rules) applied to a submitted audit."""
    flags: list[Flag] = []
    reference = c.audit_start or c.submitted_on
    if (
        c.training_completed_on
        and reference
        and rules.training_problem(c.training_completed_on, reference)
    ):
        flags.append(
            Flag(
                FlagCode.TRAINING_EXPIRED,
                "The assessor's training is "
                f"{rules.TRAINING_YEARS} or more years old at the audit start.",
            )
        )
    if c.audit_start and c.audit_end:
        days = (c.audit_end - c.audit_start).days
        if days > rules.MAX_GATHERING_DAYS:
            flags.append(
                Flag(
                    FlagCode.DATA_GATHERING_TOO_LONG,
                    f"Data gathering took {days} days; at most "
                    f"{rules.MAX_GATHERING_DAYS} are allowed.",
                )
            )
    if c.audit_end and c.submitted_on and rules.submitted_late(c.audit_end, c.submitted_on):
        days = (c.submitted_on - c.audit_end).days
        flags.append(
            Flag(
                FlagCode.SUBMITTED_LATE,
                f"The audit was submitted {days} days after data "
                f"gathering ended; it is due within {rules.SUBMIT_WITHIN_DAYS}.",
            )
        )
    return flags


def all_flags(
    version: ProtocolVersion | None,
    current: bool | None,
    answers: Sequence[ExtractedAnswer],
    result: Score | None,
    summary: Mapping[str, Mapping[str, str]],
    circumstances: Circumstances,
    low_confidence: float,
) -> list[Flag]:
    flags = form_flags(version.version if version else None, current)
    if version is not None and result is not None:
        by_id = {a.question: a for a in answers}
        flags += answer_flags(version, by_id, low_confidence)
        flags += summary_flags(result, summary)
    flags += timing_flags(circumstances)
    return flags

"""Score and flags of one set of answers: used at extraction and after every correction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from review.answers import ExtractedAnswer
from review.flags import Circumstances, all_flags
from review.protocol import ProtocolVersion
from review.scoring import score, score_json


def parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def evaluate(
    version: ProtocolVersion | None,
    current: bool | None,
    answers: Sequence[ExtractedAnswer],
    summary: Mapping[str, Mapping[str, str]],
    circumstances: Circumstances,
    low_confidence: float,
) -> dict[str, Any]:
    """elements, overall, passed and flags, ready for JSON."""
    result = score(version, [a.value() for a in answers]) if version is not None else None
    flags = all_flags(version, current, answers, result, summary, circumstances, low_confidence)
    body: dict[str, Any] = {"elements": [], "overall": None, "passed": None}
    if result is not None:
        body.update(score_json(result))
    body["flags"] = [f.to_json() for f in flags]
    return body


def answers_json(
    version: ProtocolVersion | None, answers: Sequence[ExtractedAnswer]
) -> list[dict[str, Any]]:
    available = {q.id: q.available for q in version.questions} if version else {}
    return [a.to_json(available.get(a.question, 0)) for a in answers]

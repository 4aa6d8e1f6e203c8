"""What extraction found in one protocol document, as one typed value.

The worker builds it, stores it as the document's result (``to_json``) and review reads it back
at hand-in (``from_json``): one shape on both sides, so a document and the submission it is
handed in with are scored from the same answers by the same function (``review.outcome``), and
differ only by what hand-in knows and extraction did not (the assessor's training, the day it
was submitted, whether the version is still accepted that day).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from review.answers import ExtractedAnswer
from review.flags import Circumstances
from review.outcome import parse_date
from review.protocol import Catalogue, ProtocolVersion

_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:to|-|–|until|through)\s*(\d{4}-\d{2}-\d{2})", re.I)


@dataclass(frozen=True)
class Extraction:
    version: str | None
    form_number: str | None
    current: bool | None
    confidence: float
    evidence: tuple[str, ...]
    method: str | None  # acroform | text | ocr, None when nothing was read
    answers: tuple[ExtractedAnswer, ...] = ()
    summary: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    cover: Mapping[str, str] = field(default_factory=dict)
    pages: Mapping[str, int] = field(default_factory=dict)  # blank form page -> uploaded page
    turns: Mapping[str, int] = field(default_factory=dict)  # uploaded page -> quarter turns

    def audit_dates(self) -> tuple[Any, Any]:
        """The audit's first and last day from the cover: separate start and end fields, or
        one "Audit date(s)" field holding a range (real forms) or a single day."""
        start, end = (
            parse_date(self.cover.get("start_date")),
            parse_date(self.cover.get("end_date")),
        )
        if start or end:
            return start, end
        text = self.cover.get("audit_dates") or ""
        m = _RANGE.search(text)
        if m:
            return parse_date(m.group(1)), parse_date(m.group(2))
        day = parse_date(text)
        return day, day

    def circumstances(self, **known: Any) -> Circumstances:
        """The circumstances the form itself gives, with what the caller knows besides."""
        start, end = self.audit_dates()
        return Circumstances(audit_start=start, audit_end=end, **known)

    def to_json(self, version: ProtocolVersion | None) -> dict[str, Any]:
        available = {q.id: q.available for q in version.questions} if version else {}
        return {
            "protocol": {
                "version": self.version,
                "form_number": self.form_number,
                "current": self.current,
                "confidence": round(self.confidence, 3),
                "evidence": list(self.evidence),
            },
            "method": self.method,
            "answers": [a.to_json(available.get(a.question, 0)) for a in self.answers],
            "summary": {k: dict(v) for k, v in self.summary.items()},
            "cover": dict(self.cover),
            "pages": {str(k): v for k, v in self.pages.items()},
            "turns": {str(k): v for k, v in self.turns.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Extraction:
        protocol = data.get("protocol") or {}
        return cls(
            version=protocol.get("version"),
            form_number=protocol.get("form_number"),
            current=protocol.get("current"),
            confidence=float(protocol.get("confidence") or 0.0),
            evidence=tuple(protocol.get("evidence") or ()),
            method=data.get("method"),
            answers=tuple(ExtractedAnswer.from_json(a) for a in data.get("answers") or ()),
            summary=dict(data.get("summary") or {}),
            cover=dict(data.get("cover") or {}),
            pages={str(k): int(v) for k, v in (data.get("pages") or {}).items()},
            turns={str(k): int(v) for k, v in (data.get("turns") or {}).items()},
        )


def form_notice(result: dict[str, Any] | None, catalogue: Catalogue) -> str | None:
    """What the employer is told as soon as a protocol is read on a form that will be
    returned without a quality review (an outdated or unrecognised one); None otherwise."""
    protocol = (result or {}).get("protocol")
    if not protocol:
        return None
    current = catalogue.current
    wanted = (
        f"the {current.version} protocol ({current.form_number or current.title})"
        if current
        else "the current protocol"
    )
    if protocol.get("version") and protocol.get("current") is False:
        return (
            f"This is the {protocol['version']} protocol; audits must use {wanted}, and one "
            "handed in on an old form is returned without a quality review. Download the "
            "current blank form and replace this document before you hand in."
        )
    codes = {f.get("code") for f in (result or {}).get("flags", [])}
    if protocol.get("version") is None and "unrecognised_form" in codes:
        return (
            f"This form is not a protocol version the certifying body knows; audits must use "
            f"{wanted}. Download the current blank form and replace this document before you "
            "hand in."
        )
    return None

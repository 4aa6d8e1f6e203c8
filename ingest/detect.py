"""Which protocol version is this? From field names, metadata and the printed form number.

A printed form number that names no known version makes the form unrecognised even if its
fields look familiar: we never guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from review.protocol import Catalogue, ProtocolVersion

_FORM_NUMBER = re.compile(r"\b([A-Z]{2,}(?:-[A-Z]{2,})*)-(\d{4})(?:\s*Rev\s*(\d+))?", re.I)


@dataclass(frozen=True)
class Detection:
    version: ProtocolVersion | None
    current: bool | None
    confidence: float
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {"version": self.version.version if self.version else None,
                "form_number": self.version.form_number if self.version else None,
                "current": self.current, "confidence": round(self.confidence, 3),
                "evidence": list(self.evidence)}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def printed_numbers(text: str) -> set[str]:
    """Form numbers printed in ``text``, normalised (e.g. 'secorap2025rev1')."""
    return {_norm(m.group(0)) for m in _FORM_NUMBER.finditer(text)}


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def detect(catalogue: Catalogue, field_names: Iterable[str] = (), metadata: str = "",
           printed: str = "") -> Detection:
    """Weigh the evidence for each known version; ``printed`` is page text or OCR of it."""
    names = set(field_names)
    seen = printed_numbers(printed)
    meta = _norm(metadata)
    best: tuple[float, ProtocolVersion | None, list[str]] = (0.0, None, [])
    known = set()
    for v in catalogue.versions.values():
        number = _norm(v.form_number)
        base = _norm(v.form_number.split(" Rev")[0])
        known |= {number, base}
        points, why = 0.0, []
        if number in seen:
            points += 0.6
            why.append(f"printed form number {v.form_number}")
        elif any(s.startswith(base) for s in seen):
            points += 0.35
            why.append(f"printed form number of {v.version} with another revision")
        elif _norm(f"Version {v.version}") in _norm(printed):
            points += 0.2
            why.append(f"printed 'Version {v.version}'")
        if names:
            similarity = _jaccard(names, v.field_names)
            if similarity > 0.9:
                points += 0.3 * similarity
                why.append(f"fields match {similarity:.0%}")
        if number in meta or base in meta:
            points += 0.1
            why.append("document metadata")
        if points > best[0]:
            best = (points, v, why)
    foreign = {s for s in seen if s not in known and not any(s.startswith(k) for k in known)}
    points, version, why = best
    if version is None or points < 0.3 or (foreign and not any(
            _norm(version.form_number.split(" Rev")[0]) in s for s in seen)):
        reason = ["printed form number is not a known version"] if foreign else ["no known version matched"]
        return Detection(None, None, 1.0 - min(points, 0.99) if not foreign else 0.95, tuple(reason))
    return Detection(version, catalogue.is_current(version.version), min(points, 1.0), tuple(why))

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
#: A revision stamp as forms print it in their footer: "Revised 20260110", "Effective
#: 2025-01-01", "Revised: January 10, 2026". Forms without a form number are told apart by it.
STAMP = re.compile(
    r"(?:Effective|Revised|Revision\s+date|Rev\.?)\s*:?\s*"
    r"(\d{4}-\d{2}-\d{2}|\d{8}|[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4})"
)


@dataclass(frozen=True)
class Detection:
    version: ProtocolVersion | None
    current: bool | None
    confidence: float
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {
            "version": self.version.version if self.version else None,
            "form_number": self.version.form_number if self.version else None,
            "current": self.current,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
        }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def printed_numbers(text: str) -> set[str]:
    """Form numbers printed in ``text``, normalised (e.g. 'secorap2025rev1')."""
    return {_norm(m.group(0)) for m in _FORM_NUMBER.finditer(text)}


def printed_stamps(text: str) -> set[str]:
    """Revision stamps printed in ``text``, normalised (e.g. 'revised20260110')."""
    return {_norm(m.group(0)) for m in STAMP.finditer(text)}


def _stamp_markers(version: ProtocolVersion) -> set[str]:
    """The version's markers that are revision stamps (forms with no form number)."""
    return {_norm(m) for m in version.markers if STAMP.fullmatch(m)}


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


#: How strongly each kind of evidence alone points to a version (combined as independent).
PRINTED_NUMBER, OTHER_REVISION, PRINTED_VERSION, FIELDS, METADATA = 0.9, 0.6, 0.5, 0.8, 0.3
RECOGNISED = 0.5


def _combine(weights: list[float]) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return 1.0 - miss


def detect(
    catalogue: Catalogue, field_names: Iterable[str] = (), metadata: str = "", printed: str = ""
) -> Detection:
    """Weigh the evidence for each known version; ``printed`` is page text or OCR of it."""
    names = set(field_names)
    seen = printed_numbers(printed)
    stamps = printed_stamps(printed)
    meta = _norm(metadata)
    best: tuple[float, ProtocolVersion | None, list[str]] = (0.0, None, [])
    known = set()
    for v in catalogue.versions.values():
        number = _norm(v.form_number)
        base = _norm(v.form_number.split(" Rev")[0])
        known |= {number, base}
        weights, why = [], []
        if number in seen:
            weights.append(PRINTED_NUMBER)
            why.append(f"printed form number {v.form_number}")
        elif any(s.startswith(base) for s in seen):
            weights.append(OTHER_REVISION)
            why.append(f"printed form number of {v.version} with another revision")
        elif _stamp_markers(v) & stamps:
            weights.append(PRINTED_NUMBER)
            why.append(f"printed revision stamp of {v.version}")
        elif _norm(f"Version {v.version}") in _norm(printed):
            weights.append(PRINTED_VERSION)
            why.append(f"printed 'Version {v.version}'")
        if names:
            similarity = _jaccard(names, v.field_names)
            if similarity > 0.9:
                weights.append(FIELDS * similarity)
                why.append(f"fields match {similarity:.0%}")
        if number in meta or base in meta:
            weights.append(METADATA)
            why.append("document metadata")
        score = _combine(weights)
        if score > best[0]:
            best = (score, v, why)
    foreign = {s for s in seen if s not in known and not any(s.startswith(k) for k in known)}
    score, version, why = best
    stamped = set().union(*(_stamp_markers(v) for v in catalogue.versions.values()))
    if stamps and stamped and not seen and not (stamps & stamped):
        # a form that names itself by revision stamp only, and by none we know
        foreign |= {s for s in stamps if s.startswith("revised")}
    printed_match = version is not None and any(
        s.startswith(_norm(version.form_number.split(" Rev")[0])) for s in seen
    )
    if version is None or score < RECOGNISED or (foreign and not printed_match):
        reason = (
            "printed form number or revision is not a known version"
            if foreign
            else "no known version matched"
        )
        return Detection(None, None, 0.9 if foreign else 1.0 - score, (reason,))
    return Detection(version, catalogue.is_current(version.version), score, tuple(why))

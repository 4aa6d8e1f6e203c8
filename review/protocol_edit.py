"""Staff corrections to an imported version while it is a draft.

The importer reads a form as printed; where it misread (an id, the points, the method), left a
question out (its box is listed as not placed) or took something for a question that is not one,
staff correct the draft on its preview page before they activate it. An active version is never
edited: its answers have been scored against it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

from review.errors import ReviewError, ReviewErrorCode
from review.points import parse_notation
from review.protocol import DRAFT, Catalogue, Element, ProtocolVersion, Question

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,11}$")
METHODS = ("D", "I", "O")


@dataclass(frozen=True)
class QuestionEdit:
    """A correction of the question at ``index`` (its place in the version's questions)."""

    index: int
    id: str
    points: str  # as the form should have been read: "5", "(0 or 2)", "0-3"
    method: str | None
    remove: bool = False


@dataclass(frozen=True)
class NewQuestion:
    """A question the importer missed, scored in the box ``box`` it listed as not placed."""

    box: str
    id: str
    element: str
    points: str
    method: str | None
    text: str


def _question(q: Question, qid: str, points: str, method: str | None) -> Question:
    allowed = parse_notation(points)
    if allowed is None:
        raise ReviewError(
            ReviewErrorCode.INVALID,
            f"Question {qid}: {points!r} is not points as a form prints them "
            '(for example "5", "(0 - 3)" or "(0 or 2)").',
        )
    return dataclasses.replace(
        q, id=qid, available=allowed.maximum, allowed=allowed.values, method=method
    )


def _checked_id(qid: str) -> str:
    qid = qid.strip()
    if not _ID.match(qid):
        raise ReviewError(
            ReviewErrorCode.INVALID, f"{qid[:20]!r} is not a question id (like 1.3, A1 or C1a)."
        )
    return qid


def _method(method: str | None) -> str | None:
    if method in (None, "", "-"):
        return None
    if method not in METHODS:
        raise ReviewError(ReviewErrorCode.INVALID, "The method is D, I, O or none.")
    return method


def correct_draft(
    instance_dir: Path,
    version: str,
    edits: list[QuestionEdit],
    added: NewQuestion | None = None,
) -> ProtocolVersion:
    """Apply staff's corrections to a draft and save it; returns the corrected version."""
    catalogue = Catalogue.default(instance_dir)
    found = catalogue.all_versions.get(version)
    if found is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "There is no such protocol version.")
    if found.status != DRAFT:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"Version {version} is active; only a draft can be corrected.",
        )
    questions = list(found.questions)
    changed: dict[int, Question | None] = {}
    for edit in edits:
        if not 0 <= edit.index < len(questions):
            raise ReviewError(ReviewErrorCode.INVALID, "The form lists a question that is gone.")
        q = questions[edit.index]
        changed[edit.index] = (
            None
            if edit.remove
            else _question(q, _checked_id(edit.id), edit.points.strip(), _method(edit.method))
        )
    kept = [changed.get(i, q) for i, q in enumerate(questions)]
    result = [q for q in kept if q is not None]
    if added is not None:
        box = next((f for f in found.unplaced if f.name == added.box), None)
        if box is None:
            raise ReviewError(ReviewErrorCode.INVALID, "Choose one of the boxes not placed.")
        element = added.element.strip().upper()
        if not re.fullmatch(r"[A-Z]|\d{1,2}", element):
            raise ReviewError(ReviewErrorCode.INVALID, "The element is a number or a letter.")
        blank = Question(
            id="",
            element=element,
            text=added.text.strip()[:500],
            method=None,
            available=0,
            na_allowed=False,
            awarded=box,
        )
        result.append(
            _question(blank, _checked_id(added.id), added.points.strip(), _method(added.method))
        )
    if not result:
        raise ReviewError(ReviewErrorCode.INVALID, "A version needs at least one question.")
    ids = [q.id for q in result]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ReviewError(ReviewErrorCode.INVALID, f"Question ids must differ: {', '.join(twice)}.")
    corrected = dataclasses.replace(
        found,
        elements=_regroup(found, result),
        unplaced=tuple(f for f in found.unplaced if added is None or f.name != added.box),
    )
    _save(catalogue.paths[version], corrected)
    return Catalogue.default(instance_dir).all_versions[version]


def _regroup(found: ProtocolVersion, questions: list[Question]) -> tuple[Element, ...]:
    """Questions back into their elements, in the form's order; a new element goes last."""
    known = {e.key: e for e in found.elements}
    keys = list(dict.fromkeys([e.key for e in found.elements] + [q.element for q in questions]))
    out = []
    for key in keys:
        mine = tuple(q for q in questions if q.element == key)
        if not mine:
            continue
        element = known.get(key) or Element(key=key, name=f"Element {key}", questions=())
        out.append(dataclasses.replace(element, questions=mine))
    return tuple(out)


def _save(path: Path, version: ProtocolVersion) -> None:
    if path.parent.name != "protocols":  # the instance's imports, not the shipped catalogue
        raise ReviewError(ReviewErrorCode.WRONG_STATE, "Shipped versions cannot be corrected.")
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(version.to_json(), indent=1) + "\n")
    tmp.replace(path)

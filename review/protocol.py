"""Protocol versions as data: elements, questions, points and the form's field layout.

A version is built from the official blank form by ``ingest.formimport`` and stored as JSON;
nothing here knows about PDFs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from review.points import Allowed

Rect = tuple[float, float, float, float]  # PDF user space: x0, y0, x1, y1 (origin bottom-left)


@dataclass(frozen=True)
class FieldRef:
    name: str
    page: int  # 1-based page of the blank form
    rect: Rect
    kind: str = "text"  # text | checkbox


@dataclass(frozen=True)
class PassRule:
    """The least an audit must score, overall and in every element, in whole percent."""

    overall: int = 80
    element: int = 50

    def describe(self) -> str:
        return f"at least {self.overall}% overall and at least {self.element}% in every element"


#: The program's rule, for forms that print none of their own.
PROGRAM_PASS = PassRule()


@dataclass(frozen=True)
class Question:
    id: str  # as printed: "1.3", "A1", "C1a"
    element: str  # the element's key: "1", "A"
    text: str
    method: str | None  # D, I, O (documentation, interview, observation) where printed
    available: int
    na_allowed: bool
    awarded: FieldRef
    notes: FieldRef | None = None
    na: FieldRef | None = None
    #: The only values a form allows where it prints a set ("(0 or 2)"); None: 0 to available.
    allowed: tuple[int, ...] | None = None
    #: The shared question a sub-question (C1a, C1b) is scored under, as printed.
    stem: str = ""
    #: What the form tells the assessor to review for this question, where it prints it.
    instructions: str = ""

    @property
    def points(self) -> Allowed:
        return Allowed(self.available, self.allowed)


@dataclass(frozen=True)
class Element:
    key: str  # "1" or "A": what the ids and the summary rows carry
    name: str
    questions: tuple[Question, ...]
    summary: dict[str, FieldRef] = field(default_factory=dict)  # awarded, available, percent
    #: The heading as printed before the name: "Element 1", "A", "Section A".
    label: str = ""

    @property
    def available(self) -> int:
        return sum(q.available for q in self.questions)


@dataclass(frozen=True)
class ProtocolVersion:
    version: str  # "2025"
    form_number: str  # "SECOR-AP-2025 Rev 1"
    title: str
    effective: str  # ISO date
    elements: tuple[Element, ...]
    page_count: int
    page_sizes: tuple[tuple[float, float], ...]
    markers: tuple[str, ...] = ()
    field_names: frozenset[str] = frozenset()
    overall: dict[str, FieldRef] = field(default_factory=dict)
    cover: dict[str, FieldRef] = field(default_factory=dict)
    blank_sha256: str = ""
    blank_file: str = ""
    #: ``draft`` until staff activate it (an import never changes what is current).
    status: str = "active"
    #: The last day an audit on this version is accepted, once a newer one is active.
    accepted_until: str | None = None
    pass_rule: PassRule = PROGRAM_PASS
    #: Boxes of the blank form the importer could not place (staff see them in the preview).
    unplaced: tuple[FieldRef, ...] = ()

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for e in self.elements for q in e.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def question_pages(self) -> frozenset[int]:
        return frozenset(q.awarded.page for q in self.questions)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["field_names"] = sorted(self.field_names)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProtocolVersion:
        def ref(d: dict[str, Any] | None) -> FieldRef | None:
            return (
                FieldRef(d["name"], d["page"], tuple(d["rect"]), d.get("kind", "text"))
                if d
                else None
            )

        elements = tuple(
            Element(
                key=str(e.get("key", e.get("number"))),
                label=e.get("label", ""),
                name=e["name"],
                questions=tuple(
                    Question(
                        id=q["id"],
                        element=str(q["element"]),
                        text=q["text"],
                        method=q["method"],
                        available=q["available"],
                        na_allowed=q["na_allowed"],
                        awarded=ref(q["awarded"]),  # type: ignore[arg-type]
                        notes=ref(q["notes"]),
                        na=ref(q["na"]),
                        allowed=tuple(q["allowed"]) if q.get("allowed") else None,
                        stem=q.get("stem", ""),
                        instructions=q.get("instructions", ""),
                    )
                    for q in e["questions"]
                ),
                summary={k: ref(v) for k, v in e.get("summary", {}).items()},  # type: ignore[misc]
            )
            for e in data["elements"]
        )
        return cls(
            version=data["version"],
            form_number=data["form_number"],
            title=data["title"],
            effective=data["effective"],
            elements=elements,
            page_count=data["page_count"],
            page_sizes=tuple(tuple(s) for s in data["page_sizes"]),  # type: ignore[misc]
            markers=tuple(data.get("markers", ())),
            field_names=frozenset(data["field_names"]),
            overall={k: ref(v) for k, v in data.get("overall", {}).items()},  # type: ignore[misc]
            cover={k: ref(v) for k, v in data.get("cover", {}).items()},  # type: ignore[misc]
            blank_sha256=data.get("blank_sha256", ""),
            blank_file=data.get("blank_file", ""),
            status=data.get("status", ACTIVE),
            accepted_until=data.get("accepted_until"),
            pass_rule=PassRule(**data["pass_rule"]) if data.get("pass_rule") else PROGRAM_PASS,
            unplaced=tuple(ref(d) for d in data.get("unplaced", ())),  # type: ignore[misc]
        )


SHIPPED = Path(__file__).parent / "catalogue"
DRAFT, ACTIVE = "draft", "active"
#: Staff's activation decisions for an instance, over the versions' own JSON.
ACTIVATION_FILE = "protocol-activation.json"
_CACHE: dict[tuple[tuple[str, int], ...], Catalogue] = {}


class Catalogue:
    """The known protocol versions: the shipped ones plus any imported into the instance.

    ``versions`` holds the active ones (used to recognise and score uploads); ``all_versions``
    also the drafts that staff imported but have not activated yet. Which version is current,
    and which older ones are still accepted, is a matter of dates staff set: the current one is
    the newest active version in effect; an older one stays accepted through its
    ``accepted_until`` date.
    """

    def __init__(self, folders: list[Path], activation: Path | None = None) -> None:
        self.folders = [f for f in folders if f is not None]
        self.all_versions: dict[str, ProtocolVersion] = {}
        self.paths: dict[str, Path] = {}
        decided = json.loads(activation.read_text()) if activation and activation.exists() else {}
        for folder in self.folders:
            for path in sorted(folder.glob("*.json")):
                data = json.loads(path.read_text())
                data.update(decided.get(data["version"], {}))
                version = ProtocolVersion.from_json(data)
                self.all_versions[version.version] = version
                self.paths[version.version] = path
        self.versions = {k: v for k, v in self.all_versions.items() if v.status == ACTIVE}

    @classmethod
    def default(cls, instance_dir: Path | None = None) -> Catalogue:
        """The shipped catalogue plus the instance's imports; parsed again only when a file
        in either folder changes (it is asked for on every review request)."""
        folders = [SHIPPED]
        activation = None
        if instance_dir is not None:
            folders.append(instance_dir / "protocols")
            activation = instance_dir / ACTIVATION_FILE
        files = [p for f in folders if f.is_dir() for p in sorted(f.glob("*.json"))]
        if activation is not None and activation.exists():
            files.append(activation)
        key = tuple((str(p), p.stat().st_mtime_ns) for p in files)
        cached = _CACHE.get(key)
        if cached is None:
            cached = _CACHE[key] = cls(folders, activation)
        return cached

    def ordered(self) -> list[ProtocolVersion]:
        """Active versions, oldest effective first."""
        return sorted(self.versions.values(), key=lambda v: (v.effective, v.version))

    def current_on(self, day: dt.date) -> ProtocolVersion | None:
        """The newest active version in effect on ``day``."""
        in_effect = [v for v in self.ordered() if dt.date.fromisoformat(v.effective) <= day]
        return in_effect[-1] if in_effect else None

    @property
    def current(self) -> ProtocolVersion | None:
        return self.current_on(dt.date.today())

    def accepted(self, version: str, day: dt.date) -> bool:
        """Whether an audit on ``version`` is accepted on ``day``: it is the current one, or an
        older one still within its transition window."""
        found = self.versions.get(version)
        if found is None:
            return False
        current = self.current_on(day)
        if current is not None and current.version == version:
            return True
        return (
            dt.date.fromisoformat(found.effective) <= day
            and found.accepted_until is not None
            and day <= dt.date.fromisoformat(found.accepted_until)
        )

    def state(self, version: str) -> str:
        """What a version is today, as staff read it: draft, current, accepted until a date
        (its transition window) or outdated."""
        found = self.all_versions[version]
        if found.status == DRAFT:
            return DRAFT
        if self.current is not None and self.current.version == version:
            return "current"
        if self.is_current(version):
            return f"accepted until {found.accepted_until}"
        return "outdated"

    def is_current(self, version: str) -> bool:
        """Accepted today (the word the rest of the code and the flags use)."""
        return self.accepted(version, dt.date.today())

    def blank_path(self, version: str) -> Path:
        path = self.paths[version]
        return path.parent / "forms" / self.all_versions[version].blank_file

    def get(self, version: str) -> ProtocolVersion:
        return self.all_versions[version]


def activate(
    instance_dir: Path,
    version: str,
    effective: dt.date,
    previous_accepted_until: dt.date | None = None,
) -> tuple[ProtocolVersion, ProtocolVersion | None]:
    """Make an imported (or any) version active from ``effective``; the version current then
    stays accepted through ``previous_accepted_until`` (default: the day before)."""
    catalogue = Catalogue.default(instance_dir)
    if version not in catalogue.all_versions:
        raise KeyError(version)
    previous = catalogue.current_on(effective)
    if previous is not None and previous.version == version:
        previous = None
    until = previous_accepted_until or effective - dt.timedelta(days=1)
    if previous is not None and until < dt.date.fromisoformat(previous.effective):
        raise ValueError("the previous version cannot stop being accepted before it took effect")
    path = instance_dir / ACTIVATION_FILE
    decided = json.loads(path.read_text()) if path.exists() else {}
    decided[version] = {
        "status": ACTIVE,
        "effective": effective.isoformat(),
        "accepted_until": None,
    }
    if previous is not None:
        decided.setdefault(previous.version, {})["accepted_until"] = until.isoformat()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(decided, indent=1, sort_keys=True))
    tmp.replace(path)
    fresh = Catalogue.default(instance_dir)
    return fresh.all_versions[version], fresh.all_versions[previous.version] if previous else None

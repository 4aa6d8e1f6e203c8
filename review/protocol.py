"""Protocol versions as data: elements, questions, points and the form's field layout.

A version is built from the official blank form by ``ingest.formimport`` and stored as JSON;
nothing here knows about PDFs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Rect = tuple[float, float, float, float]  # PDF user space: x0, y0, x1, y1 (origin bottom-left)


@dataclass(frozen=True)
class FieldRef:
    name: str
    page: int  # 1-based page of the blank form
    rect: Rect
    kind: str = "text"  # text | checkbox


@dataclass(frozen=True)
class Question:
    id: str  # "1.3"
    element: int
    text: str
    method: str | None  # D, I, O (documentation, interview, observation) where printed
    available: int
    na_allowed: bool
    awarded: FieldRef
    notes: FieldRef | None = None
    na: FieldRef | None = None


@dataclass(frozen=True)
class Element:
    number: int
    name: str
    questions: tuple[Question, ...]
    summary: dict[str, FieldRef] = field(default_factory=dict)  # awarded, available, percent

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
                number=e["number"],
                name=e["name"],
                questions=tuple(
                    Question(
                        id=q["id"],
                        element=q["element"],
                        text=q["text"],
                        method=q["method"],
                        available=q["available"],
                        na_allowed=q["na_allowed"],
                        awarded=ref(q["awarded"]),  # type: ignore[arg-type]
                        notes=ref(q["notes"]),
                        na=ref(q["na"]),
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
        )


SHIPPED = Path(__file__).parent / "catalogue"
_CACHE: dict[tuple[tuple[str, int], ...], Catalogue] = {}


class Catalogue:
    """The known protocol versions: the shipped ones plus any imported into the instance."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [f for f in folders if f is not None]
        self.versions: dict[str, ProtocolVersion] = {}
        self.paths: dict[str, Path] = {}
        for folder in self.folders:
            for path in sorted(folder.glob("*.json")):
                version = ProtocolVersion.from_json(json.loads(path.read_text()))
                self.versions[version.version] = version
                self.paths[version.version] = path

    @classmethod
    def default(cls, instance_dir: Path | None = None) -> Catalogue:
        """The shipped catalogue plus the instance's imports; parsed again only when a file
        in either folder changes (it is asked for on every review request)."""
        folders = [SHIPPED]
        if instance_dir is not None:
            folders.append(instance_dir / "protocols")
        key = tuple(
            (str(p), p.stat().st_mtime_ns)
            for f in folders
            if f.is_dir()
            for p in sorted(f.glob("*.json"))
        )
        cached = _CACHE.get(key)
        if cached is None:
            cached = _CACHE[key] = cls(folders)
        return cached

    def ordered(self) -> list[ProtocolVersion]:
        return sorted(self.versions.values(), key=lambda v: (v.effective, v.version))

    @property
    def current(self) -> ProtocolVersion | None:
        ordered = self.ordered()
        return ordered[-1] if ordered else None

    def is_current(self, version: str) -> bool:
        cur = self.current
        return cur is not None and cur.version == version

    def blank_path(self, version: str) -> Path:
        path = self.paths[version]
        return path.parent / "forms" / self.versions[version].blank_file

    def get(self, version: str) -> ProtocolVersion:
        return self.versions[version]

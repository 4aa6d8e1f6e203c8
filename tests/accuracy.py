"""Compare an extraction result with a sample's ground truth."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def truth(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / "truth" / f"{name}.json").read_text())


def truths(prefix: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((SAMPLES / "truth").glob(f"{prefix}*.json"))]


@dataclass
class Comparison:
    total: int = 0
    exact: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.exact / self.total if self.total else 0.0


def compare_answers(result: dict[str, Any], expected: dict[str, Any]) -> Comparison:
    """An answer is exact when both the points awarded and the N/A mark are right."""
    got = {a["question"]: a for a in result.get("answers", [])}
    out = Comparison()
    for qid, want in expected["answers"].items():
        out.total += 1
        have = got.get(qid)
        if have is not None and have["na"] == want["na"] and have["awarded"] == want["awarded"]:
            out.exact += 1
        else:
            out.wrong.append(
                f"{qid}: want {want['awarded']}/{want['na']}, got "
                f"{have and have['awarded']}/{have and have['na']} "
                f"(raw {have and have.get('raw')!r})"
            )
    return out


def variant_seeds() -> range:
    """The seeded form variants a run imports: 120 of the 200 by default (the suite's time
    budget), all with ``SECOR_TEST_VARIANTS=200``."""
    import os

    return range(min(int(os.environ.get("SECOR_TEST_VARIANTS", "120")), 200))

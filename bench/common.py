"""Shared helpers: timing and the one-JSON-line-per-figure output."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``repeat`` runs (the machine is noisy; the median is steadier)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def emit(
    figure: str,
    value: float,
    unit: str,
    baseline: float | None,
    goal: str,
    met: bool | None,
    **extra: object,
) -> None:
    """One figure as a JSON line; ``met`` is None for a figure printed only for context."""
    ratio = round(value / baseline, 3) if baseline else None
    print(
        json.dumps(
            {
                "figure": figure,
                "value": round(value, 4),
                "unit": unit,
                "baseline": None if baseline is None else round(baseline, 4),
                "ratio": ratio,
                "goal": goal,
                "met": None if met is None else bool(met),
                **extra,
            }
        ),
        flush=True,
    )

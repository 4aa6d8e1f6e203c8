"""Render bench JSON lines (stdin) as the README's markdown performance table.

(python bench/extract.py; python bench/intake.py) | python bench/table.py
"""

from __future__ import annotations

import json
import sys


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "bytes":
        return f"{value / 1024:,.0f} KiB"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:g} {unit}"


def main() -> None:
    rows = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]
    print("| figure | ours | baseline (same run) | ratio | goal | met |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        print(
            f"| {r['figure']} | {fmt(r['value'], r['unit'])} | {fmt(r['baseline'], r['unit'])} "
            f"| {ratio} | {r['goal']} | {_met(r['met'])} |"
        )


def _met(met: bool | None) -> str:
    return "—" if met is None else "yes" if met else "**no**"


if __name__ == "__main__":
    main()

"""Queue paging with 100,000 submissions, on SQLite and PostgreSQL.

    python bench/review_queue.py [--postgres URL] [--rows N]

Prints p50 and p95 of the first page and of a deep page (page 400 of 50, or the last) of the reviewer
queue with filters, as the API runs them (count + page). Goal: p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time

from common import emit

from review.db import dispose_engines, session_factory
from review.models import Company, Submission, User
from review.queue import QueueFilter, list_queue
from web.migrate import upgrade

FLAGS = ["low_confidence", "missing_answer", "summary_mismatch", "outdated_form", "submitted_late"]
STATES = ["pending_review"] * 6 + ["in_review"] + ["accepted"] * 2 + ["revision_requested"]


def seed(url: str, rows: int) -> None:
    upgrade(url)
    factory = session_factory(url)
    rng = random.Random(1)
    with factory() as s:
        companies = [Company(name=f"Company {i}") for i in range(500)]
        s.add_all(companies)
        reviewers = [
            User(email=f"r{i}@example.com", password_hash="x", role="reviewer") for i in range(20)
        ]
        s.add_all(reviewers)
        s.flush()
        base = dt.datetime(2026, 1, 1)
        batch = []
        for _ in range(rows):
            state = rng.choice(STATES)
            flags = sorted({rng.choice(FLAGS) for _ in range(rng.randint(0, 3))})
            batch.append(
                {
                    "company_id": rng.choice(companies).id,
                    "status": state,
                    "revision": 1,
                    "protocol_version": rng.choice(["2025"] * 8 + ["2023", "2019"]),
                    "protocol_current": True,
                    "percent": rng.uniform(40, 100),
                    "passed": rng.random() < 0.7,
                    "flags": [],
                    "flag_codes": " ".join(flags),
                    "claimed_by_id": rng.choice(reviewers).id if state == "in_review" else None,
                    "due_at": base + dt.timedelta(minutes=rng.randint(0, 525600)),
                    "submitted_at": base,
                    "decision_reason": "",
                }
            )
            if len(batch) == 5000:
                s.execute(Submission.__table__.insert(), batch)
                batch = []
        if batch:
            s.execute(Submission.__table__.insert(), batch)
        s.commit()


def measure(url: str, engine: str, runs: int) -> None:
    factory = session_factory(url)
    cases = {
        "waiting (default)": QueueFilter(),
        "fail + low_confidence": QueueFilter(passed=False, flag="low_confidence"),
        "pending, protocol 2025": QueueFilter(status="pending_review", version="2025"),
    }
    for label, f in cases.items():
        with factory() as s:
            last = max(1, -(-list_queue(s, f, 1, 50)[1] // 50))
        for page_label, page in (
            ("first page", 1),
            (f"deep page {min(400, last)}", min(400, last)),
        ):
            times = []
            with factory() as s:
                for _ in range(runs):
                    start = time.perf_counter()
                    items, total = list_queue(s, f, page, 50)
                    times.append(time.perf_counter() - start)
            times.sort()
            p50 = statistics.median(times)
            p95 = times[int(len(times) * 0.95) - 1]
            emit(
                f"queue {engine}: {label}, {page_label} p95 (p50 {p50 * 1000:.1f} ms)",
                p95,
                "s",
                None,
                "p95 <= 100 ms",
                p95 <= 0.1,
                total=total,
                rows=len(items),
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/queue.db"
        seed(url, args.rows)
        measure(url, "SQLite", args.runs)
        dispose_engines()
    if args.postgres:
        seed(args.postgres, args.rows)
        measure(args.postgres, "PostgreSQL", args.runs)
    else:
        print("no --postgres URL: PostgreSQL figures skipped", file=sys.stderr)


if __name__ == "__main__":
    main()

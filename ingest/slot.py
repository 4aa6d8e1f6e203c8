"""One worker slot: a single-process Celery worker that reports to its supervisor.

A slot runs one task at a time in its main thread (Celery's ``solo`` pool), so the limits the
prefork pool used to enforce are enforced here and by the supervisor (ingest/supervisor.py):
the soft time limit raises ``SoftTimeLimitExceeded`` in the task (SIGALRM), the hard limit is
the supervisor's SIGKILL, memory is capped (a runaway parser gets a ``MemoryError``, a clean
``unsafe`` failure) and a slot that grew large after a task stops warmly and is replaced.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
from pathlib import Path
from typing import Any

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_postrun, task_prerun

from ingest.heartbeat import Heartbeat

log = logging.getLogger(__name__)

MEMORY_CAP = 1536 * 1024 * 1024
#: A slot whose resident memory is above this after a task is replaced by a fresh one.
RECYCLE_RSS = 400 * 1024 * 1024


def cap_memory(limit: int = MEMORY_CAP) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _soft_limit_reached(_signum: int, _frame: Any) -> None:
    raise SoftTimeLimitExceeded()


def install(heartbeat: Heartbeat, soft_limit: float) -> None:
    """Report every task to the heartbeat and hold it to the soft time limit."""
    signal.signal(signal.SIGALRM, _soft_limit_reached)

    @task_prerun.connect(weak=False)
    def _started(args: tuple[Any, ...] = (), **_: Any) -> None:
        heartbeat.busy(int(args[0]) if args and isinstance(args[0], int) else None)
        signal.setitimer(signal.ITIMER_REAL, soft_limit)

    @task_postrun.connect(weak=False)
    def _finished(**_: Any) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        heartbeat.idle()
        if resident_bytes() > RECYCLE_RSS:
            log.info(
                "slot uses %s MiB after its task; stopping so that a fresh one replaces it",
                resident_bytes() // 2**20,
            )
            os.kill(os.getpid(), signal.SIGTERM)  # warm shutdown: the task is already acked


def run_slot(
    celery_app: Celery, beat_file: Path, queue: str, soft_limit: float, loglevel: str = "INFO"
) -> None:
    if os.getppid() == 1:  # the supervisor died before this slot could be tied to it
        raise SystemExit("the worker supervisor is gone; not starting")
    cap_memory()
    heartbeat = Heartbeat(beat_file)
    heartbeat.start()
    install(heartbeat, soft_limit)
    celery_app.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            "--pool=solo",
            "--concurrency=1",
            f"--queues={queue}",
            f"--hostname=secor-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )

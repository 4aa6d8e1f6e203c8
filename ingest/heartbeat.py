"""A worker slot's heartbeat: a small file its supervisor reads to tell alive from stuck.

The slot writes ``{"pid", "beat", "busy_since", "document_id"}`` every second from a thread
(``beat`` and ``busy_since`` on the machine's monotonic clock, which every process shares).
The supervisor (ingest/supervisor.py) restarts a slot whose process exited, whose beat went
stale while idle, or whose task ran past the hard time limit, and has the document it held
sent again at once.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Beat:
    pid: int
    beat: float
    busy_since: float | None = None
    document_id: int | None = None


def read_beat(path: Path) -> Beat | None:
    """The last beat written, or None when there is none yet (or it is being replaced)."""
    try:
        return Beat(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


class Heartbeat(threading.Thread):
    """Writes the slot's state every ``interval`` seconds and at once when it changes."""

    def __init__(self, path: Path, interval: float = 1.0) -> None:
        super().__init__(name="secor-heartbeat", daemon=True)
        self.path, self.interval = path, interval
        self._busy_since: float | None = None
        self._document: int | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def busy(self, document_id: int | None) -> None:
        with self._lock:
            self._busy_since, self._document = time.monotonic(), document_id
        self.write()

    def idle(self) -> None:
        with self._lock:
            self._busy_since, self._document = None, None
        self.write()

    def write(self) -> None:
        with self._lock:
            beat = Beat(os.getpid(), time.monotonic(), self._busy_since, self._document)
        tmp = self.path.with_name(f".{self.path.name}.{threading.get_ident()}")
        tmp.write_text(json.dumps(asdict(beat)))
        os.replace(tmp, self.path)  # readers never see half a file

    def run(self) -> None:
        while threading.main_thread().is_alive():
            self.write()
            self._wake.wait(self.interval)

"""Supervise a worker's slots: one process per slot, each replaced when it stops working.

Why not Celery's prefork pool: billiard hands a replacement child the queues of the child it
replaces, including the read lock that child held while it waited for work. A pool child
killed while idle (the kernel's OOM killer, an operator's SIGKILL) dies holding that lock, and
every replacement then waits on it forever: the worker looks alive and takes no more work
(reproduced: two idle children killed, both replacements stuck in ``SemLock.__enter__`` under
``SimpleQueue.get_payload``). With one single-process (``solo``) Celery worker per slot there
is no lock shared between slots; this supervisor watches each slot's heartbeat file
(ingest/heartbeat.py) and

- restarts a slot whose process exited, and has the document it held sent again at once
  (not when the outbox lease runs out);
- kills (then restarts) a slot whose task ran past the hard time limit, or whose beat went
  stale while idle (a frozen or wedged process).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.heartbeat import Beat, read_beat

log = logging.getLogger(__name__)

#: Seconds a new slot may take to import and connect before its first beat is expected.
STARTUP_GRACE = 60.0
#: Seconds without a beat, while idle, after which a slot is taken for wedged.
STALE_AFTER = 20.0
#: Seconds past the hard time limit before a busy slot is killed.
HARD_LIMIT_GRACE = 10.0
#: A slot that ends by itself sooner than this after starting is restarted after a growing pause
#: (1, 2, 4 ... 30 s), so a slot that cannot start (a bad setting) does not burn the cores.
QUICK_EXIT = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
MAX_BACKOFF = 30.0

Command = Callable[[int, Path], Sequence[str]]
Lost = Callable[[list[int]], None]


@dataclass
class Slot:
    number: int
    beat_file: Path
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    holding: int | None = None  # the document it was last seen working on
    quick_exits: int = 0  # exits in a row within QUICK_EXIT of starting
    respawn_at: float | None = None  # when a slot waiting out its backoff starts again


class Supervisor:
    """Start ``slots`` processes from ``command(number, beat_file)`` and keep them working."""

    def __init__(
        self,
        command: Command,
        slots: int,
        state_dir: Path,
        hard_limit: float,
        on_lost: Lost,
        env: dict[str, str] | None = None,
    ) -> None:
        self.command, self.hard_limit, self.on_lost, self.env = command, hard_limit, on_lost, env
        state_dir.mkdir(parents=True, exist_ok=True)
        self.slots = [Slot(n, state_dir / f"slot-{n}.json") for n in range(1, slots + 1)]

    def start(self) -> None:
        for slot in self.slots:
            self._spawn(slot)

    def _spawn(self, slot: Slot) -> None:
        slot.beat_file.unlink(missing_ok=True)
        slot.proc = subprocess.Popen(
            list(self.command(slot.number, slot.beat_file)),
            env=self.env,
            start_new_session=True,
            preexec_fn=_end_with_parent,
        )
        slot.started = time.monotonic()
        log.info("worker slot %s started (pid %s)", slot.number, slot.proc.pid)

    def check(self) -> None:
        """One round: restart what exited, kill what is stuck (it is restarted next round)."""
        now = time.monotonic()
        for slot in self.slots:
            if slot.respawn_at is not None:
                if now >= slot.respawn_at:
                    slot.respawn_at = None
                    self._spawn(slot)
                continue
            beat = read_beat(slot.beat_file)
            if beat is not None:  # no beat: the file is being replaced; keep the last one
                slot.holding = beat.document_id
            assert slot.proc is not None
            code = slot.proc.poll()
            if code is not None:
                self._replace(slot, f"exited ({_describe(code)})", killed=code < 0)
            elif reason := self._stuck(slot, beat, now):
                log.error(
                    "worker slot %s (pid %s) %s; killing it", slot.number, slot.proc.pid, reason
                )
                _kill(slot.proc, signal.SIGKILL)

    def _stuck(self, slot: Slot, beat: Beat | None, now: float) -> str | None:
        if beat is None:
            waited = now - slot.started
            return f"gave no sign of life in {waited:.0f} s" if waited > STARTUP_GRACE else None
        if beat.busy_since is not None:
            running = now - beat.busy_since
            if running > self.hard_limit + HARD_LIMIT_GRACE:
                return (
                    f"has run document {beat.document_id} for {running:.0f} s, past the "
                    f"hard limit of {self.hard_limit:.0f} s"
                )
            return None
        if now - beat.beat > STALE_AFTER:
            return f"has not beaten for {now - beat.beat:.0f} s while idle"
        return None

    def _replace(self, slot: Slot, why: str, killed: bool = False) -> None:
        lost, slot.holding = slot.holding, None
        log.error(
            "worker slot %s %s%s; starting a new one",
            slot.number,
            why,
            f", holding document {lost}: sending it again now" if lost is not None else "",
        )
        if lost is not None:
            try:
                self.on_lost([lost])
            except Exception:  # the outbox lease still sends it again later
                log.exception("could not re-send documents %s at once", lost)
        slot.restarts += 1
        ran = time.monotonic() - slot.started
        # a slot killed from outside (OOM killer, an operator, this supervisor) comes back at
        # once; one that ends by itself right after starting cannot start, and waits
        slot.quick_exits = slot.quick_exits + 1 if ran < QUICK_EXIT and not killed else 0
        if slot.quick_exits:
            pause = min(MAX_BACKOFF, 2.0 ** (slot.quick_exits - 1))
            log.error(
                "worker slot %s ran only %.0f s; starting it again in %.0f s",
                slot.number,
                ran,
                pause,
            )
            slot.respawn_at = time.monotonic() + pause
        else:
            self._spawn(slot)

    def run(self, stopping: Callable[[], bool], interval: float = 0.5) -> None:
        self.start()
        try:
            while not stopping():
                time.sleep(interval)
                self.check()
        finally:
            self.stop()

    def stop(self, wait: float = 15.0) -> None:
        """Warm shutdown (SIGTERM lets a running task finish), then SIGKILL what remains."""
        procs = [s.proc for s in self.slots if s.proc is not None and s.proc.poll() is None]
        for proc in procs:
            _kill(proc, signal.SIGTERM)
        deadline = time.monotonic() + wait
        for proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill(proc, signal.SIGKILL)
                proc.wait(5)


def _end_with_parent() -> None:
    """In the slot, before it runs: when the supervisor dies (even by SIGKILL), the kernel
    sends the slot SIGTERM, so no slot outlives it and keeps taking work unsupervised."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _kill(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # the slot's own session: nothing it started is left behind
    except ProcessLookupError:
        pass


def _describe(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"

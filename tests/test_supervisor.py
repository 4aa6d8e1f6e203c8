"""The slot supervisor's rules, with stand-in slot processes and hand-written heartbeats."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from ingest import supervisor as sup
from ingest.heartbeat import Heartbeat, read_beat
from ingest.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def _beat(
    path: Path,
    pid: int,
    beat: float,
    busy_since: float | None = None,
    document_id: int | None = None,
) -> None:
    path.write_text(
        json.dumps({"pid": pid, "beat": beat, "busy_since": busy_since, "document_id": document_id})
    )


@pytest.fixture
def made(tmp_path: Path):  # type: ignore[no-untyped-def]
    lost: list[list[int]] = []
    s = Supervisor(
        lambda n, beat: SLEEPER, 2, tmp_path / "slots", hard_limit=5, on_lost=lost.append
    )
    s.start()
    yield s, lost
    s.stop(wait=2)


def _wait_exit(slot: sup.Slot) -> None:
    assert slot.proc is not None
    slot.proc.wait(10)


def test_a_killed_idle_slot_is_replaced_and_nothing_is_resent(made) -> None:  # type: ignore[no-untyped-def]
    s, lost = made
    first = s.slots[0]
    old = first.proc
    _beat(first.beat_file, old.pid, time.monotonic())
    old.send_signal(signal.SIGKILL)
    _wait_exit(first)
    s.check()
    assert first.proc is not old and first.proc.poll() is None and first.restarts == 1
    assert lost == []
    assert s.slots[1].restarts == 0


def test_a_killed_busy_slot_has_its_document_sent_again_at_once(made) -> None:  # type: ignore[no-untyped-def]
    s, lost = made
    slot = s.slots[1]
    _beat(slot.beat_file, slot.proc.pid, time.monotonic(), time.monotonic(), 42)
    s.check()  # the supervisor learns what the slot holds while it is alive
    slot.proc.send_signal(signal.SIGKILL)
    _wait_exit(slot)
    s.check()
    assert lost == [[42]] and slot.restarts == 1


def test_a_task_past_the_hard_limit_is_killed_then_replaced(made) -> None:  # type: ignore[no-untyped-def]
    s, lost = made
    slot = s.slots[0]
    now = time.monotonic()
    _beat(slot.beat_file, slot.proc.pid, now, now - 5 - sup.HARD_LIMIT_GRACE - 1, 7)
    old = slot.proc
    s.check()
    old.wait(10)
    assert old.returncode == -signal.SIGKILL
    s.check()
    assert lost == [[7]] and slot.proc is not old


def test_a_busy_slot_within_its_limit_is_left_alone(made) -> None:  # type: ignore[no-untyped-def]
    s, lost = made
    slot = s.slots[0]
    now = time.monotonic()
    _beat(
        slot.beat_file, slot.proc.pid, now - 100, now - 3, 7
    )  # beat stale, but busy: the limit rules
    s.check()
    assert slot.proc.poll() is None and slot.restarts == 0


def test_an_idle_slot_that_stopped_beating_is_replaced(made) -> None:  # type: ignore[no-untyped-def]
    s, lost = made
    slot = s.slots[0]
    _beat(slot.beat_file, slot.proc.pid, time.monotonic() - sup.STALE_AFTER - 1)
    old = slot.proc
    s.check()
    old.wait(10)
    s.check()
    assert slot.proc is not old and lost == []


def test_the_heartbeat_file_tells_busy_from_idle(tmp_path: Path) -> None:
    hb = Heartbeat(tmp_path / "beat.json")
    hb.busy(9)
    beat = read_beat(tmp_path / "beat.json")
    assert beat is not None and beat.document_id == 9 and beat.busy_since is not None
    hb.idle()
    beat = read_beat(tmp_path / "beat.json")
    assert beat is not None and beat.document_id is None and beat.busy_since is None
    assert read_beat(tmp_path / "missing.json") is None


def test_a_slot_that_keeps_failing_at_start_is_restarted_after_a_growing_pause(
    tmp_path: Path,
) -> None:
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    s = Supervisor(lambda n, beat: failing, 1, tmp_path / "slots", hard_limit=5, on_lost=list)
    s.start()
    slot = s.slots[0]
    try:
        spawned, deadline = 1, time.monotonic() + 4.5
        while time.monotonic() < deadline:
            before = slot.proc
            s.check()
            spawned += slot.proc is not before
            time.sleep(0.1)
        # without a pause it would have started ~45 times; with 1 s then 2 s pauses, 3-4
        assert 2 <= spawned <= 4, spawned
        assert slot.quick_exits >= 2
    finally:
        s.stop(wait=2)


def test_no_slot_outlives_a_supervisor_killed_with_sigkill(tmp_path: Path) -> None:
    import os
    import subprocess

    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from ingest.supervisor import Supervisor\n"
        f"s = Supervisor(lambda n, b: {SLEEPER!r}, 2, Path({str(tmp_path)!r}), 5, list)\n"
        "s.start()\n"
        "print(' '.join(str(x.proc.pid) for x in s.slots), flush=True)\n"
        "time.sleep(60)\n"
    )
    from tests.procs import ROOT

    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2
    parent.send_signal(signal.SIGKILL)  # as the OOM killer would
    parent.wait(10)
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [
            p
            for p in pids
            if Path(f"/proc/{p}").exists() and Path(f"/proc/{p}/stat").read_text().split()[2] != "Z"
        ]
        time.sleep(0.1)
    for p in alive:
        os.kill(p, signal.SIGKILL)
    assert not alive, "slots outlived their supervisor"

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

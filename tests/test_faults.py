"""No accepted upload is lost: workers killed with SIGKILL, Redis stopped and restarted."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from ingest.extract import extract_document
from ingest.heartbeat import read_beat
from ingest.settings import Settings
from tests.accuracy import SAMPLES
from tests.conftest import RedisServer
from tests.live import Service, http, service_env

pytestmark = [pytest.mark.slow, pytest.mark.redis]
FILES = [
    "fillable-2025-pass.pdf",
    "flattened-2025-pass.pdf",
    "fillable-2023-outdated.pdf",
    "flattened-2025-fail-element.pdf",
    "fillable-2025-noappearance.pdf",
]


def _reference(tmp_path: Path) -> dict[str, dict]:
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "ref")})
    out = {}
    for name in FILES:
        result = extract_document(
            SAMPLES / name, kind="protocol", content_type="pdf", settings=settings
        )
        out[name] = result
    return out


def _workers(svc: Service, start: int) -> None:
    for n in (start, start + 1):
        svc.start(f"worker-{n}", "worker", "--no-relay", "-c", "2")


def test_hundred_uploads_through_worker_kills_and_a_redis_outage(
    tmp_path: Path, redis_server: RedisServer, request: pytest.FixtureRequest
) -> None:
    extra = {"SECOR_REDIS_URL": redis_server.url, "SECOR_TASK_LEASE_SECONDS": "8"}
    if os.environ.get("SECOR_TEST_POSTGRES_URL"):
        extra["SECOR_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    svc = Service(tmp_path / "inst", service_env(tmp_path / "inst", **extra))
    svc.instance.mkdir()
    svc.run("db", "upgrade")
    token = svc.employer_token()
    reader = svc.token("reviewer")  # employers see no answers; a reviewer compares results
    expected = _reference(tmp_path)
    uploaded: dict[int, str] = {}
    try:
        svc.serve("--no-worker")
        _workers(svc, 1)
        subs = [http("POST", f"{svc.url}/api/v1/submissions", token)[1]["id"] for _ in range(20)]
        # GIVEN 50 uploads while both workers are killed with SIGKILL, twice
        for i in range(50):
            if i in (15, 35):
                for name in [n for n in svc.procs if n.startswith("worker")]:
                    svc.kill(name)
                _workers(svc, i)
            code, doc = svc.upload(token, subs[i // 5], SAMPLES / FILES[i % 5])
            assert code == 202, doc
            uploaded[doc["id"]] = FILES[i % 5]
            time.sleep(0.05)
        # AND 50 uploads while Redis is down, then Redis comes back (empty)
        redis_server.stop()
        for i in range(50, 100):
            code, doc = svc.upload(token, subs[i // 5], SAMPLES / FILES[i % 5])
            assert code == 202, doc  # accepted: the outbox holds the work
            uploaded[doc["id"]] = FILES[i % 5]
        assert http("GET", f"{svc.url}/healthz")[0] == 503
        time.sleep(2)
        redis_server.start()
        # THEN every one of the 100 ends done, each with the result of a clean run
        final = svc.wait_final(reader, list(uploaded), 240)
    finally:
        svc.stop()
    assert len(uploaded) == 100
    missing = sorted(set(uploaded) - set(final))
    assert not missing, f"{len(missing)} documents never finished: {missing[:10]}"
    statuses = {doc_id: body["status"] for doc_id, body in final.items()}
    assert set(statuses.values()) == {"done"}, [
        b.get("error") for b in final.values() if b["status"] != "done"
    ][:5]
    for doc_id, body in final.items():
        result = dict(body["result"])
        result.pop("parser", None)
        want = dict(expected[uploaded[doc_id]])
        want.pop("parser", None)
        assert result == want, f"document {doc_id} ({uploaded[doc_id]}) differs"


SCAN = "scanned-2025-protocol-300dpi.pdf"


def _slots(svc: Service, want: int, timeout: float = 60) -> list[Path]:
    """The beat files of the running worker's slots, once every slot has beaten."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        beats = sorted((svc.instance / "workers").glob("*/slot-*.json"))
        if len(beats) >= want and all(read_beat(b) for b in beats):
            return beats
        time.sleep(0.2)
    raise TimeoutError("the worker's slots did not start")


def _kill_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _fresh(beats: list[Path], old: set[int], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = [read_beat(b) for b in beats]
        if all(b is not None and b.pid not in old and _alive(b.pid) for b in now):
            return
        time.sleep(0.2)
    raise TimeoutError("killed slots were not replaced")


@pytest.mark.parametrize("broker", ["filesystem", "redis"])
def test_killed_idle_and_busy_slots_are_replaced_and_nothing_stalls(
    tmp_path: Path, broker: str, request: pytest.FixtureRequest
) -> None:
    extra = {"SECOR_TASK_LEASE_SECONDS": "200"}  # every wait below is far shorter than a lease
    if broker == "redis":
        extra["SECOR_REDIS_URL"] = request.getfixturevalue("redis_server").url
    svc = Service(tmp_path / "inst", service_env(tmp_path / "inst", **extra))
    svc.instance.mkdir()
    svc.run("db", "upgrade")
    token = svc.employer_token()
    reader = svc.token("reviewer")  # employers see no answers; a reviewer compares results
    names = FILES[:3] + [SCAN]
    ref_settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "ref")})
    expected = {
        n: extract_document(
            SAMPLES / n,
            kind="binder" if n == SCAN else "protocol",
            content_type="pdf",
            settings=ref_settings,
        )
        for n in names
    }
    uploaded: dict[int, str] = {}
    try:
        svc.serve("--no-worker")
        svc.start("worker", "worker", "--no-relay", "-c", "2")
        beats = _slots(svc, 2)
        status = svc.run("worker-status").stdout
        assert status.count(": idle, beat") == 2, status
        # GIVEN both idle slots killed as the OOM killer would
        idle = {read_beat(b).pid for b in beats}  # type: ignore[union-attr]
        for pid in idle:
            _kill_pid(pid)
        _fresh(beats, idle)
        subs = [http("POST", f"{svc.url}/api/v1/submissions", token)[1]["id"] for _ in range(7)]
        # AND then the slot busy with a scanned protocol killed mid-task
        code, doc = svc.upload(token, subs[0], SAMPLES / SCAN, kind="binder")
        assert code == 202, doc
        uploaded[doc["id"]] = SCAN
        deadline, busy = time.monotonic() + 60, None
        while busy is None and time.monotonic() < deadline:
            busy = next(
                (b for b in map(read_beat, beats) if b and b.document_id == doc["id"]), None
            )
            time.sleep(0.05)
        assert busy is not None, "no slot took the scanned protocol"
        _kill_pid(busy.pid)
        killed_at = time.monotonic()
        # WHEN new files are uploaded
        for i, name in enumerate(FILES[:3] * 2):
            code, doc = svc.upload(token, subs[1 + i], SAMPLES / name)
            assert code == 202, doc
            uploaded[doc["id"]] = name
        final = svc.wait_final(reader, list(uploaded), 90)
        took = time.monotonic() - killed_at
        log = (svc.instance / "worker.log").read_text(errors="replace")
    finally:
        svc.stop()
    # THEN every document ends done, as in a clean run, long before a lease would have ended
    assert sorted(final) == sorted(uploaded), log[-3000:]
    assert {b["status"] for b in final.values()} == {"done"}, [
        b.get("error") for b in final.values()
    ]
    for doc_id, body in final.items():
        got, want = dict(body["result"]), dict(expected[uploaded[doc_id]])
        got.pop("parser", None), want.pop("parser", None)
        assert got == want, f"document {doc_id} ({uploaded[doc_id]}) differs"
    assert took < 90
    assert "(killed by SIGKILL), holding document" in log


def test_a_redis_restarted_empty_loses_no_work(tmp_path: Path, redis_server: RedisServer) -> None:
    extra = {"SECOR_REDIS_URL": redis_server.url}  # the default 200 s lease
    svc = Service(tmp_path / "inst", service_env(tmp_path / "inst", **extra))
    svc.instance.mkdir()
    svc.run("db", "upgrade")
    token = svc.employer_token()
    reader = svc.token("reviewer")  # employers see no answers; a reviewer compares results
    uploaded: list[int] = []
    try:
        svc.serve("--no-worker")
        subs = [http("POST", f"{svc.url}/api/v1/submissions", token)[1]["id"] for _ in range(20)]

        def upload(first: int) -> None:
            for i in range(first, first + 50):
                code, doc = svc.upload(token, subs[i // 5], SAMPLES / FILES[i % 5])
                assert code == 202, doc
                uploaded.append(doc["id"])

        # GIVEN 50 uploads sent to Redis with no worker yet to take them
        upload(0)
        time.sleep(1.5)  # the relay has sent them all
        # WHEN Redis restarts empty in the middle of the uploads (their messages are gone)
        redis_server.stop()
        redis_server.start()
        back = time.monotonic()
        upload(50)
        svc.start("worker", "worker", "--no-relay", "-c", "2")
        final = svc.wait_final(reader, uploaded, 60)
        took = time.monotonic() - back
        log = (svc.instance / "web.log").read_text(errors="replace")
    finally:
        svc.stop()
    # THEN all 100 are done within 60 s of Redis coming back, not after a 200 s lease
    assert len(uploaded) == 100
    assert len(final) == 100, f"{100 - len(final)} not finished within 60 s"
    assert {b["status"] for b in final.values()} == {"done"}
    assert took < 60
    assert "the broker restarted and lost its messages" in log

"""The real processes: the embedded default and the scale-out path on Redis (+ PostgreSQL)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.accuracy import SAMPLES
from tests.conftest import ROOT, RedisServer
from tests.live import Service, http, service_env

pytestmark = [pytest.mark.slow]


def test_embedded_default_serves_processes_and_stops_cleanly(tmp_path: Path) -> None:
    # GIVEN a fresh instance folder and no Redis anywhere in the environment
    svc = Service(tmp_path, service_env(tmp_path))
    svc.run("db", "upgrade")
    token = svc.employer_token()
    try:
        # WHEN `secor serve` starts (web, relay and worker in one command)
        svc.serve()
        code, health = http("GET", f"{svc.url}/healthz")
        assert code == 200 and health["broker"]["transport"] == "filesystem"
        assert health["database"]["engine"] == "sqlite"
        _, sub = http("POST", f"{svc.url}/api/v1/submissions", token)
        code, doc = svc.upload(token, sub["id"], SAMPLES / "fillable-2025-pass.pdf")
        assert code == 202
        # THEN the background worker processes the upload
        final = svc.wait_final(token, [doc["id"]], 90)
        assert final[doc["id"]]["status"] == "done"
        # AND the broker keeps all of its files inside the instance folder
        assert (tmp_path / "broker" / "control").is_dir()
        assert not (ROOT / "control").exists()
    finally:
        # AND a SIGTERM to `secor serve` alone stops the web server and the worker it started.
        web = svc.procs.pop("web")
        web.send_signal(signal.SIGTERM)
        web.wait(30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(web.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(web.pid, signal.SIGKILL)
        pytest.fail("processes of `secor serve` outlived it")


@pytest.mark.redis
def test_scale_out_on_redis_with_separate_workers(
    tmp_path: Path, redis_server: RedisServer, request: pytest.FixtureRequest
) -> None:
    extra = {"SECOR_REDIS_URL": redis_server.url}
    if os.environ.get("SECOR_TEST_POSTGRES_URL"):
        extra["SECOR_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    svc = Service(tmp_path, service_env(tmp_path, **extra))
    svc.run("db", "upgrade")
    token = svc.employer_token()
    try:
        svc.serve("--no-worker")
        code, health = http("GET", f"{svc.url}/healthz")
        assert code == 200 and health["broker"]["transport"] == "redis"
        if "SECOR_DATABASE_URL" in extra:
            assert health["database"]["engine"] == "postgresql"
        _, sub = http("POST", f"{svc.url}/api/v1/submissions", token)
        ids = [
            svc.upload(token, sub["id"], SAMPLES / n)[1]["id"]
            for n in ("fillable-2025-pass.pdf", "flattened-2025-pass.pdf")
        ]
        time.sleep(2)
        # Nothing runs the work until a worker joins.
        assert all(
            http("GET", f"{svc.url}/api/v1/documents/{i}", token)[1]["status"] == "received"
            for i in ids
        )
        svc.start("worker-1", "worker", "--no-relay", "-c", "1")
        svc.start("worker-2", "worker", "--no-relay", "-c", "1")
        final = svc.wait_final(token, ids, 90)
        assert [final[i]["status"] for i in ids] == ["done", "done"]
        # Redis down: health says so with 503.
        redis_server.stop()
        assert http("GET", f"{svc.url}/healthz")[0] == 503
    finally:
        svc.stop()

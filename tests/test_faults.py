"""No accepted upload is lost: workers killed with SIGKILL, Redis stopped and restarted."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ingest.extract import extract_document
from ingest.settings import Settings
from tests.accuracy import SAMPLES
from tests.conftest import RedisServer
from tests.live import Service, http, service_env

pytestmark = [pytest.mark.slow, pytest.mark.redis]
FILES = ["fillable-2025-pass.pdf", "flattened-2025-pass.pdf", "fillable-2023-outdated.pdf",
         "flattened-2025-fail-element.pdf", "fillable-2025-noappearance.pdf"]


def _reference(tmp_path: Path) -> dict[str, dict]:
    settings = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "ref")})
    out = {}
    for name in FILES:
        result = extract_document(SAMPLES / name, kind="protocol", content_type="pdf",
                                  settings=settings)
        out[name] = result
    return out


def _workers(svc: Service, start: int) -> None:
    for n in (start, start + 1):
        svc.start(f"worker-{n}", "worker", "--no-relay", "-c", "2")


def test_hundred_uploads_through_worker_kills_and_a_redis_outage(
        tmp_path: Path, redis_server: RedisServer, request: pytest.FixtureRequest) -> None:
    extra = {"SECOR_REDIS_URL": redis_server.url, "SECOR_TASK_LEASE_SECONDS": "8"}
    if os.environ.get("SECOR_TEST_POSTGRES_URL"):
        extra["SECOR_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    svc = Service(tmp_path / "inst", service_env(tmp_path / "inst", **extra))
    svc.instance.mkdir()
    svc.run("db", "upgrade")
    token = svc.employer_token()
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
        final = svc.wait_final(token, list(uploaded), 240)
    finally:
        svc.stop()
    assert len(uploaded) == 100
    missing = sorted(set(uploaded) - set(final))
    assert not missing, f"{len(missing)} documents never finished: {missing[:10]}"
    statuses = {doc_id: body["status"] for doc_id, body in final.items()}
    assert set(statuses.values()) == {"done"}, [b.get("error") for b in final.values()
                                                if b["status"] != "done"][:5]
    for doc_id, body in final.items():
        result = dict(body["result"])
        result.pop("parser", None)
        want = dict(expected[uploaded[doc_id]])
        want.pop("parser", None)
        assert result == want, f"document {doc_id} ({uploaded[doc_id]}) differs"

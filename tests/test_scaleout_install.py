"""The scale-out path from a plain `pip install -e .` in a fresh virtualenv (no test extras):
every dependency of the Redis transport must be declared by the project itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.accuracy import SAMPLES
from tests.conftest import ROOT, RedisServer
from tests.live import Service, http, service_env

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]


def test_serve_and_worker_on_redis_and_postgresql_from_a_plain_install(
    tmp_path: Path, redis_server: RedisServer, postgres_url: str
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "-e", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    # the benchmarks' helpers need nothing beyond the plain install (no pytest)
    probe = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}]\n"
            "import common\nfrom tests.live import Service\nfrom tests.procs import free_port\n"
            "import importlib.util; assert importlib.util.find_spec('pytest') is None",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    env = service_env(
        tmp_path / "inst", SECOR_REDIS_URL=redis_server.url, SECOR_DATABASE_URL=postgres_url
    )
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    # run from elsewhere, so nothing is imported from the source tree by accident of cwd
    svc = Service(tmp_path / "inst", env, command=[str(venv / "bin" / "secor")], cwd=tmp_path)
    svc.instance.mkdir()
    svc.run("db", "upgrade")
    token = svc.employer_token()
    try:
        svc.serve("--no-worker")
        svc.start("worker", "worker", "-c", "1")
        code, health = http("GET", f"{svc.url}/healthz")
        assert code == 200 and health["broker"] == {"ok": True, "transport": "redis"}
        assert health["database"]["engine"] == "postgresql"
        sub = http("POST", f"{svc.url}/api/v1/submissions", token)[1]["id"]
        code, doc = svc.upload(token, sub, SAMPLES / "fillable-2025-pass.pdf")
        assert code == 202, doc
        final = svc.wait_final(token, [doc["id"]], 90)
        log = (svc.instance / "worker.log").read_text(errors="replace")
    finally:
        svc.stop()
    assert final and final[doc["id"]]["status"] == "done", log[-3000:]
    assert "ModuleNotFoundError" not in log

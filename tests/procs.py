"""Process helpers shared by the tests and the benchmarks (no pytest here: bench/ runs on a
plain install)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def secor_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "web", *args]


def run_secor(
    instance: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``secor ARGS`` on its own instance folder, with no other SECOR_* setting of the caller's."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SECOR_")},
        "SECOR_INSTANCE_DIR": str(instance),
    }
    return subprocess.run(
        secor_cmd(*args),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        input=stdin,
    )

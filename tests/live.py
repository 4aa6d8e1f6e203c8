"""Helpers for tests that run the real service processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.procs import ROOT, free_port, secor_cmd, wait_port


def http(
    method: str,
    url: str,
    token: str | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
        f"\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Service:
    """`secor` processes sharing one instance folder and environment."""

    instance: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    #: The command that runs `secor` (default: this interpreter, from the project root).
    command: list[str] = field(default_factory=lambda: secor_cmd())
    cwd: Path = ROOT

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.command, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.cwd,
            timeout=120,
            check=True,
        )

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.instance / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [*self.command, *args],
            env=self.env,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def serve(self, *extra: str) -> None:
        self.start("web", "serve", "--port", str(self.port), "--workers", "2", *extra)
        wait_port(self.port, 60)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(30)

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)

    def employer_token(self, company: str = "Acme Drilling Ltd.") -> str:
        return self.token("employer", company)

    def token(self, role: str, company: str | None = None) -> str:
        """A new user of ``role`` and an API token of theirs (reviewers see whole results)."""
        email = f"{role}-{uuid.uuid4().hex[:6]}@example.com"
        self.run(
            "user",
            "create",
            email,
            "--role",
            role,
            *(["--company", company] if company else []),
            "--password-stdin",
            stdin="a-long-password\n",
        )
        if role == "employer" and company:
            self.register(company)
        return self.run("token", "create", email).stdout.strip().splitlines()[-1]

    def register(self, company: str) -> str:
        """A REGISTERED audit for the company, recorded as staff do; returns its number."""
        today = dt.date.today()
        out = self.run(
            "registration",
            "create",
            "--company",
            company,
            "--start",
            (today - dt.timedelta(days=3)).isoformat(),
            "--end",
            today.isoformat(),
            "--employees",
            "5",
        )
        return out.stdout.strip().splitlines()[-1]

    def upload(self, token: str, sub: int, path: Path, kind: str = "protocol") -> tuple[int, Any]:
        body, ctype = multipart({"kind": kind}, path.name, path.read_bytes())
        return http(
            "POST",
            f"{self.url}/api/v1/submissions/{sub}/documents",
            token,
            body,
            {"Content-Type": ctype},
        )

    def wait_final(self, token: str, ids: list[int], timeout: float) -> dict[int, Any]:
        deadline, final = time.monotonic() + timeout, {}
        while time.monotonic() < deadline and len(final) < len(ids):
            for i in ids:
                if i not in final:
                    code, body = http("GET", f"{self.url}/api/v1/documents/{i}", token)
                    if code == 200 and body["status"] in ("done", "failed"):
                        final[i] = body
            time.sleep(0.3)
        return final


def service_env(instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECOR_")}
    env.update({"SECOR_INSTANCE_DIR": str(instance), "OMP_THREAD_LIMIT": "1", **extra})
    return env

"""Intake limits and throughput, against baselines measured in the same run.

    python bench/intake.py [--seconds N] [--rounds N]

Figures: bytes read and time to refuse a 100 MB upload vs a 1 KB one (Content-Length and
chunked); uploads per second of a 1 MB PDF through gunicorn vs a bare Flask endpoint.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from common import ROOT, emit

from tests.live import Service, multipart, service_env  # noqa: E402  (no pytest needed)
from tests.live import http as call  # noqa: E402
from tests.procs import free_port, wait_port  # noqa: E402

LIMIT = 4 * 1024 * 1024
SLACK = 64 * 1024
TURNS = 15  # refusals of each size per mode
CLIENTS = (
    32  # concurrent uploads: enough to keep both servers busy (durable writes wait on the disk)
)


def _refuse(
    port: int, path: str, headers: dict[str, str], size: int, chunked: bool
) -> tuple[float, int, int]:
    """Send a body of `size` bytes; returns (seconds to the status line, bytes the app read, status)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nprotocol\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    total = len(head) + size + len(tail)
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        "Connection: close",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    start = time.perf_counter()
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def body() -> None:
        chunk = b"%PDF-1.4\n" + b"0" * (64 * 1024 - 9)
        parts = (
            [head]
            + [chunk[: min(len(chunk), size - i)] for i in range(0, size, len(chunk))]
            + [tail]
        )
        try:
            for part in parts:
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: exactly what we want

    sender = threading.Thread(target=body, daemon=True)
    sender.start()
    reader = sock.makefile("rb")
    status_line = reader.readline()
    elapsed = time.perf_counter() - start
    read = 0
    for line in iter(reader.readline, b"\r\n"):
        if line.lower().startswith(b"x-secor-body-read:"):
            read = int(line.split(b":")[1])
        if not line:
            break
    sock.close()
    return elapsed, read, int(status_line.split()[1]) if status_line else 0


def refusals(svc: Service, token: str, sub: int) -> None:
    path = f"/api/v1/submissions/{sub}/documents?kind=protocol"
    auth = {"Authorization": f"Bearer {token}"}
    for chunked in (False, True):
        # Small and large take turns, so that a noisy moment on the machine hits both alike;
        # each side's figure is its fastest turn.
        smalls, runs = [], []
        for _ in range(TURNS):
            smalls.append(_refuse(svc.port, path, auth, 1024, chunked)[0])
            runs.append(_refuse(svc.port, path, auth, 100 * 1024 * 1024, chunked))
        small = min(smalls)
        big = min(r[0] for r in runs)
        read = max(r[1] for r in runs)
        statuses = {r[2] for r in runs}
        mode = "chunked" if chunked else "Content-Length"
        emit(
            f"refuse 100 MB upload ({mode}): bytes read",
            read,
            "bytes",
            LIMIT + SLACK,
            "<= limit + 64 KiB",
            read <= LIMIT + SLACK and statuses == {413},
            status=sorted(statuses),
        )
        emit(
            f"refuse 100 MB upload ({mode}): time vs 1 KB upload",
            big,
            "s",
            small,
            "ratio <= 2",
            big <= 2 * small,
        )


MARK = b"SECORBENCH" + b"X" * 32  # no characters pypdf would escape


def one_megabyte_pdf() -> bytes:
    """A valid 1 MB PDF (the fillable sample plus an attachment) with a fixed-width marker
    that each upload replaces, so that every upload is new content and still a valid PDF."""
    import io

    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(ROOT / "samples" / "fillable-2025-pass.pdf"))
    writer.add_metadata({"/Title": MARK.decode()})
    size = len(writer.pages) and 0
    writer.add_attachment("records.bin", os.urandom(1024 * 1024 - 130 * 1024 - size))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _rate(port: int, path: str, headers: dict[str, str], seconds: float, clients: int) -> float:
    payload = one_megabyte_pdf()
    assert MARK in payload
    done = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            data = payload.replace(MARK, b"SECORBENCH" + uuid.uuid4().hex.encode())
            body, ctype = multipart({"kind": "protocol"}, "protocol.pdf", data)
            conn.request("POST", path, body, {"Content-Type": ctype, **headers})
            res = conn.getresponse()
            res.read()
            if res.status in (200, 202):
                with lock:
                    done[0] += 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - start)


def throughput(svc: Service, token: str, sub: int, seconds: float, rounds: int) -> None:
    """Both servers run side by side and take turns (A B B A ...), so that drift on a shared
    machine (other tenants, the page cache, the file system's recently freed inodes) falls
    on both alike; each side's figure is the median of its turns."""
    port = free_port()
    bare = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",  # as `secor serve` runs ours
            "bench.bare_app:app",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ours_path = f"/api/v1/submissions/{sub}/documents?kind=protocol"
    auth = {"Authorization": f"Bearer {token}"}
    rates: dict[str, list[float]] = {"bare": [], "ours": [], "raw": []}
    targets = {
        "bare": (port, "/upload", {}),
        "raw": (port, "/raw", {}),
        "ours": (svc.port, ours_path, auth),
    }
    try:
        wait_port(port, 30)
        for turn in range(rounds):
            order = ("bare", "ours", "raw") if turn % 2 == 0 else ("raw", "ours", "bare")
            for side in order:
                where, path, headers = targets[side]
                rates[side].append(_rate(where, path, headers, seconds, CLIENTS))
    finally:
        bare.terminate()
        bare.wait(10)
    value, baseline = statistics.median(rates["ours"]), statistics.median(rates["bare"])
    emit(
        "1 MB PDF uploads/s through gunicorn vs bare Flask endpoint",
        value,
        "uploads/s",
        baseline,
        "ratio >= 0.5",
        baseline > 0 and value >= 0.5 * baseline,
        turns={side: [round(r) for r in rates[side]] for side in ("ours", "bare")},
    )
    raw = statistics.median(rates["raw"])
    emit(
        "context: 1 MB PDF uploads/s vs an endpoint that reads the raw body unparsed",
        value,
        "uploads/s",
        raw,
        "none (context for the figure above)",
        None,
        turns={side: [round(r) for r in rates[side]] for side in ("ours", "raw")},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each turn")
    parser.add_argument("--rounds", type=int, default=4, help="turns per server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Path(tmp), service_env(Path(tmp), SECOR_MEASURE_BODY_READ="1"))
        svc.run("db", "upgrade")
        token = svc.employer_token()
        try:
            svc.serve("--no-worker")
            sub = call("POST", f"{svc.url}/api/v1/submissions", token)[1]["id"]
            refusals(svc, token, sub)
            throughput(svc, token, sub, args.seconds, args.rounds)
        finally:
            svc.stop()


if __name__ == "__main__":
    main()

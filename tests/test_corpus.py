"""Every real third-party file through the API: accepted and processed, or refused with a
documented code; never a 500, never past 30 s, and the worker stays under 500 MB."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.errors import ErrorCode
from tests.conftest import ROOT, SHARED, add_account, bearer, make_app

CORPUS = SHARED / "corpus" / "public"
REFUSAL_CODES = {
    "too_large",
    "unsupported_type",
    "type_mismatch",
    "empty",
    "corrupt",
    "encrypted",
    "unsafe",
}
KIND = {".pdf": "protocol", ".doc": "org_chart", ".docx": "org_chart"}
#: The manifest's tricks: files to upload under another name, as users do.
RENAMED = {
    "pdfplumber__issue-948.zip": ["chart.docx", "protocol.pdf"],
    "poi__sample.xlsx": ["chart.docx"],
    "poi__MSWriteOld.wri": ["chart.doc"],
    "textract__standardized_text.rtf": ["chart.doc"],
}


def _cases() -> list[tuple[str, str, str]]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return []
    with open(CORPUS / "MANIFEST.tsv", newline="") as fh:
        files = [row["file"] for row in csv.DictReader(fh, delimiter="\t")]
    cases = []
    for name in files:
        for upload_as in RENAMED.get(name, [name]):
            suffix = Path(upload_as).suffix.lower()
            cases.append((name, upload_as, KIND.get(suffix, "supporting")))
        if name.endswith(".pdf"):
            cases.append((name, name, "binder"))
    return cases


CASES = _cases()
CHILD = """
import sys
from ingest.process import process_document
from ingest.settings import Settings
from review.db import session_factory
settings = Settings.from_env()
status = process_document(session_factory(settings.database_url), settings, int(sys.argv[1]))
# VmHWM is this process's own peak (getrusage's maxrss would include the forking parent's).
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(status, int(peak.split()[1]))
"""


@pytest.mark.skipif(not CASES, reason="../shared/corpus/public is not present")
@pytest.mark.parametrize("name,upload_as,kind", CASES, ids=[f"{c[0]}-as-{c[2]}" for c in CASES])
def test_corpus_file_through_the_api(tmp_path: Path, name: str, upload_as: str, kind: str) -> None:
    app = make_app(tmp_path)
    employer = add_account(app, "employer", "Acme")
    client = app.test_client()
    sub = client.post("/api/v1/submissions", headers=bearer(employer)).get_json()["id"]
    data = (CORPUS / name).read_bytes()
    res = client.post(
        f"/api/v1/submissions/{sub}/documents",
        headers=bearer(employer),
        data={"kind": kind, "file": (io.BytesIO(data), upload_as)},
    )
    body = res.get_json()
    assert res.status_code != 500 and body is not None
    if res.status_code != 202:
        assert body["code"] in REFUSAL_CODES, body
        assert res.status_code in (413, 415, 422)
        return
    doc_id = body["id"]
    settings = app.extensions["secor_settings"]
    env = {
        **os.environ,
        "SECOR_INSTANCE_DIR": str(settings.instance_dir),
        "SECOR_DATABASE_URL": settings.database_url,
        "OMP_THREAD_LIMIT": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(doc_id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    started = time.monotonic()
    status = None
    while time.monotonic() - started < 30:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        proc.wait()
        pytest.fail(f"{name} was still processing after 30 s")
    assert os.waitstatus_to_exitcode(status) == 0
    outcome, peak_kb = proc.stdout.read().split()
    peak_mb = int(peak_kb) / 1024
    assert peak_mb < 500, f"worker peaked at {peak_mb:.0f} MB"
    final = client.get(f"/api/v1/documents/{doc_id}", headers=bearer(employer)).get_json()
    assert final["status"] in ("done", "failed") and final["status"] == outcome
    if final["status"] == "failed":
        assert final["error"]["code"] in {c.value for c in ErrorCode}, final
        assert final["error"]["message"]

"""Backup while uploads go on, restore onto a fresh instance: everything back, every hash right."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ingest.backup import BackupError, backup, restore
from ingest.identity import instance_id
from ingest.settings import Settings
from review.db import dispose_engines, get_engine, session_scope
from tests.accuracy import SAMPLES
from tests.conftest import ROOT, bearer, make_app, secor_cmd
from tests.test_intake import PDF
from tests.test_review import submit
from web.migrate import upgrade

TABLES = ("documents", "answers", "corrections", "submissions", "review_notes", "users")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two fresh databases of one engine: the running instance's and the restore target's."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b' / 'instance' / 'b.db'}"
        return
    base = os.environ.get("SECOR_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("SECOR_TEST_POSTGRES_URL is not set (scripts/test starts PostgreSQL)")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"t_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield tuple(re.sub(r"/[^/]*$", f"/{n}", base) for n in names)  # type: ignore[misc]
    dispose_engines()
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _rows(url: str, table: str) -> list[dict[str, Any]]:
    with get_engine(url).connect() as conn:
        t = sa.Table(table, sa.MetaData(), autoload_with=conn)
        return [dict(r._mapping) for r in conn.execute(sa.select(t).order_by(t.c.id))]


def test_backup_during_uploads_restores_everything_on_a_fresh_instance(
    tmp_path: Path, engine_urls: tuple[str, str]
) -> None:
    source_url, target_url = engine_urls
    app = make_app(tmp_path / "a", source_url)
    from tests.conftest import add_account

    emp, rev = add_account(app, "employer", "Acme Drilling Ltd."), add_account(app, "reviewer")
    client = app.test_client()
    # GIVEN a reviewed audit: answers, a correction, a note and a decision
    sub = submit(app, client, emp, "fillable-2025-fail-element.pdf")
    assert client.post(f"/api/v1/submissions/{sub}/claim", headers=bearer(rev)).status_code == 200
    detail = client.get(f"/api/v1/submissions/{sub}", headers=bearer(rev)).get_json()
    first = detail["answers"][0]["question"]
    res = client.post(
        f"/api/v1/submissions/{sub}/answers/{first}",
        headers=bearer(rev),
        json={"na": True, "reason": "Not applicable to this employer"},
    )
    assert res.status_code == 200, res.get_json()
    client.post(
        f"/api/v1/submissions/{sub}/notes",
        headers=bearer(rev),
        json={"kind": "actionable", "text": "Sign the inspection forms."},
    )
    res = client.post(
        f"/api/v1/submissions/{sub}/decision", headers=bearer(rev), json={"decision": "accept"}
    )
    assert res.get_json()["status"] == "accepted"
    before = {t: _rows(source_url, t) for t in TABLES}
    # WHEN a backup is taken while another employer's uploads keep arriving
    draft = client.post("/api/v1/submissions", headers=bearer(emp)).get_json()["id"]
    uploads: list[int] = []

    def keep_uploading() -> None:
        c = app.test_client()
        for i in range(25):
            data = PDF.replace(b"%%EOF", b"%%EOF\n%" + str(i).encode(), 1)
            res = c.post(
                f"/api/v1/submissions/{draft}/documents",
                headers=bearer(emp),
                data={"kind": "supporting", "file": (io.BytesIO(data), f"r{i}.pdf")},
            )
            assert res.status_code == 202
            uploads.append(res.get_json()["id"])

    uploader = threading.Thread(target=keep_uploading)
    uploader.start()
    settings = app.extensions["secor_settings"]
    summary = backup(settings, tmp_path / "backup")
    uploader.join()
    assert summary.files >= 1 and len(uploads) == 25
    after = {t: _rows(source_url, t) for t in TABLES}
    dispose_engines()
    # AND it is restored onto a fresh instance
    target = Settings.from_mapping(
        {"INSTANCE_DIR": str(tmp_path / "b" / "instance"), "DATABASE_URL": target_url}
    )
    restored = restore(target, tmp_path / "backup", migrate=upgrade)
    assert restored.files == summary.files
    # THEN everything committed before the backup is back, unchanged
    got = {t: _rows(target_url, t) for t in TABLES}
    for table in ("answers", "corrections", "review_notes", "users"):
        assert got[table] == before[table], table
    assert [s for s in got["submissions"] if s["id"] == sub] == [
        s for s in before["submissions"] if s["id"] == sub
    ]
    got_docs = {d["id"]: d for d in got["documents"]}
    for doc in before["documents"]:
        assert got_docs[doc["id"]] == doc
    # AND what arrived during the backup is either wholly there or wholly absent
    final_docs = {d["id"]: d for d in after["documents"]}
    assert set(got_docs) <= set(final_docs)
    for doc_id, doc in got_docs.items():
        assert doc == final_docs[doc_id]
        stored = target.storage_dir / doc["storage_key"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == doc["sha256"]
    # AND the copy is another deployment: it must not take the original's tasks
    with session_scope(source_url) as s1, session_scope(target_url) as s2:
        assert instance_id(s1) != instance_id(s2)
    # AND the same backup is not restored twice onto the same instance
    with pytest.raises(BackupError, match="fresh|not empty"):
        restore(target, tmp_path / "backup", migrate=upgrade)


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path: Path) -> None:
    app = make_app(tmp_path / "a")
    from tests.conftest import add_account

    emp = add_account(app, "employer", "Acme Drilling Ltd.")
    submit(app, app.test_client(), emp, "fillable-2025-pass.pdf")
    backup(app.extensions["secor_settings"], tmp_path / "backup")
    dispose_engines()
    victim = next((tmp_path / "backup" / "files").glob("??/*"))
    victim.write_bytes(victim.read_bytes() + b"x")
    target = Settings.from_mapping({"INSTANCE_DIR": str(tmp_path / "b")})
    with pytest.raises(BackupError, match="does not match its hash"):
        restore(target, tmp_path / "backup", migrate=upgrade)
    assert not (tmp_path / "b" / "secor.db").exists()


def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECOR_")}

    def secor(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            secor_cmd(*args),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**env, "SECOR_INSTANCE_DIR": str(instance)},
            timeout=120,
        )

    assert secor(tmp_path / "a", "db", "upgrade").returncode == 0
    src = SAMPLES / "fillable-2025-pass.pdf"
    store = tmp_path / "a" / "files"
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    (store / digest[:2]).mkdir(parents=True)
    (store / digest[:2] / digest).write_bytes(src.read_bytes())
    done = secor(tmp_path / "a", "backup", str(tmp_path / "bk"))
    assert done.returncode == 0 and "1 files" in done.stdout, done.stderr
    again = secor(tmp_path / "a", "backup", str(tmp_path / "bk"))
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr
    done = secor(tmp_path / "b", "restore", str(tmp_path / "bk"))
    assert done.returncode == 0 and "every hash matches" in done.stdout, done.stderr
    assert (tmp_path / "b" / "files" / digest[:2] / digest).read_bytes() == src.read_bytes()
    again = secor(tmp_path / "b", "restore", str(tmp_path / "bk"))
    assert again.returncode == 1 and "fresh instance" in again.stderr

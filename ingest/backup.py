"""Backup and restore of a whole instance: the database and the file store, with a manifest.

The database is copied first, while the service runs (SQLite's online backup API; ``pg_dump``
for PostgreSQL, which reads one consistent snapshot), then the file store. Files are written
durably under their content hash *before* the row that names them is committed, and are never
changed, so every file the database copy refers to is already there to be copied; files that
arrive later are harmless extras. Every copied byte is hashed into ``manifest.json``; restore
checks the backup against it before it touches anything and every restored file after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from ingest.settings import Settings
from review.db import get_engine, session_scope

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite3"
PG_COPY = "database.pgdump"
#: Instance files kept besides the store: the session key and imported protocol versions.
EXTRAS = ("secret_key", "protocols")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class Summary:
    files: int
    bytes: int
    database: str


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _copy(src: Path, dest: Path) -> str:
    """Copy durably; returns the hash of what was written."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    with dest.open("rb") as f:
        os.fsync(f.fileno())
        return hashlib.file_digest(f, "sha256").hexdigest()


def _pg_env(url: URL) -> dict[str, str]:
    """libpq reads the connection from the environment: no password on a command line."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError as e:
        raise BackupError(f"{cmd[0]} is not installed (Debian: postgresql-client)") from e
    if done.returncode:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-500:]}")


def _database_copy(url: URL, dest: Path) -> Path:
    if url.get_backend_name() == "sqlite":
        target = dest / SQLITE_COPY
        source = sqlite3.connect(url.database or "")
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a consistent copy while others keep writing
        finally:
            copy.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        target = dest / PG_COPY
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
            _pg_env(url),
        )
        return target
    raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")


def _store_files(settings: Settings) -> list[Path]:
    root = settings.storage_dir
    return sorted(p for p in root.glob("??/*") if p.is_file())


def _extra_files(settings: Settings) -> list[Path]:
    found: list[Path] = []
    for name in EXTRAS:
        path = settings.instance_dir / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()))
    return found


def backup(settings: Settings, dest: Path) -> Summary:
    """Snapshot the running instance into ``dest`` (a new or empty folder)."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    url = make_url(settings.database_url)
    database = _database_copy(url, dest)  # first: every file it names is already stored
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": url.get_backend_name(),
        "database": {"file": database.name, "sha256": _sha256(database)},
        "files": {},
        "extras": {},
    }
    total = 0
    for src in _store_files(settings):
        rel = src.relative_to(settings.storage_dir).as_posix()
        digest = _copy(src, dest / "files" / rel)
        if digest != src.name:
            raise BackupError(f"stored file {rel} does not match its hash: the store is damaged")
        manifest["files"][rel] = digest
        total += src.stat().st_size
    for src in _extra_files(settings):
        rel = src.relative_to(settings.instance_dir).as_posix()
        manifest["extras"][rel] = _copy(src, dest / "instance" / rel)
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Summary(len(manifest["files"]), total, url.get_backend_name())


def verify(src: Path) -> dict[str, Any]:
    """The manifest, once every file of the backup matches it."""
    try:
        manifest: dict[str, Any] = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as e:
        raise BackupError(f"{src} has no readable {MANIFEST}: is it a backup?") from e
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    wanted = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    wanted.update({f"files/{k}": v for k, v in manifest["files"].items()})
    wanted.update({f"instance/{k}": v for k, v in manifest["extras"].items()})
    for rel, digest in wanted.items():
        path = src / rel
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{rel} is missing from the backup or does not match its hash")
    return manifest


def _require_fresh(settings: Settings, url: URL) -> None:
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"{path} exists: restore onto a fresh instance")
    else:
        tables = inspect(get_engine(settings.database_url)).get_table_names()
        if tables:
            raise BackupError("the target database is not empty: restore into a new database")
    if any(_store_files(settings)):
        raise BackupError(
            f"{settings.storage_dir} already holds files: restore onto a fresh instance"
        )


def restore(settings: Settings, src: Path, migrate: Callable[[str], None] | None = None) -> Summary:
    """Bring a verified backup back onto a fresh instance; every restored file is re-hashed.

    The restored instance gets a new identity: it is another deployment than the one the
    backup was taken from, and must not take that one's tasks off a shared broker.
    """
    from ingest.identity import renew_instance_id

    manifest = verify(src)
    url = make_url(settings.database_url)
    if manifest["engine"] != url.get_backend_name():
        raise BackupError(
            f"this backup is of a {manifest['engine']} database; the target is "
            f"{url.get_backend_name()}"
        )
    _require_fresh(settings, url)
    settings.ensure_dirs()
    database = src / manifest["database"]["file"]
    if manifest["engine"] == "sqlite":
        _copy(database, Path(url.database or ""))
    else:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={url.database}",
                str(database),
            ],
            _pg_env(url),
        )
    total = 0
    for rel, digest in manifest["files"].items():
        if _copy(src / "files" / rel, settings.storage_dir / rel) != digest:
            raise BackupError(f"restored file {rel} does not match its hash")
        total += (settings.storage_dir / rel).stat().st_size
    for rel, digest in manifest["extras"].items():
        if _copy(src / "instance" / rel, settings.instance_dir / rel) != digest:
            raise BackupError(f"restored {rel} does not match its hash")
    if migrate is not None:  # a backup of an older release is brought up to this schema
        migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        renew_instance_id(session)
    return Summary(len(manifest["files"]), total, manifest["engine"])

"""Settings shared by the web app, the CLI and the worker, read from ``SECOR_*``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.filetypes import KINDS, types_for

#: Which content types each kind of document accepts (from the file type table).
KIND_TYPES: dict[str, tuple[str, ...]] = {k: tuple(t.value for t in types_for(k)) for k in KINDS}


#: A scanned binder (protocol pages plus manual and records) cannot fit the portal's 4 MB
#: limit, so binders get their own default; every other kind keeps 4 MB.
DEFAULT_KIND_MB: dict[str, float] = {"binder": 40.0}


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    redis_url: str | None = None
    max_upload_mb: float = 4.0
    kind_max_mb: dict[str, float] = field(default_factory=dict)
    max_pages: int = 500
    max_image_pixels: int = 80_000_000
    max_zip_uncompressed_mb: int = 200
    task_soft_limit: int = 240  # a 300-page binder is read whole in about 2 minutes
    task_hard_limit: int = 270
    task_lease_seconds: int = 330
    ocr_threads: int = 2  # tesseract threads reading one binder's supporting pages
    max_attempts: int = 3
    low_confidence: float = 0.8
    smtp_url: str | None = None
    mail_from: str = "SECOR <secor@localhost>"

    @property
    def storage_dir(self) -> Path:
        return self.instance_dir / "files"

    @property
    def broker_url(self) -> str:
        # Without Redis the embedded default uses kombu's filesystem transport:
        # no server to run, and a separate worker process can consume from it.
        return self.redis_url or "filesystem://"

    @property
    def broker_dir(self) -> Path:
        return self.instance_dir / "broker"

    def limit_bytes(self, kind: str) -> int:
        mb = self.kind_max_mb.get(kind, self.max_upload_mb)
        return int(mb * 1024 * 1024)

    @classmethod
    def from_mapping(cls, m: Mapping[str, Any]) -> Settings:
        """Build from a mapping of un-prefixed keys (Flask config or stripped env)."""
        instance = Path(m.get("INSTANCE_DIR") or "instance").resolve()
        db = m.get("DATABASE_URL") or f"sqlite:///{instance / 'secor.db'}"
        kind_max = dict(DEFAULT_KIND_MB)
        kind_max.update(
            {
                k: float(m[f"MAX_UPLOAD_MB_{k.upper()}"])
                for k in KINDS
                if m.get(f"MAX_UPLOAD_MB_{k.upper()}") not in (None, "")
            }
        )

        def num(key: str, default: float) -> Any:
            value = m.get(key)
            return type(default)(value) if value not in (None, "") else default

        return cls(
            instance_dir=instance,
            database_url=db,
            redis_url=m.get("REDIS_URL") or None,
            max_upload_mb=num("MAX_UPLOAD_MB", 4.0),
            kind_max_mb=kind_max,
            max_pages=num("MAX_PAGES", 500),
            max_image_pixels=num("MAX_IMAGE_PIXELS", 80_000_000),
            task_soft_limit=num("TASK_SOFT_LIMIT", 240),
            task_hard_limit=num("TASK_HARD_LIMIT", 270),
            task_lease_seconds=num("TASK_LEASE_SECONDS", 330),
            ocr_threads=num("OCR_THREADS", 2),
            max_attempts=num("MAX_ATTEMPTS", 3),
            low_confidence=num("LOW_CONFIDENCE", 0.8),
            smtp_url=m.get("SMTP_URL") or None,
            mail_from=m.get("MAIL_FROM") or "SECOR <secor@localhost>",
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls.from_mapping({k[6:]: v for k, v in env.items() if k.startswith("SECOR_")})

    def ensure_dirs(self) -> None:
        for d in (
            self.instance_dir,
            self.storage_dir,
            self.broker_dir / "in",
            self.broker_dir / "processed",
        ):
            d.mkdir(parents=True, exist_ok=True)


__all__ = ["KINDS", "KIND_TYPES", "Settings"]

"""GET /healthz: the state of the database, the broker and the file storage."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from web.extensions import db, settings, store

bp = Blueprint("health", __name__)


def _database() -> dict[str, Any]:
    try:
        db().execute(text("SELECT 1"))
        return {"ok": True, "engine": db().get_bind().dialect.name}
    except Exception as e:  # any failure means unusable; say why without a trace
        return {"ok": False, "error": type(e).__name__}


def _broker() -> dict[str, Any]:
    s = settings()
    if s.redis_url:
        try:
            import redis

            redis.Redis.from_url(s.redis_url, socket_connect_timeout=1, socket_timeout=1).ping()
            return {"ok": True, "transport": "redis"}
        except Exception as e:
            return {"ok": False, "transport": "redis", "error": type(e).__name__}
    folder = s.broker_dir / "in"
    return {"ok": folder.is_dir() and _writable(folder), "transport": "filesystem"}


def _writable(folder: Any) -> bool:
    import os

    return os.access(folder, os.W_OK)


@bp.get("/healthz")
def healthz() -> Any:
    checks = {"database": _database(), "broker": _broker(),
              "storage": {"ok": store().usable()}}
    ok = all(c["ok"] for c in checks.values())
    current_app.logger.debug("health %s", checks)
    return jsonify(status="ok" if ok else "unavailable", **checks), (200 if ok else 503)

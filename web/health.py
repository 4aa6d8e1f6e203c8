"""GET /healthz: the state of the database, the broker and the file storage."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from web.celery import broker_usable
from web.extensions import db, store

bp = Blueprint("health", __name__)


def _database() -> dict[str, Any]:
    try:
        db().execute(text("SELECT 1"))
        return {"ok": True, "engine": db().get_bind().dialect.name}
    except Exception as e:  # any failure means unusable; say why without a trace
        return {"ok": False, "error": type(e).__name__}


@bp.get("/healthz")
def healthz() -> Any:
    checks = {
        "database": _database(),
        "broker": broker_usable(current_app),
        "storage": {"ok": store().usable()},
    }
    ok = all(c["ok"] for c in checks.values())
    current_app.logger.debug("health %s", checks)
    return jsonify(status="ok" if ok else "unavailable", **checks), (200 if ok else 503)

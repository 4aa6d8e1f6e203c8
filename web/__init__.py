"""Flask application factory (after the Flask tutorial's ``create_app``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Request, current_app, g

from ingest.settings import Settings
from ingest.storage import FileStore
from review.db import session_factory


def _secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    os.chmod(path, 0o600)
    return key


class SecorRequest(Request):
    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> Any:
        """Uploaded files go straight to the store's temporary folder, hashed on the way."""
        return current_app.extensions["secor_store"].spool()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.request_class = SecorRequest
    from web.converters import IdConverter

    app.url_map.converters["id"] = IdConverter
    app.config.from_mapping(
        INSTANCE_DIR=os.path.abspath("instance"),
        MAX_UPLOAD_MB=4.0,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        START_RELAY=False,
    )
    app.config.from_prefixed_env("SECOR")
    if test_config:
        app.config.from_mapping(test_config)

    settings = Settings.from_mapping(app.config)
    settings.ensure_dirs()
    app.config.setdefault("SECRET_KEY", None)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(settings.instance_dir)
    # Werkzeug refuses larger bodies before reading them (Content-Length) or stops reading at
    # the limit (chunked); 64 KiB leaves room for the multipart headers and small fields.
    biggest = max(
        settings.limit_bytes(k) for k in ("org_chart", "protocol", "binder", "supporting")
    )
    app.config["MAX_CONTENT_LENGTH"] = biggest + 64 * 1024

    app.extensions["secor_settings"] = settings
    app.extensions["secor_sessions"] = session_factory(settings.database_url)
    app.extensions["secor_store"] = FileStore(settings.storage_dir)

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    from web import auth, errors, extensions, headers, vocabulary
    from web.celery import celery_init_app

    extensions.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    vocabulary.init_app(app)
    celery_init_app(app, settings)

    from web import api, health, openapi, pages, registration, review_api, review_pages, staff

    app.register_blueprint(auth.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(review_api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(review_pages.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(registration.bp)

    from web.cli import register_cli

    register_cli(app)
    from web.bodyread import LargeReads

    app.wsgi_app = LargeReads(app.wsgi_app)  # type: ignore[method-assign]
    if app.config.get("MEASURE_BODY_READ"):
        from web.measure import BodyMeter

        app.wsgi_app = BodyMeter(app.wsgi_app)  # type: ignore[method-assign]
    return app

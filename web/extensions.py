"""Flask-Login and CSRF wiring, plus the per-request database session."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from ingest.settings import Settings
from ingest.storage import FileStore
from review.accounts import Principal, session_user
from review.models import User
from review.protocol import Catalogue

login_manager = LoginManager()
csrf = CSRFProtect()
#: Storage is the app's: memory on the embedded default, Redis in scale-out (init_app).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


class CurrentUser(UserMixin):
    """A detached view of the signed-in user (no lazy loads after the session closes).

    For a browser, ``session_key`` is the key of its row in ``login_sessions``; the cookie
    holds that key, so a session ended on the server is worth nothing in the cookie.
    """

    def __init__(self, user: User | Principal, session_key: str = "") -> None:
        self.session_key = session_key
        self.id = user.id
        self.email = user.email
        self.name = user.name
        self.role = user.role
        self.company_id = user.company_id
        if isinstance(user, Principal):
            self.company_name = user.company_name
        else:
            self.company_name = user.company.name if user.company else None

    def get_id(self) -> str:
        return self.session_key


def db() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["secor_sessions"]()
    return g.db


def settings() -> Settings:
    return current_app.extensions["secor_settings"]


def catalogue() -> Catalogue:
    """The protocol versions this instance knows (shipped and imported)."""
    return Catalogue.default(settings().instance_dir)


def store() -> FileStore:
    return current_app.extensions["secor_store"]


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    csrf.init_app(app)
    redis_url = app.extensions["secor_settings"].redis_url
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    # The limiter object is shared by every app of the process (its decorators are on the
    # views); say each app's own setting, or an earlier app's would carry over.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)

    @login_manager.user_loader
    def _load(session_key: str) -> CurrentUser | None:
        if not session_key or len(session_key) > 100:
            return None
        user = session_user(db(), session_key)
        return CurrentUser(user, session_key) if user is not None else None

"""Flask-Login and CSRF wiring, plus the per-request database session."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from ingest.settings import Settings
from ingest.storage import FileStore
from review.accounts import Principal
from review.models import User

login_manager = LoginManager()
csrf = CSRFProtect()


class CurrentUser(UserMixin):
    """A detached view of the signed-in user (no lazy loads after the session closes)."""

    def __init__(self, user: User | Principal) -> None:
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
        return str(self.id)


def db() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["secor_sessions"]()
    return g.db


def settings() -> Settings:
    return current_app.extensions["secor_settings"]


def store() -> FileStore:
    return current_app.extensions["secor_store"]


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    csrf.init_app(app)

    @login_manager.user_loader
    def _load(user_id: str) -> CurrentUser | None:
        user = db().get(User, int(user_id)) if user_id.isdigit() else None
        return CurrentUser(user) if user is not None and user.active else None

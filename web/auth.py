"""Sign-in for pages (sessions) and the API (bearer tokens), and role checks for both."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, same_origin, validate_csrf
from wtforms import EmailField, PasswordField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length

from review.accounts import (
    MAX_PASSWORD,
    authenticate,
    end_session,
    principal_for_token,
    set_password,
    start_session,
)
from review.errors import ReviewError
from review.models import User
from review.submissions import Actor
from web.errors import ApiError
from web.extensions import CurrentUser, db, limiter

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )
    new = PasswordField("New password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", "The two new passwords differ.")],
    )


def _account_key() -> str:
    """Attempts on one account are counted together, from wherever they come."""
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response: Any) -> bool:
    return response.status_code != 302  # a successful sign-in redirects; it costs nothing


#: Failed sign-ins allowed, per account and per address; beyond them 429 with Retry-After.
ACCOUNT_LIMIT = "5 per minute;20 per hour"
ADDRESS_LIMIT = "30 per minute;200 per hour"


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    ACCOUNT_LIMIT,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many failed sign-ins for this account; wait a minute and try again.",
)
@limiter.limit(
    ADDRESS_LIMIT,
    methods=["POST"],
    deduct_when=_failed,
    error_message="Too many failed sign-ins from your address; wait a minute and try again.",
)
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db(), form.email.data or "", form.password.data or "")
        if user is not None:
            _sign_in(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("pages.home"))
        flash("The email or password is not right.", "error")
    return render_template("login.html", form=form)


def _sign_in(user: User) -> None:
    key = start_session(db(), user)
    db().commit()
    login_user(CurrentUser(user, key))


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if current_user.is_authenticated:
        end_session(db(), current_user.session_key)  # the old cookie is worth nothing now
        db().commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> Any:
    """Every signed-in user may change their password; all their other sessions and tokens end."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    form = PasswordForm()
    if form.validate_on_submit():
        user = db().get(User, current_user.id)
        if user is None or authenticate(db(), user.email, form.current.data or "") is None:
            flash("The current password is not right.", "error")
        else:
            try:
                set_password(db(), user, form.new.data or "")
                _sign_in(user)  # this browser stays signed in, with a new session
                flash(
                    "Your password was changed; every other session and API token was ended.",
                    "info",
                )
                return redirect(url_for("pages.home"))
            except ReviewError as e:
                db().rollback()
                form.new.errors = [e.message]
    return render_template("password.html", form=form)


def page_roles(*roles: str) -> Callable[[F], F]:
    """Pages: anonymous users are sent to sign in; other roles get 403."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def actor() -> Actor:
    """Who is asking, for the domain: the API caller, or the signed-in person on a page."""
    user = g.get("api_user") or current_user
    return Actor(user.id, user.role, user.company_id)


def api_user() -> CurrentUser | None:
    """The caller: a bearer token, or the page session (then CSRF is checked)."""
    if "api_user" in g:
        return g.api_user
    user: CurrentUser | None = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found = principal_for_token(db(), header[7:].strip())
        user = CurrentUser(found) if found is not None else None
    elif current_user.is_authenticated:
        _check_csrf_header()
        user = current_user._get_current_object()
    g.api_user = user
    return user


def _check_csrf_header() -> None:
    """A signed-in browser calling the API sends the page's CSRF token in a header (the
    pages' scripts do); the body is not searched for it, so uploads are never parsed twice."""
    config = current_app.config
    if request.method not in config["WTF_CSRF_METHODS"] or not config["WTF_CSRF_ENABLED"]:
        return
    token = next(
        (request.headers[h] for h in config["WTF_CSRF_HEADERS"] if request.headers.get(h)), None
    )
    try:
        validate_csrf(token)
    except ValidationError as e:
        raise CSRFError(e.args[0]) from e
    if (
        request.is_secure
        and config["WTF_CSRF_SSL_STRICT"]
        and not same_origin(request.referrer or "", f"https://{request.host}/")
    ):
        raise CSRFError("The referrer does not match the host.")


def api_roles(*roles: str) -> Callable[[F], F]:
    """API: 401 without credentials, 403 for a role that may not call this endpoint."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = api_user()
            if user is None:
                raise ApiError(
                    "unauthorized", "Sign in or send 'Authorization: Bearer <token>'.", 401
                )
            if user.role not in roles:
                raise ApiError("forbidden", "Your role may not do this.", 403)
            return view(*args, **kwargs)

        wrapped.roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator

"""Accounts: users, companies, passwords, sign-in sessions and API tokens.

Passwords follow NIST SP 800-63B: a minimum length, a maximum generous enough for
passphrases, no composition rules, and a check against a list of common passwords (the list
is Django's ``common-passwords.txt.gz``, BSD licence, shipped beside this module).
Sign-in sessions and tokens live in the database, so signing out, changing the password or
disabling the user ends them on the server.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from review.errors import ReviewError, ReviewErrorCode
from review.models import ApiToken, Company, LoginSession, Role, User, utcnow

MIN_PASSWORD = 12
MAX_PASSWORD = 128
TOKEN_DAYS = 90
SESSION_HOURS = 12
_COMMON = Path(__file__).with_name("common-passwords.txt.gz")
#: Checked against when the e-mail is unknown, so that both answers take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


@functools.cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """What is wrong with a new password, in a sentence; None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return (
            f"The password needs at least {MIN_PASSWORD} characters; a few words make a good one."
        )
    if len(password) > MAX_PASSWORD:
        return f"The password may have at most {MAX_PASSWORD} characters."
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) < 4:
        return "That password is too common or too easy to guess; choose another."
    local = email.split("@")[0].lower()
    if lowered in {email.lower(), local, name.strip().lower()}:
        return "The password must not be your e-mail address or your name."
    return None


def check_password_policy(password: str, email: str = "", name: str = "") -> None:
    problem = password_problem(password, email, name)
    if problem:
        raise ReviewError(ReviewErrorCode.INVALID, problem)


def get_or_create_company(session: Session, name: str) -> Company:
    company = session.scalar(select(Company).where(Company.name == name))
    if company is None:
        company = Company(name=name)
        session.add(company)
        session.flush()
    return company


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    company_name: str | None = None,
    name: str = "",
) -> User:
    """Create a user; an employer must belong to exactly one company."""
    try:
        role = Role(role)
    except ValueError as e:
        raise ReviewError(ReviewErrorCode.INVALID, f"unknown role {role!r}") from e
    if role is Role.EMPLOYER and not company_name:
        raise ReviewError(ReviewErrorCode.INVALID, "an employer needs --company")
    email = email.strip().lower()
    check_password_policy(password, email, name)
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise ReviewError(ReviewErrorCode.CONFLICT, f"a user {email} already exists")
    company = get_or_create_company(session, company_name) if company_name else None
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=generate_password_hash(password),
        role=role.value,
        company=company,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password. A password hash is checked whether or
    not the e-mail is known, so the answer takes as long either way."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()[:254]))
    good = check_password_hash(user.password_hash if user else _DUMMY_HASH, password[:MAX_PASSWORD])
    return user if user is not None and user.active and good else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, days: int = TOKEN_DAYS) -> str:
    """Issue an API token that expires after ``days``; only its hash is stored."""
    token = "secor_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_digest(token),
            expires_at=utcnow() + dt.timedelta(days=days),
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, token: str) -> bool:
    """Revoke one token by its value; False when no such token exists."""
    result = session.execute(delete(ApiToken).where(ApiToken.token_hash == _digest(token.strip())))
    return bool(getattr(result, "rowcount", 0))


def revoke_all(session: Session, user: User) -> None:
    """End every sign-in session and token of the user."""
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password; every session and token of the user ends."""
    check_password_policy(password, user.email, user.name)
    user.password_hash = generate_password_hash(password)
    revoke_all(session, user)


def set_active(session: Session, user: User, active: bool) -> None:
    """Disable (every session and token ends) or enable a user."""
    user.active = active
    if not active:
        revoke_all(session, user)


def start_session(session: Session, user: User) -> str:
    """A new signed-in session; the key goes in the (signed) cookie, its hash in the table."""
    key = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user.id,
            key_hash=_digest(key),
            expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS),
        )
    )
    session.flush()
    return key


def session_user(session: Session, key: str) -> User | None:
    """The active user of a live sign-in session."""
    return session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.key_hash == _digest(key),
            LoginSession.expires_at > utcnow(),
            User.active.is_(True),
        )
    )


def end_session(session: Session, key: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.key_hash == _digest(key)))


@dataclass(frozen=True)
class Principal:
    """Who an API token belongs to: what the web layer keeps of the signed-in user."""

    id: int
    email: str
    name: str
    role: str
    company_id: int | None
    company_name: str | None


_USERS, _COMPANIES, _TOKENS = (cast(Table, m.__table__) for m in (User, Company, ApiToken))
_PRINCIPAL = (
    select(
        _USERS.c.id,
        _USERS.c.email,
        _USERS.c.name,
        _USERS.c.role,
        _USERS.c.company_id,
        _COMPANIES.c.name,
    )
    .select_from(
        _USERS.join(_TOKENS, _TOKENS.c.user_id == _USERS.c.id).outerjoin(
            _COMPANIES, _COMPANIES.c.id == _USERS.c.company_id
        )
    )
    .where(
        _TOKENS.c.token_hash == bindparam("token_hash"),
        _USERS.c.active.is_(True),
        _TOKENS.c.expires_at > bindparam("now"),
    )
)


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The token's active user with their company name, in one query.

    It runs on every API call, so it is written on the tables: the same query through the
    ORM's attributes costs 0.2 ms instead of 0.06 ms (SQLite, measured).
    """
    row = (
        session.connection()
        .execute(_PRINCIPAL, {"token_hash": _digest(token), "now": utcnow()})
        .first()
    )
    return Principal(*row) if row is not None else None

"""Accounts: users, companies, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from review.errors import ReviewError, ReviewErrorCode
from review.models import ApiToken, Company, Role, User


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
    if len(password) < 8:
        raise ReviewError(ReviewErrorCode.INVALID, "the password needs at least 8 characters")
    email = email.strip().lower()
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
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User) -> str:
    """Issue an API token; only its hash is stored."""
    token = "secor_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The token's user with their company, in one query (it runs on every API call)."""
    user = session.scalar(
        select(User).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token)).options(joinedload(User.company)))
    return user if user is not None and user.active else None

"""Staff pages: overview and user management."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from review.accounts import create_user
from review.errors import ReviewError
from review.models import Company, Role, Submission, User
from web.auth import page_roles
from web.extensions import db

bp = Blueprint("staff", __name__, url_prefix="/staff")


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    name = StringField("Full name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=[(r.value, r.value.title()) for r in Role])
    company = StringField("Company (employers only)", validators=[Optional(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8)])


@bp.get("/")
@page_roles(Role.STAFF)
def overview() -> Any:
    session = db()
    counts = dict(session.execute(
        select(Submission.status, func.count()).group_by(Submission.status)).all())
    return render_template("staff_overview.html", counts=counts,
                           users=session.scalar(select(func.count(User.id))),
                           companies=session.scalar(select(func.count(Company.id))))


@bp.get("/returns")
@page_roles(Role.STAFF)
def returns() -> Any:
    """Queued submissions on outdated or unrecognised forms: returned without a review."""
    subs = db().scalars(
        select(Submission).where(Submission.status.in_(["pending_review", "in_review"]),
                                 (Submission.protocol_current.is_(False))
                                 | (Submission.protocol_version.is_(None)))
        .order_by(Submission.submitted_at)).all()
    return render_template("staff_returns.html", submissions=subs)


@bp.route("/users", methods=["GET", "POST"])
@page_roles(Role.STAFF)
def users() -> Any:
    session = db()
    form = UserForm()
    if form.validate_on_submit():
        try:
            create_user(session, form.email.data or "", form.password.data or "",
                        form.role.data or "", form.company.data or None, form.name.data or "")
            session.commit()
            flash(f"User {form.email.data} was created.", "info")
            return redirect(url_for("staff.users"))
        except ReviewError as e:
            session.rollback()
            flash(e.message, "error")
    people = session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("staff_users.html", form=form, users=people)

"""Staff pages: overview and user management."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ingest.errors import IngestError
from ingest.formimport import import_blank_form, save_version
from ingest.mail import outbox
from ingest.models import Document
from ingest.pipeline import check_file
from ingest.preview import placed_boxes, preview_png
from review import desk
from review import registration as domain
from review.accounts import (
    MAX_PASSWORD,
    create_user,
    get_or_create_company,
    revoke_all,
    set_active,
)
from review.errors import ReviewError, ReviewErrorCode
from review.inputs import MAX_SHORT_TEXT, parse_money, parse_text, printable_filename
from review.models import (
    Company,
    Fee,
    Invoice,
    InvoiceStatus,
    Registration,
    RegistrationStatus,
    Role,
    Submission,
    User,
    utcnow,
)
from review.payments import PROVIDERS
from review.protocol import activate
from review.protocol_edit import METHODS, NewQuestion, QuestionEdit, correct_draft
from review.queue import reassign as hand_over
from web import notify
from web.actions import page_action
from web.auth import page_roles
from web.extensions import catalogue, db, settings

bp = Blueprint("staff", __name__, url_prefix="/staff")


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    name = StringField("Full name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=[(r.value, r.value.title()) for r in Role])
    company = StringField("Company (employers only)", validators=[Optional(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


@bp.get("/")
@page_roles(Role.STAFF)
def overview() -> Any:
    """What waits for the certifying body, each count linked to where it is done."""
    session = db()
    counts = dict(
        session.execute(select(Submission.status, func.count()).group_by(Submission.status)).all()
    )
    return render_template(
        "staff_overview.html",
        waiting=desk.waiting(session, utcnow()),
        counts=counts,
        users=session.scalar(select(func.count(User.id))),
        companies=session.scalar(select(func.count(Company.id))),
    )


@bp.get("/returns")
@page_roles(Role.STAFF)
def returns() -> Any:
    """Queued submissions on outdated or unrecognised forms: returned without a review."""
    subs = db().scalars(desk.outdated_query().order_by(Submission.submitted_at)).all()
    return render_template("staff_returns.html", submissions=subs)


@bp.route("/protocols", methods=["GET", "POST"])
@page_roles(Role.STAFF)
def protocols() -> Any:
    """Protocol versions; importing an official blank form adds a draft for staff to check."""
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Choose the official blank form (PDF).", "error")
            return redirect(url_for("staff.protocols"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "blank.pdf"
            upload.save(path)
            try:
                check_file(path, upload.filename, "protocol", settings())
                version = import_blank_form(path)
                known = catalogue().all_versions
                if version.version in known:
                    flash(
                        f"Version {version.version} ({known[version.version].form_number}) is "
                        "already in the catalogue; it was not imported again.",
                        "error",
                    )
                    return redirect(url_for("staff.protocols"))
                save_version(version, path, settings().instance_dir / "protocols")
                flash(
                    f"Imported {version.form_number} as a draft: {len(version.questions)} "
                    f"questions, {sum(e.available for e in version.elements)} points. Check "
                    "the preview, then activate it.",
                    "info",
                )
                return redirect(url_for("staff.protocol", version=version.version))
            except IngestError as e:
                flash(f"{printable_filename(upload.filename)}: {e.message}", "error")
        return redirect(url_for("staff.protocols"))
    known = catalogue()
    versions = sorted(known.all_versions.values(), key=lambda v: (v.effective, v.version))
    return render_template(
        "staff_protocols.html", versions=list(reversed(versions)), catalogue=known
    )


def _version(version: str) -> Any:
    known = catalogue()
    if version not in known.all_versions:
        abort(404)
    return known, known.all_versions[version]


@bp.get("/protocols/<version>")
@page_roles(Role.STAFF)
def protocol(version: str) -> Any:
    """The preview: every page with its boxes outlined, and the table of questions."""
    catalogue, found = _version(version)
    pages = [(n, len(placed_boxes(found, n))) for n in range(1, found.page_count + 1)]
    return render_template(
        "staff_protocol.html",
        v=found,
        catalogue=catalogue,
        pages=pages,
        today=dt.date.today().isoformat(),
        methods=METHODS,
    )


@bp.get("/protocols/<version>/page-<id:page>.png")
@page_roles(Role.STAFF)
def protocol_page(version: str, page: int) -> Any:
    catalogue, found = _version(version)
    try:
        png = preview_png(catalogue.blank_path(version), found, page)
    except IngestError:
        abort(404)
    return send_file(io.BytesIO(png), mimetype="image/png", max_age=300)


@bp.post("/protocols/<version>/questions")
@page_roles(Role.STAFF)
def protocol_correct(version: str) -> Any:
    """Staff correct a draft's questions (and add one the importer missed) before activating."""
    _, found = _version(version)
    form = request.form
    edits = [
        QuestionEdit(
            index=i,
            id=form.get(f"q{i}-id", q.id)[:20],
            points=form.get(f"q{i}-points", q.points.notation())[:40],
            method=form.get(f"q{i}-method", q.method or "")[:2] or None,
            remove=form.get(f"q{i}-remove") == "1",
        )
        for i, q in enumerate(found.questions)
    ]
    added = None
    if form.get("add-box"):
        added = NewQuestion(
            box=form.get("add-box", "")[:200],
            id=form.get("add-id", "")[:20],
            element=form.get("add-element", "")[:3],
            points=form.get("add-points", "")[:40],
            method=form.get("add-method", "")[:2] or None,
            text=form.get("add-text", "")[:500],
        )
    with page_action() as action:
        made = correct_draft(settings().instance_dir, version, edits, added)
        action.message = (
            f"Saved the draft: {len(made.questions)} questions, "
            f"{sum(e.available for e in made.elements)} points."
        )
    return redirect(url_for("staff.protocol", version=version) + "#questions")


@bp.post("/protocols/<version>/activate")
@page_roles(Role.STAFF)
def protocol_activate(version: str) -> Any:
    _version(version)
    try:
        effective = dt.date.fromisoformat(request.form.get("effective", "")[:10])
        raw_until = request.form.get("previous_accepted_until", "")[:10]
        until = dt.date.fromisoformat(raw_until) if raw_until else None
    except ValueError:
        flash("Enter the dates as YYYY-MM-DD.", "error")
        return redirect(url_for("staff.protocol", version=version))
    try:
        made, previous = activate(settings().instance_dir, version, effective, until)
    except ValueError as e:  # a transition window that ends before the old version began
        flash(str(e), "error")
        return redirect(url_for("staff.protocol", version=version))
    flash(
        f"{made.form_number} is active from {made.effective}"
        + (
            f"; {previous.form_number} is accepted until {previous.accepted_until}."
            if previous
            else "."
        ),
        "info",
    )
    return redirect(url_for("staff.protocols"))


@bp.post("/submissions/<id:submission_id>/reassign")
@page_roles(Role.STAFF)
def reassign(submission_id: int) -> Any:
    sub = db().get(Submission, submission_id)
    raw = request.form.get("reviewer", "")
    reviewer = (
        db().get(User, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    )
    if sub is None:
        abort(404)
    if reviewer is None or reviewer.role != Role.REVIEWER:
        flash("Choose a reviewer.", "error")
    else:
        with page_action() as done:
            hand_over(db(), sub, reviewer.id, current_user.id, current_user.role)
            done.say(f"Submission {sub.id} now belongs to {reviewer.email}.")
    return redirect(url_for("review_pages.detail", submission_id=submission_id))


@bp.get("/registrations")
@page_roles(Role.STAFF)
def registrations() -> Any:
    regs = (
        db()
        .scalars(
            select(Registration)
            .where(Registration.status != RegistrationStatus.DRAFT)
            .order_by(Registration.id.desc())
            .limit(200)
        )
        .all()
    )
    invoices = {i.registration_id: i for i in db().scalars(select(Invoice))}
    return render_template("staff_registrations.html", registrations=regs, invoices=invoices)


@bp.post("/registrations/record")
@page_roles(Role.STAFF)
def record_registration() -> Any:
    """A registration made outside the portal (migrated, or taken on paper), as REGISTERED;
    the same rules as ``secor registration create``."""
    form = request.form
    with page_action() as done:
        name = parse_text(form.get("company"), "The company", MAX_SHORT_TEXT, required=True)
        try:
            start = dt.date.fromisoformat(form.get("start", ""))
            end = dt.date.fromisoformat(form.get("end", ""))
            employees = int(form.get("employees", ""))
        except ValueError as e:
            raise ReviewError(
                ReviewErrorCode.INVALID,
                "Enter the start and end dates as YYYY-MM-DD and the employees as a number.",
            ) from e
        reg = domain.record_registered(
            db(),
            get_or_create_company(db(), name),
            start,
            end,
            employees,
            "secor_one_year" if form.get("type") == "one_year" else "secor",
        )
        done.say(
            f"Audit {reg.audit_number} of {name} is recorded as REGISTERED, due {reg.due_date}."
        )
    return redirect(url_for("staff.registrations"))


@bp.get("/registrations/<id:reg_id>")
@page_roles(Role.STAFF)
def registration(reg_id: int) -> Any:
    """One registration as the employer entered it, with the chart's people beside the
    roster, the assessor's training and the worksites; approve or ask for details here."""
    reg = db().get(Registration, reg_id)
    if reg is None:
        abort(404)
    chart = db().get(Document, reg.org_chart_document_id) if reg.org_chart_document_id else None
    people = (chart.result or {}).get("people") if chart and chart.result else None
    rows, missing = desk.chart_beside_roster(people or [], reg.data.get("roster", []))
    return render_template(
        "staff_registration.html",
        reg=reg,
        org_chart=chart,
        chart_rows=rows,
        not_on_chart=missing,
        checks=desk.desk_checks(reg, reg.assessor, people, dt.date.today()),
        invoice=db().scalar(select(Invoice).where(Invoice.registration_id == reg.id)),
        domain=domain,
        request_heading="The request",
    )


@bp.post("/registrations/<id:reg_id>/<action>")
@page_roles(Role.STAFF)
def registration_action(reg_id: int, action: str) -> Any:
    reg = db().get(Registration, reg_id)
    if reg is None:
        abort(404)
    with page_action() as done:
        if action == "approve":
            domain.approve(db(), reg)
            event = "invoice"
        elif action == "details":
            domain.request_details(reg, request.form.get("note", ""))
            event = "details"
        elif action == "offline-payment":
            inv = db().scalar(
                select(Invoice).where(
                    Invoice.registration_id == reg.id, Invoice.status == InvoiceStatus.OPEN
                )
            )
            if inv is None:
                abort(404)
            ref = PROVIDERS["offline"].charge(inv, {"reference": request.form.get("reference", "")})
            domain.begin_payment(db(), inv)
            domain.mark_paid(db(), inv, "offline", ref)
            event = "registered"
        else:
            abort(404)
        done.then(lambda: notify.registration(reg, event))
        done.say(f"Registration {reg.id}: {reg.status.replace('_', ' ')}.")
    return redirect(url_for("staff.registrations"))


@bp.route("/fees", methods=["GET", "POST"])
@page_roles(Role.STAFF)
def fees() -> Any:
    rows = db().scalars(select(Fee).order_by(Fee.code)).all()
    if request.method == "POST":
        for fee in rows:
            try:
                fee.amount_cents = parse_money(
                    request.form.get(f"amount-{fee.id}", ""), fee.description
                )
                fee.description = parse_text(
                    request.form.get(f"description-{fee.id}", fee.description),
                    "The description",
                    MAX_SHORT_TEXT,
                    required=True,
                )
            except ReviewError as e:
                db().rollback()
                flash(e.message, "error")
                return redirect(url_for("staff.fees"))
        db().commit()
        flash("The fee table was saved.", "info")
        return redirect(url_for("staff.fees"))
    return render_template("staff_fees.html", fees=rows)


@bp.get("/mail")
@page_roles(Role.STAFF)
def mail() -> Any:
    messages = [
        message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox(settings())[:100]
    ]
    return render_template("staff_mail.html", messages=messages)


@bp.route("/users", methods=["GET", "POST"])
@page_roles(Role.STAFF)
def users() -> Any:
    session = db()
    form = UserForm()
    if form.validate_on_submit():
        try:
            create_user(
                session,
                form.email.data or "",
                form.password.data or "",
                form.role.data or "",
                form.company.data or None,
                form.name.data or "",
            )
            session.commit()
            flash(f"User {form.email.data} was created.", "info")
            return redirect(url_for("staff.users"))
        except ReviewError as e:
            session.rollback()
            flash(e.message, "error")
    people = session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("staff_users.html", form=form, users=people)


@bp.post("/users/<id:user_id>/<action>")
@page_roles(Role.STAFF)
def user_action(user_id: int, action: str) -> Any:
    """Disable or enable a user, or end every session and token of theirs."""
    person = db().get(User, user_id)
    if person is None or action not in ("disable", "enable", "revoke"):
        abort(404)
    if person.id == current_user.id and action == "disable":
        flash("You cannot disable yourself.", "error")
        return redirect(url_for("staff.users"))
    if action == "revoke":
        revoke_all(db(), person)
    else:
        set_active(db(), person, action == "enable")
    db().commit()
    done = {
        "disable": "disabled; their sessions and tokens ended",
        "enable": "enabled",
        "revoke": "signed out everywhere; their tokens ended",
    }[action]
    flash(f"{person.email} was {done}.", "info")
    return redirect(url_for("staff.users"))

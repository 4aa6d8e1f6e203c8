"""The employer's registration wizard, invoice and payment, and dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ingest.errors import ErrorCode, IngestError
from ingest.models import Document
from ingest.pipeline import accept_upload
from review import registration as reg_domain
from review.audit_life import audits
from review.certificates import certificate_pdf
from review.errors import ReviewError
from review.models import (
    Certificate,
    Company,
    Invoice,
    Registration,
    RegistrationStatus,
    Role,
    User,
)
from review.payments import PROVIDERS
from review.registration import LIST_STEPS, Step
from review.registration_rules import roster_warnings, training_date_problem
from web import notify
from web.actions import page_action
from web.auth import page_roles
from web.extensions import db, settings, store

bp = Blueprint("registration", __name__)


def _mine(reg_id: int) -> Registration:
    reg = db().get(Registration, reg_id)
    if reg is None or (
        current_user.role == Role.EMPLOYER and reg.company_id != current_user.company_id
    ):
        abort(404)
    return reg


def _me() -> User:
    user = db().get(User, current_user.id)
    assert user is not None
    return user


@bp.get("/dashboard")
@page_roles(Role.EMPLOYER)
def dashboard() -> Any:
    """One row per audit through its whole life, in the program's words."""
    rows = audits(db(), current_user.company_id, dt.date.today())
    return render_template("dashboard.html", rows=rows, company=_me().company)


@bp.get("/certificates/<id:cert_id>.pdf")
@page_roles(Role.EMPLOYER, Role.STAFF)
def certificate(cert_id: int) -> Any:
    cert = db().get(Certificate, cert_id)
    if cert is None or (
        current_user.role == Role.EMPLOYER and cert.company_id != current_user.company_id
    ):
        abort(404)
    reg = db().get(Registration, cert.registration_id) if cert.registration_id else None
    company = db().get(Company, cert.company_id)
    assert company is not None
    pdf = certificate_pdf(cert, company, reg.audit_number if reg else None)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="secor-certificate-{cert.id}.pdf"'},
    )


@bp.post("/registrations")
@page_roles(Role.EMPLOYER)
def start() -> Any:
    reg = reg_domain.start(db(), _me())
    db().commit()
    return redirect(url_for("registration.step", reg_id=reg.id, n=min(reg.step, Step.ELIGIBILITY)))


@bp.route("/registrations/<id:reg_id>/step/<id:n>", methods=["GET", "POST"])
@page_roles(Role.EMPLOYER)
def step(reg_id: int, n: int) -> Any:
    reg = _mine(reg_id)
    if n not in set(Step):
        abort(404)
    if n == Step.CONFIRMATION or reg.status not in (
        RegistrationStatus.DRAFT,
        RegistrationStatus.DETAILS_REQUESTED,
    ):
        return render_template(
            "wizard.html",
            reg=reg,
            n=Step.CONFIRMATION,
            errors={},
            warnings=[],
            me=_me(),
            domain=reg_domain,
            org_chart=_org_chart(reg),
        )
    errors: dict[str, str] = {}
    if request.method == "POST" and request.form.get("go") == "back":
        _save(reg, n)  # what was typed is kept; going back never asks for it to be right
        db().commit()
        return redirect(url_for("registration.step", reg_id=reg.id, n=max(n - 1, 1)))
    if request.method == "POST":
        errors = _save(reg, n)
        if n == Step.ELIGIBILITY and not errors:
            db().commit()
            notify.registration(reg, "received")
            return redirect(url_for("registration.step", reg_id=reg.id, n=Step.CONFIRMATION))
        if not errors and request.form.get("go") in ("next", "back", "stay"):
            reg.step = max(reg.step, n + 1)
            db().commit()
            target = {"next": n + 1, "back": n - 1, "stay": n}[request.form["go"]]
            # after Add or Save the person goes on where they were: the form to add the next
            anchor = "add-form" if request.form["go"] == "stay" and n in LIST_STEPS else None
            return redirect(
                url_for("registration.step", reg_id=reg.id, n=max(target, 1), _anchor=anchor)
            )
        db().commit()
    warnings = _warnings(reg) if n == Step.ROSTER else []
    return render_template(
        "wizard.html",
        reg=reg,
        n=n,
        errors=errors,
        warnings=warnings,
        me=_me(),
        domain=reg_domain,
        org_chart=_org_chart(reg),
    )


def _save(reg: Registration, n: int) -> dict[str, str]:
    form = request.form
    try:
        reg_domain.editable(reg)
    except ReviewError as e:
        return {"form": e.message}
    if n == Step.DETAILS:
        data = {
            k: form.get(k)
            for k in (
                "audit_type",
                "employees",
                "start_date",
                "end_date",
                "documentation_months",
                "certificate",
            )
        }
        data["scope"] = form.getlist("scope")
        return reg_domain.save_details(reg, _me(), data, dt.date.today())
    if n == Step.PROFILE:
        company = reg.company
        profile = {
            "wcb": form.getlist("wcb"),
            "industry": form.getlist("industry"),
            "text": form.get("profile", "").strip(),
        }
        reg.data = {**reg.data, "profile": profile}
        company.profile = profile["text"]
        # uploading the chart keeps the text as typed so far, without judging it yet
        errors = reg_domain.profile_problems(profile) if form.get("go") == "next" else {}
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            try:  # the chart comes with what was typed: nothing typed is lost
                _attach_chart(reg, upload)
            except IngestError as e:
                errors["org_chart"] = f"Organisation chart refused: {e.message}"
        elif request.form.get("go") == "next" and reg.org_chart_document_id is None:
            errors["org_chart"] = "Upload the organisation chart: it is required."
        return errors
    if n in LIST_STEPS:
        key, required = LIST_STEPS[Step(n)]
        if form.get("action") in ("add", "update", "remove"):
            row = {
                k: form.get(k, "").strip()
                for k in form
                if k not in ("action", "index", "csrf_token", "go")
            }
            if n == Step.WORKSITES:
                row["included"] = form.get("included") == "on"
            if n == Step.ROSTER:
                row["on_wcb"] = form.get("on_wcb") == "on"
            raw_index = form.get("index", "")
            index = (
                int(raw_index)
                if raw_index.isascii() and raw_index.isdigit() and len(raw_index) <= 4
                else None
            )
            errors = reg_domain.save_list(reg, key, form["action"], index, row, required)
            return errors
        if n == Step.ROSTER:
            reg.data = {**reg.data, "roster_comments": form.get("comments", "")}
        if n == Step.WORKSITES and form.get("go") == "next" and not reg.data.get("worksites"):
            return {"form": "Add at least one worksite the audit samples."}
        return {}
    if n == Step.ELIGIBILITY:
        if form.get("roles") != "on":
            return {"roles": "Confirm you have read the Outline of Roles and Responsibilities."}
        try:
            reg_domain.submit(db(), reg, form.get("acknowledge") == "on")
        except ReviewError as e:
            return {"acknowledge": e.message}
    return {}


def _org_chart(reg: Registration) -> Document | None:
    return db().get(Document, reg.org_chart_document_id) if reg.org_chart_document_id else None


def _warnings(reg: Registration) -> list[str]:
    doc = _org_chart(reg)
    people = [
        p["name"] for p in ((doc.result or {}).get("people", []) if doc and doc.result else [])
    ]
    declared = (reg.data.get("details") or {}).get("employees")
    return roster_warnings(declared, reg.data.get("roster", []), people or None)


def _attach_chart(reg: Registration, upload: Any) -> None:
    """The uploaded file through intake as the registration's organisation chart."""
    doc, _ = accept_upload(
        db(), settings(), store(), None, "org_chart", upload.filename, upload.stream
    )
    reg.org_chart_document_id = doc.id
    flash(f"{doc.filename} was received; its people are read for the roster check.", "info")


@bp.post("/registrations/<id:reg_id>/org-chart")
@page_roles(Role.EMPLOYER)
def org_chart(reg_id: int) -> Any:
    reg = _mine(reg_id)
    upload = request.files.get("file")
    try:
        reg_domain.editable(reg)
        if upload is None or not upload.filename:
            raise IngestError(ErrorCode.EMPTY, "Choose a file first.")
        _attach_chart(reg, upload)
        db().commit()
    except (IngestError, ReviewError) as e:
        db().rollback()
        flash(f"Organisation chart refused: {getattr(e, 'message', 'choose a file')}", "error")
    return redirect(url_for("registration.step", reg_id=reg.id, n=Step.PROFILE))


@bp.post("/registrations/<id:reg_id>/cancel")
@page_roles(Role.EMPLOYER)
def cancel(reg_id: int) -> Any:
    reg = _mine(reg_id)
    with page_action() as done:
        reg_domain.cancel(reg)
        done.say("The registration was cancelled.")
    return redirect(url_for("registration.dashboard"))


@bp.route("/registrations/<id:reg_id>/invoice", methods=["GET", "POST"])
@page_roles(Role.EMPLOYER)
def invoice(reg_id: int) -> Any:
    reg = _mine(reg_id)
    inv = db().scalar(select(Invoice).where(Invoice.registration_id == reg.id))
    if inv is None:
        abort(404)
    if request.method == "POST":
        if request.form.get("select") != "on":
            flash("Select the invoice to pay.", "error")
        elif _pay(reg, inv, "test", {k: request.form.get(k, "") for k in CARD_FIELDS}):
            return redirect(url_for("registration.dashboard"))
    return render_template("invoice.html", reg=reg, inv=inv, money=reg_domain.money)


CARD_FIELDS = ("name", "card", "expiry", "csc", "postal")


def _pay(reg: Registration, inv: Invoice, provider: str, details: dict[str, str]) -> bool:
    """One payment of ``inv``: the invoice is taken (committed) before the provider is
    called, so a double submit or a second tab never charges twice; a refusal frees it."""
    with page_action() as taken:
        reg_domain.begin_payment(db(), inv)
    if not taken.ok:
        return False
    try:
        ref = PROVIDERS[provider].charge(inv, details)
    except ReviewError as e:
        reg_domain.payment_failed(db(), inv)
        db().commit()
        flash(e.message, "error")
        return False
    with page_action() as done:
        reg_domain.mark_paid(db(), inv, provider, ref)
        done.then(lambda: notify.registration(reg, "registered"))
        done.say(f"Payment received. Audit {reg.audit_number} is registered.")
    return done.ok


@bp.route("/profile", methods=["GET", "POST"])
@page_roles(Role.EMPLOYER)
def profile() -> Any:
    """The assessor's training, which the registration rules check."""
    me = _me()
    if request.method == "POST":
        raw = request.form.get("training_completed_on", "")
        try:
            day = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            flash("Enter the date as YYYY-MM-DD.", "error")
        else:
            if problem := training_date_problem(day, dt.date.today()):
                flash(problem, "error")
            else:
                me.training_completed_on = day
                db().commit()
                flash("Your training date was saved.", "info")
        return redirect(url_for("registration.profile"))
    return render_template("profile.html", me=me)

"""Pages for people: dashboard, submissions and uploads."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ingest.errors import ErrorCode, IngestError
from ingest.filetypes import Kind
from ingest.pipeline import accept_upload
from ingest.settings import KIND_TYPES, KINDS
from ingest.submission import documents_of, hand_to_review, remove_document
from review.errors import ReviewError
from review.extraction import form_notice
from review.lifecycle import Action, allowed
from review.models import Registration, Role, Submission
from review.qa_report import DECIDED, qa_report_pdf
from review.submissions import create_draft, get_visible, require_editable, visible
from review.workflow import visible_notes
from web import notify
from web.actions import page_action
from web.auth import actor, page_roles
from web.extensions import catalogue, db, settings, store

bp = Blueprint("pages", __name__)
ALL = (Role.EMPLOYER, Role.REVIEWER, Role.STAFF)

KIND_LABELS = {
    "protocol": "Completed audit protocol (fillable PDF)",
    "binder": "Scanned binder (PDF, one or more parts in order)",
    "org_chart": "Organisation chart",
    "supporting": "Supporting record",
}


@bp.get("/")
@page_roles(*ALL)
def home() -> Any:
    if current_user.role == Role.REVIEWER:
        return redirect(url_for("review_pages.queue"))
    if current_user.role == Role.STAFF:
        return redirect(url_for("staff.overview"))
    return redirect(url_for("registration.dashboard"))


@bp.get("/submissions")
@page_roles(*ALL)
def submissions() -> Any:
    subs = db().scalars(visible(actor()).order_by(Submission.id.desc()).limit(200)).all()
    return render_template("submissions.html", submissions=subs)


@bp.post("/submissions")
@page_roles(Role.EMPLOYER)
def new_submission() -> Any:
    with page_action() as done:
        sub = create_draft(db(), actor())
        done.say("A new draft submission was created. Upload your documents below.")
    if not done.ok:
        return redirect(url_for("registration.dashboard"))
    return redirect(url_for("pages.submission", submission_id=sub.id))


@bp.get("/submissions/<id:submission_id>")
@page_roles(*ALL)
def submission(submission_id: int) -> Any:
    sub = get_visible(db(), actor(), submission_id)
    s = settings()
    limits = {k: s.limit_bytes(k) for k in KINDS}
    documents = documents_of(db(), sub.id)
    known = catalogue()
    notices = {
        d.id: notice
        for d in documents
        if d.kind in (Kind.PROTOCOL, Kind.BINDER) and (notice := form_notice(d.result, known))
    }
    return render_template(
        "submission.html",
        sub=sub,
        documents=documents,
        notices=notices,
        kinds=KIND_LABELS,
        kind_types=KIND_TYPES,
        limits=limits,
        notes=visible_notes(db(), sub, current_user.role),
        editable=current_user.role == Role.EMPLOYER
        and allowed(Action.HAND_IN, sub.status, Role.EMPLOYER),
    )


@bp.get("/submissions/<id:submission_id>/qa-report.pdf")
@page_roles(Role.EMPLOYER, Role.REVIEWER, Role.STAFF)
def qa_report(submission_id: int) -> Any:
    """The QA report of a decided audit (employers: their own, without internal notes)."""
    sub = get_visible(db(), actor(), submission_id)
    if sub.status not in DECIDED:
        abort(404)
    reg = db().get(Registration, sub.registration_id) if sub.registration_id else None
    pdf = qa_report_pdf(
        sub,
        sub.company.name,
        reg.audit_number if reg else None,
        visible_notes(db(), sub, Role.EMPLOYER),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="secor-qa-report-{sub.id}.pdf"'},
    )


@bp.get("/forms/current.pdf")
@page_roles(Role.EMPLOYER, Role.REVIEWER, Role.STAFF)
def current_form() -> Any:
    """The current protocol's official blank form, to fill in (or to replace an old one)."""
    known = catalogue()
    current = known.current
    if current is None:
        abort(404)
    return send_file(
        known.blank_path(current.version),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{current.form_number or 'secor-protocol-' + current.version}-blank.pdf",
    )


@bp.post("/submissions/<id:submission_id>/documents/<id:document_id>/remove")
@page_roles(Role.EMPLOYER)
def remove(submission_id: int, document_id: int) -> Any:
    with page_action() as done:
        name = remove_document(db(), actor(), submission_id, document_id)
        done.say(f"{name} was removed; upload the right file in its place.")
    return redirect(url_for("pages.submission", submission_id=submission_id))


@bp.post("/submissions/<id:submission_id>/upload")
@page_roles(Role.EMPLOYER)
def upload(submission_id: int) -> Any:
    """The no-JavaScript path: one file per post, the result shown as a message."""
    session = db()
    sub = get_visible(session, actor(), submission_id)
    target = url_for("pages.submission", submission_id=sub.id)
    try:
        require_editable(sub)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise IngestError(ErrorCode.EMPTY, "Choose a file first.")
        doc, created = accept_upload(
            session,
            settings(),
            store(),
            sub.id,
            request.form.get("kind", ""),
            upload.filename,
            upload.stream,
            sub.revision,
        )
    except (IngestError, ReviewError) as e:
        flash(
            f"{request.files.get('file').filename if request.files.get('file') else 'Upload'}: "
            f"{e.message}",
            "error",
        )
        return redirect(target)
    flash(
        f"{doc.filename} was received." if created else f"{doc.filename} was already uploaded.",
        "info",
    )
    return redirect(target)


@bp.post("/submissions/<id:submission_id>/submit")
@page_roles(Role.EMPLOYER)
def submit(submission_id: int) -> Any:
    session = db()
    sub = get_visible(session, actor(), submission_id)
    with page_action() as done:
        hand_to_review(session, sub, settings(), actor().id)
        done.then(lambda: notify.submission(sub, "received"))
        done.say("Your audit was submitted for quality assurance review.")
    return redirect(url_for("pages.submission", submission_id=sub.id))

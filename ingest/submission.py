"""Documents of a submission, and handing a complete submission to review."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ingest.models import Document, DocumentStatus, OutboxEntry
from ingest.settings import Settings
from review.coverage import Coverage, PageRecord, assess, offline_context
from review.errors import ReviewError, ReviewErrorCode
from review.extraction import Extraction
from review.models import Registration, Submission, User, utcnow
from review.protocol import Catalogue, ProtocolVersion
from review.queue import Reading, hand_in
from review.submissions import Actor, get_visible, require_editable


def documents_of(session: Session, submission_id: int) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.submission_id == submission_id)
            .order_by(Document.kind, Document.position, Document.id)
        )
    )


def get_document(session: Session, actor: Actor, document_id: int) -> Document:
    """A document the actor may see; not_found otherwise (never a hint that it exists)."""
    doc = session.get(Document, document_id)
    if doc is None or doc.submission_id is None:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "There is no such document.")
    get_visible(session, actor, doc.submission_id)
    return doc


def document_status(doc: Document, with_result: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": doc.id,
        "submission_id": doc.submission_id,
        "kind": doc.kind,
        "filename": doc.filename,
        "content_type": doc.content_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "status": doc.status,
        "revision": doc.revision,
        "progress": {"pages_done": doc.pages_done, "pages_total": doc.pages_total},
        "created_at": doc.created_at.isoformat() + "Z",
    }
    if doc.status == DocumentStatus.FAILED:
        body["error"] = {"code": doc.error_code, "message": doc.error_message}
    if doc.status == DocumentStatus.DONE and with_result:
        body["result"] = doc.result
    return body


def reading_for(
    session: Session,
    sub: Submission,
    docs: list[Document],
    catalogue: Catalogue,
    training_completed_on: dt.date | None,
) -> Reading | None:
    """What review needs from the newest processed protocol (or binder) of the submission."""
    protocol = [
        d
        for d in docs
        if d.kind in ("protocol", "binder") and d.status == DocumentStatus.DONE and d.result
    ]
    if not protocol:
        return None
    doc = max(protocol, key=lambda d: (d.kind == "protocol", d.id))
    extraction = Extraction.from_json(doc.result or {})
    version = catalogue.versions.get(extraction.version) if extraction.version else None
    found = coverage_for(session, sub, docs, extraction, version)
    return Reading(
        version=version,
        current=catalogue.is_current(version.version) if version else None,
        answers=extraction.answers,
        summary={k: dict(v) for k, v in extraction.summary.items()},
        circumstances=extraction.circumstances(
            training_completed_on=training_completed_on, submitted_on=utcnow().date()
        ),
        document_id=doc.id,
        coverage=found.to_json() if found else None,
    )


def coverage_for(
    session: Session,
    sub: Submission,
    docs: list[Document],
    extraction: Extraction,
    version: ProtocolVersion | None,
) -> Coverage | None:
    """The records of all the submission's documents set against what the registration knows:
    its roster, its companies, its chart; the window from the protocol's cover, else from the
    registered audit dates. None where no document brought a supporting page."""
    pages = [
        PageRecord.from_json(p, document=d.id)
        for d in docs
        if d.status == DocumentStatus.DONE and d.result
        for p in (d.result.get("coverage") or {}).get("pages", [])
    ]
    if not pages:
        return None
    reg = session.get(Registration, sub.registration_id) if sub.registration_id else None
    start = extraction.audit_dates()[0] or (reg.start_date if reg else None)
    # what the pages say of themselves: an audit without a registration has nothing more
    context = offline_context(pages, start, extraction.cover.get("company"), version)
    if reg is not None:
        roster = tuple(str(r["name"]) for r in reg.data.get("roster", []) if r.get("name"))
        companies = [str(c["name"]) for c in reg.data.get("companies", []) if c.get("name")]
        context = replace(
            context,
            # a registration recorded by staff has no roster: the binder's employee list stands in
            roster=roster or context.roster,
            roster_source="registration's roster" if roster else context.roster_source,
            chart=_chart_people(session, reg, docs),
            companies=(reg.company.name, *companies),
        )
    return assess(pages, context)


def _chart_people(session: Session, reg: Registration, docs: list[Document]) -> tuple[str, ...]:
    """The people of the submission's newest organisation chart, else the registration's."""
    charts = [d for d in docs if d.kind == "org_chart" and d.status == DocumentStatus.DONE]
    chart = charts[-1] if charts else None
    if chart is None and reg.org_chart_document_id:
        chart = session.get(Document, reg.org_chart_document_id)
    people = ((chart.result or {}).get("people") or []) if chart else []
    return tuple(str(p.get("name", "")) for p in people if p.get("name"))


def ready_documents(session: Session, sub: Submission) -> list[Document]:
    """All documents of the current revision, checked to be processed and to include a protocol."""
    docs = [d for d in documents_of(session, sub.id) if d.revision == sub.revision]
    pending = [d for d in docs if d.status in (DocumentStatus.RECEIVED, DocumentStatus.PROCESSING)]
    if pending:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            f"{len(pending)} document(s) are still being processed; submit when they are done.",
        )
    if not any(d.kind in ("protocol", "binder") and d.status == DocumentStatus.DONE for d in docs):
        raise ReviewError(
            ReviewErrorCode.INVALID,
            "Upload the completed audit protocol (or the scanned binder) first.",
        )
    return docs


def hand_to_review(
    session: Session, sub: Submission, settings: Settings, user_id: int | None = None
) -> None:
    """Check the documents, then queue the submission with its answers, score and flags."""
    require_editable(sub)
    docs = ready_documents(session, sub)
    submitter = session.get(User, sub.created_by_id) if sub.created_by_id else None
    reading = reading_for(
        session,
        sub,
        docs,
        Catalogue.default(settings.instance_dir),
        submitter.training_completed_on if submitter else None,
    )
    hand_in(session, sub, reading, settings.low_confidence, user_id)


def remove_document(session: Session, actor: Actor, submission_id: int, document_id: int) -> str:
    """The employer takes a document back before handing in (a wrong file, an old form to
    replace): only from an editable submission, only this revision's. Its stored file stays
    (files are kept by content, and may be shared); the row and its pending work go.
    Returns the file's name."""
    sub = get_visible(session, actor, submission_id)
    require_editable(sub)
    doc = session.get(Document, document_id)
    if doc is None or doc.submission_id != sub.id:
        raise ReviewError(ReviewErrorCode.NOT_FOUND, "There is no such document.")
    if doc.revision != sub.revision:
        raise ReviewError(
            ReviewErrorCode.WRONG_STATE,
            "A document handed in with an earlier revision stays with the audit's record.",
        )
    session.execute(delete(OutboxEntry).where(OutboxEntry.document_id == doc.id))
    session.delete(doc)
    session.flush()
    return doc.filename

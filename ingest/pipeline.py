"""The intake recipe: receive -> sniff -> check kind -> probe -> dedupe -> store -> record.

The Flask view, the CLI and the tests call these functions directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest.errors import ErrorCode, IngestError
from ingest.filetypes import FILE_TYPES, FileType, Kind, labels_for
from ingest.models import Document, OutboxEntry
from ingest.probe import Probe, probe
from ingest.settings import KIND_TYPES, KINDS, Settings
from ingest.sniff import Sniffed, extension_type, sniff
from ingest.storage import FileStore, Received
from review.inputs import printable_filename

_DOCUMENTS = cast(Table, Document.__table__)
_OUTBOX = cast(Table, OutboxEntry.__table__)


@dataclass(frozen=True)
class Checked:
    sniffed: Sniffed
    probe: Probe


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise IngestError(
            ErrorCode.UNSUPPORTED_TYPE,
            f"Unknown document kind {kind!r}; use one of " + ", ".join(KINDS) + ".",
        )


def too_large(kind: str, settings: Settings) -> IngestError:
    """The refusal of a file over its kind's limit, naming the limit, and the kind that takes
    larger files where one does (a scanned binder chosen as "protocol")."""
    limit = settings.limit_bytes(kind)
    message = f"The file is larger than the {round(limit / 2**20, 2):g} MB limit for this kind."
    larger = [k for k in KINDS if settings.limit_bytes(k) > limit and k != kind]
    if kind == Kind.PROTOCOL and Kind.BINDER in larger:
        binder = settings.limit_bytes(Kind.BINDER)
        message += (
            f" A scanned binder (the protocol among the records) may be up to "
            f'{round(binder / 2**20, 2):g} MB: choose "Scanned binder" as what you upload.'
        )
    return IngestError(ErrorCode.TOO_LARGE, message)


def check_file(path: Path, filename: str, kind: str, settings: Settings) -> Checked:
    """Validate a file on disk for ``kind`` by its content; raises IngestError on refusal."""
    check_kind(kind)
    size = path.stat().st_size
    if size == 0:
        raise IngestError(ErrorCode.EMPTY)
    if size > settings.limit_bytes(kind):
        raise too_large(kind, settings)
    sniffed = sniff(path)
    if sniffed.encrypted:
        raise IngestError(ErrorCode.ENCRYPTED)
    allowed = KIND_TYPES[kind]
    if sniffed.kind not in allowed:
        detail = sniffed.detail or f"The content is {sniffed.mime}."
        raise IngestError(
            ErrorCode.UNSUPPORTED_TYPE, f"{detail} Accepted for this document: {labels_for(kind)}."
        )
    named = extension_type(filename)
    if named != sniffed.kind:
        raise IngestError(
            ErrorCode.TYPE_MISMATCH,
            f"The file is named {Path(filename).name!r} but its content is "
            f"{FILE_TYPES[FileType(sniffed.kind)].label}; rename it to match.",
        )
    return Checked(sniffed, probe(path, sniffed, settings))


def accept_upload(
    session: Session,
    settings: Settings,
    store: FileStore,
    submission_id: int | None,
    kind: str,
    filename: str,
    stream: BinaryIO,
    revision: int = 1,
) -> tuple[Document, bool]:
    """Check and durably store one upload, then queue its processing through the outbox.

    Returns the document and whether it was created (False: the same file was already in this
    revision of the submission). The file is fsynced and the row committed before any work
    is queued.
    """
    check_kind(kind)
    try:
        received = store.receive(stream, settings.limit_bytes(kind))
    except IngestError as e:
        if e.code != ErrorCode.TOO_LARGE:
            raise
        raise too_large(kind, settings) from e
    try:
        checked = check_file(received.path, filename, kind, settings)
        # A repeated file is rare: insert first and let the unique constraint find it,
        # rather than look for it before every upload.
        key = store.commit(received)
    except BaseException:
        store.discard(received)
        raise
    doc = _document(received, checked, key, submission_id, kind, filename, revision)
    doc.position = _position(session, doc)
    try:
        return _insert(session, doc), True
    except IntegrityError:
        session.rollback()
        existing = _existing(session, submission_id, revision, received.sha256)
        if existing is None:
            raise
        return existing, False  # the stored file is the same content under the same name


def _insert(session: Session, doc: Document) -> Document:
    """The document and its outbox row in one transaction, as two plain INSERTs: this runs
    for every upload, and the write lock is held only for the two statements. Returns the
    document as stored, with the table's defaults (status, dates) filled in."""
    documents, outbox = _DOCUMENTS, _OUTBOX
    values = {
        c.key: getattr(doc, c.key) for c in documents.columns if getattr(doc, c.key) is not None
    }  # unset columns take the table's defaults
    conn = session.connection()
    row = conn.execute(insert(documents).returning(*documents.c), values).one()
    conn.execute(insert(outbox), {"document_id": row.id})
    session.commit()
    return Document(**row._asdict())


def _document(
    received: Received,
    checked: Checked,
    key: str,
    submission_id: int | None,
    kind: str,
    filename: str,
    revision: int,
) -> Document:
    return Document(
        submission_id=submission_id,
        kind=kind,
        filename=printable_filename(filename),
        content_type=checked.sniffed.kind,
        sha256=received.sha256,
        size=received.size,
        storage_key=key,
        pages_total=checked.probe.pages,
        revision=revision,
    )


def _position(session: Session, doc: Document) -> int:
    """Binder parts are kept in the order they were uploaded."""
    if doc.submission_id is None or doc.kind != "binder":
        return 0
    return len(
        session.scalars(
            select(Document.id).where(
                Document.submission_id == doc.submission_id,
                Document.kind == doc.kind,
                Document.revision == doc.revision,
            )
        ).all()
    )


def _existing(
    session: Session, submission_id: int | None, revision: int, sha256: str
) -> Document | None:
    if submission_id is None:
        return None
    return session.scalar(
        select(Document).where(
            Document.submission_id == submission_id,
            Document.revision == revision,
            Document.sha256 == sha256,
        )
    )

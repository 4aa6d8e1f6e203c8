"""Process one stored document: the thin Celery task calls ``process_document``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import DEFAULT_MESSAGES, ErrorCode, IngestError
from ingest.identity import instance_id
from ingest.models import Document, DocumentStatus, OutboxEntry
from ingest.settings import Settings
from ingest.storage import FileStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Extractor = Callable[..., dict[str, Any]]

FINAL = (DocumentStatus.DONE, DocumentStatus.FAILED)


def _default_extractor() -> Extractor:
    from ingest.extract import extract_document

    return extract_document


def process_document(
    factory: sessionmaker[Session],
    settings: Settings,
    document_id: int,
    extractor: Extractor | None = None,
    timeout_errors: tuple[type[BaseException], ...] = (),
    instance: str | None = None,
) -> str:
    """Extract one document and record the result; idempotent, returns the final status.

    ``instance`` is the identity of the deployment that sent the task: a worker attached to
    another database leaves the task alone (the sender's outbox sends it again).
    """
    extractor = extractor or _default_extractor()
    with factory() as session:
        if instance is not None and instance != (own := instance_id(session)):
            log.warning(
                "document %s belongs to instance %s; this worker serves instance %s "
                "(another database): leaving it alone",
                document_id,
                instance,
                own,
            )
            return "foreign"
        doc = session.get(Document, document_id)
        if doc is None:
            session.execute(delete(OutboxEntry).where(OutboxEntry.document_id == document_id))
            session.commit()
            return "missing"
        if doc.status in FINAL:
            session.execute(delete(OutboxEntry).where(OutboxEntry.document_id == document_id))
            session.commit()
            return doc.status
        doc.status = DocumentStatus.PROCESSING
        doc.attempts += 1
        doc.pages_done = 0
        session.commit()
        path = FileStore(settings.storage_dir).path(doc.storage_key)
        kind, content_type = doc.kind, doc.content_type

    def progress(done: int, total: int) -> None:
        with factory() as s:
            d = s.get(Document, document_id)
            if d is not None:
                d.pages_done, d.pages_total = done, total
                s.commit()

    try:
        result = extractor(
            path, kind=kind, content_type=content_type, settings=settings, progress=progress
        )
    except IngestError as e:
        return _finish(factory, document_id, error=(e.code, e.message))
    except timeout_errors:
        return _finish(factory, document_id, error=(ErrorCode.TIMEOUT, None))
    except MemoryError:
        return _finish(
            factory,
            document_id,
            error=(ErrorCode.UNSAFE, "Reading the file needed more memory than allowed."),
        )
    except Exception as e:  # a parser bug must not leave the document hanging
        log.exception("extraction of document %s failed", document_id)
        return _finish(
            factory,
            document_id,
            error=(
                ErrorCode.EXTRACTION_FAILED,
                f"{DEFAULT_MESSAGES[ErrorCode.EXTRACTION_FAILED]} ({type(e).__name__})",
            ),
        )
    return _finish(factory, document_id, result=result)


def _finish(
    factory: sessionmaker[Session],
    document_id: int,
    result: dict[str, Any] | None = None,
    error: tuple[ErrorCode, str | None] | None = None,
) -> str:
    with factory() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            return "missing"
        if error is not None:
            doc.status = DocumentStatus.FAILED
            doc.error_code = error[0].value
            doc.error_message = error[1] or DEFAULT_MESSAGES[error[0]]
        else:
            doc.status = DocumentStatus.DONE
            doc.result = result
            doc.error_code = doc.error_message = None
            if doc.pages_total:
                doc.pages_done = doc.pages_total
        session.execute(delete(OutboxEntry).where(OutboxEntry.document_id == document_id))
        session.commit()
        return doc.status

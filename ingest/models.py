"""Tables owned by intake: stored documents and the transactional outbox."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.db import Base
from review.models import utcnow

PROCESS_TASK = "ingest.process_document"  # the Celery task's name (ingest/tasks.py)


class DocumentStatus(enum.StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class Document(Base):
    __tablename__ = "documents"
    # The same file twice in one revision of a submission is one document; a later revision
    # (after the reviewer asked for changes) may carry an unchanged file again as its own.
    __table_args__ = (
        UniqueConstraint(
            "submission_id", "revision", "sha256", name="uq_documents_submission_revision_sha"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))  # as the user named it; display only
    content_type: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(200))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order of binder parts
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.RECEIVED)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int | None] = mapped_column(Integer)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class OutboxEntry(Base):
    """Work to hand to Celery; written in the same transaction as the document.

    The row stays until the document reaches a final state, and ``available_at`` is a lease:
    if a worker dies (or the broker loses the message) the relay sends it again.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True
    )
    task: Mapped[str] = mapped_column(String(100), default=PROCESS_TASK)
    available_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    sends: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class InstanceIdentity(Base):
    """One row: the identity of this deployment (its database), carried by every task.

    Workers of two deployments may share one Redis; a task names the instance that sent it
    and is consumed from that instance's own queue, so a worker attached to another database
    never takes it (ingest/identity.py).
    """

    __tablename__ = "instance_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))

"""The relay that drains the transactional outbox into the broker.

A row is claimed (its lease pushed forward) before it is sent, so a dead worker or a lost
message is sent again when the lease ends, and two relays never send the same row at once.
Processing is idempotent, so a duplicate delivery is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import DEFAULT_MESSAGES, ErrorCode
from ingest.models import Document, DocumentStatus, OutboxEntry
from ingest.settings import Settings
from review.models import utcnow

log = logging.getLogger(__name__)

Send = Callable[[str, int], None]
RETRY_AFTER = dt.timedelta(seconds=2)


def drain(factory: sessionmaker[Session], send: Send, settings: Settings, batch: int = 100) -> int:
    """Send what is due; returns how many rows were sent. Stops at the first broker error."""
    now = utcnow()
    lease = dt.timedelta(seconds=settings.task_lease_seconds)
    sent = 0
    with factory() as session:
        due = session.execute(
            select(OutboxEntry.id, OutboxEntry.document_id, OutboxEntry.task, OutboxEntry.sends)
            .where(OutboxEntry.available_at <= now).order_by(OutboxEntry.id).limit(batch)
        ).all()
    for row_id, doc_id, task, sends in due:
        if sends >= settings.max_attempts:
            _give_up(factory, row_id, doc_id)
            continue
        if not _claim(factory, row_id, now, now + lease):
            continue  # another relay took it
        try:
            send(task, doc_id)
        except Exception as e:  # broker down: keep the row, try again shortly
            log.warning("outbox: broker refused document %s: %s", doc_id, e)
            with factory() as session:
                session.execute(update(OutboxEntry).where(OutboxEntry.id == row_id).values(
                    available_at=utcnow() + RETRY_AFTER, sends=OutboxEntry.sends - 1,
                    last_error=str(e)[:500]))
                session.commit()
            break
        sent += 1
    return sent


def _claim(factory: sessionmaker[Session], row_id: int, now: dt.datetime,
           until: dt.datetime) -> bool:
    with factory() as session:
        res = session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id == row_id, OutboxEntry.available_at <= now)
            .values(available_at=until, sends=OutboxEntry.sends + 1)
        )
        session.commit()
        return bool(getattr(res, "rowcount", 0))


def _give_up(factory: sessionmaker[Session], row_id: int, doc_id: int) -> None:
    log.error("outbox: document %s was sent too often without finishing; marking failed", doc_id)
    with factory() as session:
        session.execute(
            update(Document)
            .where(Document.id == doc_id,
                   Document.status.in_([DocumentStatus.RECEIVED, DocumentStatus.PROCESSING]))
            .values(status=DocumentStatus.FAILED, error_code=ErrorCode.WORKER_LOST.value,
                    error_message=DEFAULT_MESSAGES[ErrorCode.WORKER_LOST])
        )
        session.execute(delete(OutboxEntry).where(OutboxEntry.id == row_id))
        session.commit()


class Relay(threading.Thread):
    """A daemon thread that drains the outbox every ``interval`` seconds, or when woken."""

    def __init__(self, factory: sessionmaker[Session], send: Send, settings: Settings,
                 interval: float = 0.25) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        self.factory, self.send, self.settings, self.interval = factory, send, settings, interval
        self.wake = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                drain(self.factory, self.send, self.settings)
            except Exception:  # the database may be briefly unavailable; keep going
                log.exception("outbox relay pass failed")
            self.wake.wait(self.interval)
            self.wake.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

"""The relay that drains the transactional outbox into the broker.

A row is claimed (its lease pushed forward) before it is sent, so a dead worker or a lost
message is sent again when the lease ends, and two relays never send the same row at once.
Processing is idempotent, so a duplicate delivery is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import DEFAULT_MESSAGES, ErrorCode
from ingest.models import Document, DocumentStatus, OutboxEntry
from ingest.settings import Settings
from review.models import utcnow

log = logging.getLogger(__name__)

Send = Callable[[str, int], None]
#: Something that names the broker's current life (Redis: its ``run_id``), None when unknown.
Epoch = Callable[[], str | None]
EPOCH_EVERY = 1.0
RETRY_AFTER = dt.timedelta(seconds=2)
BATCH = 100


def drain(
    factory: sessionmaker[Session], send: Send, settings: Settings, batch: int = BATCH
) -> int:
    """Send what is due; returns how many rows were sent. Stops at the first broker error.

    The due rows are claimed together (one UPDATE ... RETURNING and one commit per pass, not
    per row: under a steady stream of uploads the relay would otherwise commit as often as
    the web workers do). A row claimed by another relay in between is simply not returned.
    """
    now = utcnow()
    with factory() as session:
        due = session.execute(
            select(OutboxEntry.id, OutboxEntry.document_id, OutboxEntry.task, OutboxEntry.sends)
            .where(OutboxEntry.available_at <= now)
            .order_by(OutboxEntry.id)
            .limit(batch)
        ).all()
        if not due:
            return 0
        for row in due:
            if row.sends >= settings.max_attempts:
                _give_up(session, row.id, row.document_id)
        wanted = [row.id for row in due if row.sends < settings.max_attempts]
        claimed: set[int] = set()
        if wanted:
            lease = dt.timedelta(seconds=settings.task_lease_seconds)
            claimed = set(
                session.scalars(
                    update(OutboxEntry)
                    .where(OutboxEntry.id.in_(wanted), OutboxEntry.available_at <= now)
                    .values(available_at=now + lease, sends=OutboxEntry.sends + 1)
                    .returning(OutboxEntry.id),
                    execution_options={"synchronize_session": False},
                )
            )
        session.commit()
    rows = [row for row in due if row.id in claimed]
    for sent, row in enumerate(rows):
        try:
            send(row.task, row.document_id)
        except Exception as e:  # broker down: hand the unsent rows back, try again shortly
            log.warning("outbox: broker refused document %s: %s", row.document_id, e)
            _release(factory, [r.id for r in rows[sent:]], str(e))
            return sent
    return len(rows)


def _release(factory: sessionmaker[Session], row_ids: list[int], error: str) -> None:
    with factory() as session:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id.in_(row_ids))
            .values(
                available_at=utcnow() + RETRY_AFTER,
                sends=OutboxEntry.sends - 1,
                last_error=error[:500],
            ),
            execution_options={"synchronize_session": False},
        )
        session.commit()


def resend_now(factory: sessionmaker[Session], document_ids: list[int]) -> int:
    """Make these documents' work due now: the worker that held them is gone."""
    with factory() as session:
        result = session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.document_id.in_(document_ids))
            .values(available_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def requeue_unstarted(factory: sessionmaker[Session]) -> int:
    """The broker came back empty: send again, now, what was sent but never started.

    Those sends were lost by the broker, not by a worker, so they do not count towards
    ``max_attempts``. Work already started is held by a live worker (or re-sent by its
    supervisor when that worker dies).
    """
    unstarted = select(Document.id).where(Document.status == DocumentStatus.RECEIVED)
    with factory() as session:
        result = session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.available_at > utcnow(), OutboxEntry.document_id.in_(unstarted))
            .values(
                available_at=utcnow(),
                sends=case((OutboxEntry.sends > 0, OutboxEntry.sends - 1), else_=0),
            ),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _give_up(session: Session, row_id: int, doc_id: int) -> None:
    log.error("outbox: document %s was sent too often without finishing; marking failed", doc_id)
    session.execute(
        update(Document)
        .where(
            Document.id == doc_id,
            Document.status.in_([DocumentStatus.RECEIVED, DocumentStatus.PROCESSING]),
        )
        .values(
            status=DocumentStatus.FAILED,
            error_code=ErrorCode.WORKER_LOST.value,
            error_message=DEFAULT_MESSAGES[ErrorCode.WORKER_LOST],
        ),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        delete(OutboxEntry).where(OutboxEntry.id == row_id),
        execution_options={"synchronize_session": False},
    )


class Relay(threading.Thread):
    """A daemon thread that drains the outbox every ``interval`` seconds, or when woken.

    With an ``epoch`` it also notices a broker that restarted (and so lost every message it
    held) and sends the lost work again within seconds instead of when its lease ends.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        send: Send,
        settings: Settings,
        interval: float = 0.25,
        epoch: Epoch | None = None,
    ) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        self.factory, self.send, self.settings, self.interval = factory, send, settings, interval
        self.epoch = epoch
        self.known_epoch: str | None = None
        self.epoch_checked = 0.0
        self.wake = threading.Event()
        self.stopping = threading.Event()

    def watch_broker(self) -> None:
        """Re-send unstarted work when the broker's epoch changed since the last look."""
        if self.epoch is None or time.monotonic() - self.epoch_checked < EPOCH_EVERY:
            return
        self.epoch_checked = time.monotonic()
        now = self.epoch()
        if now is None:
            return
        if self.known_epoch is not None and now != self.known_epoch:
            count = requeue_unstarted(self.factory)
            log.warning(
                "outbox: the broker restarted and lost its messages; sending %s "
                "unstarted documents again",
                count,
            )
        self.known_epoch = now

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.watch_broker()
                if drain(self.factory, self.send, self.settings) >= BATCH:
                    continue  # more may be waiting
            except Exception:  # the database may be briefly unavailable; keep going
                log.exception("outbox relay pass failed")
            self.wake.wait(self.interval)
            self.wake.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

"""The outbox relay as a plain function: batches, broker outages, leases and giving up."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

from flask import Flask
from sqlalchemy import select

from ingest.models import Document, DocumentStatus, OutboxEntry
from ingest.outbox import Relay, drain, resend_now
from ingest.pipeline import accept_upload
from tests.test_intake import PDF

SUB = None  # documents without a submission (as org charts during registration)


def _accept(app: Flask, n: int) -> list[int]:
    settings, store = app.extensions["secor_settings"], app.extensions["secor_store"]
    ids = []
    for i in range(n):
        with app.extensions["secor_sessions"]() as session:
            data = PDF.replace(b"%%EOF", b"%%EOF\n%" + str(i).encode(), 1)
            doc, created = accept_upload(
                session, settings, store, SUB, "protocol", f"p{i}.pdf", io.BytesIO(data)
            )
            assert created
            ids.append(doc.id)
    return ids


def _rows(app: Flask) -> dict[int, OutboxEntry]:
    with app.extensions["secor_sessions"]() as session:
        return {r.document_id: r for r in session.scalars(select(OutboxEntry))}


def test_due_rows_are_sent_once_in_order_and_leased(app: Flask) -> None:
    ids = _accept(app, 5)
    sent: list[int] = []
    settings = app.extensions["secor_settings"]
    factory = app.extensions["secor_sessions"]
    assert drain(factory, lambda task, doc: sent.append(doc), settings, batch=3) == 3
    assert drain(factory, lambda task, doc: sent.append(doc), settings, batch=3) == 2
    assert sent == ids
    # Every row is now leased: a second relay (or pass) sends nothing until the lease ends.
    assert drain(factory, lambda task, doc: sent.append(doc), settings) == 0
    assert all(r.sends == 1 for r in _rows(app).values())


def test_a_broker_outage_hands_unsent_rows_back(app: Flask) -> None:
    ids = _accept(app, 4)
    sent: list[int] = []

    def flaky(task: str, doc: int) -> None:
        if len(sent) == 2:
            raise ConnectionError("broker down")
        sent.append(doc)

    settings = app.extensions["secor_settings"]
    factory = app.extensions["secor_sessions"]
    assert drain(factory, flaky, settings) == 2
    rows = _rows(app)
    assert [rows[i].sends for i in ids] == [1, 1, 0, 0]
    assert rows[ids[2]].last_error == "broker down" and rows[ids[0]].last_error is None
    # The broker is back: once the short retry delay has passed, the rest goes out.
    with factory() as session:
        for row in session.scalars(select(OutboxEntry).where(OutboxEntry.sends == 0)):
            row.available_at -= dt.timedelta(seconds=10)
        session.commit()
    assert drain(factory, lambda task, doc: sent.append(doc), settings) == 2
    assert sent == ids


def test_a_row_sent_too_often_fails_its_document_as_worker_lost(app: Flask) -> None:
    ids = _accept(app, 2)
    settings = replace(app.extensions["secor_settings"], task_lease_seconds=0, max_attempts=2)
    factory = app.extensions["secor_sessions"]
    sent: list[int] = []
    for _ in range(2):  # a zero lease: each pass re-sends, as if every worker died
        assert drain(factory, lambda task, doc: sent.append(doc), settings) == 2
    assert drain(factory, lambda task, doc: sent.append(doc), settings) == 0
    assert sent == ids + ids
    with factory() as session:
        docs = [session.get(Document, i) for i in ids]
        assert [(d.status, d.error_code) for d in docs] == [
            (DocumentStatus.FAILED, "worker_lost")
        ] * 2
        assert session.scalars(select(OutboxEntry)).all() == []


def test_work_held_by_a_lost_worker_is_due_at_once(app: Flask) -> None:
    ids = _accept(app, 3)
    settings, factory = app.extensions["secor_settings"], app.extensions["secor_sessions"]
    sent: list[int] = []
    assert drain(factory, lambda task, doc: sent.append(doc), settings) == 3
    # The supervisor saw the slot holding ids[1] die: that one (only) is sent again now.
    assert resend_now(factory, [ids[1]]) == 1
    assert drain(factory, lambda task, doc: sent.append(doc), settings) == 1
    assert sent == ids + [ids[1]]
    assert _rows(app)[ids[1]].sends == 2


def test_a_broker_restarted_empty_gets_unstarted_work_again(app: Flask) -> None:
    ids = _accept(app, 3)
    settings, factory = app.extensions["secor_settings"], app.extensions["secor_sessions"]
    sent: list[int] = []
    epochs = iter(["run-a", None, "run-b", "run-b"])
    relay = Relay(factory, lambda task, doc: sent.append(doc), settings, epoch=lambda: next(epochs))
    assert drain(factory, relay.send, settings) == 3
    with factory() as session:  # ids[0] was started by a worker before the broker went away
        session.get(Document, ids[0]).status = DocumentStatus.PROCESSING
        session.commit()
    for _ in range(2):  # first look, then the broker is down: nothing is re-sent
        relay.epoch_checked = 0.0
        relay.watch_broker()
        assert drain(factory, relay.send, settings) == 0
    relay.epoch_checked = 0.0
    relay.watch_broker()  # back with another run id: its messages are gone
    assert drain(factory, relay.send, settings) == 2
    assert sent == ids + ids[1:]
    rows = _rows(app)
    assert [rows[i].sends for i in ids] == [1, 1, 1]  # a broker's loss is not a worker's attempt
    relay.epoch_checked = 0.0
    relay.watch_broker()  # the same run id again: nothing more
    assert drain(factory, relay.send, settings) == 0


def test_a_task_of_another_instance_is_left_alone(app: Flask) -> None:
    from ingest.identity import instance_id, queue_name
    from ingest.process import process_document

    (doc_id,) = _accept(app, 1)
    factory, settings = app.extensions["secor_sessions"], app.extensions["secor_settings"]
    with factory() as session:
        mine = instance_id(session)
    assert queue_name(mine) == f"secor.{mine}"
    # A worker attached to this database gets a task sent by another deployment: untouched.
    assert process_document(factory, settings, doc_id, instance="another-deployment") == "foreign"
    with factory() as session:
        doc = session.get(Document, doc_id)
        assert doc.status == DocumentStatus.RECEIVED and doc.attempts == 0
    assert doc_id in _rows(app)  # still owed to its own instance's workers
    assert process_document(factory, settings, doc_id, instance=mine) == "done"

"""GIVEN the certifying body's desk and an employer paying, WHEN two things happen at once
(two staff approve at one moment, a double submit pays one invoice twice), THEN every
invoice gets its own number, a request is invoiced once, and an invoice is charged once.
Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from review import registration as domain
from review.db import session_factory
from review.errors import ReviewError
from review.models import Invoice, Registration, RegistrationStatus, User
from review.payments import TestProvider, card_problems
from tests.conftest import add_account, make_app

CARD = {
    "name": "Pat",
    "card": "4242 4242 4242 4242",
    "expiry": "12/39",
    "csc": "123",
    "postal": "T2P 1J9",
}


def _race(n: int, attempt: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i: int) -> None:
        barrier.wait()
        outcomes.append(attempt(i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _requests(app: Flask, count: int) -> list[int]:
    url = app.extensions["secor_settings"].database_url
    emp = add_account(app, "employer", "Race Roofing")
    session = session_factory(url)()
    company = session.get(User, emp.id).company_id
    ids = []
    for _ in range(count):
        reg = Registration(company_id=company, status=RegistrationStatus.SUBMITTED, data={})
        session.add(reg)
        session.flush()
        ids.append(reg.id)
    session.commit()
    session.close()
    return ids


def _approve(url: str, reg_id: int) -> str:
    session = session_factory(url)()
    try:
        domain.approve(session, session.get(Registration, reg_id))
        session.commit()
        return "invoiced"
    except ReviewError as e:
        session.rollback()
        return e.code
    finally:
        session.close()


def _pay(url: str, invoice_id: int) -> str:
    """What the payment page does: take the invoice, charge, record."""
    session = session_factory(url)()
    try:
        invoice = session.get(Invoice, invoice_id)
        domain.begin_payment(session, invoice)
        session.commit()
        reference = TestProvider().charge(invoice, CARD)
        domain.mark_paid(session, invoice, "test", reference)
        session.commit()
        return "paid"
    except ReviewError as e:
        session.rollback()
        return e.code
    finally:
        session.close()


def _desk_at_rush_hour(app: Flask) -> None:
    url = app.extensions["secor_settings"].database_url
    ids = _requests(app, 8)
    # two staff approve the same request at one moment: one invoice
    for reg_id in ids[:4]:
        outcomes = _race(2, lambda _, r=reg_id: _approve(url, r))
        assert sorted(outcomes) == ["invoiced", "wrong_state"], outcomes
    # different requests approved at one moment: each its own number
    assert _race(4, lambda i: _approve(url, ids[4 + i])) == ["invoiced"] * 4
    session = session_factory(url)()
    invoices = session.query(Invoice).all()
    assert len(invoices) == 8
    assert len({i.number for i in invoices}) == 8
    assert all(i.number == str(domain.INVOICE_NUMBERS_FROM + i.id) for i in invoices)
    first = invoices[0].id
    session.close()
    # a double submit: the provider is asked once
    before = TestProvider.charges
    outcomes = _race(3, lambda _: _pay(url, first))
    assert sorted(outcomes) == ["paid", "wrong_state", "wrong_state"], outcomes
    assert TestProvider.charges == before + 1
    session = session_factory(url)()
    invoice = session.get(Invoice, first)
    assert invoice.status == "paid" and invoice.registration.status == RegistrationStatus.REGISTERED
    session.close()


def test_approvals_and_payments_at_once_sqlite(app: Flask) -> None:
    _desk_at_rush_hour(app)


@pytest.mark.postgres
def test_approvals_and_payments_at_once_postgres(tmp_path: Path, postgres_url: str) -> None:
    _desk_at_rush_hour(make_app(tmp_path, postgres_url))


def test_a_refused_card_frees_the_invoice_for_another_try(app: Flask) -> None:
    url = app.extensions["secor_settings"].database_url
    (reg_id,) = _requests(app, 1)
    assert _approve(url, reg_id) == "invoiced"
    session = session_factory(url)()
    invoice = session.query(Invoice).one()
    domain.begin_payment(session, invoice)
    assert invoice.status == "paying"
    domain.payment_failed(session, invoice)
    assert invoice.status == "open"
    domain.begin_payment(session, invoice)  # open again
    session.rollback()
    session.close()


def test_an_abandoned_payment_frees_the_invoice_after_a_while(app: Flask) -> None:
    url = app.extensions["secor_settings"].database_url
    (reg_id,) = _requests(app, 1)
    _approve(url, reg_id)
    session = session_factory(url)()
    invoice = session.query(Invoice).one()
    domain.begin_payment(session, invoice)
    with pytest.raises(ReviewError):
        domain.begin_payment(session, invoice)
    invoice.paying_since = invoice.paying_since - domain.ABANDONED_PAYMENT - dt.timedelta(seconds=1)
    session.flush()
    domain.begin_payment(session, invoice)
    session.rollback()
    session.close()


@pytest.mark.parametrize(
    "change,message",
    [
        ({"name": " "}, "name on the card"),
        ({"card": "4242 4242 4242 4241"}, "card number"),
        ({"expiry": "13/30"}, "expiry"),
        ({"expiry": "10/26"}, "must not be past"),
        ({"csc": "12"}, "security code"),
        ({"postal": "12345"}, "postal code"),
    ],
)
def test_a_card_payment_asks_for_what_it_needs(change: dict[str, str], message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        card_problems({**CARD, **change}, dt.date(2026, 11, 26))
    card_problems({**CARD, "expiry": "11/26"}, dt.date(2026, 11, 26))  # this month still good

"""Typed SQLAlchemy models for accounts, submissions and their review."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Role(enum.StrEnum):
    EMPLOYER = "employer"
    REVIEWER = "reviewer"
    STAFF = "staff"


class SubmissionStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    IN_REVIEW = "in_review"
    REVISION_REQUESTED = "revision_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RETURNED = "returned"  # an outdated or unrecognised form, returned without a review

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    wcb_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    industry_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    profile: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    training_completed_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    company: Mapped[Company | None] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """A signed-in browser: the cookie holds a random key, the table its hash, so signing
    out, a password change or disabling the user ends it on the server (the cookie alone
    is worth nothing afterwards)."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_queue", "status", "due_at", "id"),
        Index("ix_submissions_waiting", "waiting", "due_at", "id"),
        Index("ix_submissions_waiting_passed", "waiting", "passed", "due_at", "id"),
        Index("ix_submissions_company", "company_id", "id"),
        Index("ix_submissions_registration", "registration_id"),
        # the queue filtered by state and protocol version (outdated forms, a version's audits)
        Index("ix_submissions_status_version", "status", "protocol_version", "due_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The registered audit this submission hands in (None only for rows made before 0009).
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    status: Mapped[str] = mapped_column(String(30), default=SubmissionStatus.DRAFT)
    # Derived by the database, so that the queue (two states) is one index range in due order.
    waiting: Mapped[bool] = mapped_column(
        Boolean, Computed("status IN ('pending_review', 'in_review')", persisted=True)
    )
    revision: Mapped[int] = mapped_column(Integer, default=1)
    protocol_version: Mapped[str | None] = mapped_column(String(40))
    protocol_current: Mapped[bool | None] = mapped_column(Boolean)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    flag_codes: Mapped[str] = mapped_column(String(400), default="")
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])


class Answer(Base):
    """One extracted (and possibly corrected) protocol answer."""

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_submission", "submission_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(String(20))
    awarded: Mapped[float | None] = mapped_column(Float)
    available: Mapped[int] = mapped_column(Integer)
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    page: Mapped[int | None] = mapped_column(Integer)
    box: Mapped[list[float] | None] = mapped_column(JSON)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[str] = mapped_column(String(100), default="")
    readable: Mapped[bool] = mapped_column(Boolean, default=True)


class Correction(Base):
    """Append-only audit trail of reviewer corrections."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    old_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)

    user: Mapped[User] = relationship()


class SubmissionEvent(Base):
    """Append-only trail of a submission's state changes: who, when, from, to, why."""

    __tablename__ = "submission_events"
    __table_args__ = (Index("ix_submission_events_submission", "submission_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship()


class ReviewNote(Base):
    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # actionable | informational | internal
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User] = relationship()


class RegistrationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # "New Audit Request": waiting for staff
    DETAILS_REQUESTED = "details_requested"
    PAYMENT_NEEDED = "payment_needed"
    REGISTERED = "registered"
    CANCELLED = "cancelled"


class Registration(Base):
    """An audit registration: the 7-step request, then invoice and payment."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(30), default=RegistrationStatus.DRAFT)
    step: Mapped[int] = mapped_column(Integer, default=1)  # the furthest step saved
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    org_chart_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    audit_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    staff_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    company: Mapped[Company] = relationship()
    assessor: Mapped[User | None] = relationship()


class Fee(Base):
    """The fee table staff edit; approval invoices the audit fee from it."""

    __tablename__ = "fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer)


class InvoiceStatus(enum.StrEnum):
    OPEN = "open"
    PAYING = "paying"  # a payment is with the provider: no second one may start
    PAID = "paid"


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    paying_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    provider: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(100))  # never a card number

    registration: Mapped[Registration] = relationship()


class Certificate(Base):
    """A Small Employer Certificate of Recognition, issued when an accepted audit passes."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # secor | secor_one_year
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    reminded_for: Mapped[dt.date | None] = mapped_column(Date)  # the due month last reminded of

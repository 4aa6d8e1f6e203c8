"""The project's names for templates: enums and rules come from their one definition, and the
CSRF field is written once."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ingest.filetypes import FILE_TYPES, FileType, Kind
from ingest.models import DocumentStatus
from review.flags import FlagCode
from review.lifecycle import Action, allowed
from review.models import InvoiceStatus, RegistrationStatus, Role, SubmissionStatus
from review.qa_report import DECIDED
from review.registration import CERTIFICATES, Step


def csrf_field() -> Markup:
    """The hidden input every form posts (Flask-WTF checks it)."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        escape(generate_csrf())
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        csrf_field=csrf_field,
        Role=Role,
        SubmissionStatus=SubmissionStatus,
        RegistrationStatus=RegistrationStatus,
        InvoiceStatus=InvoiceStatus,
        DocumentStatus=DocumentStatus,
        FlagCode=FlagCode,
        Kind=Kind,
        FileType=FileType,
        FILE_TYPES=FILE_TYPES,
        Action=Action,
        allowed=allowed,
        Step=Step,
        domain_certificates=CERTIFICATES,
        qa_decided=DECIDED,
    )

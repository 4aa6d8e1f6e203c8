"""Celery tasks: thin wrappers that take ids and call one domain function."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from ingest.models import PROCESS_TASK
from ingest.process import process_document
from ingest.settings import Settings
from review.db import session_factory


@shared_task(
    name=PROCESS_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def process_document_task(self, document_id: int, instance: str | None = None) -> str:  # type: ignore[no-untyped-def]
    settings: Settings = self.app.conf.secor_settings
    return process_document(
        session_factory(settings.database_url),
        settings,
        document_id,
        timeout_errors=(SoftTimeLimitExceeded,),
        instance=instance,
    )

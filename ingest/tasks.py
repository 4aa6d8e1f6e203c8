"""Celery tasks: thin wrappers that take ids and call one domain function."""

from __future__ import annotations

import resource

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from ingest.models import PROCESS_TASK
from ingest.process import process_document
from ingest.settings import Settings
from review.db import dispose_engines, session_factory

WORKER_MEMORY_CAP = 1536 * 1024 * 1024


@worker_process_init.connect
def _child_init(**_: object) -> None:
    # Connections must not be shared across fork; a memory cap turns a runaway parser
    # into a MemoryError (a clean `unsafe` failure) instead of the kernel's OOM killer.
    dispose_engines()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > WORKER_MEMORY_CAP:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_CAP, hard))


@shared_task(name=PROCESS_TASK, bind=True, acks_late=True,
             reject_on_worker_lost=True, ignore_result=True)
def process_document_task(self, document_id: int) -> str:  # type: ignore[no-untyped-def]
    settings: Settings = self.app.conf.secor_settings
    return process_document(session_factory(settings.database_url), settings, document_id,
                            timeout_errors=(SoftTimeLimitExceeded,))

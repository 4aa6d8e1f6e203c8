"""Celery wired the way Flask's own ``examples/celery`` does it."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from ingest.settings import Settings


def celery_config(settings: Settings) -> dict[str, Any]:
    conf: dict[str, Any] = {
        "broker_url": settings.broker_url,
        "task_ignore_result": True,
        "result_backend": None,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.task_soft_limit,
        "task_time_limit": settings.task_hard_limit,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "worker_max_memory_per_child": 400_000,  # KiB: recycle a child that grew large
        "secor_settings": settings,
    }
    if settings.redis_url:
        # Redis re-delivers unacknowledged messages after the visibility timeout; the outbox
        # lease does the same sooner, so keep this above the task's hard limit.
        conf["broker_transport_options"] = {"visibility_timeout": settings.task_lease_seconds + 60}
        conf["broker_connection_timeout"] = 2
    else:
        folder = str(settings.broker_dir / "in")
        conf["broker_transport_options"] = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "processed_folder": str(settings.broker_dir / "processed"),
            # kombu keeps its exchange tables in ./control unless told otherwise
            "control_folder": str(settings.broker_dir / "control"),
            "store_processed": False,
            "polling_interval": 0.1,
        }
    return conf


def celery_init_app(app: Flask, settings: Settings) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(settings))
    celery_app.set_default()
    import ingest.tasks  # noqa: F401  (registers the shared tasks)

    app.extensions["celery"] = celery_app
    return celery_app


def send_task(app: Flask) -> Any:
    """A send function for the outbox relay: fail fast when the broker is down."""
    celery_app: Celery = app.extensions["celery"]

    def send(task: str, document_id: int) -> None:
        celery_app.send_task(task, args=[document_id], retry=False)

    return send

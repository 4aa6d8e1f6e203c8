"""Celery wired the way Flask's own ``examples/celery`` does it."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from ingest.identity import instance_id, queue_name
from ingest.outbox import Epoch
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


def instance_queue(app: Flask) -> tuple[str, str]:
    """This deployment's identity and the queue its tasks travel on."""
    with app.extensions["secor_sessions"]() as session:
        identity = instance_id(session)
        session.commit()
    return identity, queue_name(identity)


def send_task(app: Flask) -> Any:
    """A send function for the outbox relay: fail fast when the broker is down.

    Each task names the deployment that sent it and goes to that deployment's own queue, so
    workers of another deployment sharing the broker never take it.
    """
    celery_app: Celery = app.extensions["celery"]
    identity, queue = instance_queue(app)

    def send(task: str, document_id: int) -> None:
        celery_app.send_task(
            task, args=[document_id], kwargs={"instance": identity}, queue=queue, retry=False
        )

    return send


def broker_epoch(settings: Settings) -> Epoch | None:
    """Redis's ``run_id`` changes when it restarts (and, without persistence, forgets every
    message); the relay watches it. The filesystem broker keeps its messages on disk."""
    if not settings.redis_url:
        return None
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)

    def epoch() -> str | None:
        try:
            return str(client.info("server")["run_id"])
        except Exception:  # down or restarting: unknown for now
            return None

    return epoch


def broker_usable(app: Flask) -> dict[str, Any]:
    """Connect to the broker the way a worker does (this loads the transport's modules too,
    so a missing dependency shows here and not only in the worker's log)."""
    celery_app: Celery = app.extensions["celery"]
    transport = "redis" if app.extensions["secor_settings"].redis_url else "filesystem"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
            conn.default_channel  # noqa: B018  (opens a channel: the transport really works)
        return {"ok": True, "transport": transport}
    except Exception as e:
        return {"ok": False, "transport": transport, "error": type(e).__name__}

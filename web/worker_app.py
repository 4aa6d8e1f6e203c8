"""``celery -A web.worker_app`` entry point (health checks, inspection)."""

from web import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]

"""One place that maps errors to HTTP: JSON for API clients, a page for people."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ingest.errors import IngestError
from review.errors import ReviewError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}
_HTTP_MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "You do not have access to this page.",
    404: "There is nothing here.",
    405: "This address does not accept that method.",
    413: "The upload is larger than the limit.",
    500: "Something went wrong on our side; it has been logged.",
}


class ApiError(Exception):
    """An error raised by views with an explicit code, message and status."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(code: str, message: str, status: int, **extra: Any) -> Any:
    if wants_json():
        body = {"code": code, "message": message, **extra}
        return jsonify(error=body, **body), status
    return render_template("error.html", code=code, message=message, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(IngestError)
    def _ingest(e: IngestError) -> Any:
        return error_response(e.code.value, e.message, e.http_status)

    @app.errorhandler(ReviewError)
    def _review(e: ReviewError) -> Any:
        return error_response(e.code.value, e.message, e.http_status)

    @app.errorhandler(ApiError)
    def _api(e: ApiError) -> Any:
        return error_response(e.code, e.message, e.status)

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError) -> Any:
        return error_response(
            "csrf",
            "The form expired or was not sent from this site; reload the page and try again.",
            400,
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Any:
        status = e.code or 500
        message = _HTTP_MESSAGES.get(status, e.description or "")
        if status == 413:
            limit = app.extensions["secor_settings"].max_upload_mb
            message = f"The file is larger than the {limit:g} MB limit."
        return error_response(_HTTP_CODES.get(status, "http_error"), message, status)

    @app.errorhandler(Exception)
    def _unhandled(e: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response("internal_error", _HTTP_MESSAGES[500], 500)

"""One exception hierarchy for refusals; each carries a stable code and an HTTP status.

Third-party errors are translated at the boundary with ``raise ... from e``.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    TOO_LARGE = "too_large"
    UNSUPPORTED_TYPE = "unsupported_type"
    TYPE_MISMATCH = "type_mismatch"
    EMPTY = "empty"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    UNSAFE = "unsafe"
    # Failures found while processing, after the upload was accepted.
    TIMEOUT = "timeout"
    WORKER_LOST = "worker_lost"
    EXTRACTION_FAILED = "extraction_failed"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_TYPE: 415,
    ErrorCode.TYPE_MISMATCH: 415,
    ErrorCode.EMPTY: 422,
    ErrorCode.CORRUPT: 422,
    ErrorCode.ENCRYPTED: 422,
    ErrorCode.UNSAFE: 422,
    ErrorCode.TIMEOUT: 422,
    ErrorCode.WORKER_LOST: 500,
    ErrorCode.EXTRACTION_FAILED: 422,
}

#: Plain messages shown to people; the README documents the same table.
DEFAULT_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.TOO_LARGE: "The file is larger than the limit for this kind of document.",
    ErrorCode.UNSUPPORTED_TYPE: "This kind of file is not accepted here.",
    ErrorCode.TYPE_MISMATCH: "The file's name says one type but its content is another.",
    ErrorCode.EMPTY: "The file is empty.",
    ErrorCode.CORRUPT: "The file is damaged and cannot be read.",
    ErrorCode.ENCRYPTED: "The file is protected by a password; upload it without one.",
    ErrorCode.UNSAFE: "The file would take unbounded time or memory to read.",
    ErrorCode.TIMEOUT: "Reading the file took too long and was stopped.",
    ErrorCode.WORKER_LOST: "Processing kept failing; staff have been told.",
    ErrorCode.EXTRACTION_FAILED: "The answers could not be read from this file.",
}


class IngestError(Exception):
    """Base of every refusal in ingest/; ``code`` is what clients and tests rely on."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message or DEFAULT_MESSAGES[code]
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "message": self.message}

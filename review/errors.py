"""Errors of the review domain, each with a stable code and an HTTP status."""

from __future__ import annotations

import enum


class ReviewErrorCode(enum.StrEnum):
    INVALID = "invalid"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    CLAIMED = "claimed"
    WRONG_STATE = "wrong_state"
    FORBIDDEN = "forbidden"
    BAD_REQUEST = "bad_request"


_STATUS = {
    ReviewErrorCode.INVALID: 422,
    ReviewErrorCode.CONFLICT: 409,
    ReviewErrorCode.NOT_FOUND: 404,
    ReviewErrorCode.CLAIMED: 409,
    ReviewErrorCode.WRONG_STATE: 409,
    ReviewErrorCode.FORBIDDEN: 403,
    ReviewErrorCode.BAD_REQUEST: 400,
}


class ReviewError(Exception):
    """A refusal of the review domain; `code` is stable, the message is for people."""

    def __init__(self, code: ReviewErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = _STATUS[code]

"""GET /api/v1/openapi.json: the JSON API described as OpenAPI 3.1.

The closed sets (statuses, flags, kinds, note kinds, decisions) and the bounds come from the
definitions the code enforces, so the document cannot drift from them; Schemathesis fuzzes
the API from this document as each role (tests/test_api_fuzz.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, jsonify

from ingest.settings import KINDS
from review.coverage import RecordType
from review.flags import FlagCode
from review.inputs import (
    MAX_ANSWER_NOTES,
    MAX_JSON_BODY,
    MAX_NOTE,
    MAX_POINTS,
    MAX_REASON,
    PASSED,
)
from review.models import SubmissionStatus
from review.workflow import NOTE_KINDS
from web.converters import MAX_ID

bp = Blueprint("openapi", __name__)

ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}
OBJECT = {"type": "object"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
ERRORS = {
    "400": "Malformed request or query parameter",
    "401": "Not signed in",
    "403": "The role may not do this",
    "404": "No such object (or not yours)",
    "409": "Not in a state that allows this",
    "413": "Body or file too large",
    "415": "File type not accepted",
    "422": "Invalid value",
    "429": "Too many requests",
}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _also(code: int, text: str, result: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """``op`` with one more success it answers with."""
    op["responses"][str(code)] = {"description": text, "content": _json_content(result)}
    return op


def _op(
    summary: str,
    roles: str,
    ok: int = 200,
    body: dict[str, Any] | None = None,
    params: Sequence[str] = (),
    query: Sequence[dict[str, Any]] = (),
    result: dict[str, Any] = OBJECT,
) -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": "OK", "content": _json_content(result)}}
    responses.update(
        {
            code: {"description": text, "content": _json_content(ERROR)}
            for code, text in ERRORS.items()
        }
    )
    op: dict[str, Any] = {
        "summary": summary,
        "description": f"Roles: {roles}.",
        "parameters": [
            {
                "name": p,
                "in": "path",
                "required": True,
                "schema": ID
                if p.endswith("id")
                else {"type": "string", "minLength": 1, "maxLength": 20},
            }
            for p in params
        ]
        + list(query),
        "responses": responses,
    }
    if body:
        op["requestBody"] = {"content": body}
    return op


def _json(props: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    return _json_content({"type": "object", "properties": props, "required": list(required)})


def _text(maximum: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": maximum}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


ME = {
    "type": "object",
    "required": ["id", "email", "role"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "role": {"enum": ["employer", "reviewer", "staff"]},
        "company": {"type": ["string", "null"]},
    },
}
MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
WHERE = {
    "type": "object",
    "required": ["page"],
    "properties": {"page": {"type": "integer", "minimum": 1}, "document": {"type": "integer"}},
}
COVERAGE = {
    "type": ["object", "null"],
    "description": "The supporting pages' records set against the 12 months before data "
    "gathering (reviewers and staff only).",
    "required": ["window", "pages", "months", "gaps"],
    "properties": {
        "window": {
            "type": ["object", "null"],
            "properties": {"from": MONTH, "to": MONTH},
        },
        "pages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["page", "type", "dates", "company", "people"],
                "properties": {
                    "page": {"type": "integer", "minimum": 1},
                    "document": {"type": "integer"},
                    "type": {"enum": [t.value for t in RecordType]},
                    "dates": {"type": "array", "items": {"type": "string"}},
                    "company": {"type": ["string", "null"]},
                    "people": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "months": {"type": "object", "additionalProperties": {"type": "array", "items": MONTH}},
        "gaps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"enum": [t.value for t in RecordType]},
                    "quarter": {"type": "string", "pattern": r"^\d{4}-Q[1-4]$"},
                },
            },
        },
        "documented_months": {"type": "integer", "minimum": 0, "maximum": 12},
        "training": {"type": "array"},
        "unknown_people": {"type": "array"},
        "foreign": {"type": "array", "items": WHERE},
        "flags": {"type": "array"},
    },
}
SUBMISSION = {
    "type": "object",
    "required": ["id", "status", "revision", "company"],
    "properties": {
        "id": {"type": "integer"},
        "company": {"type": "string"},
        "status": {"enum": [s.value for s in SubmissionStatus]},
        "revision": {"type": "integer", "minimum": 1},
        "flags": {"type": "array"},
        "notes": {"type": "array"},
        "documents": {"type": "array"},
        "answers": {"type": "array"},
        "coverage": COVERAGE,
    },
}
LIST = {
    "type": "object",
    "required": ["items", "total"],
    "properties": {
        "items": {"type": "array", "items": SUBMISSION},
        "total": {"type": "integer", "minimum": 0},
    },
}
QUEUE = {
    **LIST,
    "required": ["items", "total", "counts"],
    "properties": {**LIST["properties"], "counts": {"type": "object"}},
}
DOCUMENT = {
    "type": "object",
    "required": ["id", "status", "kind", "filename", "progress"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": list(KINDS)},
        "status": {"enum": ["received", "processing", "done", "failed"]},
        "filename": {"type": "string", "maxLength": 255},
        "progress": {"type": "object"},
        "error": ERROR,
    },
}
NOTE = {
    "type": "object",
    "required": ["id", "kind", "text"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": list(NOTE_KINDS)},
        "text": {"type": "string"},
    },
}
CREATED = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {"id": {"type": "integer"}, "status": {"const": SubmissionStatus.DRAFT.value}},
}

QUEUE_QUERY = [
    _query("status", {"enum": [s.value for s in SubmissionStatus]}),
    _query("passed", {"enum": list(PASSED)}),
    _query("flag", {"enum": [f.value for f in FlagCode]}),
    _query("version", {"type": "string", "maxLength": 40}),
    _query("reviewer", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}),
    _query("page", {"type": "integer", "minimum": 1, "maximum": 100_000}),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 200}),
]
POINTS = {
    "oneOf": [
        {"type": "null"},
        {"type": "integer", "minimum": 0, "maximum": MAX_POINTS},
        {"type": "string", "pattern": r"^\d{1,4}(\.\d{1,2})?$", "maxLength": 7},
    ]
}
FLAG = {
    "oneOf": [
        {"type": "boolean"},
        {"enum": ["", "0", "1", "true", "false", "on", "off", "yes", "no"]},
    ]
}
SUB = ["submission_id"]

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "SECOR review service",
        "version": "1",
        "description": f"JSON bodies of review calls are at most {MAX_JSON_BODY} bytes.",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": ERROR},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/me": {"get": _op("Who am I", "all", result=ME)},
        "/api/v1/submissions": {
            "get": _op("Submissions I may see", "all", result=LIST),
            "post": _op(
                "Start a draft for my company's registered audit (409 without one)",
                "employer",
                201,
                _json({"audit_number": {"type": "string", "minLength": 1, "maxLength": 20}}),
                result=CREATED,
            ),
        },
        "/api/v1/submissions/{submission_id}": {
            "get": _op(
                "A submission: status, protocol, notes; reviewers also see the score, "
                "flags, answers and corrections (employers: the score once accepted)",
                "all",
                params=SUB,
                result=SUBMISSION,
            )
        },
        "/api/v1/submissions/{submission_id}/documents": {
            "post": _also(
                200,
                "The same file was already uploaded as this kind: that document, unchanged",
                DOCUMENT,
                _op(
                    "Upload a document (multipart: file, kind)",
                    "employer",
                    202,
                    {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "kind": {"enum": list(KINDS)},
                                },
                            }
                        }
                    },
                    SUB,
                    [_query("kind", {"enum": list(KINDS)})],
                    DOCUMENT,
                ),
            )
        },
        "/api/v1/documents/{document_id}": {
            "get": _op(
                "Processing status, progress, error or result",
                "all",
                params=["document_id"],
                result=DOCUMENT,
            )
        },
        "/api/v1/submissions/{submission_id}/submit": {
            "post": _op("Hand the submission to review", "employer", params=SUB, result=SUBMISSION)
        },
        "/api/v1/review/queue": {
            "get": _op(
                "The queue, oldest due first: {items, total, counts}",
                "reviewer, staff",
                query=QUEUE_QUERY,
                result=QUEUE,
            )
        },
        "/api/v1/review/claim-next": {
            "post": _op("Claim the oldest-due submission", "reviewer, staff", result=SUBMISSION)
        },
        "/api/v1/submissions/{submission_id}/claim": {
            "post": _op(
                "Claim (a 30-minute lease; staff may take a claim over)",
                "reviewer, staff",
                params=SUB,
                result=SUBMISSION,
            )
        },
        "/api/v1/submissions/{submission_id}/release": {
            "post": _op("Give a claim back", "reviewer, staff", params=SUB, result=SUBMISSION)
        },
        "/api/v1/submissions/{submission_id}/answers/{question}": {
            "post": _op(
                "Correct an answer (reason required; audited)",
                "reviewer, staff (holder)",
                body=_json(
                    {
                        "awarded": POINTS,
                        "na": FLAG,
                        "notes": _text(MAX_ANSWER_NOTES),
                        "reason": _text(MAX_REASON),
                    },
                    ["reason"],
                ),
                params=[*SUB, "question"],
                result=SUBMISSION,
            )
        },
        "/api/v1/submissions/{submission_id}/notes": {
            "post": _op(
                "Add a review note",
                "reviewer, staff (holder)",
                201,
                _json(
                    {"kind": {"enum": list(NOTE_KINDS)}, "text": _text(MAX_NOTE)}, ["kind", "text"]
                ),
                SUB,
                result=NOTE,
            )
        },
        "/api/v1/submissions/{submission_id}/decision": {
            "post": _op(
                "Decide",
                "reviewer, staff (holder)",
                body=_json(
                    {
                        "decision": {"enum": ["accept", "reject", "request_revision"]},
                        "reason": _text(MAX_REASON),
                    },
                    ["decision"],
                ),
                params=SUB,
                result=SUBMISSION,
            )
        },
        "/api/v1/submissions/{submission_id}/return": {
            "post": _op(
                "Return an outdated or unrecognised form without review",
                "staff",
                params=SUB,
                result=SUBMISSION,
            )
        },
        "/api/v1/submissions/{submission_id}/reopen": {
            "post": _op(
                "Reopen a decided or returned submission (reason required; audited and e-mailed)",
                "staff",
                body=_json({"reason": _text(MAX_REASON)}, ["reason"]),
                params=SUB,
                result=SUBMISSION,
            )
        },
    },
}


@bp.get("/api/v1/openapi.json")
def spec() -> Any:
    return jsonify(SPEC)

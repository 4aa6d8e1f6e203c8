"""GET /api/v1/openapi.json: the JSON API described as OpenAPI 3.1."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)

ERROR = {"type": "object", "required": ["code", "message"],
         "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}


def _op(summary: str, roles: str, ok: int = 200, body: dict[str, Any] | None = None,
        params: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    op: dict[str, Any] = {
        "summary": summary, "description": f"Roles: {roles}.",
        "parameters": [{"name": p, "in": "path", "required": True,
                        "schema": {"type": "integer" if p.endswith("id") else "string"}}
                       for p in params],
        "responses": {str(ok): {"description": "OK"},
                      "default": {"description": "Error",
                                  "content": {"application/json": {"schema": ERROR}}}},
    }
    if body:
        op["requestBody"] = {"content": body}
    return op


def _json(props: dict[str, Any], required: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {"application/json": {"schema": {"type": "object", "properties": props,
                                            "required": list(required)}}}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "SECOR review service", "version": "1"},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                   "schemas": {"Error": ERROR}},
    "security": [{"bearer": []}],
    "paths": {
        "/api/v1/me": {"get": _op("Who am I", "all")},
        "/api/v1/submissions": {
            "get": _op("Submissions I may see", "all"),
            "post": _op("Start a draft for my company", "employer", 201)},
        "/api/v1/submissions/{submission_id}": {
            "get": _op("A submission: status, protocol, elements, overall, passed, flags, answers "
                       "(reviewers), notes", "all", params=["submission_id"])},
        "/api/v1/submissions/{submission_id}/documents": {
            "post": _op("Upload a document (multipart: file, kind)", "employer", 202,
                        {"multipart/form-data": {"schema": {"type": "object", "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "kind": {"enum": ["org_chart", "protocol", "binder", "supporting"]}}}}},
                        ["submission_id"])},
        "/api/v1/documents/{document_id}": {
            "get": _op("Processing status, progress, error or result", "all", params=["document_id"])},
        "/api/v1/submissions/{submission_id}/submit": {
            "post": _op("Hand the submission to review", "employer", params=["submission_id"])},
        "/api/v1/review/queue": {"get": {**_op("The queue, oldest due first: {items, total, counts}",
                                               "reviewer, staff"),
                                         "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}}
                                                        for n in ("status", "passed", "flag", "version",
                                                                  "reviewer", "page", "per_page")]}},
        "/api/v1/review/claim-next": {"post": _op("Claim the oldest-due submission", "reviewer, staff")},
        "/api/v1/submissions/{submission_id}/claim": {
            "post": _op("Claim (a 30-minute lease)", "reviewer, staff", params=["submission_id"])},
        "/api/v1/submissions/{submission_id}/release": {
            "post": _op("Give a claim back", "reviewer, staff", params=["submission_id"])},
        "/api/v1/submissions/{submission_id}/answers/{question}": {
            "post": _op("Correct an answer (reason required; audited)", "reviewer, staff",
                        body=_json({"awarded": {"type": ["number", "null"]}, "na": {"type": "boolean"},
                                    "notes": {"type": "string"}, "reason": {"type": "string"}},
                                   ["reason"]), params=["submission_id", "question"])},
        "/api/v1/submissions/{submission_id}/notes": {
            "post": _op("Add a review note", "reviewer, staff", 201,
                        _json({"kind": {"enum": ["actionable", "informational", "internal"]},
                               "text": {"type": "string"}}, ["kind", "text"]), ["submission_id"])},
        "/api/v1/submissions/{submission_id}/decision": {
            "post": _op("Decide", "reviewer, staff",
                        body=_json({"decision": {"enum": ["accept", "reject", "request_revision"]},
                                    "reason": {"type": "string"}}, ["decision"]),
                        params=["submission_id"])},
        "/api/v1/submissions/{submission_id}/return": {
            "post": _op("Return an outdated or unrecognised form without review", "staff",
                        params=["submission_id"])},
    },
}


@bp.get("/api/v1/openapi.json")
def spec() -> Any:
    return jsonify(SPEC)

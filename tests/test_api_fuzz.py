"""Schemathesis fuzzes the API from the OpenAPI document the app serves, as each role:
no server error, and no answer that contradicts the document (status codes, content types,
response schemas). The budget is bounded: a fixed number of examples per operation and role.

The app is made when the module is collected (Schemathesis's pytest integration reads the
served document then); it lives in a private temporary folder.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import add_account, make_app
from tests.test_lifecycle import _submission

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25  # per operation and role: 16 operations x 3 roles x 25 = 1,200 calls at most

_tmp = Path(tempfile.mkdtemp(prefix="secor-fuzz-"))
atexit.register(shutil.rmtree, _tmp, True)
APP = make_app(_tmp)
PEOPLE = {
    "employer": add_account(APP, "employer", "Acme Drilling Ltd."),
    "reviewer": add_account(APP, "reviewer"),
    "staff": add_account(APP, "staff"),
}
# objects with small ids in every state, so that generated ids often hit something real
for _state in ("draft", "pending_review", "in_review", "accepted", "returned"):
    _submission(APP, PEOPLE["employer"], _state, PEOPLE["reviewer"].id)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
BUDGET = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def _fuzz(case, role: str) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Bearer {PEOPLE[role].token}"}, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@BUDGET
def test_the_api_keeps_to_its_document_as_employer(case) -> None:  # type: ignore[no-untyped-def]
    _fuzz(case, "employer")


@pytest.mark.slow
@schema.parametrize()
@BUDGET
def test_the_api_keeps_to_its_document_as_reviewer(case) -> None:  # type: ignore[no-untyped-def]
    _fuzz(case, "reviewer")


@pytest.mark.slow
@schema.parametrize()
@BUDGET
def test_the_api_keeps_to_its_document_as_staff(case) -> None:  # type: ignore[no-untyped-def]
    _fuzz(case, "staff")

"""Intake through the API: checked by content, held to the limits, stored and never lost."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from ingest.models import Document, OutboxEntry
from ingest.process import process_document
from tests.conftest import Account, bearer

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PDF = (SAMPLES / "fillable-2025-pass.pdf").read_bytes()
DOCX = (SAMPLES / "org-chart.docx").read_bytes()


@pytest.fixture
def draft(client, accounts: dict[str, Account]) -> int:  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/submissions", headers=bearer(accounts["employer"]))
    assert res.status_code == 201
    return res.get_json()["id"]


def upload(client, account: Account, sub: int, data: bytes, name: str, kind: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/submissions/{sub}/documents",
        headers=bearer(account),
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def counts(app: Flask) -> tuple[int, int, int]:
    session = app.extensions["secor_sessions"]()
    docs = session.scalar(select(func.count(Document.id)))
    outbox = session.scalar(select(func.count(OutboxEntry.id)))
    session.close()
    stored = [
        p
        for p in (app.extensions["secor_settings"].storage_dir).rglob("*")
        if p.is_file() and p.parent.name != "tmp"
    ]
    return docs, outbox, len(stored)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


REFUSALS = [
    ("empty", b"", "a.pdf", "protocol", 422),
    ("unsupported_type", b"\x7fELF\x02\x01\x01" + b"\x00" * 5000, "protocol.pdf", "protocol", 415),
    ("unsupported_type", b"MZ\x90\x00\x03" + b"\x00" * 5000, "chart.docx", "org_chart", 415),
    ("type_mismatch", PDF, "protocol.docx", "org_chart", 415),
    ("type_mismatch", DOCX, "chart.doc", "org_chart", 415),
    ("unsupported_type", DOCX, "chart.docx", "protocol", 415),
    ("unsupported_type", _zip({"a.txt": b"hello"}), "chart.docx", "org_chart", 415),
    (
        "unsupported_type",
        _zip({"[Content_Types].xml": b"<Types>spreadsheetml</Types>", "xl/workbook.xml": b"<x/>"}),
        "chart.docx",
        "org_chart",
        415,
    ),
    ("unsupported_type", b"{\\rtf1\\ansi hello}" + b" " * 3000, "chart.doc", "org_chart", 415),
    ("corrupt", b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"x" * 3000, "protocol.pdf", "protocol", 422),
    ("corrupt", b"PK\x03\x04" + b"\x00" * 3000, "chart.docx", "org_chart", 422),
    (
        "unsafe",
        _zip(
            {
                "[Content_Types].xml": b"application/vnd.openxmlformats-officedocument."
                b"wordprocessingml.document.main+xml",
                "word/document.xml": b"<w/>" + b" " * (300 * 1024 * 1024),
            }
        ),
        "chart.docx",
        "org_chart",
        422,
    ),
    ("unsupported_type", PDF, "protocol.pdf", "no_such_kind", 415),
]


@pytest.mark.parametrize(
    "code,data,name,kind,status", REFUSALS, ids=[f"{r[0]}-{r[2]}-{r[3]}" for r in REFUSALS]
)
def test_refusals_have_a_code_a_message_the_status_and_leave_nothing(
    app: Flask,
    client,
    accounts,
    draft: int,
    code: str,
    data: bytes,
    name: str,
    kind: str,
    status: int,
) -> None:  # type: ignore[no-untyped-def]
    res = upload(client, accounts["employer"], draft, data, name, kind)
    body = res.get_json()
    assert (res.status_code, body["code"]) == (status, code), body
    assert body["message"] and "Traceback" not in body["message"]
    assert counts(app) == (0, 0, 0)
    assert not list((app.extensions["secor_settings"].storage_dir / "tmp").iterdir())


def test_encrypted_pdf_and_docx_are_refused(
    app: Flask, client, accounts, draft: int, corpus_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    for name, kind in [
        ("pypdf__r4-aes-user-password.pdf", "protocol"),
        ("poi__bug53475-password-is-pass.docx", "org_chart"),
        ("poi__password_password_cryptoapi.doc", "org_chart"),
    ]:
        ext = name.rsplit(".", 1)[1]
        res = upload(
            client,
            accounts["employer"],
            draft,
            (corpus_dir / name).read_bytes(),
            f"file.{ext}",
            kind,
        )
        assert (res.status_code, res.get_json()["code"]) == (422, "encrypted"), name
    assert counts(app)[0] == 0


def test_accepted_upload_is_stored_under_a_server_name_and_queued(
    app: Flask, client, accounts, draft: int
) -> None:  # type: ignore[no-untyped-def]
    res = upload(client, accounts["employer"], draft, PDF, "../../etc/passwd.pdf", "protocol")
    assert res.status_code == 202
    body = res.get_json()
    assert body["status"] == "received" and body["filename"] == "passwd.pdf"
    assert body["progress"] == {"pages_done": 0, "pages_total": 6}
    store = app.extensions["secor_settings"].storage_dir
    stored = [p for p in store.rglob("*") if p.is_file() and p.parent.name != "tmp"]
    assert [p.name for p in stored] == [body["sha256"]]
    assert stored[0].read_bytes() == PDF
    assert counts(app) == (1, 1, 1)
    again = upload(client, accounts["employer"], draft, PDF, "copy.pdf", "protocol")
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert counts(app) == (1, 1, 1)


def test_processing_ends_done_with_progress_and_the_result(
    app: Flask, client, accounts, draft: int
) -> None:  # type: ignore[no-untyped-def]
    doc_id = upload(client, accounts["employer"], draft, PDF, "p.pdf", "protocol").get_json()["id"]
    seen: list[tuple[int, int]] = []

    def extractor(path, **kw):  # type: ignore[no-untyped-def]
        from ingest.extract import extract_document

        def progress(done: int, total: int) -> None:
            seen.append((done, total))
            kw["progress"](done, total)

        return extract_document(
            path,
            kind=kw["kind"],
            content_type=kw["content_type"],
            settings=kw["settings"],
            progress=progress,
        )

    settings = app.extensions["secor_settings"]
    assert process_document(app.extensions["secor_sessions"], settings, doc_id, extractor) == "done"
    status = client.get(
        f"/api/v1/documents/{doc_id}", headers=bearer(accounts["employer"])
    ).get_json()
    assert status["status"] == "done" and status["progress"] == {"pages_done": 6, "pages_total": 6}
    assert seen and seen[-1] == (6, 6)
    assert counts(app)[1] == 0  # the outbox row is gone once the document is final
    # Processing again (a duplicate delivery) changes nothing.
    assert process_document(app.extensions["secor_sessions"], settings, doc_id) == "done"


def test_a_poisoned_file_fails_with_a_code_and_does_not_block_others(
    app: Flask, client, accounts, draft: int
) -> None:  # type: ignore[no-untyped-def]
    from ingest.errors import ErrorCode, IngestError

    first = upload(client, accounts["employer"], draft, PDF, "p.pdf", "protocol").get_json()["id"]
    second = upload(client, accounts["employer"], draft, DOCX, "c.docx", "org_chart").get_json()[
        "id"
    ]

    def crashing(path, **kw):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("parser bug")

    def hanging(path, **kw):  # type: ignore[no-untyped-def]
        raise TimeoutError("soft time limit")

    factory, settings = app.extensions["secor_sessions"], app.extensions["secor_settings"]
    assert process_document(factory, settings, first, crashing) == "failed"
    assert (
        process_document(factory, settings, second, hanging, timeout_errors=(TimeoutError,))
        == "failed"
    )
    a = client.get(f"/api/v1/documents/{first}", headers=bearer(accounts["employer"])).get_json()
    b = client.get(f"/api/v1/documents/{second}", headers=bearer(accounts["employer"])).get_json()
    assert (
        a["error"]["code"] == ErrorCode.EXTRACTION_FAILED
        and "ZeroDivisionError" in a["error"]["message"]
    )
    assert b["error"]["code"] == ErrorCode.TIMEOUT
    third = upload(
        client,
        accounts["employer"],
        draft,
        (SAMPLES / "flattened-2025-pass.pdf").read_bytes(),
        "f.pdf",
        "protocol",
    ).get_json()["id"]
    assert process_document(factory, settings, third) == "done"
    assert isinstance(IngestError(ErrorCode.CORRUPT).http_status, int)


def test_submit_needs_processed_documents_then_queues(
    app: Flask, client, accounts, draft: int
) -> None:  # type: ignore[no-untyped-def]
    emp = accounts["employer"]
    res = client.post(f"/api/v1/submissions/{draft}/submit", headers=bearer(emp))
    assert res.status_code == 422 and res.get_json()["code"] == "invalid"
    doc_id = upload(client, emp, draft, PDF, "p.pdf", "protocol").get_json()["id"]
    res = client.post(f"/api/v1/submissions/{draft}/submit", headers=bearer(emp))
    assert res.status_code == 409 and "still being processed" in res.get_json()["message"]
    process_document(app.extensions["secor_sessions"], app.extensions["secor_settings"], doc_id)
    res = client.post(f"/api/v1/submissions/{draft}/submit", headers=bearer(emp))
    assert res.status_code == 200 and res.get_json()["status"] == "pending_review"
    late = upload(client, emp, draft, DOCX, "c.docx", "org_chart")
    assert late.status_code == 409 and late.get_json()["code"] == "wrong_state"


def test_limit_is_configurable_per_kind(tmp_path: Path, accounts=None) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import add_account, make_app

    app = make_app(tmp_path, MAX_UPLOAD_MB="0.05", MAX_UPLOAD_MB_BINDER="1")
    emp = add_account(app, "employer", "Acme")
    client = app.test_client()
    sub = client.post("/api/v1/submissions", headers=bearer(emp)).get_json()["id"]
    res = upload(client, emp, sub, PDF, "p.pdf", "protocol")
    assert (res.status_code, res.get_json()["code"]) == (413, "too_large")
    assert "0.05 MB" in res.get_json()["message"]
    assert upload(client, emp, sub, PDF, "p.pdf", "binder").status_code == 202


def test_leading_junk_pdf_is_accepted(client, accounts, draft: int, corpus_dir: Path) -> None:  # type: ignore[no-untyped-def]
    data = (corpus_dir / "pdfplumber__issue-848.pdf").read_bytes()
    res = upload(client, accounts["employer"], draft, data, "junk.pdf", "supporting")
    assert res.status_code == 202, res.get_json()


def test_too_large_with_content_length_is_refused_before_reading(
    app: Flask, client, accounts, draft: int
) -> None:  # type: ignore[no-untyped-def]
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    res = upload(client, accounts["employer"], draft, big, "big.pdf", "protocol")
    assert (res.status_code, res.get_json()["code"]) == (413, "too_large")
    assert counts(app) == (0, 0, 0)


def test_too_large_page_upload_shows_a_readable_page(app: Flask, accounts, draft: int) -> None:
    from tests.conftest import login

    client = login(app.test_client(), accounts["employer"])
    big = b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024)
    res = client.post(
        f"/submissions/{draft}/upload",
        data={"kind": "protocol", "file": (io.BytesIO(big), "big.pdf")},
    )
    assert res.status_code == 413 and res.mimetype == "text/html"
    assert b"larger than the 40 MB limit" in res.data or b"larger than the" in res.data
    assert b"Error code: <code>too_large</code>" in res.data


def test_binder_parts_keep_their_order(app: Flask, client, accounts, draft: int) -> None:  # type: ignore[no-untyped-def]
    parts = ["scanned-2025-binder-150dpi.pdf", "flattened-2025-pass.pdf", "fillable-2025-pass.pdf"]
    ids = [
        upload(
            client, accounts["employer"], draft, (SAMPLES / p).read_bytes(), p, "binder"
        ).get_json()["id"]
        for p in parts
    ]
    org = upload(client, accounts["employer"], draft, DOCX, "c.docx", "org_chart").get_json()["id"]
    session = app.extensions["secor_sessions"]()
    assert [session.get(Document, i).position for i in ids] == [0, 1, 2]
    assert session.get(Document, org).position == 0
    session.close()


def test_the_same_file_is_one_document_per_revision(
    app: Flask, client, accounts, draft: int
) -> None:  # type: ignore[no-untyped-def]
    """A revision the reviewer asked for may carry an unchanged file again, as its own document."""
    from review.models import Submission, SubmissionStatus

    first = upload(client, accounts["employer"], draft, DOCX, "chart.docx", "org_chart").get_json()
    session = app.extensions["secor_sessions"]()
    sub = session.get(Submission, draft)
    sub.revision, sub.status = 2, SubmissionStatus.REVISION_REQUESTED
    session.commit()
    session.close()
    res = upload(client, accounts["employer"], draft, DOCX, "chart.docx", "org_chart")
    assert res.status_code == 202, res.get_json()
    second = res.get_json()
    assert second["id"] != first["id"] and second["revision"] == 2
    assert second["sha256"] == first["sha256"]
    again = upload(client, accounts["employer"], draft, DOCX, "chart-again.docx", "org_chart")
    assert again.status_code == 200 and again.get_json()["id"] == second["id"]
    assert counts(app) == (2, 2, 1)  # two documents, one stored file (same content, same name)


def test_an_unreadable_form_is_a_bad_request_and_records_nothing(
    app: Flask, client, accounts, draft: int
) -> None:  # type: ignore[no-untyped-def]
    from tests.test_uploads import browser_body

    body, ctype = browser_body([("kind", None, b"protocol"), ("file", "Prüfung.pdf", PDF)])
    headers = {**bearer(accounts["employer"]), "Content-Type": ctype}
    cut = client.post(f"/api/v1/submissions/{draft}/documents", data=body[:-200], headers=headers)
    assert (cut.status_code, cut.get_json()["code"]) == (400, "bad_request")
    assert counts(app) == (0, 0, 0)
    whole = client.post(f"/api/v1/submissions/{draft}/documents", data=body, headers=headers)
    assert whole.status_code == 202 and whole.get_json()["filename"] == "Prüfung.pdf"


CIRCUMSTANCE_FLAGS = {"submitted_late", "training_expired", "outdated_form"}


@pytest.mark.parametrize(
    "sample",
    ["fillable-2025-fail-element.pdf", "flattened-2025-pass.pdf", "fillable-2023-outdated.pdf"],
)
def test_the_submission_is_scored_from_the_documents_own_extraction(
    app: Flask, client, accounts, draft: int, sample: str
) -> None:  # type: ignore[no-untyped-def]
    """One typed hand-off: what the worker stored is read back as the same Extraction, so the
    submission's score and flags are the document's, but for what only hand-in knows."""
    from review.db import session_scope
    from review.extraction import Extraction
    from review.models import Submission
    from review.protocol import Catalogue

    emp = accounts["employer"]
    data = (SAMPLES / sample).read_bytes()
    doc_id = upload(client, emp, draft, data, sample, "protocol").get_json()["id"]
    settings = app.extensions["secor_settings"]
    assert process_document(app.extensions["secor_sessions"], settings, doc_id) == "done"
    res = client.post(f"/api/v1/submissions/{draft}/submit", headers=bearer(emp))
    assert res.status_code == 200, res.get_json()
    with session_scope(settings.database_url) as session:
        result = session.get(Document, doc_id).result
        sub = session.get(Submission, draft)
        extraction = Extraction.from_json(result)
        version = Catalogue.default(settings.instance_dir).versions[extraction.version]
        assert {**result, **extraction.to_json(version)} == result  # the round trip is exact
        assert (sub.score["overall"], sub.passed) == (result["overall"], result["passed"])
        assert sub.score["elements"] == result["elements"]

        def codes(flags: list[dict]) -> list[tuple[str, str | None]]:
            return sorted(
                (f["code"], f.get("question")) for f in flags if f["code"] not in CIRCUMSTANCE_FLAGS
            )

        assert codes(sub.flags) == codes(result["flags"])


def test_an_audit_date_range_on_the_cover_gives_the_audit_days() -> None:
    from review.extraction import Extraction

    def days(cover: dict[str, str]) -> tuple[object, object]:
        return Extraction(None, None, None, 0.0, (), None, cover=cover).audit_dates()

    assert [str(d) for d in days({"audit_dates": "2026-03-02 to 2026-03-04"})] == [
        "2026-03-02",
        "2026-03-04",
    ]
    assert [str(d) for d in days({"start_date": "2026-01-05", "end_date": "2026-01-09"})] == [
        "2026-01-05",
        "2026-01-09",
    ]
    assert days({"audit_dates": "2026-05-01"})[0] == days({"audit_dates": "2026-05-01"})[1]
    assert days({"audit_dates": "next week"}) == (None, None)

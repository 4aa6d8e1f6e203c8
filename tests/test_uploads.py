"""The API's streaming multipart reader: what real clients send, and what it refuses."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from ingest.storage import FileStore
from web.errors import ApiError
from web.uploads import MAX_FIELD, MAX_PARTS, read_upload


def browser_body(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, str]:
    """As browsers, curl and requests write it: a blank line after each part's headers."""
    boundary = "----secor" + uuid.uuid4().hex
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def werkzeug_body(data: dict[str, object]) -> tuple[bytes, str]:
    env = EnvironBuilder(method="POST", data=data, content_type="multipart/form-data").get_environ()
    return env["wsgi.input"].read(), env["CONTENT_TYPE"]


def leftovers(store: FileStore) -> list[Path]:
    return list(store.tmp.iterdir())


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "store")


def test_fields_and_the_file_part_from_a_browser_body(store: FileStore) -> None:
    data = os.urandom(300_000)
    body, ctype = browser_body(
        [
            ("kind", None, b"protocol"),
            ("file", "Protokoll-é-中.pdf", data),
            ("note", None, b"after the file"),
        ]
    )
    upload = read_upload(io.BytesIO(body), ctype, store)
    assert upload.fields == {"kind": "protocol", "note": "after the file"}
    assert upload.filename == "Protokoll-é-中.pdf"
    assert upload.spool is not None and upload.spool.size == len(data)
    upload.spool.seek(0)
    assert upload.spool.read() == data
    upload.close()
    assert leftovers(store) == []  # nobody kept it: closing deletes it


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 tiny", os.urandom(70_000)])
def test_bodies_written_by_werkzeug_including_an_empty_last_file(
    store: FileStore, content: bytes
) -> None:
    body, ctype = werkzeug_body({"kind": "protocol", "file": (io.BytesIO(content), "a.pdf")})
    upload = read_upload(io.BytesIO(body), ctype, store)
    assert upload.fields == {"kind": "protocol"} and upload.filename == "a.pdf"
    assert upload.spool is not None and upload.spool.size == len(content)
    upload.spool.seek(0)
    assert upload.spool.read() == content
    upload.close()


def test_only_the_first_file_part_named_file_is_kept(store: FileStore) -> None:
    body, ctype = browser_body(
        [
            ("other", "x.bin", b"not this"),
            ("file", "a.pdf", b"this"),
            ("file", "b.pdf", b"nor this"),
        ]
    )
    upload = read_upload(io.BytesIO(body), ctype, store)
    assert upload.filename == "a.pdf" and upload.fields == {}
    assert upload.spool is not None and upload.spool.size == 4
    upload.close()
    assert leftovers(store) == []


REFUSED = {
    "not multipart": (b"plain", "text/plain"),
    "no boundary": (b"x", "multipart/form-data"),
    "truncated": (browser_body([("file", "a.pdf", b"x" * 1000)])[0][:-40], None),
    "too many parts": browser_body([(f"f{i}", None, b"v") for i in range(MAX_PARTS + 1)]),
    "field too long": browser_body([("kind", None, b"k" * (MAX_FIELD + 1))]),
    "no name": (
        b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n",
        "multipart/form-data; boundary=b",
    ),
    "not form-data": (
        b'--b\r\nContent-Disposition: attachment; name="f"\r\n\r\nx\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unreadable_forms_are_refused_with_a_code_and_leave_no_file(
    store: FileStore, case: str
) -> None:
    body, ctype = REFUSED[case]
    if ctype is None:  # the truncated body keeps the boundary of the body it was cut from
        ctype = "multipart/form-data; boundary=" + body.split(b"\r\n", 1)[0][2:].decode()
    with pytest.raises(ApiError) as raised:
        read_upload(io.BytesIO(body), ctype, store)
    assert (raised.value.code, raised.value.status) == ("bad_request", 400)
    assert raised.value.message
    assert leftovers(store) == []


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.integers(min_value=0, max_value=400),
    noise=st.binary(max_size=64),
    at=st.integers(min_value=0, max_value=400),
)
def test_mangled_bodies_never_escape_as_anything_but_a_refusal(
    store: FileStore, cut: int, noise: bytes, at: int
) -> None:
    body, ctype = browser_body([("kind", None, b"protocol"), ("file", "a.pdf", b"%PDF-1.4\n" * 20)])
    mangled = body[:at] + noise + body[at:][: max(0, len(body) - cut)]
    try:
        read_upload(io.BytesIO(mangled), ctype, store).close()
    except ApiError as e:
        assert e.status == 400
    assert leftovers(store) == []


def test_a_binder_chosen_as_protocol_is_told_which_kind_takes_it(app, employer_client) -> None:  # type: ignore[no-untyped-def]
    """Over the protocol's 4 MB but within a binder's 40 MB: the refusal says which to choose."""
    import io

    sub = employer_client.post("/api/v1/submissions").get_json()["id"]
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    res = employer_client.post(
        f"/api/v1/submissions/{sub}/documents",
        data={"kind": "protocol", "file": (io.BytesIO(big), "binder.pdf")},
    )
    body = res.get_json()
    assert res.status_code == 413 and body["code"] == "too_large"
    assert "4 MB limit for this kind" in body["message"]
    assert 'choose "Scanned binder"' in body["message"] and "40 MB" in body["message"]

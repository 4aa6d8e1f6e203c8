"""The store: uploads held in memory up to a size, then on disk; durable, content-named files."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.storage import IN_MEMORY, FileStore


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "store")


def _fill(store: FileStore, data: bytes, piece: int = 64 * 1024):  # type: ignore[no-untyped-def]
    spool = store.spool()
    for i in range(0, len(data), piece):
        spool.write(data[i : i + piece])
    return spool


@pytest.mark.parametrize("size", [1000, IN_MEMORY, IN_MEMORY + 1, 3 * IN_MEMORY // 2])
def test_an_upload_is_kept_under_its_hash_whether_it_stayed_in_memory_or_not(
    store: FileStore, size: int
) -> None:
    data = os.urandom(size)
    spool = _fill(store, data)
    on_disk = list(store.tmp.iterdir())
    assert bool(on_disk) == (size > IN_MEMORY)  # only a large upload reaches the disk early
    spool.seek(0)
    assert spool.read(10) == data[:10]  # readable either way (werkzeug rewinds it)
    received = store.receive(spool, limit=10 * IN_MEMORY)
    spool.close()  # kept: closing must not delete it
    assert received.sha256 == hashlib.sha256(data).hexdigest() and received.size == size
    key = store.commit(received)
    assert (store.root / key).read_bytes() == data
    assert list(store.tmp.iterdir()) == []


@pytest.mark.parametrize("size", [10, IN_MEMORY + 10])
def test_a_refused_or_abandoned_upload_leaves_nothing(store: FileStore, size: int) -> None:
    spool = _fill(store, b"x" * size)
    with pytest.raises(IngestError) as refused:
        store.receive(spool, limit=5)
    assert refused.value.code.value == "too_large"
    spool.close()
    assert list(store.tmp.iterdir()) == []
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_a_plain_stream_is_received_too(store: FileStore) -> None:
    data = os.urandom(200_000)
    received = store.receive(io.BytesIO(data), limit=len(data))
    assert received.sha256 == hashlib.sha256(data).hexdigest()
    with pytest.raises(IngestError):
        store.receive(io.BytesIO(data), limit=len(data) - 1)

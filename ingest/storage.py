"""Durable local file storage under server-made, content-addressed names."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from ingest.errors import ErrorCode, IngestError

CHUNK = 64 * 1024
SPOOL_BUFFER = 1024 * 1024  # one write() per MiB, not per 64 KiB part of the body
IN_MEMORY = 4 * 1024 * 1024 + 64 * 1024  # the portal's 4 MB limit and the form around it


@dataclass(frozen=True)
class Received:
    """An upload spooled to a temporary file, with its hash and size."""

    path: Path
    sha256: str
    size: int


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256_of(file: io.BufferedRandom) -> str:
    """Hash a file just written (it is still in the page cache)."""
    file.seek(0)
    return hashlib.file_digest(file, "sha256").hexdigest()


class Spool:
    """A file being uploaded (werkzeug's stream factory and the API's reader hand out these).

    It is held in memory up to ``IN_MEMORY`` bytes, which covers every kind at the default
    limits, and spills into the store's temporary folder only past that. It is hashed and
    written out once it is complete and within its limit (``FileStore._keep``): a transfer
    refused as too large never touches the disk and is never hashed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.memory: io.BytesIO | None = io.BytesIO()
        self.file: io.BufferedRandom | None = None
        self.size = 0
        self.kept = False

    @property
    def _current(self) -> BinaryIO:
        current = self.file if self.file is not None else self.memory
        if current is None:
            raise ValueError("the upload is closed")
        return current

    def _spill(self) -> None:
        assert self.memory is not None
        # closed by close(); a buffering size makes typeshed's open() return a plain BinaryIO
        self.file = cast(io.BufferedRandom, open(self.path, "w+b", buffering=SPOOL_BUFFER))  # noqa: SIM115
        self.file.write(self.memory.getbuffer())
        self.file.seek(self.memory.tell())
        self.memory = None

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.file is None and self.size > IN_MEMORY:
            self._spill()
        return self._current.write(data)

    def read(self, n: int = -1) -> bytes:
        return self._current.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._current.seek(offset, whence)

    def tell(self) -> int:
        return self._current.tell()

    def truncate(self, size: int = 0) -> None:
        self._current.truncate(size)
        self.size = size

    def flush(self) -> None:
        self._current.flush()

    def close(self) -> None:
        """Closing an upload nobody kept deletes it (a refused or abandoned request)."""
        if self.file is not None and not self.file.closed:
            self.file.close()
        self.memory = None
        if not self.kept:
            self.path.unlink(missing_ok=True)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._current)

    def keep(self) -> str:
        """Write the whole upload to its temporary file durably; returns its SHA-256.

        fdatasync flushes the data and what is needed to read it back (the size); the name
        becomes durable with the directory fsync after the rename in ``FileStore.commit``.
        On ext4 this pair is several times faster than a full fsync of the file.
        """
        if self.file is None:
            assert self.memory is not None
            with self.memory.getbuffer() as data:
                sha256 = hashlib.sha256(data).hexdigest()
                with open(self.path, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fdatasync(out.fileno())
        else:
            self.file.flush()
            sha256 = _sha256_of(self.file)
            os.fdatasync(self.file.fileno())
        self.kept = True
        return sha256


class FileStore:
    """Files live at ``<root>/<sha[:2]>/<sha>``; the user's file name is never a path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def spool(self) -> Spool:
        return Spool(self.tmp / uuid.uuid4().hex)

    def receive(self, stream: BinaryIO | Spool, limit: int) -> Received:
        """Make ``stream`` a durable temporary file, refusing it past ``limit`` bytes."""
        if isinstance(stream, Spool):
            return self._keep(stream, limit)
        spool = self.spool()
        try:
            while chunk := stream.read(CHUNK):
                spool.write(chunk)
                if spool.size > limit:  # stop reading at the limit, not at the end
                    break
            return self._keep(spool, limit)
        finally:
            spool.close()  # deletes it unless kept

    def _keep(self, spool: Spool, limit: int) -> Received:
        if spool.size > limit:
            raise IngestError(
                ErrorCode.TOO_LARGE,
                f"The file is larger than the {round(limit / 2**20, 2):g} MB limit.",
            )
        if spool.size == 0:
            raise IngestError(ErrorCode.EMPTY)
        return Received(spool.path, spool.keep(), spool.size)

    def key_for(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256}"

    def commit(self, received: Received) -> str:
        """Move a received file to its permanent name (atomic rename, then fsync the folder)."""
        key = self.key_for(received.sha256)
        dest = self.root / key
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(received.path, dest)
        _fsync_dir(dest.parent)
        return key

    def discard(self, received: Received) -> None:
        received.path.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        resolved = (self.root / key).resolve()
        if self.root.resolve() not in resolved.parents:
            raise ValueError("storage key escapes the store")
        return resolved

    def usable(self) -> bool:
        probe = self.tmp / f".health-{uuid.uuid4().hex}"
        try:
            probe.write_bytes(b"ok")
            return probe.read_bytes() == b"ok"
        except OSError:
            return False
        finally:
            probe.unlink(missing_ok=True)

"""Durable local file storage under server-made, content-addressed names."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest.errors import ErrorCode, IngestError

CHUNK = 64 * 1024


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


class FileStore:
    """Files live at ``<root>/<sha[:2]>/<sha>``; the user's file name is never a path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def receive(self, stream: BinaryIO, limit: int) -> Received:
        """Copy ``stream`` to a temporary file, refusing it once it passes ``limit`` bytes."""
        path = self.tmp / uuid.uuid4().hex
        digest = hashlib.sha256()
        size = 0
        try:
            with open(path, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise IngestError(
                            ErrorCode.TOO_LARGE,
                            f"The file is larger than the {round(limit / 2**20, 2):g} MB limit.",
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if size == 0:
            path.unlink(missing_ok=True)
            raise IngestError(ErrorCode.EMPTY)
        return Received(path, digest.hexdigest(), size)

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

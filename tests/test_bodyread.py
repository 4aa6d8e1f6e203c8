"""Bodies of known length are read from the server in 1 MiB pieces and reach the app intact."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest

from web.bodyread import PIECE, LargeReads, PieceReader


class Source(io.BytesIO):
    """A server's input stream that records what it was asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


@pytest.mark.parametrize("step", [1, 7, 4096, 65536, PIECE + 3])
def test_piece_reader_hands_out_exactly_the_body(step: int) -> None:
    data = os.urandom(3 * PIECE + 12345)
    source = Source(data)
    reader = PieceReader(source)
    out = bytearray()
    buffer = bytearray(step)
    while n := reader.readinto(buffer):
        out += buffer[:n]
    assert bytes(out) == data
    assert all(size == PIECE for size in source.asked)  # never more than one piece at a time
    assert len(source.asked) == 5  # four pieces and the end


def test_piece_reader_read_and_readline_agree_with_a_plain_stream() -> None:
    data = b"first line\nsecond\n" + b"x" * (PIECE + 10) + b"\nlast"
    ours, plain = PieceReader(Source(data)), io.BytesIO(data)
    assert ours.readline() == plain.readline()
    assert ours.readline(3) == plain.readline(3)
    assert ours.read(5) == plain.read(5)
    assert ours.readline() == plain.readline()
    assert ours.readline() == plain.readline()  # a line longer than a piece
    assert ours.read() == plain.read()
    assert ours.read(10) == b"" and ours.readline() == b""


def _seen_input(environ: dict[str, Any]) -> Any:
    seen: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen["input"] = env["wsgi.input"]
        return []

    LargeReads(app)(environ, lambda *a: None)
    return seen["input"]


def test_only_large_bodies_of_known_length_are_wrapped() -> None:
    big = Source(b"x" * 100_000)
    assert isinstance(_seen_input({"CONTENT_LENGTH": "100000", "wsgi.input": big}), PieceReader)
    small = Source(b"x" * 1000)
    assert _seen_input({"CONTENT_LENGTH": "1000", "wsgi.input": small}) is small
    chunked = Source(b"x" * 100_000)  # no length: the upload limit needs small reads
    assert _seen_input({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": chunked}) is chunked

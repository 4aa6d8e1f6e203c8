"""Optional WSGI middleware that reports how many body bytes the app read (benchmarks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class _Counting:
    def __init__(self, stream: Any) -> None:
        self.stream, self.count = stream, 0

    def read(self, *args: Any) -> bytes:
        data = self.stream.read(*args)
        self.count += len(data)
        return data

    def readline(self, *args: Any) -> bytes:
        data = self.stream.readline(*args)
        self.count += len(data)
        return data

    def __iter__(self) -> Any:
        return iter(self.readline, b"")


class BodyMeter:
    """Adds ``X-Secor-Body-Read: <bytes>`` to every response."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        counter = _Counting(environ["wsgi.input"])
        environ["wsgi.input"] = counter

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(
                status, headers + [("X-Secor-Body-Read", str(counter.count))], exc_info
            )

        return self.app(environ, start)

"""URL converters: an ``<id:...>`` is a positive integer that fits the database's 64 bits.

A longer number simply does not match the route (404), instead of reaching the database
driver and overflowing there (a 500 before).
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    regex = r"\d{1,19}"

    def __init__(self, map: object, *args: object, **kwargs: object) -> None:  # noqa: A002
        super().__init__(map, min=1, max=MAX_ID)  # type: ignore[arg-type]

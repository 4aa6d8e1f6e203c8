"""Parser-per-type registry (after paperless-ngx): each parser scores a document, the best wins.

Adding a new kind of input is adding one class to ``PARSERS``, never a chain of ifs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ingest.errors import ErrorCode, IngestError
from ingest.settings import Settings


@dataclass
class ParseContext:
    path: Path
    kind: str
    content_type: str
    settings: Settings
    progress: Callable[[int, int], None]


class Parser(Protocol):
    name: str

    def score(self, ctx: ParseContext) -> int:
        """0 when this parser cannot read the document, higher is a better fit."""

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        """Read the document; the result is stored as the document's JSON result."""


_PARSERS: list[Parser] = []


def _damaged_errors() -> tuple[type[BaseException], ...]:
    import zipfile
    import zlib

    import pypdf.errors
    import pypdfium2

    return (
        pypdfium2.PdfiumError,
        pypdf.errors.PyPdfError,
        zipfile.BadZipFile,
        UnicodeDecodeError,
        EOFError,
        zlib.error,
    )


_DAMAGED = _damaged_errors()


def register(parser_cls: type) -> type:
    _PARSERS.append(parser_cls())
    return parser_cls


def parser_for(ctx: ParseContext) -> Parser:
    _load_builtin()
    scored = sorted(((p.score(ctx), i, p) for i, p in enumerate(_PARSERS)), reverse=True)
    if not scored or scored[0][0] <= 0:
        raise IngestError(ErrorCode.UNSUPPORTED_TYPE, "No reader handles this kind of document.")
    return scored[0][2]


def _load_builtin() -> None:
    # Importing the modules registers their parsers.
    from ingest.extract import documents, orgchart, protocol  # noqa: F401


def extract_document(
    path: Path,
    *,
    kind: str,
    content_type: str,
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    ctx = ParseContext(path, kind, content_type, settings, progress or (lambda done, total: None))
    parser = parser_for(ctx)
    try:
        result = parser.parse(ctx)
    except _DAMAGED as e:  # the parsing libraries' own words for a damaged file
        raise IngestError(
            ErrorCode.CORRUPT, f"The file is damaged and cannot be read ({type(e).__name__})."
        ) from e
    result.setdefault("parser", parser.name)
    return result

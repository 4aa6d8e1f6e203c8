"""Readers for supporting documents: page counts and text presence, bounded in size."""

from __future__ import annotations

from typing import Any

from ingest.extract.records import TEXT_CHARS, read_records
from ingest.extract.registry import ParseContext, register
from ingest.filetypes import FileType
from ingest.pdfdoc import PdfDoc
from review.coverage import Context, assess


@register
class SupportingPdf:
    """Any PDF that is not a protocol: its pages classified and dated as records (the
    window, roster and flags come at hand-in, from the submission's other documents)."""

    name = "pdf"

    def score(self, ctx: ParseContext) -> int:
        return 1 if ctx.content_type == FileType.PDF else 0

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        with PdfDoc(ctx.path, ctx.settings.max_pages) as doc:
            total = doc.page_count
            text_pages = sum(1 for i in range(total) if doc.char_count(i) >= TEXT_CHARS)
            records = read_records(doc, range(total), ctx.settings, ctx.progress)
        found = assess(records, Context(window=None))
        return {
            "kind": ctx.kind,
            "pages": total,
            "text_pages": text_pages,
            "coverage": found.to_json(),
        }


@register
class SupportingOther:
    """DOC, DOCX and images are stored as they are; their checks ran at intake."""

    name = "stored"

    def score(self, ctx: ParseContext) -> int:
        return 1 if ctx.content_type in set(FileType) - {FileType.PDF} else 0

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        return {"kind": ctx.kind, "content_type": ctx.content_type}

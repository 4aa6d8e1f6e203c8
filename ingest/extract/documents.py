"""Readers for supporting documents: each page read as a record (`records.py`), bounded in size."""

from __future__ import annotations

from typing import Any

from ingest.extract.records import TEXT_CHARS, read_records
from ingest.extract.registry import ParseContext, register
from ingest.filetypes import IMAGE_TYPES, FileType, Kind
from ingest.images import pdf_of
from ingest.pdfdoc import PdfDoc
from review.coverage import Context, assess


@register
class SupportingPdf:
    """Any PDF that is not a protocol, or pictures of records: each page classified and dated (the
    window, roster and flags come at hand-in, from the submission's other documents)."""

    name = "pdf"

    def score(self, ctx: ParseContext) -> int:
        if ctx.content_type == FileType.PDF:
            return 1
        # a record photographed or scanned to a picture: read as the PDF made of it
        return 2 if ctx.kind == Kind.SUPPORTING and ctx.content_type in IMAGE_TYPES else 0

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        pdf = pdf_of(ctx.path, ctx.content_type, ctx.settings)
        with PdfDoc(pdf, ctx.settings.max_pages) as doc:
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
    """DOC, DOCX (and pictures of other kinds) are stored as they are; their checks ran at
    intake."""

    name = "stored"

    def score(self, ctx: ParseContext) -> int:
        return 1 if ctx.content_type in set(FileType) - {FileType.PDF} else 0

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        return {"kind": ctx.kind, "content_type": ctx.content_type}

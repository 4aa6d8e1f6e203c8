"""Readers for supporting documents: page counts and text presence, bounded in size."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium

from ingest.errors import ErrorCode, IngestError
from ingest.extract.registry import ParseContext, register
from ingest.filetypes import FileType


def open_pdf(ctx: ParseContext) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(ctx.path))
    except pdfium.PdfiumError as e:
        raise IngestError(ErrorCode.CORRUPT, "The PDF cannot be opened.") from e


@register
class SupportingPdf:
    """Any PDF that is not a protocol: count pages and which carry text."""

    name = "pdf"

    def score(self, ctx: ParseContext) -> int:
        return 1 if ctx.content_type == FileType.PDF else 0

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        pdf = open_pdf(ctx)
        try:
            total = len(pdf)
            if total > ctx.settings.max_pages:
                raise IngestError(ErrorCode.UNSAFE, "The PDF has too many pages.")
            text_pages = 0
            for i in range(total):
                page = pdf[i]
                textpage = page.get_textpage()
                if textpage.count_chars() > 20:
                    text_pages += 1
                textpage.close()
                page.close()
                ctx.progress(i + 1, total)
            return {"kind": ctx.kind, "pages": total, "text_pages": text_pages}
        finally:
            pdf.close()


@register
class SupportingOther:
    """DOC, DOCX and images are stored as they are; their checks ran at intake."""

    name = "stored"

    def score(self, ctx: ParseContext) -> int:
        return 1 if ctx.content_type in set(FileType) - {FileType.PDF} else 0

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        return {"kind": ctx.kind, "content_type": ctx.content_type}

"""The protocol reader: detect the version, pick the reader for the input, score, flag.

fillable  -> acroform.read_acroform   (field values)
flattened -> flattened.read_text_layer (words in the field boxes)
scanned   -> scanned.read_scanned      (triage, registration, OCR of the boxes)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.blanks import blank_for
from ingest.detect import Detection, detect, printed_numbers, printed_stamps
from ingest.errors import ErrorCode, IngestError
from ingest.extract.acroform import fillable_reading
from ingest.extract.flattened import read_text_layer
from ingest.extract.reading import Reading
from ingest.extract.records import read_records
from ingest.extract.registry import ParseContext, register
from ingest.filetypes import IMAGE_TYPES, FileType, Kind
from ingest.images import pdf_of
from ingest.pdfdoc import PdfDoc
from ingest.settings import Settings
from review.coverage import PageRecord, assess, offline_context
from review.extraction import Extraction
from review.outcome import evaluate
from review.protocol import Catalogue

TEXT_PAGE_CHARS = 40  # fewer characters than this: an image-only (scanned) page
DETECT_PAGES = 8  # text pages read for the printed form number


def read_protocol(
    path: Path,
    settings: Settings,
    progress: Callable[[int, int], None],
    catalogue: Catalogue | None = None,
    kind: str = Kind.PROTOCOL,
) -> dict[str, Any]:
    """The protocol's answers, score and flags; for a binder, its records' coverage too."""
    catalogue = catalogue or Catalogue.default(settings.instance_dir)
    with PdfDoc(path, settings.max_pages) as doc:
        if doc.xfa_only():
            raise IngestError(
                ErrorCode.UNSUPPORTED_TYPE,
                "This is an XFA (LiveCycle) form with no fillable answers; fill in "
                "the official SECOR protocol PDF instead.",
            )
        detection, reading = _read(doc, catalogue, settings, progress)
        records = (
            read_records(doc, supporting_pages(doc, reading), settings)
            if kind == Kind.BINDER
            else None
        )
    return assemble(detection, reading, settings, records)


def supporting_pages(doc: PdfDoc, reading: Reading | None) -> list[int]:
    """A binder's pages that are not the protocol's (0-based)."""
    protocol = set(reading.pages.values()) if reading else set()
    return [i for i in range(doc.page_count) if i + 1 not in protocol]


def _read(
    doc: PdfDoc, catalogue: Catalogue, settings: Settings, progress: Callable[[int, int], None]
) -> tuple[Detection, Reading | None]:
    fields = doc.fields()
    # The printed form number is on every page: the first page usually settles it.
    printed = " ".join(s.text for s in doc.segments(0))
    detection = detect(catalogue, fields.keys(), doc.metadata_text(), printed)
    counts: list[int] = []
    if detection.version is None or not (printed_numbers(printed) or printed_stamps(printed)):
        counts = [doc.visible_chars(i) for i in range(min(doc.page_count, DETECT_PAGES))]
        text_pages = [i for i, n in enumerate(counts) if n >= TEXT_PAGE_CHARS]
        printed = " ".join(s.text for i in text_pages for s in doc.segments(i))
        detection = detect(catalogue, fields.keys(), doc.metadata_text(), printed)
    version = detection.version
    if version is not None and fields:
        reading = fillable_reading(doc, version)
        if reading is not None:
            progress(doc.page_count, doc.page_count)
            return detection, reading
    counts += [doc.visible_chars(i) for i in range(len(counts), doc.page_count)]
    text_pages = [i for i, n in enumerate(counts) if n >= TEXT_PAGE_CHARS]
    if version is not None and text_pages:
        reading = read_text_layer(doc, version, blank_for(catalogue, version), text_pages)
        if reading.pages:
            progress(doc.page_count, doc.page_count)
            return detection, reading
    image_pages = [i for i, n in enumerate(counts) if n < TEXT_PAGE_CHARS]
    if image_pages:
        from ingest.extract.scanned import read_scanned

        return read_scanned(doc, catalogue, settings, progress, image_pages, detection)
    progress(doc.page_count, doc.page_count)
    return detection, None


def assemble(
    detection: Detection,
    reading: Reading | None,
    settings: Settings,
    records: list[PageRecord] | None = None,
) -> dict[str, Any]:
    """The document's result: the typed extraction as JSON, its score and flags, and (for a
    binder) the coverage of its records with their flags."""
    version = detection.version
    extraction = Extraction(
        version=version.version if version else None,
        form_number=version.form_number if version else None,
        current=detection.current,
        confidence=detection.confidence,
        evidence=tuple(detection.evidence),
        method=reading.method if reading else None,
        answers=tuple(reading.answers) if reading and version else (),
        summary=reading.summary if reading else {},
        cover=reading.cover if reading else {},
        pages={str(k): v for k, v in (reading.pages if reading else {}).items()},
        turns={str(k): v for k, v in (reading.turns if reading else {}).items()},
    )
    body = evaluate(
        version,
        extraction.current,
        extraction.answers,
        extraction.summary,
        extraction.circumstances(),
        settings.low_confidence,
    )
    if records is None:
        return {**extraction.to_json(version), **body}
    start, _end = extraction.audit_dates()
    found = assess(
        records, offline_context(records, start, extraction.cover.get("company"), version)
    )
    body["flags"] += [f.to_json() for f in found.flags]
    return {**extraction.to_json(version), **body, "coverage": found.to_json()}


@register
class ProtocolParser:
    name = "protocol"

    def score(self, ctx: ParseContext) -> int:
        return (
            10
            if ctx.kind in (Kind.PROTOCOL, Kind.BINDER) and ctx.content_type == FileType.PDF
            else 0
        )

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        return {
            "kind": ctx.kind,
            **read_protocol(ctx.path, ctx.settings, ctx.progress, kind=ctx.kind),
        }


@register
class PicturedProtocol:
    """Photos and scans of protocol pages uploaded as pictures: read as the PDF made of them."""

    name = "protocol-pictures"

    def score(self, ctx: ParseContext) -> int:
        return (
            10
            if ctx.kind in (Kind.PROTOCOL, Kind.BINDER) and ctx.content_type in IMAGE_TYPES
            else 0
        )

    def parse(self, ctx: ParseContext) -> dict[str, Any]:
        pdf = pdf_of(ctx.path, ctx.content_type, ctx.settings)
        return {"kind": ctx.kind, **read_protocol(pdf, ctx.settings, ctx.progress, kind=ctx.kind)}

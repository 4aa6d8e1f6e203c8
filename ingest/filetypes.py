"""The one table of accepted file types and document kinds.

Adding a type (a TIFF binder, say) is a row here, its signature in ``ingest/sniff.py``'s
``SIGNATURES`` (or a look inside for containers), and a reader registered in ``ingest/extract/``
if it is read rather than only stored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FileType(enum.StrEnum):
    """What a file is, by its content (``ingest/sniff.py``)."""

    PDF = "pdf"
    DOC = "doc"
    DOCX = "docx"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    HEIC = "heic"


class Kind(enum.StrEnum):
    """What a document is for, as the uploader says (and the upload page offers)."""

    ORG_CHART = "org_chart"
    PROTOCOL = "protocol"
    BINDER = "binder"
    SUPPORTING = "supporting"


class DeepCheck(enum.StrEnum):
    """The deep check run at intake (``ingest/probe.py``)."""

    PDF = "pdf"
    DOCX = "docx"
    IMAGE = "image"
    NONE = "none"


@dataclass(frozen=True)
class TypeInfo:
    label: str
    mime: str
    extensions: tuple[str, ...]
    kinds: frozenset[Kind]
    check: DeepCheck
    default_kind: Kind  # offline (`secor extract` without --kind)


_PAGE_KINDS = frozenset({Kind.BINDER, Kind.PROTOCOL, Kind.SUPPORTING})

FILE_TYPES: dict[FileType, TypeInfo] = {
    FileType.PDF: TypeInfo(
        "PDF", "application/pdf", (".pdf",), frozenset(Kind), DeepCheck.PDF, Kind.PROTOCOL
    ),
    FileType.DOC: TypeInfo(
        "DOC",
        "application/msword",
        (".doc",),
        frozenset({Kind.ORG_CHART, Kind.SUPPORTING}),
        DeepCheck.NONE,
        Kind.ORG_CHART,
    ),
    FileType.DOCX: TypeInfo(
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        frozenset({Kind.ORG_CHART, Kind.SUPPORTING}),
        DeepCheck.DOCX,
        Kind.ORG_CHART,
    ),
    # Photos and scans of pages: stored as they came, read as binder pages (ingest/images.py)
    FileType.JPEG: TypeInfo(
        "JPEG", "image/jpeg", (".jpg", ".jpeg"), _PAGE_KINDS, DeepCheck.IMAGE, Kind.BINDER
    ),
    FileType.PNG: TypeInfo(
        "PNG", "image/png", (".png",), _PAGE_KINDS, DeepCheck.IMAGE, Kind.BINDER
    ),
    FileType.TIFF: TypeInfo(
        "TIFF", "image/tiff", (".tif", ".tiff"), _PAGE_KINDS, DeepCheck.IMAGE, Kind.BINDER
    ),
    FileType.HEIC: TypeInfo(
        "HEIC", "image/heic", (".heic", ".heif"), _PAGE_KINDS, DeepCheck.IMAGE, Kind.BINDER
    ),
}

#: Pictures of pages, read once turned into a PDF.
IMAGE_TYPES = frozenset(t for t, info in FILE_TYPES.items() if info.check == DeepCheck.IMAGE)

#: File name extension -> the type it claims.
EXTENSIONS: dict[str, FileType] = {
    ext: t for t, info in FILE_TYPES.items() for ext in info.extensions
}


def types_for(kind: str) -> tuple[FileType, ...]:
    """The file types a kind of document accepts, in the table's order."""
    return tuple(t for t, info in FILE_TYPES.items() if kind in info.kinds)


def labels_for(kind: str) -> str:
    """The accepted types as people read them: "PDF, DOC, DOCX"."""
    return ", ".join(FILE_TYPES[t].label for t in types_for(kind))


KINDS: tuple[str, ...] = tuple(k.value for k in Kind)

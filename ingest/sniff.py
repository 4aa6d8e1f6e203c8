"""Tell a file's type by its content (python-magic on the leading bytes, then a look inside)."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import magic
import olefile

from ingest.errors import ErrorCode, IngestError
from ingest.filetypes import EXTENSIONS, FILE_TYPES, FileType

HEAD_BYTES = 8192  # libmagic needs at least 2 KiB to tell OLE2 documents apart

#: Leading bytes that name a type outright (containers are looked inside instead).
SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"\xff\xd8\xff", FileType.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileType.PNG),
    (b"II*\x00", FileType.TIFF),
    (b"MM\x00*", FileType.TIFF),
)
#: HEIF brands (the ``ftyp`` box at byte 4) of the pictures phones take.
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WORD_MAIN_VARIANTS = (
    _WORD_MAIN,
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
)

#: What people are told about common look-alikes, by what the content really is.
_LOOKALIKES = {
    "text/rtf": "This is a Rich Text (RTF) file; save it as DOCX or PDF.",
    "application/vnd.wordperfect": "This is a WordPerfect file; save it as DOCX or PDF.",
    "application/x-dosexec": "This is a program, not a document.",
    "application/x-executable": "This is a program, not a document.",
    "application/zip": "This is a ZIP archive, not a Word document or PDF.",
}


@dataclass(frozen=True)
class Sniffed:
    """What the content is: ``kind`` is pdf, docx, doc, jpeg, png or other."""

    kind: str
    mime: str
    encrypted: bool = False
    detail: str = ""


def extension_type(filename: str) -> str | None:
    return EXTENSIONS.get(Path(filename).suffix.lower())


def _typed(file_type: FileType, mime: str | None = None, encrypted: bool = False) -> Sniffed:
    return Sniffed(file_type.value, mime or FILE_TYPES[file_type].mime, encrypted)


def sniff(path: Path) -> Sniffed:
    """Identify the file at ``path``; raises ``empty`` for a zero-byte file."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise IngestError(ErrorCode.EMPTY)
    mime = magic.from_buffer(head, mime=True)
    # PDF readers accept junk before the header within the first kilobyte.
    if b"%PDF-" in head[:1024]:
        return _typed(FileType.PDF)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path, mime)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(path, mime)
    for signature, file_type in SIGNATURES:
        if head.startswith(signature):
            return _typed(file_type)
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return _typed(FileType.HEIC)
    detail = _LOOKALIKES.get(mime, "")
    if mime == "application/msword":
        detail = "This is an old Word for Windows 2.0 or Write file; save it as DOCX or PDF."
    return Sniffed("other", mime, detail=detail)


def _sniff_zip(path: Path, mime: str) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names:
                return Sniffed("other", "application/zip", detail=_LOOKALIKES["application/zip"])
            types = zf.read("[Content_Types].xml")[:200_000].decode("utf-8", "replace")
    except (zipfile.BadZipFile, zlib.error, OSError, KeyError, EOFError, ValueError) as e:
        raise IngestError(ErrorCode.CORRUPT, "The file is a damaged ZIP/Office package.") from e
    except (NotImplementedError, RuntimeError) as e:
        raise IngestError(
            ErrorCode.UNSUPPORTED_TYPE, "The package uses an unsupported ZIP feature."
        ) from e
    if any(v in types for v in _WORD_MAIN_VARIANTS):
        return _typed(FileType.DOCX)
    if "spreadsheetml" in types:
        return Sniffed("other", mime, detail="This is an Excel workbook, not a Word document.")
    if "presentationml" in types:
        return Sniffed("other", mime, detail="This is a PowerPoint deck, not a Word document.")
    return Sniffed("other", mime, detail="This Office package is not a Word document.")


def _sniff_ole(path: Path, mime: str) -> Sniffed:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=False)}
            if "encryptedpackage" in streams:
                # An Office 2007+ document encrypted with a password is an OLE2 wrapper.
                return _typed(FileType.DOCX, mime, encrypted=True)
            if "worddocument" not in streams:
                return Sniffed("other", mime, detail="This Office file is not a Word document.")
            name = next(s for s in ole.listdir() if "/".join(s).lower() == "worddocument")
            fib = ole.openstream(name).read(12)
    except OSError as e:
        raise IngestError(ErrorCode.CORRUPT, "The Word file's container is damaged.") from e
    if len(fib) < 12:
        raise IngestError(ErrorCode.CORRUPT, "The Word file's header is truncated.")
    flags = int.from_bytes(fib[10:12], "little")
    return _typed(FileType.DOC, encrypted=bool(flags & 0x0100))

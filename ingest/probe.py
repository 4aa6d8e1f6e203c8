"""Bounded structural checks of uploads: PDFs through qpdf, Office packages, images.

qpdf is a C++ tool that parses hostile PDFs in milliseconds; it runs in a child process with
a timeout and a memory cap so that no upload can take the web process down with it.
"""

from __future__ import annotations

import resource
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ingest.errors import ErrorCode, IngestError
from ingest.settings import Settings
from ingest.sniff import Sniffed

_QPDF_MEMORY = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Probe:
    pages: int | None = None
    width: int | None = None
    height: int | None = None


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_QPDF_MEMORY, _QPDF_MEMORY))


def _qpdf(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        res = subprocess.run(["qpdf", *args], capture_output=True, timeout=timeout,
                             preexec_fn=_limit_memory, check=False)
        # qpdf may echo bytes of a broken file in its messages: never trust them to be UTF-8.
        return subprocess.CompletedProcess(res.args, res.returncode,
                                           res.stdout.decode("utf-8", "replace"),
                                           res.stderr.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired as e:
        raise IngestError(ErrorCode.UNSAFE, "The PDF's structure takes too long to read.") from e


def probe_pdf(path: Path, settings: Settings) -> Probe:
    """Open the PDF as a reader would: it must parse, open without a password and have pages."""
    pw = _qpdf(["--requires-password", str(path)], settings.probe_timeout)
    if pw.returncode == 0:  # 0: a password is needed; 3: encrypted but opens without one
        raise IngestError(ErrorCode.ENCRYPTED)
    res = _qpdf(["--show-npages", str(path)], settings.probe_timeout)
    if res.returncode not in (0, 3) or not res.stdout.strip().isdigit():
        if res.returncode < 0:
            raise IngestError(ErrorCode.UNSAFE, "Reading the PDF exceeded the memory limit.")
        raise IngestError(ErrorCode.CORRUPT, "The PDF is damaged and cannot be opened.")
    pages = int(res.stdout.strip())
    if pages < 1:
        raise IngestError(ErrorCode.CORRUPT, "The PDF has no pages.")
    if pages > settings.max_pages:
        raise IngestError(
            ErrorCode.UNSAFE,
            f"The PDF claims {pages} pages; at most {settings.max_pages} are accepted.",
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
    try:
        with Image.open(path) as img:
            width, height = img.size
            if width * height > settings.max_image_pixels:
                raise IngestError(ErrorCode.UNSAFE, "The image has too many pixels to process safely.")
            img.verify()
    except IngestError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise IngestError(ErrorCode.CORRUPT, "The image is damaged.") from e
    return Probe(width=width, height=height)


def probe(path: Path, sniffed: Sniffed, settings: Settings) -> Probe:
    """Deep check for the sniffed type; raises an IngestError on refusal."""
    if sniffed.encrypted:
        raise IngestError(ErrorCode.ENCRYPTED)
    if sniffed.kind == "pdf":
        return probe_pdf(path, settings)
    if sniffed.kind == "docx":
        return probe_docx(path, settings)
    if sniffed.kind in ("jpeg", "png"):
        return probe_image(path, settings)
    return Probe()

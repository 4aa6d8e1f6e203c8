"""Pictures of pages (JPEG, PNG, multi-page TIFF, HEIC from phones) as a PDF the readers
and the reviewer's crops work on.

The upload is stored as it came; its PDF is made from it (and only from it) when first
needed and kept beside the instance's other derived files, so it can always be made again.
A JPEG goes in as it is (no re-encoding); other pictures are re-encoded losslessly where
they can be (PNG), and as high-quality JPEG from HEIC. The page size a picture declares is
whatever its resolution says: the scan reader takes the scale from the paper itself.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
from pathlib import Path

import img2pdf
from PIL import Image, ImageSequence

from ingest.errors import ErrorCode, IngestError
from ingest.filetypes import IMAGE_TYPES, FileType
from ingest.settings import Settings


@functools.cache
def open_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (pillow-heif bundles libheif)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def frames(path: Path, settings: Settings) -> list[bytes]:
    """Each page of the picture as bytes img2pdf takes, bounded in count and pixels."""
    open_heif()
    out: list[bytes] = []
    try:
        with Image.open(path) as img:
            if img.format == "JPEG":
                return [path.read_bytes()]
            for n, frame in enumerate(ImageSequence.Iterator(img), start=1):
                if n > settings.max_pages:
                    raise IngestError(ErrorCode.UNSAFE, "The picture holds too many pages.")
                if frame.width * frame.height > settings.max_image_pixels:
                    raise IngestError(
                        ErrorCode.UNSAFE, "The image has too many pixels to process safely."
                    )
                page = frame.convert("L" if frame.mode in ("1", "L", "LA", "I;16") else "RGB")
                buffer = io.BytesIO()
                if img.format == "HEIF":
                    page.save(buffer, "JPEG", quality=92)
                else:
                    page.save(buffer, "PNG")
                out.append(buffer.getvalue())
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise IngestError(ErrorCode.CORRUPT, "The image is damaged.") from e
    return out


def pdf_of(path: Path, content_type: str, settings: Settings) -> Path:
    """``path`` itself for a PDF; for a picture, its PDF (made once, then reused)."""
    if content_type not in IMAGE_TYPES:
        return path
    if content_type not in set(FileType):
        raise IngestError(ErrorCode.UNSUPPORTED_TYPE)
    folder = settings.instance_dir / "pages"
    target = folder / f"{path.name}.pdf"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    data = img2pdf.convert(frames(path, settings))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
    return target

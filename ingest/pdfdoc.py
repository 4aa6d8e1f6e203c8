"""Opening a PDF for extraction: pypdf for the form, PDFium for text and pixels."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium

from ingest.errors import ErrorCode, IngestError

logging.getLogger("pypdf").setLevel(logging.ERROR)
OPEN_PAGES = 16


@dataclass(frozen=True)
class Segment:
    """A run of text on a page and its box in PDF user space."""

    text: str
    rect: tuple[float, float, float, float]


class PdfDoc:
    """Both readers over one file, opened once; close() releases PDFium's memory."""

    def __init__(self, path: Path, max_pages: int) -> None:
        self.path = path
        try:
            self.pdfium = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise IngestError(ErrorCode.CORRUPT, "The PDF cannot be opened.") from e
        self.page_count = len(self.pdfium)
        if self.page_count > max_pages:
            self.close()
            raise IngestError(
                ErrorCode.UNSAFE,
                f"The PDF has {self.page_count} pages; at most {max_pages} are read.",
            )
        self._reader: pypdf.PdfReader | None = None
        self._reader_failed = False
        self._fields: dict[str, Any] | None = None
        # Open text pages, least recently used first; bounded so a 300-page binder never
        # holds every page (and its decoded images) at once.
        self._textpages: OrderedDict[int, Any] = OrderedDict()
        #: what readers work out once per document (where the paper lies on a page, ...)
        self.memo: dict[Any, Any] = {}
        self._pages: dict[int, Any] = {}

    @property
    def reader(self) -> pypdf.PdfReader | None:
        """pypdf's view, or None where pypdf cannot parse what PDFium could."""
        if self._reader is None and not self._reader_failed:
            try:
                reader = pypdf.PdfReader(str(self.path), strict=False)
                if reader.is_encrypted:
                    reader.decrypt("")
                self._reader = reader
            except Exception:  # pypdf gives up on some files PDFium reads fine
                self._reader_failed = True
        return self._reader

    def fields(self) -> dict[str, Any]:
        """AcroForm fields by full name (read once; pypdf's walk is the costly part)."""
        if self._fields is None and self.has_form is False:
            self._fields = {}  # no AcroForm: spare pypdf, which reads the whole file into memory
        if self._fields is None:
            reader = self.reader
            try:
                self._fields = (reader.get_fields() or {}) if reader is not None else {}
            except Exception:
                self._fields = {}
        return self._fields

    @property
    def has_form(self) -> bool | None:
        """PDFium's view of the catalogue: False when there is no form at all."""
        try:
            return self.pdfium.get_formtype() != pdfium.raw.FORMTYPE_NONE
        except Exception:
            return None

    def xfa_only(self) -> bool:
        if self.has_form is False:
            return False
        reader = self.reader
        if reader is None:
            return False
        try:
            form = reader.trailer["/Root"].get("/AcroForm")  # type: ignore[attr-defined]
            form = form.get_object() if form is not None else None
            return form is not None and "/XFA" in form and not form.get("/Fields")
        except Exception:
            return False

    def metadata_text(self) -> str:
        try:
            meta = self.pdfium.get_metadata_dict(skip_empty=True)
        except Exception:
            meta = {}
        return " ".join(str(v) for v in meta.values())

    def size(self, index: int) -> tuple[float, float]:
        w, h = self.pdfium.get_page_size(index)
        return float(w), float(h)

    def _textpage(self, index: int) -> Any:
        """PDFium's text page, kept open while the document is (reading boxes reuses it)."""
        if index in self._textpages:
            self._textpages.move_to_end(index)
            return self._textpages[index]
        while len(self._textpages) >= OPEN_PAGES:
            self.release(next(iter(self._textpages)))
        self._pages[index] = self.pdfium[index]
        self._textpages[index] = self._pages[index].get_textpage()
        return self._textpages[index]

    def segments(self, index: int) -> list[Segment]:
        textpage = self._textpage(index)
        out = []
        for i in range(textpage.count_rects()):
            rect = textpage.get_rect(i)
            text = textpage.get_text_bounded(*rect).strip()
            if text:
                out.append(Segment(text, tuple(float(v) for v in rect)))  # type: ignore[arg-type]
        return out

    def text_in(self, index: int, rect: tuple[float, float, float, float]) -> str:
        return self._textpage(index).get_text_bounded(*rect)

    def char_count(self, index: int) -> int:
        return self._textpage(index).count_chars()

    def visible_chars(self, index: int) -> int:
        """Characters a reader of the page can see. A scanner's or OCRmyPDF's text layer is
        drawn invisible (render mode 3) over the page image: such a page is an image, and its
        layer (OCR of unknown quality, words misplaced) is not what the form says."""
        textpage = self._textpage(index)
        if textpage.count_chars() == 0:
            return 0
        visible = 0
        page = self._pages[index]
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_TEXT], max_depth=2):
            mode = pdfium.raw.FPDFTextObj_GetTextRenderMode(obj.raw)
            if mode != pdfium.raw.FPDF_TEXTRENDERMODE_INVISIBLE:
                size = pdfium.raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                visible += max(size // 2 - 1, 0)  # UTF-16 with its terminator
        return visible

    def release(self, index: int) -> None:
        """Free one page's text (a long binder is read page by page)."""
        textpage = self._textpages.pop(index, None)
        if textpage is not None:
            textpage.close()
            self._pages.pop(index).close()

    def close(self) -> None:
        for index in list(self._textpages):
            self.release(index)
        self.pdfium.close()

    def __enter__(self) -> PdfDoc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

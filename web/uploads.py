"""Stream an API upload's multipart body straight into the store's spool.

werkzeug's form parser compiles two regular expressions for every request (the boundary is
new each time) and copies each 64 KiB of the body several times; python-multipart's parser is
a state machine over the same bytes: 0.18 ms instead of 0.68 ms for a 1 MiB file (measured on
300 bodies with fresh boundaries). Pages keep werkzeug's parser, because Flask-WTF reads their
CSRF token from the form; session calls to the API send it in a header (web/auth.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header

from ingest.storage import FileStore, Spool
from web.errors import ApiError

READ = 64 * 1024
MAX_PARTS = 8  # an upload is a file and a field or two
MAX_FIELD = 64 * 1024  # the slack the request limit leaves above the file's own limit


def _bad(message: str) -> ApiError:
    return ApiError("bad_request", message, 400)


@dataclass
class Upload:
    """The form's plain fields and the one file part (named ``file``), spooled to disk."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    spool: Spool | None = None

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


class _Parts:
    """python-multipart's callbacks: headers of each part, then its data to the right place."""

    def __init__(self, store: FileStore, file_field: str) -> None:
        self.store, self.file_field = store, file_field
        self.upload = Upload()
        self.parts = 0
        self.ended = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._field: bytearray | None = None
        self._name = ""
        self._to_file = False
        self._skip = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _bad(f"The form has more than {MAX_PARTS} parts.")
        self._headers = {}

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def headers_finished(self) -> None:
        # Header bytes are taken as latin-1 so that parsing keeps them intact, then names
        # are read as UTF-8, as browsers send them.
        disposition = self._headers.get(b"content-disposition", b"").decode("latin-1")
        kind, options = parse_options_header(disposition)
        if kind != b"form-data" or b"name" not in options:
            raise _bad("A part of the form has no Content-Disposition name.")
        self._name = options[b"name"].decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._to_file = (
            filename is not None and self._name == self.file_field and self.upload.spool is None
        )
        self._skip = filename is not None and not self._to_file  # other files are not kept
        self._field = None
        if self._to_file:
            self.upload.filename = (filename or b"").decode("utf-8", "replace")
            self.upload.spool = self.store.spool()
        elif not self._skip:
            self._field = bytearray()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._to_file:
            assert self.upload.spool is not None
            self.upload.spool.write(data[start:end])
        elif self._field is not None:
            self._field += data[start:end]
            if len(self._field) > MAX_FIELD:
                raise _bad(f"The form field {self._name!r} is longer than {MAX_FIELD // 1024} KiB.")

    def part_end(self) -> None:
        if self._field is not None:
            self.upload.fields.setdefault(self._name, self._field.decode("utf-8", "replace"))
        self._to_file = self._skip = False
        self._field = None

    def end(self) -> None:
        self.ended = True

    def end_empty_last_part(self, boundary: bytes) -> bool:
        """Finish a last part that is empty and has no blank line before the closing
        delimiter, as werkzeug's encoder writes it (RFC 2046 allows it): python-multipart then
        reads the delimiter itself as the part's data. Only exactly that is recognised."""
        closing = b"--" + boundary + b"--"
        if self._to_file and self.upload.spool is not None:
            spool = self.upload.spool
            if spool.size > len(closing) + 2:
                return False
            spool.seek(0)
            if spool.read().rstrip(b"\r\n") != closing:
                return False
            spool.seek(0)
            spool.truncate(0)
        elif self._field is not None:
            if bytes(self._field).rstrip(b"\r\n") != closing:
                return False
            self._field.clear()
        else:
            return False
        self.part_end()
        self.ended = True
        return True


def read_upload(
    stream: BinaryIO, content_type: str | None, store: FileStore, file_field: str = "file"
) -> Upload:
    """Parse a multipart/form-data body from ``stream``; the file part goes to a new spool.

    The caller closes the returned upload (a spool nobody kept is deleted). Limits on the
    body as a whole are the stream's (werkzeug stops reading at the request's limit).
    """
    mimetype, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if mimetype != b"multipart/form-data" or not boundary:
        raise _bad(
            f"Send the upload as multipart/form-data with the file in the field {file_field!r}."
        )
    parts = _Parts(store, file_field)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    try:
        while chunk := stream.read(READ):
            parser.write(chunk)
        if not parts.ended and not parts.end_empty_last_part(boundary):
            raise _bad("The upload ended before its last part was complete.")
    except MultipartParseError as e:
        parts.upload.close()
        raise _bad(f"The upload is not a readable multipart/form-data body ({e}).") from e
    except BaseException:
        parts.upload.close()
        raise
    return parts.upload

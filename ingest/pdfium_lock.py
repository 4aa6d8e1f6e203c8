"""One lock for every PDFium call a request thread can make.

PDFium is not thread-safe: no two calls may run at once in one process, not even on different
documents (pypdfium2's documentation); doing so corrupts the heap and kills the process. The
worker runs one document per process, but the web server answers on threads and opens PDFs
there (the upload probe, the reviewer's crops, the staff preview), so those hold this lock.
Parallelism comes from processes (gunicorn workers, worker slots), as pypdfium2 advises.
"""

from __future__ import annotations

import threading

PDFIUM = threading.RLock()

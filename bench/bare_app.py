"""Baselines for upload throughput: bare Flask endpoints that keep nothing.

``/upload`` receives the upload the way a Flask view does (``request.files``: werkzeug parses
the multipart body) and discards it: the baseline the goal is set against. ``/raw`` reads the
body without parsing it, the cost of the transfer alone: printed for context.
"""

from flask import Flask, request

app = Flask(__name__)


@app.post("/upload")
def upload() -> dict[str, bool]:
    request.files.get("file")  # parse the multipart body like a Flask view, keep nothing
    return {"ok": True}


@app.post("/raw")
def raw() -> dict[str, bool]:
    while request.stream.read(64 * 1024):
        pass
    return {"ok": True}

"""The baseline for upload throughput: a bare Flask endpoint that parses and discards."""

from flask import Flask, request

app = Flask(__name__)


@app.post("/upload")
def upload() -> dict[str, bool]:
    request.files.get("file")  # parse the multipart body like the real endpoint, keep nothing
    return {"ok": True}

"""Mutated samples (hypothesis): validation and extraction only ever refuse with a code."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.extract import extract_document
from ingest.pipeline import check_file
from ingest.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEEDS = {
    "pdf": [
        (SAMPLES / n).read_bytes()
        for n in ("fillable-2025-pass.pdf", "flattened-2025-pass.pdf", "org-chart.pdf")
    ],
    "docx": [(SAMPLES / "org-chart.docx").read_bytes()],
}
KINDS = {"pdf": ["protocol", "supporting", "org_chart"], "docx": ["org_chart", "supporting"]}
_SETTINGS = Settings.from_mapping({"INSTANCE_DIR": tempfile.mkdtemp(prefix="secor-fuzz-")})


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS[kind])))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "splice"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 512))]
        elif op == "splice" and data:
            start = draw(st.integers(0, len(data) - 1))
            data[pos:pos] = data[start : start + draw(st.integers(1, 256))]
    return bytes(data)


def _run(data: bytes, suffix: str, kind: str) -> None:
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        fh.write(data)
        fh.flush()
        path = Path(fh.name)
        try:
            checked = check_file(path, path.name, kind, _SETTINGS)
            result = extract_document(
                path, kind=kind, content_type=checked.sniffed.kind, settings=_SETTINGS
            )
        except IngestError as e:
            assert e.code and e.message and e.http_status in (413, 415, 422)
            return
        assert isinstance(result, dict) and result.get("kind") == kind


@settings(
    max_examples=1200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated("pdf"), kind=st.sampled_from(KINDS["pdf"]))
def test_mutated_pdfs_never_raise_anything_but_a_refusal(data: bytes, kind: str) -> None:
    _run(data, ".pdf", kind)


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated("docx"), kind=st.sampled_from(KINDS["docx"]))
def test_mutated_docx_never_raise_anything_but_a_refusal(data: bytes, kind: str) -> None:
    _run(data, ".docx", kind)

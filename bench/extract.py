"""Extraction speed against tools measured in the same run.

    python bench/extract.py [--quick]

Figures: fillable extract+score vs pypdf's bare field read; flattened vs `pdftotext -bbox`;
one scanned protocol page vs full-page `tesseract`; binder triage per page (100 pages);
a supporting page classified and dated vs full-page `tesseract`; a 300-page binder read
whole with its records' coverage (and its peak memory) vs the same binder read for its
protocol only; importing a blank form (today's and one laid out like
the published instruments) vs pdfplumber reading its words; a real-style filled form read
fillable, flattened and scanned against the same baselines as today's form.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import ROOT, best_of, emit

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import pypdf  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from ingest.extract import extract_document  # noqa: E402
from ingest.pdfdoc import PdfDoc  # noqa: E402
from ingest.settings import Settings  # noqa: E402
from review.protocol import Catalogue  # noqa: E402

SAMPLES = ROOT / "samples"


def settings() -> Settings:
    return Settings.from_mapping({"INSTANCE_DIR": tempfile.mkdtemp(prefix="secor-bench-")})


def fillable(s: Settings, repeat: int) -> None:
    path = SAMPLES / "fillable-2025-pass.pdf"
    ours = best_of(
        lambda: extract_document(path, kind="protocol", content_type="pdf", settings=s), repeat
    )
    bare = best_of(lambda: pypdf.PdfReader(str(path)).get_fields(), repeat)
    emit(
        "fillable protocol: extract+score vs pypdf get_fields",
        ours,
        "s",
        bare,
        "ratio <= 1.5",
        ours / bare <= 1.5,
    )


def flattened(s: Settings, repeat: int) -> None:
    path = SAMPLES / "flattened-2025-pass.pdf"
    ours = best_of(
        lambda: extract_document(path, kind="protocol", content_type="pdf", settings=s), repeat
    )
    tool = best_of(
        lambda: subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True
        ),
        repeat,
    )
    emit(
        "flattened protocol: extract+score vs pdftotext -bbox",
        ours,
        "s",
        tool,
        "ratio <= 3",
        ours / tool <= 3,
    )


def scanned_page(
    s: Settings,
    repeat: int,
    sample: str = "scanned-2025-protocol-300dpi.pdf",
    what: str = "scanned protocol page",
) -> None:
    """One protocol page: our whole read of it vs tesseract reading the same page."""
    src = SAMPLES / sample
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "page.pdf"
        writer = pypdf.PdfWriter()
        truth = json.loads((SAMPLES / "truth" / f"{sample}.json").read_text())
        writer.add_page(pypdf.PdfReader(str(src)).pages[truth["pages"]["2"] - 1])
        writer.write(str(one))
        png = Path(tmp) / "page.png"
        doc = pdfium.PdfDocument(str(one))
        page = doc[0]
        scale = 3300 / max(page.get_size())  # the picture at 300 dpi of a Letter page
        page.render(scale=scale, grayscale=True).to_pil().save(png)
        doc.close()
        extract_document(one, kind="binder", content_type="pdf", settings=s)  # warm caches
        ours = best_of(
            lambda: extract_document(one, kind="binder", content_type="pdf", settings=s), repeat
        )
        full = best_of(
            lambda: subprocess.run(["tesseract", str(png), "-"], capture_output=True, check=True),
            repeat,
        )
    emit(
        f"{what}: read boxes vs full-page tesseract",
        ours,
        "s",
        full,
        "ratio <= 0.5",
        ours / full <= 0.5,
    )


@contextlib.contextmanager
def tesseract_alone() -> Iterator[None]:
    """Points read as they were before the handwriting network: tesseract's reading and its
    own confidence (the baseline of the figures on points)."""
    from ingest.extract import scanned

    def printed_only(printed: Any, crop: Any, q: Any, low: float) -> tuple[str, float]:
        text = printed.text.replace(" ", "").strip("./")
        return text, printed.confidence if text else 0.1

    real = scanned._points
    scanned._points = printed_only
    try:
        yield
    finally:
        scanned._points = real


def handwriting(s: Settings, forms: int) -> None:
    """Handwritten points (held-out MNIST digits, scanned): answers read right and misread
    answers sent to the reviewer, against tesseract alone reading the same boxes."""
    from ingest.formimport import import_blank_form
    from samples.realworld import handwritten_protocol
    from web.commands import extract_file

    blank = sorted((ROOT.parent / "shared" / "forms").glob("*2025*-blank.pdf"))[0]
    version = import_blank_form(blank)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases = []
        for seed in range(500, 500 + forms):
            path, expected = handwritten_protocol(blank, version, seed, work)
            cases.append(expected)

        def measure() -> tuple[float, float]:
            right = wrong = wrong_low = 0
            for t in cases:
                result = extract_file(work / t["file"], None, s)
                got = {a["question"]: a for a in result["answers"]}
                for qid, want in t["answers"].items():
                    a = got[qid]
                    if (a["awarded"], a["na"]) == (want["awarded"], want["na"]):
                        right += 1
                    else:
                        wrong += 1
                        wrong_low += a["confidence"] < s.low_confidence
            return right / (right + wrong), (wrong_low / wrong if wrong else 1.0)

        ours_right, ours_low = measure()
        with tesseract_alone():
            base_right, base_low = measure()
    emit(
        "handwritten points read right (share) vs tesseract alone",
        ours_right,
        "share",
        base_right,
        ">= 0.98",
        ours_right >= 0.98,
        answers=sum(len(t["answers"]) for t in cases),
    )
    emit(
        "misread handwritten points under the low-confidence threshold (share) vs tesseract alone",
        ours_low,
        "share",
        base_low,
        "= 1.0",
        ours_low >= 1.0,
    )


def _binder(pages: int, target: Path) -> None:
    """A binder of `pages` pages: the 6 protocol pages of a sample among its records, repeated."""
    src = pdfium.PdfDocument(str(SAMPLES / "scanned-2025-binder-200dpi.pdf"))
    out = pdfium.PdfDocument.new()
    rng = random.Random(7)
    order = list(range(len(src)))
    picks = order + [rng.choice(order) for _ in range(pages - len(order))]
    for i in picks:
        out.import_pages(src, [i])
    out.save(str(target))
    out.close()
    src.close()


def triage(s: Settings) -> None:
    from ingest.extract.scanned import thumbnails
    from ingest.extract.scanned import triage as run_triage

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "binder-100.pdf"
        _binder(100, path)
        catalogue = Catalogue.default()
        thumbs = thumbnails(catalogue)
        import time

        with PdfDoc(path, 1000) as doc:
            start = time.perf_counter()
            protocol = sum(1 for i in range(doc.page_count) if run_triage(doc, i, thumbs))
            per_page = (time.perf_counter() - start) / doc.page_count
    emit(
        "binder triage per page (100-page binder)",
        per_page,
        "s",
        None,
        "<= 0.2 s/page",
        per_page <= 0.2,
        protocol_pages_found=protocol,
    )


CHILD = """
import sys, time
from ingest.extract import extract_document
from ingest.settings import Settings
s = Settings.from_mapping({"INSTANCE_DIR": sys.argv[2], "MAX_PAGES": "1000"})
start = time.perf_counter()
r = extract_document(sys.argv[1], kind=sys.argv[3], content_type="pdf", settings=s)
seconds = time.perf_counter() - start
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
records = len((r.get("coverage") or {}).get("pages", []))
print(int(peak.split()[1]), len(r["answers"]), round(seconds, 2), records)
"""


def _records_binder(pages: int, target: Path) -> None:
    """A binder of ``pages`` pages: a scanned protocol's pages among scanned records (the
    full-year sample's minutes, inspections, ..., repeated in turn)."""
    protocol = pdfium.PdfDocument(str(SAMPLES / "scanned-2025-protocol-300dpi.pdf"))
    records = pdfium.PdfDocument(str(SAMPLES / "coverage-full-year.pdf"))
    truth = json.loads((SAMPLES / "truth" / "coverage-full-year.pdf.json").read_text())
    record_pages = [p["page"] - 1 for p in truth["coverage"]["pages"]]
    out = pdfium.PdfDocument.new()
    out.import_pages(protocol)
    for n in range(pages - len(protocol)):
        out.import_pages(records, [record_pages[n % len(record_pages)]])
    out.save(str(target))
    for doc in (out, records, protocol):
        doc.close()


def _read_in_child(path: Path, tmp: str, kind: str) -> tuple[int, int, float, int]:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), tmp, kind],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    peak, answers, seconds, records = res.stdout.split()
    return int(peak), int(answers), float(seconds), int(records)


def whole_binder() -> None:
    """A 300-page binder read whole, its records' coverage included (the worker's recipe,
    two tesseract threads), against the same binder read for its protocol only."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "binder-300.pdf"
        _records_binder(300, path)
        _, _, protocol_only, _ = _read_in_child(path, tmp, "protocol")
        peak_kb, answers, seconds, records = _read_in_child(path, tmp, "binder")
    emit(
        "300-page binder read whole, coverage included",
        seconds,
        "s",
        protocol_only,
        "<= 120 s on 2 cores",
        seconds <= 120,
        answers=answers,
        record_pages=records,
        cores=os.cpu_count(),
    )
    emit(
        "peak memory reading a 300-page binder",
        peak_kb / 1024,
        "MB",
        None,
        "<= 500 MB",
        peak_kb / 1024 <= 500,
        answers=answers,
    )


def record_page(s: Settings, repeat: int) -> None:
    """A scanned supporting page classified and dated (header first, more only if needed)
    against full-page ``tesseract`` on the same page at 300 dpi, over the full-year sample's
    record pages."""
    from ingest.extract.records import read_records

    truth = json.loads((SAMPLES / "truth" / "coverage-full-year.pdf.json").read_text())
    pages = [p["page"] - 1 for p in truth["coverage"]["pages"]][:: 4 if repeat < 5 else 2]
    one = Settings.from_mapping({"INSTANCE_DIR": str(s.instance_dir), "OCR_THREADS": "1"})
    with (
        tempfile.TemporaryDirectory() as tmp,
        PdfDoc(SAMPLES / "coverage-full-year.pdf", 500) as doc,
    ):
        pngs = []
        for i in pages:
            page = doc.pdfium[i]
            png = Path(tmp) / f"p{i}.png"
            page.render(scale=300 / 72, grayscale=True).to_pil().save(png)
            page.close()
            pngs.append(png)
        read_records(doc, pages[:1], one)  # warm the engine
        ours = best_of(lambda: read_records(doc, pages, one), repeat) / len(pages)
        full = best_of(
            lambda: [
                subprocess.run(["tesseract", str(p), "-"], capture_output=True, check=True)
                for p in pngs
            ],
            max(1, repeat // 2),
        ) / len(pngs)
    emit(
        "supporting page classified and dated vs full-page tesseract",
        ours,
        "s",
        full,
        "ratio <= 0.2",
        ours / full <= 0.2,
        pages=len(pages),
    )


def _import_figure(name: str, blank: Path, repeat: int) -> None:
    import pdfplumber

    from ingest.formimport import import_blank_form

    ours = best_of(lambda: import_blank_form(blank), repeat)

    def words() -> None:
        with pdfplumber.open(str(blank)) as pdf:
            for page in pdf.pages:
                page.extract_words()

    bare = best_of(words, repeat)
    emit(
        f"import a blank form ({name}) vs pdfplumber reading its words",
        ours,
        "s",
        bare,
        "ratio <= 2",
        ours / bare <= 2,
    )


def real_style(s: Settings, repeat: int) -> None:
    """Import blank forms, then read a real-style form filled, flattened and scanned."""
    import dataclasses

    from ingest.formimport import import_blank_form, save_version
    from review.protocol import ACTIVE
    from samples.generate import allowed_answers, fill, flatten, render, save_scanned, scan, truth
    from samples.realstyle import make_blank

    _import_figure(
        "2025 official", ROOT / "review/catalogue/forms/secor-protocol-2025-blank.pdf", repeat
    )
    work = Path(tempfile.mkdtemp(prefix="secor-bench-real-"))
    blank = work / "blank.pdf"
    make_blank(0, blank)
    _import_figure("published style", blank, repeat)
    version = dataclasses.replace(import_blank_form(blank), status=ACTIVE)
    save_version(version, blank, s.instance_dir / "protocols")
    answers = allowed_answers(version, random.Random(0))
    fill(
        blank,
        version,
        answers,
        work / "fillable.pdf",
        "Acme",
        truth("x", version, "protocol", "field", answers, True),
    )
    flatten(work / "fillable.pdf", work / "flattened.pdf")
    rng = random.Random(0)
    save_scanned(
        [scan(i, rng, 200) for i in render(work / "flattened.pdf", 200)], work / "scanned.pdf", 200
    )

    def ours(path: Path, kind: str) -> float:
        extract_document(path, kind=kind, content_type="pdf", settings=s)  # warm caches
        return best_of(
            lambda: extract_document(path, kind=kind, content_type="pdf", settings=s), repeat
        )

    fill_time = ours(work / "fillable.pdf", "protocol")
    bare = best_of(lambda: pypdf.PdfReader(str(work / "fillable.pdf")).get_fields(), repeat)
    emit(
        "real-style fillable: extract+score vs pypdf get_fields",
        fill_time,
        "s",
        bare,
        "ratio <= 1.5",
        fill_time / bare <= 1.5,
    )
    flat_time = ours(work / "flattened.pdf", "protocol")
    tool = best_of(
        lambda: subprocess.run(
            ["pdftotext", "-bbox", str(work / "flattened.pdf"), "-"],
            capture_output=True,
            check=True,
        ),
        repeat,
    )
    emit(
        "real-style flattened: extract+score vs pdftotext -bbox",
        flat_time,
        "s",
        tool,
        "ratio <= 3",
        flat_time / tool <= 3,
    )
    pages = len(pypdf.PdfReader(str(work / "scanned.pdf")).pages)
    scan_time = ours(work / "scanned.pdf", "binder") / pages
    png = work / "page.png"
    doc = pdfium.PdfDocument(str(work / "scanned.pdf"))
    doc[1].render(scale=300 / 72, grayscale=True).to_pil().save(png)
    doc.close()
    full = best_of(
        lambda: subprocess.run(["tesseract", str(png), "-"], capture_output=True, check=True), 3
    )
    emit(
        "real-style scanned: read per page vs full-page tesseract",
        scan_time,
        "s",
        full,
        "ratio <= 0.5",
        scan_time / full <= 0.5,
        pages=pages,
    )


def calibration(s: Settings) -> None:
    """Confidence on the project's samples (every protocol sample with its truth): right
    answers sent to the reviewer (under the threshold), against tesseract alone."""
    import json

    from web.commands import extract_file

    truths = [json.loads(p.read_text()) for p in sorted((SAMPLES / "truth").glob("*.json"))]
    truths = [t for t in truths if "answers" in t]

    def measure() -> tuple[float, int, int]:
        right = right_low = wrong = 0
        for t in truths:
            result = extract_file(SAMPLES / t["file"], None, s)
            got = {a["question"]: a for a in result.get("answers", [])}
            for qid, want in t["answers"].items():
                a = got.get(qid)
                if a is not None and (a["awarded"], a["na"]) == (want["awarded"], want["na"]):
                    right += 1
                    right_low += a["confidence"] < s.low_confidence
                else:
                    wrong += 1
        return right_low / max(right, 1), right, wrong

    ours, right, wrong = measure()
    with tesseract_alone():
        base, _, base_wrong = measure()
    emit(
        "right answers under the low-confidence threshold on the samples (share) vs tesseract alone",
        ours,
        "share",
        base,
        "<= 0.05",
        ours <= 0.05,
        answers=right + wrong,
        wrong=wrong,
        wrong_tesseract_alone=base_wrong,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 300-page binder")
    args = parser.parse_args()
    s = settings()
    repeat = 3 if args.quick else 7
    fillable(s, repeat)
    flattened(s, repeat)
    scanned_page(s, 3 if args.quick else 5)
    scanned_page(s, 3 if args.quick else 5, "photo-2025-protocol.pdf", "photographed page")
    scanned_page(s, 3 if args.quick else 5, "ocrlayer-2025-binder.pdf", "OCR-layer binder page")
    handwriting(s, 3 if args.quick else 6)
    calibration(s)
    triage(s)
    record_page(s, 3 if args.quick else 5)
    real_style(s, 3 if args.quick else 5)
    if not args.quick:
        whole_binder()


if __name__ == "__main__":
    main()

"""Samples as offices really send them, each made with the tools they use, with ground truth.

    python samples/realworld.py [--forms DIR]

- ``handwritten-2025-binder.pdf``: points written by hand (real handwriting: MNIST digits
  the reader's network never saw, see ``samples/train_digits.py``) and N/A boxes crossed
  by hand, then scanned (skew, noise, JPEG) and wrapped by ``img2pdf``.
- ``photo-2025-protocol.pdf``: phone photos of the printed pages (the page at an angle on a
  desk, light falling off across it, JPEG), wrapped by ``img2pdf`` with no resolution, so
  each page declares a size the paper never had.
- ``ocrlayer-2025-binder.pdf``: a scanned binder through ``ocrmypdf`` (an invisible text
  layer over each page image, as office scanners make).

Deterministic: the same seed gives the same answers and pictures.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from ingest.formimport import import_blank_form  # noqa: E402
from review.protocol import FieldRef, ProtocolVersion  # noqa: E402
from samples.generate import (  # noqa: E402
    answers_for,
    fill,
    flatten,
    render,
    scan,
    supporting_page,
    truth,
)
from samples.train_digits import held_out  # noqa: E402


class Hand:
    """A writer: held-out handwritten digits, drawn into boxes with a pen's ink."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        pictures, labels = held_out()
        self.by_digit = {d: pictures[labels == d] for d in range(10)}

    def _digit(self, d: int, height: int) -> np.ndarray:
        picture = self.by_digit[d][self.rng.randrange(len(self.by_digit[d]))]
        ys, xs = np.nonzero(picture > 30)
        glyph = picture[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
        scale = height / glyph.shape[0]
        size = (max(2, round(glyph.shape[1] * scale)), height)
        return cv2.resize(glyph, size, interpolation=cv2.INTER_CUBIC).clip(0, 255) / 255.0

    def write(self, page: np.ndarray, box: tuple[int, int, int, int], text: str) -> None:
        """Digits of ``text`` inside ``box`` (pixels), as a person fills a small box."""
        x0, y0, x1, y1 = box
        height = int((y1 - y0) * self.rng.uniform(0.55, 0.75))
        glyphs = [self._digit(int(c), height) for c in text]
        gap = max(2, height // 8)
        width = sum(g.shape[1] for g in glyphs) + gap * (len(glyphs) - 1)
        room = max(0, (x1 - x0) - width - 8)
        x = x0 + 4 + int(room * self.rng.uniform(0.2, 0.8))
        y = y0 + int(((y1 - y0) - height) * self.rng.uniform(0.3, 0.7))
        ink = self.rng.uniform(15, 60)
        for g in glyphs:
            h, w = g.shape
            region = page[y : y + h, x : x + w]
            g = g[: region.shape[0], : region.shape[1]]
            page[y : y + h, x : x + w] = np.minimum(region, 255 - g * (255 - ink))
            x += w + gap

    def cross(self, page: np.ndarray, box: tuple[int, int, int, int]) -> None:
        """An N/A box marked by hand: a cross or a tick, a little off centre."""
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        thick = max(2, int(min(w, h) * 0.12))

        def jitter(v: float, span: int) -> int:
            return int(v + self.rng.uniform(-0.08, 0.08) * span)

        if self.rng.random() < 0.5:
            strokes = [((0.15, 0.15), (0.85, 0.85)), ((0.85, 0.15), (0.15, 0.85))]
        else:
            strokes = [((0.15, 0.55), (0.4, 0.85)), ((0.4, 0.85), (0.9, 0.1))]
        for (ax, ay), (bx, by) in strokes:
            a = (jitter(x0 + ax * w, w), jitter(y0 + ay * h, h))
            b = (jitter(x0 + bx * w, w), jitter(y0 + by * h, h))
            cv2.line(page, a, b, int(self.rng.uniform(15, 60)), thick, cv2.LINE_AA)


def _pixels(ref: FieldRef, version: ProtocolVersion, dpi: int) -> tuple[int, int, int, int]:
    s = dpi / 72
    height = version.page_sizes[ref.page - 1][1]
    x0, y0, x1, y1 = ref.rect
    return int(x0 * s), int((height - y1) * s), int(x1 * s), int((height - y0) * s)


def handwritten_pages(
    blank: Path,
    version: ProtocolVersion,
    answers: dict,
    company: str,
    scored: dict,
    hand: Hand,
    dpi: int,
    work: Path,
) -> list[Image.Image]:
    """The form printed with its typed parts (cover, notes, summary), points and N/A marks
    then written by hand on the paper."""
    typed = {q: {**a, "awarded": None, "na": False} for q, a in answers.items()}
    filled, flat = work / "typed.pdf", work / "typed-flat.pdf"
    fill(blank, version, typed, filled, company, scored)
    flatten(filled, flat)
    pages = [np.array(p) for p in render(flat, dpi)]
    for q in version.questions:
        a = answers[q.id]
        if a["na"] and q.na is not None:
            hand.cross(pages[q.na.page - 1], _pixels(q.na, version, dpi))
        elif a["awarded"] is not None:
            hand.write(
                pages[q.awarded.page - 1], _pixels(q.awarded, version, dpi), str(a["awarded"])
            )
    return [Image.fromarray(p) for p in pages]


def handwritten_protocol(
    blank: Path, version: ProtocolVersion, seed: int, work: Path, dpi: int = 200
) -> tuple[Path, dict]:
    """One protocol filled by hand and scanned, its answers drawn from ``seed``: the file
    (wrapped by img2pdf) and its ground truth."""
    rng = random.Random(seed)
    answers = answers_for(version, rng, ("pass", "fail_element", "fail_overall")[seed % 3])
    expected = truth(f"hand{seed}.pdf", version, "protocol", "ocr", answers, True)
    pages = handwritten_pages(
        blank, version, answers, "Hillcrest Roofing", expected, Hand(rng), dpi, work
    )
    files = []
    for i, page in enumerate(pages):
        files.append(work / f"hand{seed}-{i}.jpg")
        scan(page, rng, dpi).save(files[-1], "JPEG", quality=70, dpi=(dpi, dpi))
    target = work / expected["file"]
    img2pdf(files, target)
    expected["pages"] = {str(n): n for n in range(1, version.page_count + 1)}
    return target, expected


def photograph(page: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo of a printed page: on a desk, at an angle, lit unevenly, JPEG."""
    paper = np.asarray(page.convert("RGB"), dtype=np.float32)
    h, w = paper.shape[:2]
    canvas_w, canvas_h = int(w * 1.35), int(h * 1.3)
    nrng = np.random.default_rng(rng.randrange(2**31))
    desk = np.empty((canvas_h, canvas_w, 3), np.float32)
    tone = np.array([rng.uniform(70, 120), rng.uniform(50, 90), rng.uniform(30, 60)])
    grain = cv2.GaussianBlur(nrng.normal(0, 18, (canvas_h, canvas_w)).astype(np.float32), (0, 0), 6)
    desk[:] = tone
    desk += grain[:, :, None]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    mx, my = (canvas_w - w) / 2, (canvas_h - h) / 2
    spread = 0.06
    placed = np.float32(
        [
            [mx + rng.uniform(-spread, spread) * w, my + rng.uniform(-spread, spread) * h],
            [mx + w + rng.uniform(-spread, spread) * w, my + rng.uniform(-spread, spread) * h],
            [mx + w + rng.uniform(-spread, spread) * w, my + h + rng.uniform(-spread, spread) * h],
            [mx + rng.uniform(-spread, spread) * w, my + h + rng.uniform(-spread, spread) * h],
        ]
    )
    warp = cv2.getPerspectiveTransform(corners, placed)
    flat = cv2.warpPerspective(paper, warp, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), warp, (canvas_w, canvas_h))
    photo = flat * mask[:, :, None] + desk * (1 - mask[:, :, None])
    yy, xx = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / canvas_w + np.sin(angle) * yy / canvas_h) * rng.uniform(0.25, 0.4)
    light = 1.0 - ramp - ramp.min()
    photo = photo * light[:, :, None] * rng.uniform(0.85, 0.95)
    photo += nrng.normal(0, 6, photo.shape)
    photo = cv2.GaussianBlur(photo, (0, 0), 0.8)
    out = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))
    small = out.resize((canvas_w * 2 // 3, canvas_h * 2 // 3), Image.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=80)  # no dpi: phones do not write one
    return Image.open(io.BytesIO(buffer.getvalue()))


def img2pdf(images: list[Path], target: Path) -> None:
    """Wrap image files into a PDF with Debian's img2pdf, as offices do."""
    subprocess.run(["img2pdf", *map(str, images), "-o", str(target)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=Path, default=ROOT.parent.parent / "shared" / "forms")
    parser.add_argument("--out", type=Path, default=ROOT)
    args = parser.parse_args()
    out: Path = args.out
    blank = sorted(args.forms.glob("*2025*-blank.pdf"))[0]
    version = import_blank_form(blank)
    rng = random.Random(20261126)
    hand = Hand(rng)
    written = []
    with tempfile.TemporaryDirectory() as tmpdir:
        work = Path(tmpdir)
        # handwriting, scanned at 200 dpi among supporting pages
        answers = answers_for(version, rng, "pass")
        t = truth("handwritten-2025-binder.pdf", version, "binder", "ocr", answers, True)
        pages = handwritten_pages(blank, version, answers, "Hillcrest Roofing", t, hand, 200, work)
        pages = [scan(p, rng, 200) for p in pages]
        pages.insert(2, scan(supporting_page(rng, "Safety Meeting Minutes - April", 200), rng, 200))
        files = []
        for i, p in enumerate(pages):
            files.append(work / f"hw{i}.jpg")
            p.save(files[-1], "JPEG", quality=70, dpi=(200, 200))
        img2pdf(files, out / t["file"])
        t["pages"] = {str(n): n + (1 if n > 2 else 0) for n in range(1, version.page_count + 1)}
        written.append(t)
        # phone photos
        answers = answers_for(version, rng, "fail_element")
        t = truth("photo-2025-protocol.pdf", version, "protocol", "ocr", answers, True)
        filled, flat = work / "photo.pdf", work / "photo-flat.pdf"
        fill(blank, version, answers, filled, "Ironwood Excavating", t)
        flatten(filled, flat)
        files = []
        for i, p in enumerate(render(flat, 200)):
            files.append(work / f"photo{i}.jpg")
            photograph(p, rng).save(files[-1], "JPEG", quality=85)
        img2pdf(files, out / t["file"])
        t["pages"] = {str(n): n for n in range(1, version.page_count + 1)}
        written.append(t)
        # a scanned binder through OCRmyPDF
        src = ROOT / "scanned-2025-binder-200dpi.pdf"
        if shutil.which("ocrmypdf"):
            subprocess.run(
                [
                    "ocrmypdf",
                    "--quiet",
                    "--jobs",
                    "2",
                    "--output-type",
                    "pdf",
                    str(src),
                    str(out / "ocrlayer-2025-binder.pdf"),
                ],
                check=True,
            )
            base = json.loads((ROOT / "truth" / f"{src.name}.json").read_text())
            written.append({**base, "file": "ocrlayer-2025-binder.pdf"})
    for t in written:
        (out / "truth" / (t["file"] + ".json")).write_text(json.dumps(t, indent=1) + "\n")
    print(f"wrote {len(written)} samples to {out}")


if __name__ == "__main__":
    main()

"""Scanned protocols: find the protocol pages in a binder, straighten them, read the boxes.

triage    every image page as a thumbnail against every blank page in 4 orientations; a page
          that looks only somewhat like one (a sparse form under scanner noise) is confirmed
          by registering it onto that blank page at low resolution
register  ECC (affine) alignment of the upright page onto the blank page
identify  header and footer OCR names the version among look-alike versions; among look-alike
          pages of that version, the page whose printed content the aligned scan matches best
          (question text, ids and labels as drawn, whatever they say)
read      the answer boxes only: points (digits), notes (text), N/A (ink vs the blank)
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium

from ingest import handwriting
from ingest.blanks import BlankForm, blank_for
from ingest.detect import Detection, detect
from ingest.errors import ErrorCode, IngestError
from ingest.extract import paper
from ingest.extract.reading import Reading
from ingest.ocr import Read, clean_text, read_boxes, read_strip
from ingest.pdfdoc import PdfDoc
from ingest.settings import Settings
from review.answers import ExtractedAnswer
from review.protocol import Catalogue, FieldRef, ProtocolVersion, Question

TRIAGE_DPI = 12
ALIGN_DPI = 60
READ_DPI = 300
PROTOCOL_MIN = 0.55  # thumbnail correlation of a protocol page with its blank page
TRIAGE_FLOOR = 0.2  # below this a page is no protocol page; between, registration decides
VERIFY_DPI = 40
VERIFY_BLUR = 1.5  # pixels: a wider basin for ECC on thin lines at low resolution
VERIFIED = 0.6  # ECC correlation of a registered protocol page (seen: 0.78+; records: 0.4-)
VERIFY_TRIES, VERIFY_WINDOW = 3, 0.1  # the likeliest few blank pages are tried
PAGE_NAMED = 0.1  # a band match this far ahead of every other page's: its printed number
SAME_LAYOUT = 0.05  # candidates this close to the best look alike: content decides
CONTENT_DPI = 75
REFINE_ITERATIONS = 10  # ECC from the warp onto a look-alike page
REFINE_TOP = 2  # look-alike pages registered in their own right
REFINE_DPI = 30
COARSE_DPI = 30
BAND = 0.075  # header and footer bands, as a share of the page height
EMPTY_INK = 0.004
TICK_INK = 0.08
TEXT_SCALE = 0.7  # notes, headers and footers are read at ~210 dpi
DIGIT_SCALE = 0.7  # points too: at 300 dpi a written "1" with its flag can read as "4"
HANDWRITING_CERTAIN = 0.9999  # the network's probability it is trusted at on its own
PRINT_SURE = 0.85  # tesseract this sure of another reading: the reviewer decides
HANDWRITING_FLOOR = 0.01  # ... and below which its reading is no reading
DISAGREE = 0.75  # of the low-confidence threshold: readers that disagree send it to review
UNREAD = "?"  # ink in a box that no reader makes a number of
ASPECT_TOLERANCE = 0.05  # a scan's proportions are the paper's
PHOTO_ASPECT_TOLERANCE = 0.2  # a photo's, seen at an angle, are not
MAX_RENDER_PIXELS = 60_000_000  # a page rendered larger is a declared size gone wrong
MARGIN_PT = 3  # boxes are cut this much larger than the form's rectangle


@dataclass(frozen=True)
class Candidate:
    version: str
    page: int
    rotation: int  # np.rot90 turns applied to the scan to make it upright
    score: float


@dataclass
class Identified:
    index: int  # page index in the upload
    version: ProtocolVersion
    page: int
    rotation: int
    warp: np.ndarray  # 2x3, blank pixels at READ_DPI -> upright scan pixels at READ_DPI
    image: np.ndarray  # the page aligned onto the blank at READ_DPI
    to_points: np.ndarray  # 3 x 3: upright scan pixels -> points on the upload (y down)
    upload_height: float
    band_text: str
    score: float


def _normalise(img: np.ndarray) -> np.ndarray:
    img = cv2.GaussianBlur(img.astype(np.float32), (3, 3), 0)
    std = img.std()
    return (img - img.mean()) / (std if std > 1e-6 else 1.0)


class Thumbnails:
    """Normalised thumbnails of every blank page of every version."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.refs: list[tuple[str, int, np.ndarray]] = []
        for v in catalogue.versions.values():
            blank = blank_for(catalogue, v)
            for page in range(1, v.page_count + 1):
                self.refs.append((v.version, page, _normalise(blank.render(page, TRIAGE_DPI))))

    def match(self, thumb: np.ndarray, tolerance: float = ASPECT_TOLERANCE) -> list[Candidate]:
        out = []
        for k in range(4):
            turned = np.rot90(thumb, k)
            aspect = turned.shape[0] / turned.shape[1]
            for version, page, ref in self.refs:
                if abs(aspect - ref.shape[0] / ref.shape[1]) > tolerance:
                    continue
                resized = cv2.resize(
                    turned, (ref.shape[1], ref.shape[0]), interpolation=cv2.INTER_AREA
                )
                out.append(Candidate(version, page, k, float((_normalise(resized) * ref).mean())))
        return sorted(out, key=lambda c: -c.score)


_thumbs: dict[tuple[str, ...], Thumbnails] = {}


def thumbnails(catalogue: Catalogue) -> Thumbnails:
    key = tuple(sorted(v.blank_sha256 for v in catalogue.versions.values()))
    if key not in _thumbs:
        _thumbs[key] = Thumbnails(catalogue)
    return _thumbs[key]


def check_pixels(doc: PdfDoc, index: int, settings: Settings) -> None:
    """Refuse pixel bombs before anything decodes them."""
    page = doc.pdfium[index]
    try:
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            w, h = obj.get_px_size()
            if w * h > settings.max_image_pixels:
                raise IngestError(
                    ErrorCode.UNSAFE,
                    f"Page {index + 1} holds a {w}x{h} pixel image; "
                    "that is too large to process safely.",
                )
    finally:
        page.close()


def render(doc: PdfDoc, index: int, dpi: int) -> np.ndarray:
    """The page's paper at ``dpi``, its scale taken from the paper (see ``paper``)."""
    return paper.picture(doc, index, dpi, MAX_RENDER_PIXELS)[0]


def triage(doc: PdfDoc, index: int, thumbs: Thumbnails) -> list[Candidate]:
    """Candidates for what this page is, the likeliest first; empty when it is no protocol
    page."""
    photo = paper.sheet(doc, index).corners is not None  # proportions seen at an angle
    found = thumbs.match(
        render(doc, index, TRIAGE_DPI), PHOTO_ASPECT_TOLERANCE if photo else ASPECT_TOLERANCE
    )
    if not found or found[0].score < TRIAGE_FLOOR:
        return []
    lead = found[0]
    if lead.score < PROTOCOL_MIN:
        near = [c for c in found[:VERIFY_TRIES] if c.score >= lead.score - VERIFY_WINDOW]
        registered = next((c for c in near if _registers(doc, index, c, thumbs.catalogue)), None)
        if registered is None:
            return []
        lead = registered
    return [lead] + [
        c
        for c in found
        if c is not lead and c.score >= lead.score - SAME_LAYOUT and c.rotation == lead.rotation
    ]


def _ecc(template: np.ndarray, image: np.ndarray, start: np.ndarray) -> tuple[float, np.ndarray]:
    """ECC (affine) of blurred copies, from ``start``; (-1, start) where it does not converge."""
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 1e-4)
    try:
        correlation, warp = cv2.findTransformECC(  # type: ignore[call-overload]
            cv2.GaussianBlur(template.astype(np.float32), (0, 0), VERIFY_BLUR),
            cv2.GaussianBlur(image.astype(np.float32), (0, 0), VERIFY_BLUR),
            start.astype(np.float32),
            cv2.MOTION_AFFINE,
            criteria,
            None,
            5,
        )
    except cv2.error:
        return -1.0, start
    return float(correlation), warp


def _registers(doc: PdfDoc, index: int, candidate: Candidate, catalogue: Catalogue) -> bool:
    """Whether the page aligns onto the candidate blank page: a protocol page with sparse
    print (thin boxes, little text) correlates only weakly as a thumbnail under scanner noise,
    but registers closely; a records page does not register at all. Aligned first at half the
    resolution (a wider basin), then judged at VERIFY_DPI."""
    form = blank_for(catalogue, catalogue.get(candidate.version))
    blank = form.render(candidate.page, VERIFY_DPI)
    scan = np.rot90(render(doc, index, VERIFY_DPI), candidate.rotation)
    scan = cv2.resize(scan, (blank.shape[1], blank.shape[0]), interpolation=cv2.INTER_AREA)
    half = (blank.shape[1] // 2, blank.shape[0] // 2)
    _, warp = _ecc(
        cv2.resize(blank, half, interpolation=cv2.INTER_AREA),
        cv2.resize(scan, half, interpolation=cv2.INTER_AREA),
        np.eye(2, 3, dtype=np.float32),
    )
    warp = warp.copy()
    warp[:, 2] *= 2
    correlation, _ = _ecc(blank, scan, warp)
    return correlation >= VERIFIED


def register(
    upright: np.ndarray,
    blank: np.ndarray,
    start: np.ndarray | None = None,
    iterations: int = 80,
    dpi: int = ALIGN_DPI,
) -> np.ndarray:
    """Affine warp (blank -> scan pixels at READ_DPI) by ECC on low-resolution copies; from
    ``start`` (a warp onto a look-alike page), a few iterations refine it."""
    scale = dpi / READ_DPI
    small, template = _shrink(upright, scale), _shrink(blank, scale)
    if start is None:
        start = _coarse(upright, blank)
    warp = start.astype(np.float32)
    warp[:, 2] *= scale
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-5)
    try:
        _, warp = cv2.findTransformECC(  # type: ignore[call-overload]
            template.astype(np.float32),
            small.astype(np.float32),
            warp,
            cv2.MOTION_AFFINE,
            criteria,
            None,
            5,
        )
    except cv2.error:
        warp = np.eye(2, 3, dtype=np.float32)  # unaligned; the answers will read poorly
    warp = warp.astype(np.float64)
    warp[:, 2] /= scale
    return warp


def _coarse(upright: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """A first warp (at READ_DPI scale) from blurred copies at low resolution: a sparse form
    (thin boxes, little print) shifted by a scanner has too little overlap for ECC to find
    at full detail, but its blurred shape aligns."""
    scale = COARSE_DPI / READ_DPI
    correlation, warp = _ecc(
        _shrink(blank, scale), _shrink(upright, scale), np.eye(2, 3, dtype=np.float32)
    )
    if correlation < 0:
        return np.eye(2, 3, dtype=np.float64)
    warp = warp.astype(np.float64)
    warp[:, 2] /= scale
    return warp


def _shrink(image: np.ndarray, scale: float) -> np.ndarray:
    """``image`` resized by ``scale`` (area averaging keeps thin lines)."""
    size = (int(image.shape[1] * scale), int(image.shape[0] * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _band_crops(aligned: np.ndarray, blank: BlankForm, page: int) -> list[np.ndarray]:
    """Header and footer, cut to where the blank page prints text (less to OCR)."""
    width, height = blank.version.page_sizes[page - 1]
    s = READ_DPI / 72
    crops = []
    for top in (True, False):
        rects = [
            seg.rect
            for seg in blank.segments(page)
            if (seg.rect[1] > height * (1 - BAND)) == top
            and (seg.rect[1] > height * (1 - BAND) or seg.rect[3] < height * BAND)
        ]
        if not rects:
            continue
        x0, x1 = min(r[0] for r in rects) - 10, max(r[2] for r in rects) + 10
        y0, y1 = height - max(r[3] for r in rects) - 8, height - min(r[1] for r in rects) + 8
        crops.append(aligned[max(int(y0 * s), 0) : int(y1 * s), max(int(x0 * s), 0) : int(x1 * s)])
    return crops


def _band_text(blank: BlankForm, page: int) -> str:
    height = blank.version.page_sizes[page - 1][1]
    near = [
        s.text
        for s in blank.segments(page)
        if s.rect[1] > height * (1 - BAND) or s.rect[3] < height * BAND
    ]
    return " ".join(near)


def _content_match(small_scan: np.ndarray, warp: np.ndarray, form: BlankForm, page: int) -> float:
    """How closely the scan, aligned by ``warp``, shows what the blank page prints, answer
    boxes left out (they hold the assessor's writing): correlation at a resolution where text
    lines and their lengths, not their letters, differ from page to page."""
    version = form.version
    printed_img = form.render(page, CONTENT_DPI)
    small = warp.copy()
    small[:, 2] *= CONTENT_DPI / READ_DPI
    a = cv2.warpAffine(
        small_scan,
        small,
        (printed_img.shape[1], printed_img.shape[0]),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderValue=255,
    ).astype(np.float32)
    b = printed_img.astype(np.float32)
    keep = np.ones(a.shape, dtype=bool)
    height = version.page_sizes[page - 1][1]
    s = CONTENT_DPI / 72
    for q in version.questions:
        for ref in (q.awarded, q.notes, q.na):
            if ref is not None and ref.page == page:
                x0, y0, x1, y1 = ref.rect
                keep[
                    int((height - y1) * s) : int((height - y0) * s) + 1,
                    int(x0 * s) : int(x1 * s) + 1,
                ] = False
    seen = cv2.GaussianBlur(a, (3, 3), 0)[keep]
    printed = cv2.GaussianBlur(b, (3, 3), 0)[keep]
    seen, printed = seen - seen.mean(), printed - printed.mean()
    denominator = float(np.sqrt((seen * seen).sum() * (printed * printed).sum()))
    return float((seen * printed).sum()) / denominator if denominator else 0.0


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _band_match(seen: str, expected: str) -> float:
    """How well OCR'd header/footer text fits a blank page's; printed numbers (version, page
    number) weigh most, since look-alike pages differ only in them."""
    ratio = difflib.SequenceMatcher(None, _squash(seen), _squash(expected)).ratio()
    want = Counter(re.findall(r"\d+", expected))
    have = Counter(re.findall(r"\d+", seen))
    numbers = sum((want & have).values()) / sum(want.values()) if want else 0.0
    return ratio + numbers


def _warped(scan: np.ndarray, warp: np.ndarray, blank_img: np.ndarray) -> np.ndarray:
    return cv2.warpAffine(
        scan,
        warp,
        (blank_img.shape[1], blank_img.shape[0]),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderValue=255,
    )


def _aligned(scan: np.ndarray, form: BlankForm, page: int) -> tuple[np.ndarray, np.ndarray]:
    """The upright scan registered onto a blank page: (warp, aligned image at READ_DPI)."""
    blank_img = form.render(page, READ_DPI)
    warp = register(scan, blank_img)
    return warp, _warped(scan, warp, blank_img)


def identify(
    doc: PdfDoc, index: int, candidates: list[Candidate], catalogue: Catalogue
) -> Identified:
    """Which version and page a protocol page is. The header and footer text (OCR) names the
    version among look-alike versions; among look-alike pages of that version, each is
    registered in turn and the one whose print the scan matches best wins: nothing is assumed
    of how pages are labelled or questions numbered. The caller checked the page's pixels."""
    first = blank_for(catalogue, catalogue.get(candidates[0].version))
    width, height = first.version.page_sizes[candidates[0].page - 1]
    size = (height, width) if candidates[0].rotation % 2 else (width, height)
    image, to_points = paper.picture(doc, index, READ_DPI, MAX_RENDER_PIXELS, size)
    scan = np.rot90(image, candidates[0].rotation)
    warp, aligned = _aligned(scan, first, candidates[0].page)
    reads = read_strip(_band_crops(aligned, first, candidates[0].page), scale=TEXT_SCALE)
    seen = " ".join(r.text for r in reads)
    scored = sorted(
        (
            (
                _band_match(
                    seen, _band_text(blank_for(catalogue, catalogue.get(c.version)), c.page)
                ),
                i,
                c,
            )
            for i, c in enumerate(candidates)
        ),
        key=lambda t: (-t[0], t[1]),
    )
    best_score, _, best = scored[0]
    pages = sorted({c.page for c in candidates if c.version == best.version})
    runner_up = max(
        (m for m, _, c in scored if c.version == best.version and c.page != best.page), default=None
    )
    if runner_up is not None and best_score - runner_up >= PAGE_NAMED:
        pages = [best.page]  # the page prints its number ("Page 2 of 6") and OCR read it
    if len(pages) > 1:
        form = blank_for(catalogue, catalogue.get(best.version))
        first_key = (candidates[0].version, candidates[0].page)
        small_scan = _shrink(scan, CONTENT_DPI / READ_DPI)

        # a first look through the warp onto the first page; the likeliest few other pages
        # are then registered in their own right (a warp onto a look-alike page can stretch
        # the scan to fit it, which flatters that page)
        first_look = sorted(
            ((_content_match(small_scan, warp, form, page), page) for page in pages),
            reverse=True,
        )
        options = []
        for look, page in first_look:
            if (best.version, page) == first_key:
                options.append((look, page, warp))
            elif len(options) < REFINE_TOP or page in [p for _, p in first_look[:REFINE_TOP]]:
                mine = register(
                    scan, form.render(page, READ_DPI), warp, REFINE_ITERATIONS, REFINE_DPI
                )
                options.append((_content_match(small_scan, mine, form, page), page, mine))
        _, page, chosen = max(options, key=lambda o: o[0])
        if (best.version, page) != first_key:  # the winner registered properly, once
            blank_img = form.render(page, READ_DPI)
            warp = register(scan, blank_img, chosen)
            aligned = _warped(scan, warp, blank_img)
        best = Candidate(best.version, page, best.rotation, best.score)
    elif (best.version, best.page) != (candidates[0].version, candidates[0].page):
        warp, aligned = _aligned(scan, blank_for(catalogue, catalogue.get(best.version)), best.page)
    return Identified(
        index,
        catalogue.get(best.version),
        best.page,
        best.rotation,
        warp,
        aligned,
        to_points @ _unturn(candidates[0].rotation, scan.shape[:2]),
        doc.size(index)[1],
        seen,
        best_score,
    )


def _px(
    rect: tuple[float, float, float, float], height: float, inset: tuple[float, float]
) -> tuple[int, int, int, int]:
    """Pixel box at READ_DPI, shrunk by ``inset`` points on each side (negative grows it)."""
    s = READ_DPI / 72
    x0, y0, x1, y1 = rect
    dx, dy = inset
    return (
        int((x0 + dx) * s),
        int((height - y1 + dy) * s),
        int((x1 - dx) * s),
        int((height - y0 - dy) * s),
    )


def _to_upload(
    page: Identified, rect: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """A blank-form rectangle as a rectangle on the uploaded page (PDF points)."""
    s = READ_DPI / 72
    height = page.version.page_sizes[page.page - 1][1]
    corners = [(rect[0], rect[1]), (rect[2], rect[3]), (rect[0], rect[3]), (rect[2], rect[1])]
    xs, ys = [], []
    for x, y in corners:
        sx, sy = page.warp @ np.array([x * s, (height - y) * s, 1.0])
        ux, uy, w = page.to_points @ np.array([sx, sy, 1.0])
        xs.append(ux / w)
        ys.append(page.upload_height - uy / w)
    return min(xs), min(ys), max(xs), max(ys)


def _unturn(turns: int, shape: tuple[int, int]) -> np.ndarray:
    """3 x 3 matrix from pixels of ``np.rot90(image, turns)`` back to pixels of ``image``
    (``shape`` is the turned image's)."""
    h, w = shape
    out = np.eye(3)
    for _ in range(turns % 4):  # undo one quarter turn at a time: rot90's (x, y) came from
        out = np.array([[0.0, -1.0, h - 1], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]) @ out
        h, w = w, h  # (h - 1 - y, x) of the image before the turn
    return out


def interior(crop: np.ndarray) -> np.ndarray:
    """The inside of a printed box: find its border rows and columns, keep what is between.

    Working from the box's own border makes the read immune to a few pixels of residual
    misregistration; where no border is found the crop is returned as it is.
    """
    if crop.size == 0:
        return crop
    _, bw = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    dark = bw < 128
    rows, cols = dark.mean(axis=1), dark.mean(axis=0)
    h, w = crop.shape

    reach = int(MARGIN_PT * 2.5 * READ_DPI / 72)  # borders lie within the grown margin

    def edge(profile: np.ndarray, from_start: bool) -> int | None:
        """Inner edge of the first near-solid line met coming in from one side."""
        n = len(profile)
        steps = range(min(reach, n)) if from_start else range(n - 1, max(n - 1 - reach, -1), -1)
        seen = None
        for i in steps:
            if profile[i] > 0.6:
                seen = i
            elif seen is not None:
                break
        return seen

    top, bottom = edge(rows, True), edge(rows, False)
    left, right = edge(cols, True), edge(cols, False)
    y0 = top + 3 if top is not None else 0
    y1 = bottom - 2 if bottom is not None else h
    x0 = left + 3 if left is not None else 0
    x1 = right - 2 if right is not None else w
    if y1 - y0 < 8 or x1 - x0 < 8:
        return crop
    return crop[y0:y1, x0:x1]


def _ink(img: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    crop = img[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)]
    return float((crop < 140).mean()) if crop.size else 0.0


def read_page(
    page: Identified, blank: BlankForm, low_confidence: float
) -> tuple[list[ExtractedAnswer], dict[str, dict[str, str]], dict[str, str]]:
    version, img = page.version, page.image
    height = version.page_sizes[page.page - 1][1]
    base = blank.render(page.page, READ_DPI)
    questions = [q for q in version.questions if q.awarded.page == page.page]

    def crop(ref: FieldRef, inset: tuple[float, float]) -> tuple[np.ndarray, float]:
        """The box's interior and how much more ink it holds than on the blank form."""
        x0, y0, x1, y1 = _px(ref.rect, height, (-MARGIN_PT, -MARGIN_PT))
        inside = interior(img[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)])
        blank = interior(base[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)])
        extra = float((inside < 140).mean() if inside.size else 0) - float(
            (blank < 140).mean() if blank.size else 0
        )
        return inside, extra

    points, notes, ticks = [], [], []
    for q in questions:
        c, extra = crop(q.awarded, (0.8, 1.5))
        points.append((c, extra))
        # a stem's one "Notes:" area may lie on the next page: read there (see read_scanned)
        mine = q.notes is not None and q.notes.page == page.page
        notes.append(crop(q.notes, (0.8, 0.8))[0] if q.notes and mine else None)
        ticks.append(crop(q.na, (2.5, 2.5))[1] if q.na else None)
    filled = [i for i, (_, extra) in enumerate(points) if extra > EMPTY_INK]
    digit_reads = dict(
        zip(
            filled,
            read_boxes([points[i][0] for i in filled], digits=True, scale=DIGIT_SCALE, check=True),
        )
    )
    note_idx = [i for i, n in enumerate(notes) if n is not None]
    note_crops = [n for n in notes if n is not None]
    note_reads = dict(zip(note_idx, read_strip(note_crops, scale=TEXT_SCALE)))
    answers = []
    for i, q in enumerate(questions):
        tick = ticks[i]
        na = tick is not None and tick > TICK_INK
        tick_conf = 1.0 if tick is None else min(1.0, 0.6 + abs(tick - TICK_INK) * 5)
        if i in digit_reads:
            raw, conf = _points(digit_reads[i], points[i][0], q, low_confidence)
            if na and raw == UNREAD:  # "N/A" written in the box as well as ticked
                raw, conf = "", tick_conf
        else:
            raw, conf = "", 0.97
        note = note_reads.get(i)
        answers.append(
            ExtractedAnswer.read(
                q.id,
                raw,
                na,
                clean_text(note.text) if note else "",
                "ocr",
                min(conf, tick_conf),
                page.index + 1,
                _to_upload(page, q.awarded.rect),
            )
        )
    summary = _read_summary(page, crop, low_confidence)
    cover = _read_cover(page, crop)
    return answers, summary, cover


def _points(
    printed: Read, crop: np.ndarray, q: Question, low_confidence: float
) -> tuple[str, float]:
    """Points written in a box, by two readers: tesseract (print) and the handwriting
    network. Where they agree, the reading stands. Where they differ, the network's reading
    of an allowed number is taken (on handwritten samples it was right in 98% of boxes,
    tesseract in 43%): as it stands where the network is certain and tesseract unsure, else
    for the reviewer to confirm (confidence under the threshold). A box with ink that neither can make a number
    of is unread (``?``, confidence 0: a flag, never 0 points)."""
    # Border remnants read as dots or slashes at the ends; "2.5" keeps its point.
    typed = printed.text.replace(" ", "").strip("./")
    allowed = [str(v) for v in q.points.choices()]
    written = handwriting.read_points(crop, allowed)
    if written.confidence < HANDWRITING_FLOOR:  # ink the network makes no digits of ("N/A")
        written = handwriting.Reading("", 0.0)
    if typed and typed == written.text:
        return typed, max(printed.confidence, written.confidence)
    if (
        written.text in allowed
        and written.confidence >= HANDWRITING_CERTAIN
        and printed.confidence < PRINT_SURE
    ):
        return written.text, written.confidence  # handwriting, which tesseract misreads
    if written.text in allowed:  # the network misreads handwriting far less than tesseract
        return written.text, min(written.confidence, low_confidence * DISAGREE)
    if typed:
        return typed, min(printed.confidence, low_confidence * DISAGREE)
    if written.text:
        return written.text, min(written.confidence, low_confidence * DISAGREE)
    return UNREAD, 0.0


def _read_summary(
    page: Identified, crop: Callable[..., tuple[np.ndarray, float]], low_confidence: float
) -> dict[str, dict[str, str]]:
    """The assessor's summary figures. One that OCR is unsure of is left out: the summary only
    cross-checks the assessor's arithmetic, and a misread figure must not accuse them of a
    mismatch (the answers themselves are scored and flagged on their own)."""
    version = page.version
    rows = {e.key: e.summary for e in version.elements if e.summary}
    if version.overall:
        rows["overall"] = version.overall
    wanted = [
        (key, col, ref)
        for key, refs in rows.items()
        for col, ref in refs.items()
        if ref.page == page.page
    ]
    if not wanted:
        return {}
    reads = read_boxes([crop(ref, (0.8, 1.5))[0] for _, _, ref in wanted], digits=True)
    out: dict[str, dict[str, str]] = {}
    for (key, col, _), read in zip(wanted, reads):
        text = read.text.replace(" ", "")
        if read.confidence >= low_confidence and _possible(col, text):
            out.setdefault(key, {})[col] = text
    return out


def _possible(column: str, text: str) -> bool:
    """Whether a summary figure could have been written: a percent over 100 is a decimal
    point OCR lost ("84.0" read "840"), not the assessor's arithmetic."""
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        return False
    return not (column == "percent" and value > 100)


def _read_cover(page: Identified, crop: Callable[..., tuple[np.ndarray, float]]) -> dict[str, str]:
    wanted = [
        (role, ref)
        for role, ref in page.version.cover.items()
        if ref.page == page.page and ref.kind == "text"
    ]
    reads = read_strip([crop(ref, (0.8, 1.5))[0] for _, ref in wanted], scale=TEXT_SCALE)
    return {role: clean_text(read.text) for (role, _), read in zip(wanted, reads)}


def _shared_notes(
    version: ProtocolVersion, answers: dict[str, ExtractedAnswer]
) -> dict[str, ExtractedAnswer]:
    """Notes read in a "Notes:" area on another page than the question's points box: taken
    from the sub-question read on the area's own page."""
    by_field = {
        q.notes.name: answers[q.id].notes
        for q in version.questions
        if q.notes and q.notes.page == q.awarded.page and q.id in answers
    }
    return {
        qid: (
            dataclasses.replace(a, notes=by_field.get(q.notes.name, ""))
            if (q := version.question(qid)).notes and q.notes.page != q.awarded.page
            else a
        )
        for qid, a in answers.items()
    }


def read_scanned(
    doc: PdfDoc,
    catalogue: Catalogue,
    settings: Settings,
    progress: Callable[[int, int], None],
    pages: list[int],
    detection: Detection,
) -> tuple[Detection, Reading | None]:
    thumbs = thumbnails(catalogue)
    found: dict[tuple[str, int], Identified] = {}
    total = len(pages)
    for n, index in enumerate(pages, start=1):
        check_pixels(doc, index, settings)
        candidates = triage(doc, index, thumbs)
        if candidates:
            page = identify(doc, index, candidates, catalogue)
            key = (page.version.version, page.page)
            if key not in found or found[key].score < page.score:
                found[key] = page
        progress(n, total)
    if not found:
        return detection, None
    printed = " ".join(p.band_text for p in found.values())
    by_ocr = detect(catalogue, printed=printed)
    majority = Counter(v for v, _ in found).most_common(1)[0][0]
    if by_ocr.version is None and "not a known version" in " ".join(by_ocr.evidence):
        return by_ocr, None
    version = by_ocr.version or catalogue.get(majority)
    result = (
        by_ocr
        if by_ocr.version
        else Detection(
            version, catalogue.is_current(version.version), 0.6, ("page layout and header text",)
        )
    )
    blank = blank_for(catalogue, version)
    answers: dict[str, ExtractedAnswer] = {}
    summary: dict[str, dict[str, str]] = {}
    cover: dict[str, str] = {}
    for (v, _), page in sorted(found.items(), key=lambda kv: kv[0][1]):
        if v != version.version:
            continue
        got, rows, fields = read_page(page, blank, settings.low_confidence)
        answers.update({a.question: a for a in got})
        summary.update(rows)
        cover.update(fields)
    answers = _shared_notes(version, answers)
    ordered = [
        answers.get(q.id) or ExtractedAnswer.read(q.id, "", False, "", "ocr", 0.0)
        for q in version.questions
    ]
    mapping = {p: page.index + 1 for (v, p), page in found.items() if v == version.version}
    turns = {
        page.index + 1: page.rotation % 4
        for (v, _), page in found.items()
        if v == version.version and page.rotation % 4
    }
    return result, Reading("ocr", ordered, summary, cover, mapping, turns=turns)

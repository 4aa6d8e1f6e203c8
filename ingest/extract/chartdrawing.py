"""The drawing of an organisation chart: its boxes, and which boxes the connectors join.

Works on a picture of the page (a PDF exported from Word, PowerPoint or Visio, rendered, or
a scan), so that every way of drawing a line (strokes, thin rectangles, elbow paths, bus
bars shared by several boxes) is the same ink: boxes are the rectangles of ink, connectors
the ink left outside them, and a connector joins the boxes it touches. The box highest on
the page of those a connector joins is the one the others report to.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Rect = tuple[int, int, int, int]  # pixels: x0, y0, x1, y1 (y downwards)

BOX_MIN_AREA = 0.001  # of the page: smaller rectangles are letters or ticks
BOX_MAX_AREA = 0.15  # ... larger ones are frames around the chart
RECTANGULAR = 0.85  # contour area over its bounding rectangle's
TOUCH = 0.004  # of the page's longer side: ink this near a box's edge touches it
LINE_MIN = 12  # pixels: a connector is at least this long


@dataclass(frozen=True)
class Drawing:
    boxes: list[Rect]
    parent: dict[int, int]  # box index -> the index of the box it reports to


def _ink(gray: np.ndarray) -> np.ndarray:
    _, dark = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return dark


def find_boxes(gray: np.ndarray) -> list[Rect]:
    """Rectangles drawn on the page (outlined or filled), outermost of nested duplicates."""
    dark = _ink(gray)
    closed = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    page = gray.shape[0] * gray.shape[1]
    found: list[Rect] = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        area = w * h
        if not BOX_MIN_AREA * page <= area <= BOX_MAX_AREA * page or min(w, h) < 12:
            continue
        if cv2.contourArea(c) < RECTANGULAR * area:
            continue
        found.append((x, y, x + w, y + h))
    found.sort(key=lambda r: -(r[2] - r[0]) * (r[3] - r[1]))
    kept: list[Rect] = []
    for r in found:
        if not any(_inside(r, k) for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: (r[1], r[0]))


def _inside(inner: Rect, outer: Rect, slack: int = 8) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def links(gray: np.ndarray, boxes: list[Rect]) -> list[set[int]]:
    """For each connector, the boxes it touches."""
    dark = _ink(gray)
    near = max(3, int(TOUCH * max(gray.shape)))
    edge = near // 2  # a box's border is as thick as a printed line, skew included
    for x0, y0, x1, y1 in boxes:  # the boxes and all they hold are not connectors
        dark[max(y0 - edge, 0) : y1 + edge + 1, max(x0 - edge, 0) : x1 + edge + 1] = 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(  # type: ignore[call-overload]
        dark, connectivity=8
    )
    long = {i for i in range(1, count) if max(stats[i, 2], stats[i, 3]) >= LINE_MIN}
    out = []
    touched: dict[int, set[int]] = {}
    for b, (x0, y0, x1, y1) in enumerate(boxes):
        ring = labels[max(y0 - near, 0) : y1 + near + 1, max(x0 - near, 0) : x1 + near + 1]
        for label in set(np.unique(ring).tolist()) & long:
            touched.setdefault(label, set()).add(b)
    for group in touched.values():
        if len(group) >= 2:
            out.append(group)
    return out


def tree(boxes: list[Rect], joined: list[set[int]], slack: int = 5) -> dict[int, int]:
    """Who reports to whom: in each connector's group, the highest box is the others'
    manager; a box joined to several higher boxes reports to the nearest above it."""
    parent: dict[int, int] = {}
    gap: dict[int, int] = {}
    for group in joined:
        top = min(group, key=lambda b: (boxes[b][1], boxes[b][0]))
        for b in group:
            below = boxes[b][1] - boxes[top][3]
            if b == top or below < -slack:
                continue
            if b not in parent or below < gap[b]:
                parent[b], gap[b] = top, below
    return parent


def read_drawing(gray: np.ndarray) -> Drawing:
    boxes = find_boxes(gray)
    return Drawing(boxes, tree(boxes, links(gray, boxes)))

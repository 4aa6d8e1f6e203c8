"""A blank form's page with every box the importer placed outlined and labelled, so that staff
can check the structure before they activate a version."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import ImageDraw

from ingest.pdfium_lock import render_page
from review.protocol import FieldRef, ProtocolVersion

PREVIEW_DPI = 110
#: Outline colour per role (chosen for contrast on white paper).
COLOURS = {
    "points": (0, 90, 200),
    "notes": (110, 110, 110),
    "na": (200, 90, 0),
    "summary": (0, 130, 60),
    "cover": (130, 40, 160),
}


def placed_boxes(version: ProtocolVersion, page: int) -> list[tuple[str, str, FieldRef]]:
    """(role, label, field) for every box the version places on ``page``."""
    boxes: list[tuple[str, str, FieldRef]] = []
    for q in version.questions:
        for role, ref in (("points", q.awarded), ("notes", q.notes), ("na", q.na)):
            if ref is not None and ref.page == page:
                boxes.append((role, q.id if role == "points" else f"{q.id} {role}", ref))
    rows = {f"{e.label or e.key}": e.summary for e in version.elements} | {
        "overall": version.overall
    }
    for key, refs in rows.items():
        for column, ref in refs.items():
            if ref.page == page:
                boxes.append(("summary", f"{key} {column}", ref))
    for role, ref in version.cover.items():
        if ref.page == page:
            boxes.append(("cover", role.replace("_", " "), ref))
    return boxes


def preview_png(blank: Path, version: ProtocolVersion, page: int) -> bytes:
    """The page rendered with its boxes outlined and labelled, as PNG bytes."""
    scale = PREVIEW_DPI / 72
    rendered, (_, height) = render_page(blank, page, scale, what="blank form")
    image = rendered.convert("RGB")
    draw = ImageDraw.Draw(image)
    for role, label, ref in placed_boxes(version, page):
        x0, y0, x1, y1 = ref.rect
        box = (x0 * scale, (height - y1) * scale, x1 * scale, (height - y0) * scale)
        colour = COLOURS[role]
        draw.rectangle(box, outline=colour, width=3)
        text_at = (box[0] + 2, max(box[1] - 12, 0))
        draw.rectangle(
            (text_at[0] - 1, text_at[1], text_at[0] + 6 * len(label) + 2, text_at[1] + 11),
            fill=(255, 255, 255),
        )
        draw.text(text_at, label, fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()

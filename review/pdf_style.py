"""The certifying body's documents (certificates, QA reports) share their fonts: DejaVu where
Debian ships it (accented company names), ReportLab's Helvetica otherwise."""

from __future__ import annotations

import functools

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@functools.cache
def fonts() -> tuple[str, str]:
    """(regular, bold) font names registered with ReportLab."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        pdfmetrics.registerFont(TTFont("DejaVu", DEJAVU))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", DEJAVU_BOLD))
    except (OSError, TTFError):
        return "Helvetica", "Helvetica-Bold"
    return "DejaVu", "DejaVu-Bold"

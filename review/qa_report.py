"""The QA report of a decided audit, as the certifying body sends it: the element table, the
actionable notes, the decision; a PDF the employer downloads."""

from __future__ import annotations

import io
from typing import Any

from review.models import ReviewNote, Submission, SubmissionStatus
from review.pdf_style import fonts

DECIDED = (
    SubmissionStatus.ACCEPTED,
    SubmissionStatus.REJECTED,
    SubmissionStatus.REVISION_REQUESTED,
    SubmissionStatus.RETURNED,
)
DECISION_WORDS = {
    SubmissionStatus.ACCEPTED: "Accepted: quality assurance review complete",
    SubmissionStatus.REJECTED: "Not accepted: the audit is not eligible",
    SubmissionStatus.REVISION_REQUESTED: "Revision requested",
    SubmissionStatus.RETURNED: "Returned without a quality review (outdated or unrecognised form)",
}


def qa_report_pdf(
    sub: Submission, company_name: str, audit_number: str | None, notes: list[ReviewNote]
) -> bytes:
    """The report as a PDF (ReportLab's page templates: a table that breaks over pages)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14)
    heading = ParagraphStyle("heading", fontName=bold, fontSize=16, leading=20, spaceAfter=6)
    sub_heading = ParagraphStyle("sub", fontName=bold, fontSize=12, leading=16, spaceBefore=10)
    score: dict[str, Any] = sub.score or {}
    story: list[Any] = [
        Paragraph("SECOR quality assurance report", heading),
        Paragraph(
            f"{_esc(company_name)} · audit {_esc(audit_number or '-')} · submission {sub.id}, "
            f"revision {sub.revision} · protocol {_esc(sub.protocol_version or '-')}",
            body,
        ),
        Spacer(1, 8),
        Paragraph(
            f"Decision: {DECISION_WORDS.get(SubmissionStatus(sub.status), sub.status)}", sub_heading
        ),
    ]
    if sub.decision_reason:
        story.append(Paragraph(_esc(sub.decision_reason), body))
    if score.get("elements"):
        rows = [["Element", "Awarded", "Available", "Percent", "Result"]]
        for e in score["elements"]:
            percent = "N/A" if e.get("percent") is None else f"{e['percent']:.1f}%"
            rows.append(
                [
                    Paragraph(_esc(f"{e.get('element')}. {e.get('name', '')}"), body),
                    str(e.get("awarded")),
                    str(e.get("available")),
                    percent,
                    "pass" if e.get("passed") else "below the minimum",
                ]
            )
        overall = score.get("overall") or {}
        total = overall.get("percent")
        rows.append(
            [
                "Overall",
                str(overall.get("awarded")),
                str(overall.get("available")),
                "N/A" if total is None else f"{total:.1f}%",
                "PASS" if score.get("passed") else "FAIL",
            ]
        )
        table = Table(rows, colWidths=[250, 60, 65, 60, 70], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), regular, 9),
                    ("FONT", (0, 0), (-1, 0), bold, 9),
                    ("FONT", (0, -1), (-1, -1), bold, 9),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [Paragraph("Scores", sub_heading), table]
        story.append(
            Paragraph(
                "A SECOR needs the protocol's pass mark overall and its minimum in every element; "
                "questions marked N/A are left out of both sides.",
                body,
            )
        )
    actionable = [n for n in notes if n.kind == "actionable"]
    informational = [n for n in notes if n.kind == "informational"]
    for title, items in (("What must change", actionable), ("For your information", informational)):
        if items:
            story.append(Paragraph(title, sub_heading))
            story += [Paragraph("• " + _esc(n.text), body) for n in items]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=letter, title=f"SECOR QA report - {company_name}", author="SECOR review"
    ).build(story)
    return buffer.getvalue()


def _esc(text: str) -> str:
    """Text for ReportLab's little markup language."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

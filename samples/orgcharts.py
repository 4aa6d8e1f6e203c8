"""Organisation charts drawn the ways small companies draw them, each with ground truth.

    python samples/orgcharts.py [--out DIR]

One company (accented and hyphenated names, three levels) drawn as: a Word table with a
"Reports to" column, a bulleted list nested by level, Word SmartArt (its hierarchy in
``word/diagrams/data1.xml``), Word shapes joined by connectors, a PDF of boxes and elbow
connectors with centred text (as Visio and PowerPoint export), a PDF with titles above
names in filled boxes, a scan of a printed chart, and a PDF listing "Last, First - Title
(reports to ...)". ``truth/orgchart-*.json`` holds every person with title and manager.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

COMPANY = "Gagné Contracting Ltd."
PEOPLE: list[tuple[str, str, str | None]] = [
    ("Élise Gagné", "Owner / President", None),
    ("Marc Côté-Lavoie", "Operations Manager", "Élise Gagné"),
    ("Shauna Eriksen", "Office Manager", "Élise Gagné"),
    ("Tom O'Brien", "Field Supervisor", "Marc Côté-Lavoie"),
    ("Priya Nair", "Safety Coordinator", "Marc Côté-Lavoie"),
    ("Luis Ortega", "Welder", "Tom O'Brien"),
    ("Amy Chen", "Equipment Operator", "Tom O'Brien"),
    ("Sam Okafor", "Labourer", "Tom O'Brien"),
    ("Jo Tremblay", "Dispatcher", "Shauna Eriksen"),
]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _children(boss: str | None) -> list[tuple[str, str, str | None]]:
    return [p for p in PEOPLE if p[2] == boss]


def _levels() -> list[list[tuple[str, str, str | None]]]:
    levels = [_children(None)]
    while True:
        nxt = [c for p in levels[-1] for c in _children(p[0])]
        if not nxt:
            return levels
        levels.append(nxt)


def truth(file: str) -> dict:
    return {
        "file": file,
        "kind": "org_chart",
        "people": [{"name": n, "title": t, "reports_to": b} for n, t, b in PEOPLE],
    }


# ---------------------------------------------------------------------------- Word files


def docx_table(target: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading(f"{COMPANY} - Organization Chart", level=1)
    d.add_paragraph("Updated March 2025")
    table = d.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Name", "Position", "Reports to")):
        cell.text = text
    for name, title, boss in PEOPLE:
        row = table.add_row()
        row.cells[0].text, row.cells[1].text, row.cells[2].text = name, title, boss or ""
    d.save(str(target))


def docx_list(target: Path) -> None:
    import docx
    from docx.shared import Inches

    d = docx.Document()
    d.add_heading("Organizational Structure", level=1)

    def add(person: tuple[str, str, str | None], depth: int) -> None:
        item = d.add_paragraph(f"{person[0]} – {person[1]}", style="List Bullet")
        item.paragraph_format.left_indent = Inches(0.25 + 0.5 * depth)
        for child in _children(person[0]):
            add(child, depth + 1)

    for top in _children(None):
        add(top, 0)
    d.add_paragraph("Legend: solid lines are direct reports.")
    d.save(str(target))


_NS = (
    'xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
)


def _smartart_data() -> str:
    pts = [
        '<dgm:pt modelId="{0}" type="doc"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p/></dgm:t></dgm:pt>'
    ]
    cxns = []
    ids = {name: f"{{{i + 1}}}" for i, (name, _, _) in enumerate(PEOPLE)}
    for n, (name, title, boss) in enumerate(PEOPLE):
        pts.append(
            f'<dgm:pt modelId="{ids[name]}"><dgm:prSet phldrT="[Text]"/><dgm:spPr/><dgm:t>'
            f'<a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang="en-CA"/><a:t>{name}</a:t></a:r></a:p>'
            f'<a:p><a:r><a:rPr lang="en-CA"/><a:t>{title}</a:t></a:r></a:p></dgm:t></dgm:pt>'
        )
        src = ids[boss] if boss else "{0}"
        par, sib = f"{{P{n}}}", f"{{S{n}}}"
        pts.append(
            f'<dgm:pt modelId="{par}" type="parTrans" cxnId="{{C{n}}}"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p/></dgm:t></dgm:pt>'
        )
        pts.append(
            f'<dgm:pt modelId="{sib}" type="sibTrans" cxnId="{{C{n}}}"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p/></dgm:t></dgm:pt>'
        )
        cxns.append(
            f'<dgm:cxn modelId="{{C{n}}}" srcId="{src}" destId="{ids[name]}" srcOrd="{n}" '
            f'destOrd="0" parTransId="{par}" sibTransId="{sib}"/>'
        )
        cxns.append(
            f'<dgm:cxn modelId="{{X{n}}}" type="presOf" srcId="{ids[name]}" destId="{{Q{n}}}" srcOrd="0" destOrd="0"/>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<dgm:dataModel {_NS}>'
        f"<dgm:ptLst>{''.join(pts)}</dgm:ptLst><dgm:cxnLst>{''.join(cxns)}</dgm:cxnLst>"
        "<dgm:bg/><dgm:whole/></dgm:dataModel>"
    )


def docx_smartart(target: Path) -> None:
    """A Word document holding a SmartArt organisation chart (its data part as Word writes
    it: nodes, their transitions and the parent links)."""
    import docx

    d = docx.Document()
    d.add_heading(f"{COMPANY} Organization Chart", level=1)
    d.add_paragraph("Effective January 2025")
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.docx"
        d.save(str(plain))
        with (
            zipfile.ZipFile(plain) as src,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
        ):
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(
                        b"</Types>",
                        b'<Override PartName="/word/diagrams/data1.xml" ContentType="application/'
                        b'vnd.openxmlformats-officedocument.drawingml.diagramData+xml"/></Types>',
                    )
                if item.filename == "word/_rels/document.xml.rels":
                    data = data.replace(
                        b"</Relationships>",
                        b'<Relationship Id="rIdDgm1" Type="http://schemas.openxmlformats.org/'
                        b'officeDocument/2006/relationships/diagramData" Target="diagrams/data1.xml"/>'
                        b"</Relationships>",
                    )
                out.writestr(item, data)
            out.writestr("word/diagrams/data1.xml", _smartart_data())


def _shape(i: int, x: int, y: int, w: int, h: int, lines: list[str]) -> str:
    paras = "".join(
        f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>'
        for t in lines
    )
    return (
        f'<wps:wsp><wps:cNvPr id="{i}" name="Box {i}"/><wps:cNvSpPr/><wps:spPr>'
        f'<a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx><w:txbxContent>{paras}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
    )


def _connector(i: int, x0: int, y0: int, x1: int, y1: int, start: int, end: int) -> str:
    flip_h = ' flipH="1"' if x1 < x0 else ""
    x, w = min(x0, x1), abs(x1 - x0)
    return (
        f'<wps:wsp><wps:cNvPr id="{i}" name="Elbow Connector {i}"/><wps:cNvCnPr>'
        f'<a:stCxn id="{start}" idx="2"/><a:endCxn id="{end}" idx="0"/></wps:cNvCnPr><wps:spPr>'
        f'<a:xfrm{flip_h}><a:off x="{x}" y="{y0}"/><a:ext cx="{w}" cy="{y1 - y0}"/></a:xfrm>'
        '<a:prstGeom prst="bentConnector3"><a:avLst/></a:prstGeom></wps:spPr><wps:bodyPr/></wps:wsp>'
    )


def docx_shapes(target: Path) -> None:
    """Shapes with text joined by elbow connectors in one Word drawing group."""
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    d.add_heading("Organization Chart", level=1)
    box_w, box_h, gap_x, gap_y = 1_500_000, 500_000, 200_000, 500_000
    spots: dict[str, tuple[int, int]] = {}
    for depth, level in enumerate(_levels()):
        width = len(level) * box_w + (len(level) - 1) * gap_x
        for k, (name, _, _) in enumerate(level):
            spots[name] = (4_000_000 - width // 2 + k * (box_w + gap_x), depth * (box_h + gap_y))
    shapes, ids = [], {}
    for i, (name, title, _) in enumerate(PEOPLE, start=1):
        ids[name] = i
        x, y = spots[name]
        shapes.append(_shape(i, x, y, box_w, box_h, [name, title]))
    for j, (name, _, boss) in enumerate(PEOPLE, start=100):
        if boss:
            (bx, by), (cx, cy) = spots[boss], spots[name]
            shapes.append(
                _connector(
                    j, bx + box_w // 2, by + box_h, cx + box_w // 2, cy, ids[boss], ids[name]
                )
            )
    xml = (
        '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<w:r><w:drawing><wp:inline><wp:extent cx="8000000" cy="3000000"/>'
        '<wp:docPr id="1" name="Group 1"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup"><wpg:wgp>'
        '<wpg:cNvGrpSpPr/><wpg:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="8000000" '
        'cy="3000000"/><a:chOff x="0" y="0"/><a:chExt cx="8000000" cy="3000000"/></a:xfrm>'
        f"</wpg:grpSpPr>{''.join(shapes)}</wpg:wgp></a:graphicData></a:graphic></wp:inline>"
        "</w:drawing></w:r></w:p>"
    )
    d.element.body.insert(len(d.element.body) - 1, parse_xml(xml))
    d.save(str(target))


# ----------------------------------------------------------------------------- PDF files


def _pdf_chart(target: Path, title_above: bool, filled: bool) -> None:
    """Boxes with centred text and elbow connectors over a bus bar, as Visio, PowerPoint and
    Word export a chart to PDF; the chart's title and a date above, a legend below."""
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", FONT_BOLD))
    width, height = landscape(letter)
    c = canvas.Canvas(str(target), pagesize=(width, height))
    c.setFont("DejaVu-Bold", 18)
    c.drawCentredString(width / 2, height - 50, f"{COMPANY} – Organization Chart")
    c.setFont("DejaVu", 10)
    c.drawCentredString(width / 2, height - 68, "Updated March 14, 2025")
    box_w, box_h = 140, 46
    spots: dict[str, tuple[float, float]] = {}
    for depth, level in enumerate(_levels()):
        span = len(level) * box_w + (len(level) - 1) * 24
        for k, (name, _, _) in enumerate(level):
            spots[name] = (width / 2 - span / 2 + k * (box_w + 24), height - 140 - depth * 110)
    c.setLineWidth(1.2)
    for boss_name in {b for _, _, b in PEOPLE if b}:
        kids = _children(boss_name)
        bx, by = spots[boss_name]
        bus_y = by - 32
        c.line(bx + box_w / 2, by, bx + box_w / 2, bus_y)
        xs = [spots[k[0]][0] + box_w / 2 for k in kids] + [bx + box_w / 2]
        c.line(min(xs), bus_y, max(xs), bus_y)
        for kid in kids:
            kx, ky = spots[kid[0]]
            c.line(kx + box_w / 2, bus_y, kx + box_w / 2, ky + box_h)
    for name, title, _ in PEOPLE:
        x, y = spots[name]
        if filled:
            c.setFillColorRGB(0.86, 0.92, 0.98)
            c.rect(x, y, box_w, box_h, stroke=1, fill=1)
        else:
            c.rect(x, y, box_w, box_h, stroke=1, fill=0)
        c.setFillColorRGB(0, 0, 0)
        first, second = (title, name) if title_above else (name, title)
        c.setFont("DejaVu" if title_above else "DejaVu-Bold", 10)
        c.drawCentredString(x + box_w / 2, y + 27, first)
        c.setFont("DejaVu-Bold" if title_above else "DejaVu", 9 if not title_above else 10)
        c.drawCentredString(x + box_w / 2, y + 12, second)
    c.setFont("DejaVu", 8)
    c.drawString(40, 30, "Legend: solid lines show direct reporting. Page 1 of 1")
    c.save()


def pdf_boxes(target: Path) -> None:
    _pdf_chart(target, title_above=False, filled=False)


def pdf_titles_above(target: Path) -> None:
    _pdf_chart(target, title_above=True, filled=True)


def pdf_listing(target: Path) -> None:
    """A staff listing printed to PDF: "Last, First - Title (reports to F. Last)"."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    c = canvas.Canvas(str(target), pagesize=letter)
    c.setFont("DejaVu", 16)
    c.drawString(72, 720, f"{COMPANY} Staff and Reporting")
    c.setFont("DejaVu", 11)
    y = 680
    for name, title, boss in PEOPLE:
        first, last = name.split(" ", 1)
        line = f"{last}, {first} - {title}"
        if boss:
            bf, bl = boss.split(" ", 1)
            line += f" (reports to {bf[0]}. {bl})"
        c.drawString(72, y, line)
        y -= 22
    c.save()


def scanned_chart(source: Path, target: Path) -> None:
    """The boxes chart printed and scanned at 200 dpi (an image-only PDF)."""
    from samples.generate import render, save_scanned, scan

    rng = random.Random(11)
    save_scanned([scan(p, rng, 200) for p in render(source, 200)], target, 200)


MAKERS = {
    "orgchart-table.docx": docx_table,
    "orgchart-list.docx": docx_list,
    "orgchart-smartart.docx": docx_smartart,
    "orgchart-shapes.docx": docx_shapes,
    "orgchart-boxes.pdf": pdf_boxes,
    "orgchart-titles-above.pdf": pdf_titles_above,
    "orgchart-listing.pdf": pdf_listing,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT)
    out: Path = parser.parse_args().out
    (out / "truth").mkdir(parents=True, exist_ok=True)
    for name, make in MAKERS.items():
        make(out / name)
    scanned_chart(out / "orgchart-boxes.pdf", out / "orgchart-scanned.pdf")
    for name in [*MAKERS, "orgchart-scanned.pdf"]:
        (out / "truth" / f"{name}.json").write_text(
            json.dumps(truth(name), indent=1, ensure_ascii=False) + "\n"
        )
    print(f"wrote {len(MAKERS) + 1} organisation charts to {out}")


if __name__ == "__main__":
    main()

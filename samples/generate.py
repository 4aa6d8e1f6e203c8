"""Make the project's samples from the official blank forms, each with its ground truth.

    python samples/generate.py [--forms DIR]

Writes filled fillable forms (with and without appearance streams, re-saved by qpdf),
flattened forms, scanned binders (rotation, skew, noise, JPEG, pages upside down, protocol
pages mixed with supporting pages), outdated-version submissions and org charts (DOCX, PDF,
DOC), and ``truth/<name>.json`` for each. Deterministic: the same seed gives the same files.
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

import numpy as np
import pypdf
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from ingest.formimport import import_blank_form  # noqa: E402
from review.protocol import ProtocolVersion  # noqa: E402
from review.scoring import AnswerValue, score, score_json  # noqa: E402

NOTES = [
    "Policy signed by owner 2025-02-03",
    "Reviewed binder section 2",
    "Interviewed 3 workers",
    "Forms for Jan to Jun on file",
    "Two drills recorded",
    "Minutes kept monthly",
    "Checklist used on site",
    "Records kept 3 years",
    "Seen at head office",
    "Training matrix up to date",
    "Corrective actions tracked",
    "Plan posted in shop",
]
SHORT_NOTES = [
    "Not all forms signed",
    "Missing two records",
    "Only one worker knew",
    "No follow-up for May",
    "Schedule out of date",
    "Partly done",
]
PEOPLE = [
    ("Dana Whitford", "Owner / President"),
    ("Luis Ortega", "Operations Manager"),
    ("Priya Nair", "Safety Coordinator"),
    ("Tom Becker", "Field Supervisor"),
    ("Amy Chen", "Dispatcher"),
    ("Sam Okafor", "Equipment Operator"),
    ("Jo Tremblay", "Labourer"),
]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def answers_for(version: ProtocolVersion, rng: random.Random, profile: str) -> dict[str, dict]:
    """Plausible answers: 'pass', 'fail_element' (one element below 50%) or 'fail_overall'."""
    out: dict[str, dict] = {}
    weak = rng.choice(version.elements).key
    for q in version.questions:
        if q.na_allowed and rng.random() < 0.4:
            out[q.id] = {"awarded": None, "na": True, "notes": "Not applicable to this company"}
            continue
        if profile == "fail_element" and q.element == weak:
            awarded = rng.randint(0, max(0, q.available // 2 - 1))
        elif profile == "fail_overall":
            awarded = rng.randint(q.available // 3, q.available)
        else:
            awarded = (
                q.available
                if rng.random() < 0.7
                else rng.randint(q.available * 3 // 4, q.available)
            )
        notes = rng.choice(NOTES) if awarded == q.available else rng.choice(SHORT_NOTES)
        out[q.id] = {"awarded": awarded, "na": False, "notes": notes}
    return out


def allowed_answers(version: ProtocolVersion, rng: random.Random, profile: str = "pass") -> dict:
    """``answers_for``, each within the values its question allows ("(0 or 2)" takes no 1),
    and sub-questions that share one "Notes:" area sharing its text (forms that print points
    as sets, and one notes area per stem)."""
    answers = answers_for(version, rng, profile)
    for q in version.questions:
        given = answers[q.id]["awarded"]
        if given is not None and q.allowed and given not in q.allowed:
            answers[q.id]["awarded"] = max(v for v in q.allowed if v <= given)
    shared: dict[str, list[str]] = {}
    for q in version.questions:
        if q.notes:
            shared.setdefault(q.notes.name, []).append(q.id)
    for ids in shared.values():
        for qid in ids:
            answers[qid]["notes"] = answers[ids[-1]]["notes"]
    return answers


def truth(
    name: str,
    version: ProtocolVersion,
    kind: str,
    method: str,
    answers: dict,
    current: bool,
    extra: dict | None = None,
) -> dict:
    from fractions import Fraction

    values = [
        AnswerValue(q, None if a["awarded"] is None else Fraction(a["awarded"]), a["na"])
        for q, a in answers.items()
    ]
    scored = score_json(score(version, values))
    return {
        "file": name,
        "kind": kind,
        "method": method,
        "version": version.version,
        "current": current,
        "answers": answers,
        **scored,
        **(extra or {}),
    }


def cover_values(version: ProtocolVersion, company: str) -> dict[str, str]:
    values = {
        "company": company,
        "assessor": "Priya Nair",
        "start_date": "2025-09-02",
        "end_date": "2025-09-12",
        "audit_number": "202500417",
        "employees": "7",
        "wcb": "AB-1234, BC-223344",
        "declaration_date": "2025-09-20",
    }
    return {version.cover[k].name: v for k, v in values.items() if k in version.cover}


def summary_values(version: ProtocolVersion, scored: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in scored["elements"]:
        fields = next(el for el in version.elements if el.key == str(e["element"])).summary
        for key, ref in fields.items():
            value = e[key] if key != "percent" else f"{e['percent']:.1f}"
            out[ref.name] = "" if value is None else str(value)
    for key, ref in version.overall.items():
        value = scored["overall"][key]
        out[ref.name] = f"{value:.1f}" if key == "percent" else str(value)
    return out


def fill(
    blank: Path,
    version: ProtocolVersion,
    answers: dict,
    target: Path,
    company: str,
    scored: dict,
    appearance: bool = True,
) -> None:
    writer = pypdf.PdfWriter(clone_from=str(blank))
    text: dict[str, str] = cover_values(version, company) | summary_values(version, scored)
    boxes: dict[str, str] = {}
    for q in version.questions:
        a = answers[q.id]
        text[q.awarded.name] = "" if a["awarded"] is None else str(a["awarded"])
        if q.notes:
            text[q.notes.name] = a["notes"]
        if a["na"] and q.na:
            boxes[q.na.name] = "/Yes"
    for page in writer.pages:
        writer.update_page_form_field_values(page, text, auto_regenerate=False)
        if boxes:
            writer.update_page_form_field_values(page, boxes, auto_regenerate=False)
    if not appearance:
        writer.set_need_appearances_writer(True)
        for page in writer.pages:
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                if annot.get("/FT") == "/Tx" or (
                    annot.get("/Parent") and annot["/Parent"].get_object().get("/FT") == "/Tx"
                ):
                    if "/AP" in annot:
                        del annot[pypdf.generic.NameObject("/AP")]
    writer.add_metadata({"/Producer": "samples/generate.py (pypdf)"})
    with open(target, "wb") as fh:
        writer.write(fh)


def flatten(src: Path, target: Path) -> None:
    subprocess.run(
        ["qpdf", "--flatten-annotations=all", "--remove-restrictions", str(src), str(target)],
        check=True,
    )
    # Flattened copies carry no form: drop the AcroForm so readers see plain pages.
    reader = pypdf.PdfReader(str(target))
    writer = pypdf.PdfWriter(clone_from=reader)
    if "/AcroForm" in writer._root_object:
        del writer._root_object["/AcroForm"]
    with open(target, "wb") as fh:
        writer.write(fh)


def render(pdf: Path, dpi: int) -> list[Image.Image]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [
            doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(doc))
        ]
    finally:
        doc.close()


def supporting_page(rng: random.Random, title: str, dpi: int) -> Image.Image:
    w, h = int(8.5 * dpi), int(11 * dpi)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    big = ImageFont.truetype(FONT, int(dpi * 0.22))
    small = ImageFont.truetype(FONT, int(dpi * 0.13))
    d.text((dpi * 0.8, dpi * 0.8), title, font=big, fill=0)
    y = dpi * 1.5
    words = (
        "hazard control worker site inspection record training meeting equipment policy "
        "procedure review supervisor emergency first aid signed date"
    ).split()
    for _ in range(28):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(6, 12))).capitalize() + "."
        d.text((dpi * 0.8, y), line, font=small, fill=0)
        y += dpi * 0.28
    if rng.random() < 0.5:  # some records are tables
        for r in range(6):
            d.rectangle(
                [dpi * 0.8, y + r * dpi * 0.3, w - dpi * 0.8, y + (r + 1) * dpi * 0.3], outline=0
            )
    return img


def scan(img: Image.Image, rng: random.Random, dpi: int, turn: int = 0) -> Image.Image:
    """Make a clean render look scanned: skew, offset, noise, speckles, and turn it."""
    angle = rng.uniform(-1.5, 1.5)
    img = img.rotate(
        angle,
        resample=Image.BICUBIC,
        fillcolor=255,
        translate=(rng.randint(-dpi // 10, dpi // 10), rng.randint(-dpi // 10, dpi // 10)),
    )
    arr = np.asarray(img, dtype=np.float32)
    arr = arr * rng.uniform(0.85, 1.0) + rng.uniform(0, 20)  # contrast and paper tone
    arr += np.random.default_rng(rng.randint(0, 2**31)).normal(0, 12, arr.shape)
    speck = np.random.default_rng(rng.randint(0, 2**31)).random(arr.shape) < 0.0008
    arr[speck] = 0
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if turn:
        img = img.rotate(turn, expand=True)
    return img


def save_scanned(pages: list[Image.Image], target: Path, dpi: int, quality: int = 55) -> None:
    # One JPEG per page, as a scanner writes them, wrapped into an image-only PDF.
    first, rest = pages[0], pages[1:]
    first.save(target, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=quality)


def org_chart_docx(target: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Borealis Hauling Inc. - Organization Chart", level=1)
    d.add_paragraph(f"{PEOPLE[0][0]} - {PEOPLE[0][1]}")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Name", "Title"
    for name, title in PEOPLE[1:]:
        row = table.add_row()
        row.cells[0].text, row.cells[1].text = name, title
    d.add_paragraph("Reports: supervisors report to the Operations Manager.")
    d.save(str(target))


def org_chart_pdf(target: Path) -> None:
    """A text PDF written by hand: boxes with name and title, as drawing tools export them."""
    ops = ["BT /F1 16 Tf 72 740 Td (Borealis Hauling Inc. - Organization Chart) Tj ET"]
    spots = [(230, 650)] + [(60 + 170 * (i % 3), 540 - 110 * (i // 3)) for i in range(6)]
    for (name, title), (x, y) in zip(PEOPLE, spots):
        ops.append(f"{x} {y} 150 50 re S")
        ops.append(f"BT /F1 11 Tf {x + 8} {y + 30} Td ({name}) Tj ET")
        ops.append(f"BT /F1 9 Tf {x + 8} {y + 14} Td ({title}) Tj ET")
    stream = "\n".join(ops).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    )
    target.write_bytes(out.getvalue())


def org_chart_doc(docx_path: Path, target: Path) -> bool:
    """Convert the DOCX with LibreOffice if it is installed (only needed to refresh samples)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return target.exists()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp}/lo",
                "--headless",
                "--convert-to",
                "doc",
                "--outdir",
                tmp,
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.move(str(Path(tmp) / (docx_path.stem + ".doc")), target)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=Path, default=ROOT.parent.parent / "shared" / "forms")
    parser.add_argument("--out", type=Path, default=ROOT)
    args = parser.parse_args()
    out: Path = args.out
    (out / "truth").mkdir(parents=True, exist_ok=True)
    blanks = {p.name.split("-")[3]: p for p in sorted(args.forms.glob("*-blank.pdf"))}
    versions = {y: import_blank_form(p) for y, p in blanks.items()}
    current = max(versions.values(), key=lambda v: v.effective).version
    rng = random.Random(20251122)
    plan = [  # name, version, profile, company
        ("fillable-2025-pass", current, "pass", "Acme Drilling Ltd."),
        ("fillable-2025-fail-element", current, "fail_element", "Borealis Hauling Inc."),
        ("fillable-2025-fail-overall", current, "fail_overall", "Cedar Ridge Welding"),
        ("fillable-2023-outdated", "2023", "pass", "Delta Vac Services"),
        ("fillable-2019-outdated", "2019", "pass", "Elk Valley Oilfield Ltd."),
    ]
    written = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for name, year, profile, company in plan:
            version = versions[year]
            answers = answers_for(version, rng, profile)
            t = truth(f"{name}.pdf", version, "protocol", "acroform", answers, year == current)
            fill(blanks[year], version, answers, out / f"{name}.pdf", company, t)
            written.append(t)
            flat = name.replace("fillable", "flattened")
            flatten(out / f"{name}.pdf", out / f"{flat}.pdf")
            written.append({**t, "file": f"{flat}.pdf", "method": "text"})
        # Values without appearance streams, and a copy re-saved by another tool (qpdf).
        version = versions[current]
        answers = answers_for(version, rng, "pass")
        t = truth("fillable-2025-noappearance.pdf", version, "protocol", "acroform", answers, True)
        fill(
            blanks[current],
            version,
            answers,
            out / t["file"],
            "Fjord Energy Services",
            t,
            appearance=False,
        )
        written.append(t)
        subprocess.run(
            [
                "qpdf",
                "--object-streams=generate",
                "--linearize",
                str(out / "fillable-2025-pass.pdf"),
                str(out / "fillable-2025-resaved-qpdf.pdf"),
            ],
            check=True,
        )
        written.append({**written[0], "file": "fillable-2025-resaved-qpdf.pdf"})
        # Scanned binders.
        for name, year, dpi, profile, turns in [
            ("scanned-2025-binder-200dpi", current, 200, "pass", {1: 180, 4: 90}),
            ("scanned-2025-protocol-300dpi", current, 300, "fail_element", {}),
            ("scanned-2025-binder-150dpi", current, 150, "fail_overall", {3: 270, 5: 180}),
            ("scanned-2023-binder-200dpi", "2023", 200, "pass", {2: 180}),
        ]:
            version = versions[year]
            answers = answers_for(version, rng, profile)
            t = truth(f"{name}.pdf", version, "binder", "ocr", answers, year == current)
            filled, flat = tmp / f"{name}-filled.pdf", tmp / f"{name}-flat.pdf"
            fill(blanks[year], version, answers, filled, "Glacier Line Locating", t)
            flatten(filled, flat)
            protocol_pages = [
                scan(img, rng, dpi, turns.get(i, 0)) for i, img in enumerate(render(flat, dpi))
            ]
            pages: list[tuple[str, Image.Image]] = [
                (f"protocol:{i + 1}", p) for i, p in enumerate(protocol_pages)
            ]
            if "binder" in name:
                titles = [
                    "Safety Manual - Section 1 Policy",
                    "Hazard Assessment Form",
                    "Safety Meeting Minutes - March",
                    "Site Inspection Checklist",
                    "Training Records",
                    "Emergency Response Plan",
                ]
                pages += [
                    (f"support:{i}", scan(supporting_page(rng, title, dpi), rng, dpi))
                    for i, title in enumerate(titles)
                ]
                head, tail = pages[:1], pages[1:]
                rng.shuffle(tail)
                pages = head + tail
            save_scanned([p for _, p in pages], out / t["file"], dpi)
            order = [label for label, _ in pages]
            t["pages"] = {
                label.split(":")[1]: n
                for n, label in enumerate(order, start=1)
                if label.startswith("protocol")
            }
            t["dpi"] = dpi
            written.append(t)
    org_chart_docx(out / "org-chart.docx")
    org_chart_pdf(out / "org-chart.pdf")
    people = [{"name": n, "title": t} for n, t in PEOPLE]
    for name in ("org-chart.docx", "org-chart.pdf"):
        written.append({"file": name, "kind": "org_chart", "people": people})
    if org_chart_doc(out / "org-chart.docx", out / "org-chart.doc"):
        written.append({"file": "org-chart.doc", "kind": "org_chart", "people": people})
    for t in written:
        (out / "truth" / (t["file"] + ".json")).write_text(json.dumps(t, indent=1) + "\n")
    print(f"wrote {len(written)} samples to {out}")


if __name__ == "__main__":
    main()

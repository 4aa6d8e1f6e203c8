"""Offline commands: ``secor extract`` and ``secor protocol``; no server needed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from ingest.errors import IngestError
from ingest.filetypes import FILE_TYPES, FileType, Kind
from ingest.settings import Settings
from ingest.sniff import extension_type
from review.protocol import Catalogue
from web.cli import cli


def _guess_kind(path: Path, settings: Settings | None = None) -> str:
    """By extension and content: a PDF with a page that shows no text (scanned) or with more
    pages than any protocol is a binder, one that calls itself an organisation chart is one."""
    named = extension_type(path.name)
    kind = FILE_TYPES[FileType(named)].default_kind.value if named else Kind.SUPPORTING.value
    if kind == "protocol":
        try:
            from ingest.extract.orgchart import looks_like_chart
            from ingest.pdfdoc import PdfDoc

            with PdfDoc(path, 10_000) as doc:  # an invisible OCR layer is no text a form shows
                longest = max(
                    (
                        v.page_count
                        for v in Catalogue.default(
                            (settings or Settings.from_env()).instance_dir
                        ).versions.values()
                    ),
                    default=0,
                )
                if doc.page_count > longest or any(
                    doc.visible_chars(i) < 40 for i in range(doc.page_count)
                ):
                    kind = "binder"
                elif looks_like_chart(" ".join(s.text for s in doc.segments(0))):
                    kind = "org_chart"
        except Exception:  # validation will say what is wrong with it
            pass
    return kind


def extract_file(path: Path, kind: str | None, settings: Settings) -> dict[str, Any]:
    """Validate, extract and score one file, as the worker does; never raises for bad input."""
    from ingest.extract import extract_document
    from ingest.pipeline import check_file

    kind = kind or _guess_kind(path, settings)
    out: dict[str, Any] = {"file": str(path), "kind": kind}
    try:
        checked = check_file(path, path.name, kind, settings)
        result = extract_document(
            path, kind=kind, content_type=checked.sniffed.kind, settings=settings
        )
    except IngestError as e:
        return {**out, "status": "rejected", "reason": e.as_dict()}
    result.pop("kind", None)
    return {**out, "status": "ok", "reason": None, **result}


@cli.command(help="Validate, extract and score files offline; one JSON object per file.")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@click.option(
    "--kind",
    type=click.Choice(["protocol", "binder", "org_chart", "supporting"]),
    default=None,
    help="What the files are (default: by extension).",
)
def extract(files: tuple[Path, ...], as_json: bool, kind: str | None) -> None:
    settings = Settings.from_env()
    for path in files:
        result = extract_file(path, kind, settings)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            click.echo(_human(result))


def _human(r: dict[str, Any]) -> str:
    if r["status"] == "rejected":
        return f"{r['file']}: rejected ({r['reason']['code']}) {r['reason']['message']}"
    lines = [f"{r['file']}: {r['kind']}"]
    proto = r.get("protocol")
    if proto:
        state = (
            "current" if proto["current"] else "outdated" if proto["version"] else "unrecognised"
        )
        lines.append(f"  protocol {proto['version'] or '?'} ({state}), read by {r.get('method')}")
    if r.get("overall"):
        o = r["overall"]
        lines.append(
            f"  score {o['awarded']}/{o['available']} = {o['percent']}% -> "
            f"{'PASS' if r['passed'] else 'FAIL'}"
        )
    cov = r.get("coverage")
    if cov:
        window = cov.get("window") or {}
        kinds = Counter(p["type"] for p in cov["pages"])
        lines.append(
            f"  records: {len(cov['pages'])} supporting pages ("
            + ", ".join(f"{n} {t}" for t, n in kinds.most_common())
            + ")"
            + (
                f"; {cov['documented_months']} of 12 months, {window['from']} to {window['to']}"
                if window
                else ""
            )
        )
    for flag in r.get("flags", [])[:20]:
        lines.append(f"  ! {flag['code']}: {flag['message']}")
    for person in r.get("people", []):
        lines.append(f"  {person['name']} - {person['title']}")
    return "\n".join(lines)


@cli.group(help="Protocol versions (the form catalogue).")
def protocol() -> None:
    pass


@protocol.command("list", help="Known protocol versions, newest last, with current/outdated.")
def protocol_list() -> None:

    catalogue = Catalogue.default(Settings.from_env().instance_dir)
    for v in sorted(catalogue.all_versions.values(), key=lambda v: (v.effective, v.version)):
        click.echo(
            f"{v.version}\t{v.form_number}\teffective {v.effective}\t{len(v.questions)} "
            f"questions\t{sum(e.available for e in v.elements)} points\t{catalogue.state(v.version)}"
        )


@protocol.command("activate", help="Activate an imported VERSION from a date (staff decision).")
@click.argument("version")
@click.option(
    "--effective",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day it is current (default: today).",
)
@click.option(
    "--previous-accepted-until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day the version it replaces is still accepted (default: the day before).",
)
def protocol_activate(version: str, effective: Any, previous_accepted_until: Any) -> None:
    import datetime as dt

    from review.protocol import activate

    instance = Settings.from_env().instance_dir
    start = effective.date() if effective else dt.date.today()
    try:
        made, previous = activate(
            instance,
            version,
            start,
            previous_accepted_until.date() if previous_accepted_until else None,
        )
    except KeyError as e:
        raise click.ClickException(
            f"no protocol version {version}; see `secor protocol list`"
        ) from e
    except ValueError as e:
        raise click.ClickException(str(e)) from e
    click.echo(
        f"{made.form_number} is active from {made.effective}"
        + (
            f"; {previous.form_number} is accepted until {previous.accepted_until}"
            if previous
            else ""
        )
    )


@protocol.command("import", help="Add a version from an official blank fillable form.")
@click.argument("blank", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Catalogue folder (default: the instance's protocols/ folder).",
)
def protocol_import(blank: Path, into: Path | None) -> None:
    from ingest.formimport import import_blank_form, save_version

    try:
        version = import_blank_form(blank)
    except IngestError as e:
        raise click.ClickException(e.message) from e
    if into is None:  # into the instance: never replace a version it already knows
        from review.protocol import Catalogue

        known = Catalogue.default(Settings.from_env().instance_dir).all_versions
        if version.version in known:
            raise click.ClickException(
                f"version {version.version} ({known[version.version].form_number}) is already "
                "in the catalogue"
            )
    folder = into or Settings.from_env().instance_dir / "protocols"
    target = save_version(version, blank, folder)
    click.echo(
        f"imported {version.form_number}: {len(version.elements)} elements, "
        f"{len(version.questions)} questions, {sum(e.available for e in version.elements)} "
        f"points -> {target} (a draft: `secor protocol activate {version.version}` makes it "
        "current)"
    )

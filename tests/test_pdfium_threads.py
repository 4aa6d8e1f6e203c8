"""GIVEN the web server answers on threads, WHEN several requests render or open PDFs at once
(the staff preview, the reviewer's crops, the upload probe), THEN the process survives and
every image is whole. PDFium is not thread-safe: unguarded, this crashed the process with a
heap corruption (found by a browser test whose preview image never loaded)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = textwrap.dedent(
    """
    import concurrent.futures as cf, io, sys
    from pathlib import Path
    from PIL import Image
    from ingest.crops import crop_png
    from ingest.preview import preview_png
    from ingest.probe import probe_pdf
    from ingest.settings import Settings
    from review.protocol import Catalogue

    work = Path(sys.argv[1])
    catalogue = Catalogue.default(work)
    version = catalogue.versions[sorted(catalogue.versions)[-1]]
    blank = catalogue.blank_path(version.version)
    settings = Settings.from_mapping({"INSTANCE_DIR": str(work)})

    def preview(page):
        return Image.open(io.BytesIO(preview_png(blank, version, page))).size

    def crop(n):
        box = (100.0 + n, 300.0, 300.0 + n, 330.0)
        return Image.open(crop_png(blank, 1 + n % version.page_count, box, work / "crops")).size

    def probe(n):
        return (probe_pdf(blank, settings).pages, 0)

    jobs = [preview, crop, probe]
    with cf.ThreadPoolExecutor(8) as pool:
        sizes = list(pool.map(lambda n: jobs[n % 3](1 + n % version.page_count), range(72)))
    assert all(w > 100 and h > 0 for w, h in sizes if h), sizes
    assert {w for w, h in sizes if not h} == {version.page_count}, sizes
    print("ok", len(sizes))
    """
)


def test_pdfs_rendered_on_many_threads_at_once(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["ok", "72"]

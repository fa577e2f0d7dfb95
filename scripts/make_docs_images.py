"""Render the shipped sample to PNG pages for the README (needs LibreOffice and pdftoppm).

    python scripts/make_docs_images.py

writes docs/images/sample-page-N.png and docs/images/source.sha256, the digest
of the .docx content the pictures show.  tests/test_docs_images.py fails when
the sample would now render differently, so run this and commit the result
after changing the Word template, the sample or the renderer.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gaidocx.document.pdf import convert_to_pdf  # noqa: E402
from gaidocx.document.render import render_docx  # noqa: E402
from gaidocx.pipeline import check_workbook  # noqa: E402

SAMPLE_WORKBOOK = ROOT / "samples" / "cele-county-2024.xlsx"
IMAGES = ROOT / "docs" / "images"
DIGEST = IMAGES / "source.sha256"
RESOLUTION = 60  # dots per inch: readable in a README, small in the repository


def rendered_sample() -> bytes:
    return render_docx(check_workbook(SAMPLE_WORKBOOK).report)


def content_digest(docx: bytes) -> str:
    """A digest of the document's XML parts, which (unlike the zip's timestamps) are reproducible."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("word/"):
                digest.update(name.encode() + b"\0" + archive.read(name))
    return digest.hexdigest()


def main() -> None:
    docx = rendered_sample()
    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("sample-page-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "sample.docx"
        source.write_bytes(docx)
        pdf = convert_to_pdf(source, Path(folder) / "sample.pdf")
        subprocess.run(["pdftoppm", "-r", str(RESOLUTION), "-png", str(pdf), str(IMAGES / "sample-page")], check=True)
    DIGEST.write_text(content_digest(docx) + "\n", encoding="ascii")
    for path in sorted(IMAGES.iterdir()):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

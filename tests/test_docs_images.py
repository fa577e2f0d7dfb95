"""docs/images shows the sample as it renders now (made by scripts/make_docs_images.py)."""

from __future__ import annotations

import shutil

import pytest
from support import ROOT, load_script

script = load_script("make_docs_images")


def test_images_were_made_from_the_current_rendering():
    assert script.content_digest(script.rendered_sample()) == script.DIGEST.read_text(encoding="ascii").strip(), (
        "the sample renders differently now: run python scripts/make_docs_images.py and commit docs/images"
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_one_image_per_page(tmp_path):
    pdfplumber = pytest.importorskip("pdfplumber")
    source = tmp_path / "sample.docx"
    source.write_bytes(script.rendered_sample())
    with pdfplumber.open(script.convert_to_pdf(source, tmp_path / "sample.pdf")) as pdf:
        pages = len(pdf.pages)
    assert sorted(p.name for p in script.IMAGES.glob("sample-page-*.png")) == [
        f"sample-page-{n}.png" for n in range(1, pages + 1)
    ]


def test_the_readme_shows_every_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for image in script.IMAGES.glob("sample-page-*.png"):
        assert f"docs/images/{image.name}" in readme

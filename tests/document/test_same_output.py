"""The split of gaidocx/document/ (issue 14) changed no output: the parts of the sample's and
the varied report's .docx and their pages are those main wrote before it (commit 05127c2),
except what recording the report's kind changes on purpose (issue 16: the custom properties
part, its relationship and content type, the page's ``<meta name="report-kind">``) and the
core properties' dates.  A change of output made on purpose updates these digests."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest
from support import sample_report, varied_report

from gaidocx.core.report import checked_report
from gaidocx.document.render import render_docx
from gaidocx.document.webpage import render_html

_SHARED = {
    "docProps/app.xml": "a130e2fa8e17aac675c1eb9fd48163e3e8f9fc87ec0bd22f1354ad570660b04f",
    "word/_rels/document.xml.rels": "c5dd627ee27679df057172809b15837aa83aae129d168eb9501c028bff68ca7e",
    "word/styles.xml": "f3ae9cdf269349b7e156102e9844ff01616168a8e0988caa4b7e0f1ef8fa25e2",
    "word/settings.xml": "43c728883d3a06d9a895b9ff0b7b29141f68d18f183e5ab95995c1e9b0ff8e8f",
    "word/fontTable.xml": "1bcc844423da6df3e11ca71a68bd0c190e41dca034e00bce44c1af40dbdea77d",
    "word/footer1.xml": "afade28b98c8692bb7c95da72e96905a40c4b2f8b7d071e7b67db38d434572dd",
    "word/footer2.xml": "1f49366bacd84f77f654f59feca8ef86c0dc30c74009ac3bbf35d6d3fb2a9bce",
}
BEFORE = {
    "sample": (
        sample_report,
        {**_SHARED, "word/document.xml": "0216c844f0d1e219b389077c5f7944731d67f99fbe80cd1d0938f9eda4220b62"},
        "140f116fca00c47ace3889e6bdef28f858ad75202c2591bdbf97735047b17705",
    ),
    "varied": (
        varied_report,
        {**_SHARED, "word/document.xml": "77af90e57c45841c918d05a769c057b245abbb83d8ab958925bde240efb8a4c3"},
        "95f1b5d85742c1db8ca7067c5aa00984096e7206c64531306237648f90ba6e16",
    ),
}
#: What recording the kind adds or changes, and the core properties (dated at each rendering).
CHANGED = {"docProps/custom.xml", "docProps/core.xml", "[Content_Types].xml", "_rels/.rels"}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_the_docx_parts_are_those_written_before_the_split(name):
    make, parts, _ = BEFORE[name]
    package = zipfile.ZipFile(io.BytesIO(render_docx(make())))
    found = {member: digest(package.read(member)) for member in package.namelist() if member not in CHANGED}
    assert found == parts
    assert package.namelist()[-1] == "docProps/custom.xml"  # added last: every other part keeps its place


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_the_page_is_the_one_written_before_the_split_but_for_the_kind(name):
    make, _, page = BEFORE[name]
    html = render_html(checked_report(make(), "网页"))
    without_kind = re.sub(r'<meta name="report-kind" content="[^"]*">\n', "", html, count=1)
    assert without_kind != html and digest(without_kind.encode("utf-8")) == page

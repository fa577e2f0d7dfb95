"""The fill-in workbook as LibreOffice prints it: 基本信息 without pages of empty numbered rows,
each table on one page.  Converted once per module; skipped where LibreOffice is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from support import SAMPLE_WORKBOOK, sample_report

from gaidocx.workbook.fillin import SPARE_ROWS
from gaidocx.workbook.layout import TEXT_BLOCKS

pdfplumber = pytest.importorskip("pdfplumber")
pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("print")
    source = folder / "sample.xlsx"
    source.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180, env={"HOME": str(folder), "PATH": "/usr/bin:/bin"},
    )
    with pdfplumber.open(folder / "sample.pdf") as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_each_sheet_prints_on_one_page(pages):
    titles = ["填报说明", "基本信息和报告文字", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议"]
    assert len(pages) == len(titles)
    for page, title in zip(pages, titles):
        assert title in page.replace(" ", "")


def test_info_sheet_prints_the_entries_and_a_few_spare_rows_only(pages):
    info = pages[1].replace(" ", "")
    printed = re.findall(r"第(\d+)段", info)
    # each block shows the sample's entries and SPARE_ROWS empty rows
    entries = {place: len(texts) for place, texts in sample_report().narratives.items()}
    assert len(printed) == sum(entries[block.place] + SPARE_ROWS for block in TEXT_BLOCKS)
    assert len(printed) < sum(block.capacity for block in TEXT_BLOCKS) / 3
    assert "2024年，策勒县人民政府办公室坚持" in info

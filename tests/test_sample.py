"""The shipped sample reproduces the published 策勒县 2024 report, apart from the fixes the spec names."""

from __future__ import annotations

import re

import docx
import pytest
from docx.oxml.ns import qn
from support import PUBLISHED_SAMPLE

from gaidocx.core.form import FORM_2021
from gaidocx.document.render import render_docx
from gaidocx.pipeline import check_workbook

SECTIONS = FORM_2021.sections

_ASCII = str.maketrans("（）：，；", "():,;")


def normalise(text: str) -> str:
    """The scraped page folded punctuation to ASCII and broke one label with spaces."""
    return re.sub(r"\s+", "", text.translate(_ASCII))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, sample_workbook):
    checked = check_workbook(sample_workbook)
    assert checked.problems == []
    path = tmp_path_factory.mktemp("sample") / "report.docx"
    path.write_bytes(render_docx(checked.report))
    return docx.Document(str(path))


@pytest.fixture(scope="module")
def published():
    """Section title → the published lines under it (table cells end in ``|``)."""
    lines = PUBLISHED_SAMPLE.read_text(encoding="utf-8").splitlines()
    parts: dict[str, list[str]] = {"": []}
    current = ""
    for line in lines:
        if line in {s.title for s in SECTIONS}:
            current = line
            parts[current] = []
        else:
            parts[current].append(line)
    return parts


def body_paragraphs(document) -> list[str]:
    return [normalise(p.text) for p in document.paragraphs if p.text.strip()]


def test_title_opening_and_signature(rendered, published):
    texts = body_paragraphs(rendered)
    assert texts[0] == "策勒县人民政府办公室2024年政府信息公开工作年度报告"
    assert texts[1] == normalise(published[""][0])
    assert texts[-2:] == [normalise(line) for line in published[SECTIONS[-1].title][-2:]]


@pytest.mark.parametrize("number", ["一", "五", "六"])
def test_narrative_sections_equal_the_published_text(rendered, published, number):
    section = next(s for s in SECTIONS if s.number == number)
    texts = body_paragraphs(rendered)
    start = texts.index(section.title) + 1
    expected = [normalise(line) for line in published[section.title]]
    if number == "六":
        expected = expected[:-2]  # the signature follows
    assert texts[start : start + len(expected)] == expected


def table_cells(table) -> list[str]:
    """Cell texts in reading order, each merged cell once."""
    cells = []
    for tc in table._tbl.iter(qn("w:tc")):
        merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
        if merge is not None and merge.get(qn("w:val")) != "restart":
            continue
        cells.append(normalise("".join(t.text or "" for t in tc.iter(qn("w:t")))))
    return cells


@pytest.mark.parametrize(
    ("index", "fixes"),
    [
        # the published table 二 says 规范性文件 and leaves the fee blank
        (0, {"规范性文件": "行政规范性文件", "行政事业性收费": ["行政事业性收费", "0"]}),
        # the published table 三 leaves the （一）予以公开 row blank
        (1, {"(一)予以公开": ["(一)予以公开"] + ["0"] * 7}),
        (2, {}),
    ],
)
def test_tables_equal_the_published_tables_after_the_fixes(rendered, published, index, fixes):
    lines = published[SECTIONS[index + 1].title]
    cells: list[str] = []
    for line in lines:
        text = normalise(line.rstrip("|"))
        if not text:
            continue  # merge markers and blank cells
        fixed = fixes.get(text, text)
        cells.extend(fixed if isinstance(fixed, list) else [fixed])
    assert table_cells(rendered.tables[index]) == cells

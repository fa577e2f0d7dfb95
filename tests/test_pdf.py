"""The rendered report as LibreOffice lays it out: page, text block, sizes, page numbers, tables.

Converted once per module; skipped where LibreOffice is not installed.
"""

from __future__ import annotations

import collections
import datetime
import re
from decimal import Decimal

import pytest
from support import sample_report

from gaidocx.core import form
from gaidocx.core.report import Report, format_figure
from gaidocx.document.build import build_word_template
from gaidocx.document.pdf import PdfError, convert_to_pdf, find_soffice
from gaidocx.document.render import render_docx

pdfplumber = pytest.importorskip("pdfplumber")
pytestmark = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")

PT_PER_MM = 72 / 25.4
PAGE = (210 * PT_PER_MM, 297 * PT_PER_MM)
LEFT, RIGHT = 28 * PT_PER_MM, (210 - 26) * PT_PER_MM
TOP, BOTTOM = 37 * PT_PER_MM, (297 - 35) * PT_PER_MM
TOLERANCE = 2.0  # points: glyph side bearings and half a ruling line
AGENCY = "某某市某某区人民政府办公室"
SENTENCE = "围绕中心，服务大局，聚焦财政预决算、养老服务、社会救助、义务教育、医疗卫生、公共文化服务等重点领域做好信息公开。"


def long_report() -> Report:
    inputs = {}
    for number, f in enumerate((f for table in form.FORM_2021.tables for f in table.inputs), start=1):
        inputs[f.key] = Decimal("0.0123") if f.kind is form.Kind.FEE else number * 37
    inputs["t2.r1.c1"] = 99_999_999  # the largest figure the checks accept
    inputs["t3.r1.c1"] = 99_000_000  # 8 digits, and so is the row's total
    # Table 四's 15 columns hold 6 digits (figure_capacity), not the 8 the checks accept;
    # the checks warn about table 四 figures that large.
    inputs["t4.r1.c1"] = 700_000  # 行政复议: six digits, and so is its total
    inputs["t4.r1.c6"] = 900_000  # 行政诉讼（未经复议直接起诉）: six digits, and so is its total
    return Report(
        agency=AGENCY,
        year=2024,
        signed_on=datetime.date(2025, 1, 23),
        narratives={
            form.OPENING: form.opening_skeleton(2024),
            "一": (
                "2024年，本机关坚持以人民为中心，全力推进政府信息公开工作。" + SENTENCE,
                "（一）主动公开。" + SENTENCE * 4,
                "（二）依申请公开\n" + SENTENCE * 3,
                "（三）政府信息管理。" + SENTENCE * 3,
                "1.规范管理。" + SENTENCE * 2,
                "（四）政府信息公开平台建设。" + SENTENCE * 3,
                "（五）监督保障。" + SENTENCE * 2,
            ),
            "五": ("（一）存在的主要问题。" + SENTENCE * 2, "（二）改进情况。" + SENTENCE * 3),
            "六": ("（一）信息处理费收取情况。本机关本年度发出收费通知0件，收费金额0元；实际收取信息处理费0元。",),
        },
        inputs=inputs,
    )


@pytest.fixture(scope="module", params=["sample", "long"])
def report(request):
    """The shipped sample, and a longer report with wide figures: in tables 二 and 三 the
    widest the checks accept (8 digits), in table 四 the widest its cells hold (6 digits)."""
    return sample_report() if request.param == "sample" else long_report()


@pytest.fixture(scope="module")
def pdf(report, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    template = folder / "annual-report.docx"
    template.write_bytes(build_word_template())
    source = folder / "报告.docx"
    source.write_bytes(render_docx(report, template))
    target = convert_to_pdf(source, folder / "out" / "报告.pdf")
    with pdfplumber.open(target) as document:
        yield document


def page_number_chars(page):
    return [c for c in page.chars if c["top"] > BOTTOM]


def text_of(chars) -> str:
    return "".join(c["text"] for c in chars)


def lines_of(page):
    """Body characters grouped into lines by their top, in reading order."""
    rows = collections.defaultdict(list)
    for c in page.chars:
        if c["top"] <= BOTTOM:
            rows[round(c["top"])].append(c)
    return [sorted(rows[top], key=lambda c: c["x0"]) for top in sorted(rows)]


def test_at_least_three_a4_pages(pdf):
    assert len(pdf.pages) >= 3
    for page in pdf.pages:
        assert abs(page.width - PAGE[0]) < 1 and abs(page.height - PAGE[1]) < 1


def test_every_glyph_but_the_page_number_is_inside_the_text_block(pdf):
    for number, page in enumerate(pdf.pages, start=1):
        for c in page.chars:
            if c["top"] > BOTTOM:
                continue  # the page number
            assert LEFT - TOLERANCE <= c["x0"] and c["x1"] <= RIGHT + TOLERANCE, (number, c["text"], c["x0"], c["x1"])
            assert TOP - TOLERANCE <= c["top"] and c["bottom"] <= BOTTOM + TOLERANCE, (number, c["text"], c["top"])


def test_page_numbers_alternate_sides(pdf):
    em = 14  # 4号
    for number, page in enumerate(pdf.pages, start=1):
        chars = page_number_chars(page)
        assert text_of(chars) == f"— {number} —"
        assert all(abs(c["size"] - em) < 0.5 for c in chars)
        if number % 2:
            assert abs(max(c["x1"] for c in chars) - (RIGHT - em)) < TOLERANCE  # right, one character in
        else:
            assert abs(min(c["x0"] for c in chars) - (LEFT + em)) < TOLERANCE  # left, one character in
        dash = (chars[0]["top"] + chars[0]["bottom"]) / 2
        assert abs(dash - BOTTOM - 7 * PT_PER_MM) < 2  # 7 mm below the text block


def test_title_is_22_points_and_centred(pdf, report):
    title = [c for c in pdf.pages[0].chars if abs(c["size"] - 22) < 0.5]
    assert text_of(title) == form.title(report.agency, report.year)
    for line in {round(c["top"]) for c in title}:
        chars = [c for c in title if round(c["top"]) == line]
        middle = (min(c["x0"] for c in chars) + max(c["x1"] for c in chars)) / 2
        assert abs(middle - (LEFT + RIGHT) / 2) < 3


def test_body_is_16_points_28_characters_on_a_fixed_line_pitch(pdf):
    lines = [line for page in pdf.pages for line in lines_of(page) if abs(line[0]["size"] - 16) < 0.5]
    assert len(lines) > 40
    chinese = [line for line in lines if all("\u3000" <= c["text"] <= "\uffef" for c in line)]
    assert max(len(line) for line in chinese) == 28
    for page in pdf.pages:
        tops = [line[0]["top"] for line in lines_of(page) if abs(line[0]["size"] - 16) < 0.5]
        for a, b in zip(tops, tops[1:]):
            steps = (b - a) / 28.95
            if steps < 1.5:
                assert abs(b - a - 28.95) < 0.5


def test_table_rulings_stay_inside_the_text_block(pdf):
    rulings = [edge for page in pdf.pages for edge in page.lines + page.rects]
    assert rulings
    for edge in rulings:
        assert LEFT - TOLERANCE <= edge["x0"] and edge["x1"] <= RIGHT + TOLERANCE
        assert TOP - TOLERANCE <= edge["top"] and edge["bottom"] <= BOTTOM + TOLERANCE


def page_texts(pdf) -> list[str]:
    return [re.sub(r"\s+", "", text_of(page.chars)) for page in pdf.pages]


def test_no_table_row_is_split_across_pages(pdf):
    texts = page_texts(pdf)
    for table in form.FORM_2021.tables:
        for label in table.labels:
            pages = [i for i, text in enumerate(texts) if label.text in text]
            assert pages, f"表{table.number}: “{label.text}” is split or missing"
    # Table 三 fits on one page and is kept whole.
    table_three = [i for i, text in enumerate(texts) if "本年新收政府信息公开申请数量" in text]
    assert len(table_three) == 1
    assert "结转下年度继续办理" in texts[table_three[0]]


def test_no_figure_wraps(pdf, report):
    # Digits of one figure touch; neighbouring 6-digit figures in table 四 are ~2.5 pt apart,
    # under pdfplumber's default 3 pt tolerance, so words are split at 1 pt.
    words = {w["text"] for page in pdf.pages for w in page.extract_words(x_tolerance=1)}
    figures = report.figures()
    for key, f in form.FORM_2021.fields.items():
        assert format_figure(figures[key], f.kind) in words, key  # whole, on one line
    if report.agency == AGENCY:
        wide = {"99999999", "99000000", str(figures["t3.r1.c7"]), "700000", "900000"}
        wide |= {str(figures["t4.r1.c5"]), str(figures["t4.r1.c10"])}
        assert wide <= words
        assert all(len(str(figures[key])) == 6 for key in ("t4.r1.c5", "t4.r1.c10"))


def fake_soffice(tmp_path, script: str) -> str:
    path = tmp_path / "soffice"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


def test_conversion_errors_are_reported_in_chinese(tmp_path, monkeypatch):
    source = tmp_path / "in.docx"
    source.write_bytes(b"PK")
    target = tmp_path / "out.pdf"
    with pytest.raises(PdfError, match="找不到要转换"):
        convert_to_pdf(tmp_path / "absent.docx", target)
    monkeypatch.setattr("gaidocx.document.pdf.find_soffice", lambda: None)
    with pytest.raises(PdfError, match="未找到 LibreOffice"):
        convert_to_pdf(source, target)
    failing = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")
    monkeypatch.setattr("gaidocx.document.pdf.find_soffice", lambda: failing)
    with pytest.raises(PdfError, match="未能.*source file could not be loaded"):
        convert_to_pdf(source, target)
    hanging = fake_soffice(tmp_path, "sleep 30")
    monkeypatch.setattr("gaidocx.document.pdf.find_soffice", lambda: hanging)
    with pytest.raises(PdfError, match="超时"):
        convert_to_pdf(source, target, timeout=1)
    assert not target.exists()

"""The rendered report as LibreOffice lays it out: page, text block, sizes, page numbers, tables.

Converted once per module; skipped where LibreOffice is not installed.
"""

from __future__ import annotations

import collections
import dataclasses
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


def short_report() -> Report:
    """The sample's figures with a sentence or two of text: the tables start on page 1."""
    sample = sample_report()
    return dataclasses.replace(
        sample,
        narratives={
            form.OPENING: sample.narratives[form.OPENING][:1],
            "一": ("本机关认真贯彻落实《中华人民共和国政府信息公开条例》，做好政府信息公开工作。",),
            "五": ("无。",),
            "六": ("本机关本年度未收取信息处理费。",),
        },
    )


REPORTS = {"sample": sample_report, "long": long_report, "short": short_report}


@pytest.fixture(scope="module", params=list(REPORTS))
def report(request):
    """The shipped sample; a longer report with wide figures (in tables 二 and 三 the widest
    the checks accept, 8 digits; in table 四 the widest its cells hold, 6 digits); and a
    short one whose tables start on the first page."""
    return REPORTS[request.param]()


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
    assert len(lines) > 10
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


def table_three_pages(pdf) -> list[int]:
    texts = page_texts(pdf)
    first = next(i for i, text in enumerate(texts) if "本年新收政府信息公开申请数量" in text)
    last = next(i for i, text in enumerate(texts) if "结转下年度继续办理" in text)
    return list(range(first, last + 1))


def test_table_three_breaks_between_groups_with_its_header_repeated(pdf):
    texts = page_texts(pdf)
    table = form.FORM_2021.table("三")
    header = [label.text for label in table.labels if label.row < table.header_rows]
    pages = table_three_pages(pdf)
    for index in pages:
        assert all(text in texts[index] for text in header), index + 1  # the header rows repeat
    # every row label exactly once, in order, across the pages
    body = [label.text for label in sorted(table.labels, key=lambda l: (l.row, l.col)) if label.row >= table.header_rows]
    spine = next(label for label in table.labels if label.col == 0 and label.rowspan > 1 and label.row >= table.header_rows)
    joined = "".join(texts[i] for i in pages)
    positions = [joined.find(text) for text in body if text != spine.text]
    assert -1 not in positions and positions == sorted(positions)
    assert all(joined.count(text) == 1 for text in body)
    # the tall 三、本年度办理结果 column's label is whole, on the page where its rows begin
    first_group = next(label.text for label in table.labels if label.row == spine.row and label.col == 1)
    assert [i for i in pages if spine.text in texts[i]] == [next(i for i in pages if first_group in texts[i])]


def page_fill(page) -> float:
    """How far down the text block the page's content reaches: the lowest glyph or table
    ruling (not the page number) over the text block's height."""
    lowest = [c["bottom"] for c in page.chars if c["top"] <= BOTTOM]
    lowest += [edge["bottom"] for edge in page.lines + page.rects if edge["top"] <= BOTTOM]
    return (max(lowest) - TOP) / (BOTTOM - TOP)


def test_every_page_but_the_last_is_at_least_60_percent_full(pdf):
    fills = [page_fill(page) for page in pdf.pages]
    assert all(fill >= 0.6 for fill in fills[:-1]), [round(fill, 2) for fill in fills]


def test_a_blank_line_between_a_table_and_the_heading_below_it(pdf):
    measured = 0
    for page in pdf.pages:
        rulings = [edge for edge in page.lines + page.rects if edge["top"] <= BOTTOM]
        for line in lines_of(page):
            if text_of(line) in {s.title for s in form.FORM_2021.sections[2:5]}:
                above = [edge["bottom"] for edge in rulings if edge["bottom"] < line[0]["top"]]
                if above:  # the table above ends on the same page
                    gap = line[0]["top"] - max(above)
                    assert 28.95 < gap < 2 * 28.95, (text_of(line), gap)
                    measured += 1
    assert measured  # 四、 directly below table 三, at least


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

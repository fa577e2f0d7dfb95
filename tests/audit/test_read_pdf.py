"""Published PDFs (issue 16): exported by LibreOffice from .docx made as agencies make them and from
our own, read back figure by figure; hostile and image-only PDFs refused quickly.

LibreOffice takes seconds to start, so every document is converted once per session, with one
LibreOffice for all of them (``convert_many``).
"""

from __future__ import annotations

import dataclasses
import datetime
import subprocess
import sys
import time
import warnings
from pathlib import Path

import audit_fixtures as files
import pytest
from audit_fixtures import REAL, REPEATED, Layout, make_docx, printed_figures, sloppy_label, trial_figures
from click.testing import CliRunner
from support import sample_report, varied_report
from test_properties import consistent_figures

from gaidocx.audit import UnreadableFile, audit_file
from gaidocx.audit.findings import HYBRID_FORM
from gaidocx.audit.read_pdf import (
    MAX_DRAWN_FORMS,
    MAX_PAGES,
    MAX_TOKENS,
    MAX_TOKENS_PER_PAGE,
    _Cell,
    _rejoin_cut_row,
    _Table,
    read_pdf,
)
from gaidocx.cli import cli
from gaidocx.core.checks import check_report
from gaidocx.document.pdf import convert_many, find_soffice
from gaidocx.document.render import render_docx

ROOT = Path(__file__).resolve().parents[2]
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
GENERATED = 8
TODAY = datetime.date(2025, 6, 1)


def _generated_reports() -> list:
    """Reports of random consistent figures; the first section grows from one to the next, so that
    the tables meet the page breaks at different rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis warns that example() is meant for the console
        drawn = [consistent_figures().example() for _ in range(GENERATED)]
    sample = sample_report()
    reports = []
    for index, figures in enumerate(drawn):
        first = sample.narratives["一"] + ("本年度继续加强政府信息公开工作，进一步完善工作机制。" * (index + 1),) * index
        reports.append(dataclasses.replace(sample, inputs=figures, narratives={**sample.narratives, "一": first}))
    return reports


def _spaced(text: str) -> str:
    """Spaces inside labels, as PDFs of WPS documents show them (``反复 申请``, ``重 新出具``)."""
    return text.replace("反复申请", "反复 申请").replace("重新出具", "重 新出具").replace("商业企业", "商业 企业")


def _framed_signature(docx: bytes) -> bytes:
    """The signature and date moved into a one-cell table, as a text frame is exported."""
    import io

    import docx as python_docx

    document = python_docx.Document(io.BytesIO(docx))
    agency, date = document.paragraphs[-2], document.paragraphs[-1]
    texts = [agency.text, date.text]
    for paragraph in (agency, date):
        paragraph._element.getparent().remove(paragraph._element)
    frame = document.add_table(rows=1, cols=1)
    frame.style = "Table Grid"
    frame.cell(0, 0).paragraphs[0].text = texts[0]
    frame.cell(0, 0).add_paragraph(texts[1])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_page_numbers(docx: bytes) -> bytes:
    import io

    import docx as python_docx

    document = python_docx.Document(io.BytesIO(docx))
    document.sections[0].footer.paragraphs[0].text = "- 1 -"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> dict[str, tuple[Path, object, dict[str, str]]]:
    """name → (PDF, the report it shows, the figures as printed in the 2021 layout or the trial one)."""
    folder = tmp_path_factory.mktemp("published-pdf")
    varied = varied_report()
    documents: dict[str, tuple[bytes, object, dict[str, str]]] = {
        "ours-sample": (render_docx(sample_report()), sample_report(), printed_figures(sample_report())),
        "ours-varied": (render_docx(varied), varied, printed_figures(varied)),
        "hand-real-merges-split": (
            _with_page_numbers(make_docx(varied, printed_figures(varied), Layout(merges=REAL, splits={"三": (9,), "二": (5,)}))),
            varied,
            printed_figures(varied),
        ),
        "hand-repeated-merges-spaces": (
            make_docx(varied, printed_figures(varied), Layout(merges=REPEATED, label=_spaced)),
            varied,
            printed_figures(varied),
        ),
        "hand-23-rows-typos-2019-heading": (
            make_docx(
                varied,
                trial_figures(varied),
                Layout(form=HYBRID_FORM, label=sloppy_label, headings={"五": "五、政府信息公开工作存在的主要问题及改进情况"}),
            ),
            varied,
            trial_figures(varied),
        ),
        "hand-framed-signature": (_framed_signature(make_docx(varied, printed_figures(varied))), varied, printed_figures(varied)),
    }
    for index, report in enumerate(_generated_reports()):
        documents[f"ours-generated-{index}"] = (render_docx(report), report, printed_figures(report))
    pairs = []
    for name, (docx, _, _) in documents.items():
        (folder / f"{name}.docx").write_bytes(docx)
        pairs.append((folder / f"{name}.docx", folder / f"{name}.pdf"))
    failures = {source: error for source, error in convert_many(pairs).items() if error is not None}
    assert not failures, failures
    return {name: (folder / f"{name}.pdf", report, figures) for name, (_, report, figures) in documents.items()}


OURS = ["ours-sample", "ours-varied", *(f"ours-generated-{i}" for i in range(GENERATED))]
HAND = ["hand-real-merges-split", "hand-repeated-merges-spaces", "hand-23-rows-typos-2019-heading", "hand-framed-signature"]


@needs_soffice
@pytest.mark.parametrize("name", OURS)
def test_our_pdf_gives_back_every_figure_and_paragraph_and_no_error(published, name):
    path, report, _ = published[name]
    audit = audit_file(path, today=TODAY)
    assert audit.figures() == report.figures()
    assert audit.errors == [], [p.message for p in audit.errors]
    assert audit.problems == check_report(report, today=TODAY), [p.message for p in audit.problems]
    for section in ("opening", "一", "五", "六"):
        assert audit.report.paragraphs(section) == report.paragraphs(section), section


@needs_soffice
@pytest.mark.parametrize("name", HAND)
def test_a_pdf_made_as_agencies_make_them_gives_back_every_figure(published, name):
    path, report, printed = published[name]
    audit = audit_file(path, today=TODAY)
    found = {key: figure.text for key, figure in audit.printed.items()}
    assert found == printed
    assert audit.report.agency == report.agency and audit.report.year == report.year
    assert audit.report.signed_on is not None


@needs_soffice
def test_what_agencies_print_is_said_once_each(published):
    audit = audit_file(published["hand-23-rows-typos-2019-heading"][0], today=TODAY)
    messages = [p.message for p in audit.problems]
    assert any("政府信息公开工作存在的主要问题及改进情况" in m and "官方格式为" in m for m in messages)
    assert sum("（六）其他处理”只有一行" in m for m in messages) == 1
    assert any("其他法律行政止公开" in m for m in messages)
    assert not any("没有找到" in m for m in messages), messages


@needs_soffice
def test_render_pdf_then_audit_on_the_command_line(tmp_path):
    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(cli, ["render", str(ROOT / "samples" / "cele-county-2024.xlsx"), "-o", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["audit", str(out.with_suffix(".pdf"))])
    assert result.exit_code == 0 and "核对通过" in result.output, result.output


# ---------------------------------------------------------------- every path of the reader, without LibreOffice


def test_a_row_cut_at_a_page_break_is_joined_and_a_header_or_sub_heading_is_not():
    def table(rows, at_top=False, at_bottom=False):
        return _Table([[_Cell(text, 1, 1, x0, x1) for text, x0, x1 in row] for row in rows], 0, 0, at_top, at_bottom)

    label, figure = (100, 200), (200, 240)
    before = table([[("（三）不予公开", *label), ("5", *figure)], [("（四）无", *label), ("3", *figure)]], at_bottom=True)
    after = table([[("法提供", *label), ("", *figure)], [("（五）不予处理", *label), ("1", *figure)]], at_top=True)
    _rejoin_cut_row(before, after)
    assert [c.text for c in before.rows[-1]] == ["（四）无法提供", "3"]
    assert [c.text for c in after.rows[0]] == ["（五）不予处理", "1"]
    # a header repeated on the next page, and a sub-heading spanning the table, stay where they are
    header = table([[("信息内容", *label), ("本年处理决定数量", *figure)], [("行政许可", *label), ("0", *figure)]], at_bottom=True)
    for first in ([("信息内容", *label), ("本年处理决定数量", *figure)], [("第二十条第（六）项", 100, 240)]):
        again = table([first, [("行政处罚", *label), ("0", *figure)]], at_top=True)
        _rejoin_cut_row(header, again)
        assert len(again.rows) == 2 and header.rows[-1][0].text == "行政许可"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: files.pdf_bomb(64), "压缩炸弹"),
        (lambda: files.pdf_many_pages(MAX_PAGES + 1), f"超过 {MAX_PAGES} 页"),
        (files.pdf_reused_form, f"超过 {MAX_DRAWN_FORMS} 次"),
        (files.pdf_many_characters, "文字和图形对象"),
        (files.pdf_form_chain, f"超过 {MAX_DRAWN_FORMS} 次"),
        (files.pdf_image_only, "没有文字层"),
        (files.pdf_drawing_itself, "没有文字层"),
        (files.pdf_long_xref, "对象目录"),
        (files.pdf_busy_pages, f"超过 {MAX_TOKENS} 个绘制指令"),
        (lambda: files.pdf_busy_pages(1, MAX_TOKENS_PER_PAGE), f"超过 {MAX_TOKENS_PER_PAGE} 个绘制指令"),
        (files.pdf_with_password, "设置了打开密码"),
        (files.pdf_nested_too_deep, "嵌套过深"),
        (lambda: b"<html>not a pdf</html>", "不是 PDF 文件"),
        (lambda: b"%PDF-1.4\n garbage", "不是有效的 PDF"),
    ],
    ids=[
        "bomb", "pages", "reused-form", "objects", "form-chain", "image-only", "self-drawing", "xref",
        "busy-pages", "busy-page", "password", "deep", "not-pdf", "damaged",
    ],
)
def test_hostile_and_unreadable_pdfs_are_refused_quickly(tmp_path, make, says):
    path = tmp_path / "report.pdf"
    path.write_bytes(make())
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match=says):
        read_pdf(path)
    assert time.perf_counter() - started < 5


def test_an_image_only_pdf_exits_2_with_what_to_use_instead_and_nothing_in_english(tmp_path):
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(files.pdf_drawing_itself())  # pdfminer also logs a warning in English on this one
    result = subprocess.run([sys.executable, "-m", "gaidocx", "audit", str(path)], capture_output=True, timeout=60)
    assert result.returncode == 2
    output = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert "没有文字层" in output and "网页版或 Word 版" in output
    assert "circular" not in output and "Refusing" not in output, output

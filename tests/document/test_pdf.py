"""The rendered report as LibreOffice lays it out: page, text block, sizes, page numbers, tables.

Converted once per module; skipped where LibreOffice is not installed.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import os
import re
import signal
import subprocess
import sys
import time
import types
from decimal import Decimal

import pytest
from support import sample_report

from gaidocx.core import form
from gaidocx.core.report import Report, format_figure
from gaidocx.document.build import build_word_template
from gaidocx.document.pdf import PdfError, convert_many, convert_to_pdf, find_soffice
from gaidocx.document.render import render_docx

pdfplumber = pytest.importorskip("pdfplumber")
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")

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


def shifted_report(lines: int) -> Report:
    """The sample with a paragraph of ``lines`` full lines more in section 一, which moves
    everything after it down the pages: tables and headings start at every height."""
    sample = sample_report()
    text = (SENTENCE * (lines + 1))[: 28 * lines - 2]  # two characters' indent on the first line
    narratives = dict(sample.narratives)
    narratives["一"] = (*sample.narratives["一"], text)
    return dataclasses.replace(sample, narratives=narratives)


#: Lines added by shifted_report: three apart, across a whole page of 22 lines.
SHIFTS = tuple(range(1, 23, 3))


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    """Every report of REPORTS, a damaged document, one that is no document at all and a
    missing one, converted by ``convert_many`` with one LibreOffice start — counted by a
    wrapper around the real soffice."""
    folder = tmp_path_factory.mktemp("pdf")
    template = folder / "annual-report.docx"
    template.write_bytes(build_word_template())
    sources = {}
    for name, make in REPORTS.items():
        sources[name] = folder / f"{name}报告.docx"
        sources[name].write_bytes(render_docx(make(), template))
    damaged = folder / "损坏.docx"
    damaged.write_bytes(sources["sample"].read_bytes()[:3000])
    garbage = folder / "garbage.docx"
    garbage.write_bytes(b"PK this is no Word document")
    missing = folder / "不存在.docx"
    shifted = {}
    for lines in SHIFTS:
        shifted[lines] = folder / f"shifted-{lines}.docx"
        shifted[lines].write_bytes(render_docx(shifted_report(lines), template))
    starts = folder / "starts.log"
    wrapper = folder / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho start >> "{starts}"\nexec "{find_soffice()}" "$@"\n')
    wrapper.chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("gaidocx.document.pdf.find_soffice", lambda: str(wrapper))
        results = convert_many([*sources.values(), damaged, garbage, missing, *shifted.values()], folder / "out")
    return types.SimpleNamespace(
        out=folder / "out",
        sources=sources,
        damaged=damaged,
        garbage=garbage,
        missing=missing,
        shifted=shifted,
        results=results,
        starts=starts.read_text().count("start"),
    )


@pytest.fixture(scope="module", params=list(REPORTS))
def name(request):
    return request.param


@pytest.fixture(scope="module")
def report(name):
    """The shipped sample; a longer report with wide figures (in tables 二 and 三 the widest
    the checks accept, 8 digits; in table 四 the widest its cells hold, 6 digits); and a
    short one whose tables start on the first page."""
    return REPORTS[name]()


@pytest.fixture(scope="module")
def pdf(name, converted):
    assert converted.results[converted.sources[name]] is None
    with pdfplumber.open(converted.out / f"{name}报告.pdf") as document:
        yield document


def test_one_libreoffice_start_converts_many_and_a_failure_stays_with_its_document(converted):
    assert converted.starts == 1
    results = converted.results
    documents = [*converted.sources.values(), converted.damaged, converted.garbage, converted.missing]
    assert list(results) == documents + list(converted.shifted.values())
    assert all(results[source] is None for source in converted.sources.values())
    for bad in (converted.damaged, converted.garbage):  # not imported as plain text either
        assert isinstance(results[bad], PdfError) and f"未能把“{bad.name}”转换为 PDF" in str(results[bad])
    assert "找不到要转换的 Word 文档" in str(results[converted.missing])
    expected = [f"{name}报告.pdf" for name in REPORTS] + [f"shifted-{lines}.pdf" for lines in SHIFTS]
    assert sorted(p.name for p in converted.out.iterdir()) == sorted(expected)


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


def page_start(page) -> float:
    """How far below the text block's top the page's first glyph or ruling is, in points."""
    highest = [c["top"] for c in page.chars if c["top"] <= BOTTOM]
    highest += [edge["top"] for edge in page.lines + page.rects if edge["top"] <= BOTTOM]
    return min(highest) - TOP


def test_pages_stay_full_wherever_the_tables_fall(converted):
    fills = {}
    for lines, source in converted.shifted.items():
        assert converted.results[source] is None
        with pdfplumber.open(converted.out / f"shifted-{lines}.pdf") as document:
            fills[lines] = [round(page_fill(page), 2) for page in document.pages]
            # the blank line above a heading below a table is not kept at the top of a page
            assert all(page_start(page) < 9 for page in document.pages), lines
    assert all(fill >= 0.6 for pages in fills.values() for fill in pages[:-1]), fills
    # the tables really started at different heights: page 2 ended at many different points
    assert len({pages[1] for pages in fills.values()}) >= 4, fills


def line_start(line) -> str | None:
    """A 16 pt body line: ``"indent"`` (a paragraph's first line, two characters in) or
    ``"flush"`` (a continuation line); None for anything else (tables, title, signature)."""
    if abs(line[0]["size"] - 16) > 0.5:
        return None
    offset = line[0]["x0"] - LEFT
    return "indent" if abs(offset - 32) < 3 else "flush" if abs(offset) < 3 else None


def lone_lines(document) -> list[str]:
    """Every page break that leaves one line of a paragraph alone: its first line at the foot
    of a page (an orphan) or its last line at the top of the next (a widow)."""
    found = []
    pages = [lines_of(page) for page in document.pages]
    for number, (this, following) in enumerate(zip(pages, pages[1:]), start=1):
        if not this or not following:
            continue
        if line_start(this[-1]) == "indent" and line_start(following[0]) == "flush":
            found.append(f"page {number}: orphan {text_of(this[-1])}")
        if line_start(following[0]) == "flush" and (len(following) < 2 or line_start(following[1]) != "flush"):
            found.append(f"page {number + 1}: widow {text_of(following[0])}")
    return found


def test_no_line_of_a_paragraph_alone_at_a_page_break(converted):
    breaks = 0
    for pdf_path in sorted(converted.out.iterdir()):
        with pdfplumber.open(pdf_path) as document:
            assert lone_lines(document) == [], pdf_path.name
            pages = [lines_of(page) for page in document.pages]
            breaks += sum(bool(line_start(a[-1])) and line_start(b[0]) == "flush" for a, b in zip(pages, pages[1:]))
    assert breaks >= 5  # paragraphs do run across pages in these reports


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
    with pytest.raises(PdfError, match="未能把“in.docx”转换为 PDF（退出码 1）。Error: source file could not be loaded"):
        convert_to_pdf(source, target)
    hanging = fake_soffice(tmp_path, "sleep 30")
    monkeypatch.setattr("gaidocx.document.pdf.find_soffice", lambda: hanging)
    with pytest.raises(PdfError, match="转换“in.docx”超时（超过 1 秒）"):
        convert_to_pdf(source, target, timeout=1)
    assert not target.exists()


def test_a_run_that_writes_nothing_fails_each_document(tmp_path, monkeypatch):
    silent = fake_soffice(tmp_path, "exit 0")
    monkeypatch.setattr("gaidocx.document.pdf.find_soffice", lambda: silent)
    sources = [tmp_path / "甲.docx", tmp_path / "乙.docx"]
    for source in sources:
        source.write_bytes(b"PK")
    results = convert_many(sources, tmp_path / "out")
    assert [str(results[s]) for s in sources] == [f"LibreOffice 未能把“{s.name}”转换为 PDF（文件可能已损坏，或不是 Word 文档）。" for s in sources]
    assert not (tmp_path / "out").exists()
    with pytest.raises(PdfError, match="甲.docx"):
        convert_to_pdf(sources[0], tmp_path / "甲.pdf")


#: Converts each staged document in order like soffice: hangs on one holding HANG, crashes on CRASH.
ORDERLY_SOFFICE = r"""
echo start >> "$(dirname "$0")/starts.log"
out=""; previous=""
for argument in "$@"; do
  if [ "$previous" = "--outdir" ]; then out="$argument"; fi
  previous="$argument"
done
for argument in "$@"; do
  case "$argument" in
    *.docx)
      if grep -q HANG "$argument"; then sleep 30; fi
      if grep -q CRASH "$argument"; then echo 'soffice crashed' >&2; exit 134; fi
      printf '%%PDF-1.4\n' > "$out/$(basename "$argument" .docx).pdf"
      if grep -q HALF "$argument"; then continue; fi
      printf '%%%%EOF\n' >> "$out/$(basename "$argument" .docx).pdf";;
  esac
done
"""


def test_a_document_that_hangs_or_crashes_libreoffice_fails_alone(tmp_path, monkeypatch):
    orderly = fake_soffice(tmp_path, ORDERLY_SOFFICE)
    monkeypatch.setattr("gaidocx.document.pdf.find_soffice", lambda: orderly)
    contents = {"一": b"fine", "二": b"HANG", "三": b"fine", "四": b"CRASH", "五": b"HALF", "六": b"fine"}
    sources = []
    for name, content in contents.items():
        sources.append(tmp_path / f"{name}.docx")
        sources[-1].write_bytes(content)
    results = convert_many(sources, tmp_path / "out", timeout=2)
    messages = {source.stem: str(error) if error else None for source, error in results.items()}
    assert messages == {
        "一": None,
        "二": "LibreOffice 转换“二.docx”超时（超过 2 秒），已终止。",
        "三": None,
        "四": "LibreOffice 未能把“四.docx”转换为 PDF（退出码 134）。soffice crashed",
        "五": "LibreOffice 未能把“五.docx”转换为 PDF（文件可能已损坏，或不是 Word 文档）。",  # unfinished PDF
        "六": None,
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["一.pdf", "三.pdf", "六.pdf"]
    assert (tmp_path / "starts.log").read_text().count("start") == 3  # again after the hang and the crash


# ---------------------------------------------------------------- finding LibreOffice (no soffice needed)

WINDOWS_ENV = {"ProgramFiles": r"C:\Program Files", "ProgramFiles(x86)": r"C:\Program Files (x86)"}


@pytest.mark.parametrize(
    "platform, environ, installed",
    [
        ("win32", WINDOWS_ENV, r"C:\Program Files\LibreOffice\program\soffice.exe"),
        ("win32", WINDOWS_ENV, r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"),
        ("win32", {}, r"C:\Program Files\LibreOffice\program\soffice.exe"),  # variables unset
        ("win32", {"ProgramFiles": r"D:\Programme"}, r"D:\Programme\LibreOffice\program\soffice.exe"),
        ("darwin", {"HOME": "/Users/clerk"}, "/Applications/LibreOffice.app/Contents/MacOS/soffice"),
        ("darwin", {"HOME": "/Users/clerk"}, "/Users/clerk/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ],
)
def test_libreoffice_is_found_in_its_default_install_folder(monkeypatch, platform, environ, installed):
    monkeypatch.setattr("shutil.which", lambda name: None)  # not on PATH
    monkeypatch.setattr("sys.platform", platform)
    monkeypatch.setattr("os.environ", dict(environ))
    monkeypatch.setattr("os.path.isfile", lambda path: path == installed)
    assert find_soffice() == installed


def test_libreoffice_on_path_comes_first_and_nothing_found_is_none(monkeypatch):
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setattr("os.environ", dict(WINDOWS_ENV))
    monkeypatch.setattr("os.path.isfile", lambda path: True)
    monkeypatch.setattr("shutil.which", lambda name: r"E:\LO\soffice.exe" if name == "soffice" else None)
    assert find_soffice() == r"E:\LO\soffice.exe"
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("os.path.isfile", lambda path: False)
    assert find_soffice() is None
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr("os.path.isfile", lambda path: True)
    assert find_soffice() is None  # on Linux LibreOffice is on PATH or not installed


# ---------------------------------------------------------------- interrupted conversions

CONVERT_AND_STOP = """
import signal, sys
from gaidocx.document.pdf import convert_to_pdf
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if started in the background
try:
    convert_to_pdf(sys.argv[1], sys.argv[2])
except KeyboardInterrupt:
    sys.exit(130)
"""


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes (zombies have none) that contain ``text``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as file:
                    cmdline = file.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if text in cmdline:
                found.append(cmdline)
    return found


@needs_soffice
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="lists processes through /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_a_conversion_leaves_no_libreoffice_and_no_profile(tmp_path, signum):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    source = tmp_path / "报告.docx"
    source.write_bytes(render_docx(sample_report(), None))
    child = subprocess.Popen(
        [sys.executable, "-c", CONVERT_AND_STOP, str(source), str(tmp_path / "报告.pdf")],
        env={**os.environ, "TMPDIR": str(tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        # LibreOffice runs once its profile appears
        while not list(tmp.glob("gaidocx-pdf-*/profile/user")) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert child.poll() is None, child.communicate()
        assert processes_mentioning(str(tmp))  # soffice is running with its profile in tmp
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130, stderr.decode("utf-8", "replace")
    assert processes_mentioning(str(tmp)) == []
    assert list(tmp.iterdir()) == []
    assert not (tmp_path / "报告.pdf").exists()

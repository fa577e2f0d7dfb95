"""audit's readers meet hostile files (issue 17): each answered quickly, refused in Chinese or read right.

The files are those of ``benchmarks/hostile_audit.py`` (built in ``audit_fixtures``), where their
time and memory are measured as whole processes.
"""

from __future__ import annotations

import time
from pathlib import Path

import audit_fixtures as files
import pytest
from click.testing import CliRunner

from gaidocx.audit import UnreadableFile, audit_file
from gaidocx.audit.read_docx import MAX_DEPTH, MAX_ELEMENTS
from gaidocx.audit.source import MAX_TABLES
from gaidocx.audit.tables import similarity
from gaidocx.cli import cli

#: Far below what each case took before its fix (tens of seconds), yet safe on a loaded machine.
QUICK = 5.0


def written(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


@pytest.mark.parametrize("text", ["a1." * 3000, files.long_note_in_a_cell().decode()])
def test_numbering_inside_a_long_cell_is_matched_in_linear_time(text):
    score, seconds = timed(lambda: similarity(text, "1.属于国家秘密"))
    assert score < 0.75 and seconds < 0.5


def test_a_long_numbered_cell_in_a_page_is_audited_quickly(tmp_path):
    audit, seconds = timed(lambda: audit_file(written(tmp_path, "note.html", files.numbering_in_a_cell())))
    assert seconds < QUICK and audit.errors


def test_labels_inside_a_numbered_cell_still_match():
    assert similarity("（三）不予公开 1.属于国家秘密", "1.属于国家秘密") == 1.0
    assert similarity("3、其他法律行政法规禁止公开", "3.其他法律行政法规禁止公开") == 1.0


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (files.empty_paragraphs, "压缩炸弹"),
        (files.nested_smart_tags, "压缩炸弹"),
        (lambda: files.nested_smart_tags(depth=MAX_DEPTH + 5, runs=10, stored=True), f"嵌套超过 {MAX_DEPTH} 层"),
        (lambda: files.docx_with_body(b"<w:p/>" * (MAX_ELEMENTS + 1), stored=True), "XML 元素"),
        (files.many_tables, f"超过 {MAX_TABLES} 个表格"),
    ],
    ids=["60MB-of-empty-paragraphs", "nested-smartTags", "too-deep", "too-many-elements", "10000-tables"],
)
def test_hostile_docx_is_refused_quickly(tmp_path, make, says):
    path = written(tmp_path, "report.docx", make())
    with pytest.raises(UnreadableFile, match=says):
        timed_out = time.perf_counter()
        audit_file(path)
    assert time.perf_counter() - timed_out < QUICK


def test_nesting_within_the_bound_is_read(tmp_path):
    path = written(tmp_path, "report.docx", files.nested_smart_tags(depth=20, runs=3, stored=True))
    audit = audit_file(path)
    assert any("没有找到标题" in p.message and "一一一" in p.message for p in audit.errors)


def test_a_docx_is_read_through_the_archive_guard(tmp_path):
    path = written(tmp_path, "report.docx", files.docx_with_body('<!DOCTYPE x [<!ENTITY a "b">]><w:p/>'))
    with pytest.raises(UnreadableFile, match="DOCTYPE"):
        audit_file(path)


def test_huge_spans_in_a_page_are_refused_quickly(tmp_path):
    path = written(tmp_path, "spans.html", files.huge_spans())
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match="表格过大"):
        audit_file(path)
    assert time.perf_counter() - started < QUICK


def test_a_span_beyond_the_table_is_clipped_as_browsers_do(tmp_path):
    page = '<html><body><table><tr><td rowspan="1000000000" colspan="1000000000">甲</td><td>1</td></tr><tr><td>2</td></tr></table></body></html>'
    from gaidocx.audit.read_html import read_html

    (fragment,) = [b for b in read_html(written(tmp_path, "p.html", page.encode())).blocks if not isinstance(b, str)]
    assert [[c.text for c in row] for row in fragment.rows] == [["甲", "1"], ["甲", "2"]]


def test_a_table_printed_twice_with_a_different_copy_is_an_error(tmp_path):
    audit = audit_file(written(tmp_path, "twice.html", files.table_3_printed_twice()))
    (problem,) = audit.errors
    assert "表三印了不止一次" in problem.message and "“7”" in problem.message


@pytest.mark.parametrize(("make", "says"), [(files.pdf_named_html, "PDF"), (files.png_named_html, "PNG 图片")])
def test_a_file_that_is_not_a_page_is_said_to_be_so(tmp_path, make, says):
    path = written(tmp_path, "report.html", make())
    result = CliRunner().invoke(cli, ["audit", str(path)])
    assert result.exit_code == 2
    assert f"不是网页：它其实是{says}" in result.output


def test_wildcards_and_folders_are_expanded(tmp_path):
    folder = tmp_path / "报告"
    folder.mkdir()
    written(folder, "甲.docx", files.our_docx())
    written(folder, "乙.docx", files.our_docx())
    written(folder, "~$甲.docx", b"lock")
    written(folder, "说明.txt", b"text")
    for given in ([str(folder)], [str(folder / "*.docx")]):
        result = CliRunner().invoke(cli, ["audit", *given])
        assert result.exit_code == 0, result.output
        assert "【" + str(folder / "甲.docx") + "】" in result.output and "【" + str(folder / "乙.docx") + "】" in result.output
        assert "共核对 2 个文件：2 个通过" in result.output
    empty = tmp_path / "空"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["audit", str(empty)])
    assert result.exit_code == 2 and "文件夹中没有 .pdf、.docx、.html、.htm、.xlsx 报告" in result.output

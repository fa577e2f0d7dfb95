"""End to end through the command line: next year's workbook from this one, and the checks'
year-on-year and text-against-table warnings as a user sees them."""

from __future__ import annotations

import dataclasses
import datetime

import openpyxl
from click.testing import CliRunner
from support import sample_report, write_workbook

from gaidocx.cli import cli
from gaidocx.core.checks import paragraph_place
from gaidocx.workbook.layout import describe, field_cell
from gaidocx.workbook.read import read_workbook


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def last_year_workbook(tmp_path, **changes):
    """A 2023 workbook whose table 三 carries 1…6 forward, column by column."""
    report = sample_report()
    inputs = dict(report.inputs)
    for c in range(1, 7):
        inputs[f"t3.r1.c{c}"] = c
        inputs[f"t3.r25.c{c}"] = c
    narratives = {**report.narratives, "一": ("（一）主动公开。2023年发布信息900条。", "（二）依申请公开。2023年收到申请21件。")}
    fields = {"year": 2023, "signed_on": datetime.date(2024, 1, 20), "inputs": inputs, "narratives": narratives}
    report = dataclasses.replace(report, **{**fields, **changes})
    return write_workbook(tmp_path / "策勒2023.xlsx", report)


def test_template_from_last_year_then_check_against_it(tmp_path):
    last = last_year_workbook(tmp_path)
    output = tmp_path / "新.xlsx"
    result = run("template", "--from", last, "-o", output)
    assert result.exit_code == 0, result.output
    assert "2024 年度" in result.output and "--previous" in result.output
    ws = openpyxl.load_workbook(output)
    assert ws["基本信息"]["B3"].value == "策勒县人民政府办公室" and ws["基本信息"]["B4"].value == 2024
    sheet, cell = field_cell("t3.r2.c4")
    assert ws[sheet][cell].value == 4
    report = read_workbook(output).report
    assert report.paragraphs("一") == ("（一）主动公开。", "（二）依申请公开。")
    # the new workbook is checked against last year's: the carry-over agrees, the year follows
    result = run("check", output, "--previous", last)
    # still to be done: its 成文日期, and the carried-over applications' results (勾稽关系)
    assert result.exit_code == 1
    assert "不一致" not in result.output and "不是 2023 年度" not in result.output
    assert "成文日期" in result.output and "“自然人”列不符合勾稽关系：第一项＋第二项 = 0 + 1 = 1" in result.output


def test_template_from_names_the_file_after_agency_and_year(tmp_path, monkeypatch):
    last = last_year_workbook(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("template", "--from", last)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "策勒县人民政府办公室2024年政府信息公开工作年度报告填报表.xlsx").is_file()
    result = run("template", "--agency", "某局", "--year", 2024)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "某局2024年政府信息公开工作年度报告填报表.xlsx").is_file()


def test_template_from_refuses_agency_and_year_options_and_bad_files(tmp_path):
    last = last_year_workbook(tmp_path)
    result = run("template", "--from", last, "--year", 2024, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "--from" in result.output
    junk = tmp_path / "坏.xlsx"
    junk.write_bytes(b"not a workbook")
    result = run("template", "--from", junk, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "坏.xlsx" in result.output
    assert not (tmp_path / "x.xlsx").exists()
    no_year = last_year_workbook(tmp_path, year=None)
    result = run("template", "--from", no_year, "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "没有填写年度" in result.output


def test_warnings_only_pass_with_their_count(tmp_path):
    report = sample_report()
    narratives = {**report.narratives, "五": ("本年制发行政规范性文件9件。",)}
    path = write_workbook(tmp_path / "填报.xlsx", dataclasses.replace(report, narratives=narratives))
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert "检查通过（有 1 个警告" in result.output
    paragraph, cell = describe(paragraph_place("五", 0)), describe("t2.r2.c1")
    assert f"警告  {paragraph}、{cell}：" in result.output
    assert paragraph.startswith("基本信息!B58") and cell.startswith("表二!B7（行政规范性文件 × 本年制发件数）")
    assert "本年制发行政规范性文件9件" in result.output

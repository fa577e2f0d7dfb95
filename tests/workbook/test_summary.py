"""The whole-area report: sums, refusals, the 汇总明细 sheet, and the round trip through check and render."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import consistent_figures
from support import sample_report, varied_report, write_workbook

from gaidocx.cli import cli
from gaidocx.core.checks import check_report, error
from gaidocx.core.form import AREA_REPORT, FORM_2021, OPENING, OWN_REPORT, Kind, opening_skeleton
from gaidocx.core.summary import Refusal, SummaryInput, key_totals, plan_summary, summarise
from gaidocx.pipeline import check_workbook
from gaidocx.workbook.layout import INFO_SHEET, METADATA, TEXT_BLOCKS, TEXT_COLUMN, field_cell
from gaidocx.workbook.summary_sheet import DETAIL_SHEET, build_summary_workbook

FIELDS = FORM_2021.fields
TABLE_3 = FORM_2021.table("三")
AREA = "某某县人民政府"


def item(path: str, report=None, problems=(), unreadable=""):
    return SummaryInput(path, report, tuple(problems), unreadable)


def agencies(*names: str, base=None):
    base = base or varied_report()
    return [item(f"{name}.xlsx", dataclasses.replace(base, agency=name)) for name in names]


# ---------------------------------------------------------------- sums


def test_the_sum_of_real_figure_sets():
    reports = [sample_report(), dataclasses.replace(varied_report(), agency="县教育局")]
    summary = plan_summary([item(f"{i}.xlsx", r) for i, r in enumerate(reports)], agency=AREA)
    assert not summary.refusals and len(summary.included) == 2 and not summary.left_out
    summed = summary.report
    assert (summed.agency, summed.year, summed.kind, summed.signed_on) == (AREA, 2024, AREA_REPORT, None)
    for key, f in FIELDS.items():
        expected = reports[0].figures()[key] + reports[1].figures()[key]
        assert summed.figures()[key] == expected, key
    fee = summed.inputs[next(k for k, f in FIELDS.items() if f.kind is Kind.FEE)]
    assert isinstance(fee, Decimal) and fee == Decimal("12.3456") + reports[0].inputs["t2.r6.c1"]
    assert not [p for p in check_report(summed) if p.is_error and set(p.places) & set(FIELDS)]


def test_the_text_is_left_to_write_under_the_forms_headings():
    summed = summarise([sample_report()], agency=AREA, year=2024)
    assert summed.narratives[OPENING] == opening_skeleton(2024)
    for section in FORM_2021.narrative_sections:
        assert summed.narratives[section.number] == section.skeleton
    assert "策勒" not in " ".join(p for ps in summed.narratives.values() for p in ps)


# ---------------------------------------------------------------- refusals


def test_different_years_are_refused_naming_the_files():
    items = agencies("甲局", "乙局") + [item("丙.xlsx", dataclasses.replace(varied_report(), agency="丙局", year=2023))]
    summary = plan_summary(items, agency=AREA)
    assert summary.report is None
    [(kind, message)] = summary.refusals
    assert kind is Refusal.YEARS and "2023 年度：丙.xlsx" in message and "2024 年度：甲局.xlsx、乙局.xlsx" in message


def test_a_given_year_is_every_inputs_year():
    summary = plan_summary(agencies("甲局", "乙局"), agency=AREA, year=2025)
    [(kind, message)] = summary.refusals
    assert kind is Refusal.YEARS and "甲局.xlsx（2024 年度）" in message and "乙局.xlsx" in message
    assert plan_summary(agencies("甲局"), agency=AREA, year=2024).report.year == 2024


def test_the_same_agency_twice_is_refused_however_spaced():
    items = agencies("县 教育局", "县教育局", "县卫健委")
    [(kind, message)] = plan_summary(items, agency=AREA).refusals
    assert kind is Refusal.DUPLICATE and "县 教育局.xlsx、县教育局.xlsx" in message and "卫健委" not in message


def test_inputs_with_errors_or_unreadable_are_refused_or_left_out():
    items = [
        *agencies("甲局"),
        item("乙.xlsx", dataclasses.replace(varied_report(), agency="乙局"), [error("请填写成文日期。", "signed_on")]),
        item("坏.xlsx", unreadable="文件已损坏"),
    ]
    refused = plan_summary(items, agency=AREA)
    assert refused.report is None
    assert {kind for kind, _ in refused.refusals} == {Refusal.ERRORS, Refusal.UNREADABLE}
    text = " ".join(message for _, message in refused.refusals)
    assert "乙.xlsx（1 个错误）" in text and "坏.xlsx（文件已损坏）" in text and "甲局.xlsx" not in text

    skipped = plan_summary(items, agency=AREA, skip_errors=True)
    assert not skipped.refusals and skipped.report.figures() == summarise([items[0].report], agency=AREA, year=2024).figures()
    assert [e.status for e in skipped.entries] == ["已汇总", "未汇总：有 1 个错误", "未汇总：无法读取（文件已损坏）"]


def test_nothing_to_sum_is_refused():
    [(kind, _)] = plan_summary([], agency=AREA).refusals
    assert kind is Refusal.EMPTY
    [(kind, _)] = plan_summary([item("坏.xlsx", unreadable="x")], agency=AREA, skip_errors=True).refusals
    assert kind is Refusal.EMPTY


# ---------------------------------------------------------------- property: sums obey every rule

@st.composite
def valid_report(draw, agency: str):
    """A report that passes every check: 表三 balanced in every column (the 结转 row closes each sum)."""
    inputs = draw(consistent_figures())
    return dataclasses.replace(sample_report(), agency=agency, inputs=inputs)


@st.composite
def valid_reports(draw):
    size = draw(st.integers(min_value=1, max_value=5))
    return [draw(valid_report(f"单位{i}")) for i in range(size)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports=valid_reports())
def test_sums_of_valid_reports_obey_every_rule(reports):
    today = datetime.date(2025, 6, 1)
    for report in reports:
        assert not [p for p in check_report(report, today=today) if p.is_error]
    summary = plan_summary([item(f"{r.agency}.xlsx", r) for r in reports], agency=AREA)
    summed = summary.report
    figure_errors = [p for p in check_report(summed, today=today) if p.is_error and set(p.places) & set(FIELDS)]
    assert not figure_errors
    # every rule of table 三, restated here: each column balances, and totals add up
    figures = summed.figures()
    for balance in TABLE_3.balances:
        assert sum(figures[k] for k in balance.left) == sum(figures[k] for k in balance.right)
    # the sums, computed independently: entered figures cell by cell, totals as sums of the inputs' totals
    for key, f in FIELDS.items():
        if f.is_total:
            expected = sum(r.figures()[key] for r in reports)
        else:
            expected = sum((r.inputs[key] for r in reports), Decimal(0) if f.kind is Kind.FEE else 0)
        assert figures[key] == expected, key
        if f.kind is Kind.FEE:
            assert isinstance(figures[key], Decimal) and figures[key].as_tuple().exponent >= -4


# ---------------------------------------------------------------- the workbook and the command


def test_detail_sheet_lists_every_input_with_its_key_totals():
    items = [
        *agencies("甲局"),
        item("=乙.xlsx", dataclasses.replace(sample_report(), agency="乙局"), [error("x", "signed_on")]),
        item("坏.xlsx", unreadable="文件已损坏"),
    ]
    summary = plan_summary(items, agency=AREA, skip_errors=True)
    ws = build_summary_workbook(summary)[DETAIL_SHEET]
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=3)]
    header = rows[0]
    labels = [f"表{FORM_2021.table_of(f.key).number} {f.labels}" for f in key_totals()]
    assert header[5:] == labels
    assert any("本年新收" in label for label in labels) and any("行政复议" in label for label in labels)
    assert sum("行政诉讼" in label for label in labels) == 2 and any("收费金额" in label for label in labels)
    body = {row[1]: row for row in rows[1:]}
    assert body["甲局.xlsx"][4] == "已汇总" and body["=乙.xlsx"][4] == "未汇总：有 1 个错误"
    assert body["坏.xlsx"][4].startswith("未汇总：无法读取") and body["坏.xlsx"][5:] == [None] * len(labels)
    for row, entry in ((body["甲局.xlsx"], items[0]), (body["=乙.xlsx"], items[1])):
        figures = entry.report.figures()
        assert [Decimal(str(v)) for v in row[5:]] == [figures[f.key] for f in key_totals()]
    total = rows[-1]
    assert total[5:] == [summary.report.figures()[f.key] for f in key_totals()] == body["甲局.xlsx"][5:]
    assert ws.cell(row=5, column=2).data_type == "s"  # a file name starting with = stays text


def cell_values(path: Path) -> dict[str, object]:
    """Entered figures read straight from the cells, independently of gaidocx's reader."""
    workbook = openpyxl.load_workbook(path)
    values = {}
    for key, f in FIELDS.items():
        if not f.is_total:
            sheet, cell = field_cell(key)
            values[key] = workbook[sheet][cell].value
    return values


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_summary_command_round_trip_to_the_whole_area_report(tmp_path):
    folder = tmp_path / "收到的填报表"
    folder.mkdir()
    inputs = [
        write_workbook(folder / "县政府办.xlsx"),
        write_workbook(folder / "教育局.xlsx", dataclasses.replace(varied_report(), agency="县教育局")),
        write_workbook(folder / "卫健委.xlsx", dataclasses.replace(sample_report(), agency="县卫健委")),
    ]
    output = tmp_path / "汇总.xlsx"
    result = run("summary", folder / "*.xlsx", "-o", output, "--agency", AREA)
    assert result.exit_code == 0, result.output
    assert "已汇总 3 个填报表" in result.output and "gaidocx render" in result.output

    # the figures are the sums of the inputs' cells
    entered = [cell_values(path) for path in inputs]
    sums = {key: sum(Decimal(str(values[key])) for values in entered) for key in entered[0]}
    assert any(value != 0 for value in sums.values())
    assert {key: Decimal(str(v)) for key, v in cell_values(output).items()} == sums

    # gaidocx reads it back like any fill-in workbook: only the date is missing
    checked = check_workbook(output)
    assert (checked.report.kind, checked.report.agency, checked.report.year) == (AREA_REPORT, AREA, 2024)
    assert [p.places for p in checked.errors] == [("signed_on",)]
    check = run("check", output)
    assert check.exit_code == 1 and "成文日期" in check.output

    # the office writes the date and the text, then renders the whole-area report
    workbook = openpyxl.load_workbook(output)
    info = workbook[INFO_SHEET]
    info[next(cell for place, _, cell in METADATA if place == "signed_on")] = datetime.datetime(2025, 3, 20)
    for block in TEXT_BLOCKS:
        for row in block.rows:
            text = info[f"{TEXT_COLUMN}{row}"].value
            if text and text.endswith("。") and text.startswith("（"):
                info[f"{TEXT_COLUMN}{row}"] = text + "全县各单位按要求完成。"
    workbook.save(output)
    document = tmp_path / "报告.docx"
    rendered = run("render", output, "-o", document)
    assert rendered.exit_code == 0, rendered.output
    body = "\n".join(p.text for p in docx.Document(document).paragraphs)
    assert f"{AREA}2024年政府信息公开工作年度报告" in body.replace("\n", "")
    assert "全县各单位按要求完成" in body


def test_summary_command_refusals_and_exit_codes(tmp_path):
    good = write_workbook(tmp_path / "甲.xlsx")
    twice = write_workbook(tmp_path / "甲2.xlsx")
    faulty = write_workbook(tmp_path / "乙.xlsx", dataclasses.replace(sample_report(), agency="乙局", signed_on=None))
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04broken")
    output = tmp_path / "汇总.xlsx"

    result = run("summary", good, twice, "-o", output, "--agency", AREA)
    assert result.exit_code == 2 and "甲.xlsx、" in result.output and "甲2.xlsx" in result.output
    assert not output.exists()

    result = run("summary", good, faulty, "-o", output, "--agency", AREA)
    assert result.exit_code == 1 and "乙.xlsx（1 个错误）" in result.output and "--skip-errors" in result.output
    assert not output.exists()

    result = run("summary", good, faulty, broken, "-o", output, "--agency", AREA, "--skip-errors")
    assert result.exit_code == 0, result.output
    assert "未汇总" in result.output and "乙.xlsx" in result.output and "坏.xlsx" in result.output
    statuses = [row[4].value for row in openpyxl.load_workbook(output)[DETAIL_SHEET].iter_rows(min_row=4, max_row=6)]
    assert statuses[0] == "已汇总" and all(s.startswith("未汇总") for s in statuses[1:])

    result = run("summary", good, "-o", output, "--agency", AREA)
    assert result.exit_code == 2 and "已存在" in result.output
    result = run("summary", good, "-o", output, "--agency", AREA, "--year", "2023", "--force")
    assert result.exit_code == 2 and "不是 2023 年度" in result.output
    result = run("summary", good, "-o", output, "--agency", "  ")
    assert result.exit_code == 2 and "--agency" in result.output
    result = run("summary", good, "-o", tmp_path / "汇总.docx", "--agency", AREA)
    assert result.exit_code == 2 and ".xlsx" in result.output
    result = run("summary", good, "-o", output)
    assert result.exit_code == 2 and "缺少选项" in result.output


def test_a_summary_of_own_reports_only_changes_kind_and_agency(tmp_path):
    """One input: the summary is that report's figures under the area's name, as 本行政区域."""
    source = write_workbook(tmp_path / "甲.xlsx")
    output = tmp_path / "汇总.xlsx"
    assert run("summary", source, "-o", output, "--agency", AREA).exit_code == 0
    before, after = check_workbook(source).report, check_workbook(output).report
    assert before.kind == OWN_REPORT and after.kind == AREA_REPORT
    assert after.inputs == before.inputs and after.agency == AREA


@pytest.mark.parametrize("command", ("summary", "export"))
def test_help_is_chinese(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "用法：" in result.output and "Usage" not in result.output

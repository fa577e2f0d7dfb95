"""``gaidocx audit``: published reports made by Word, WPS, CMSs and gaidocx, read back and checked."""

from __future__ import annotations

import dataclasses
import datetime
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from audit_fixtures import (
    LOST,
    REAL,
    REPEATED,
    Layout,
    make_docx,
    make_html,
    printed_figures,
    sloppy_label,
    trial_figures,
)
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import sample_report, varied_report, write_workbook
from test_properties import consistent_figures

from gaidocx.audit import UnreadableFile, audit_file, format_audit_problem
from gaidocx.audit.findings import HYBRID_FORM, Audit
from gaidocx.audit.read_html import decode
from gaidocx.audit.source import Cell, grid_rows
from gaidocx.audit.tables import normalise, read_figure, read_table, similarity
from gaidocx.cli import cli
from gaidocx.core.checks import check_report
from gaidocx.core.form import FORM_2021, FORMAT_NAME, TRIAL_FORMAT_MARKERS, TRIAL_FORMAT_NAME, Kind
from gaidocx.document.pdf import find_soffice
from gaidocx.document.render import render_docx

FIELDS = FORM_2021.fields
TODAY = datetime.date(2025, 6, 1)
OWN_DOCX = render_docx(varied_report())
OWN_PAGE = make_html(varied_report(), printed_figures(varied_report()), charset="gbk")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def audited(path: Path, **kwargs) -> Audit:
    return audit_file(path, today=TODAY, **kwargs)


def shown(audit: Audit) -> list[str]:
    return [format_audit_problem(audit, p) for p in audit.problems]


def assert_exact(audit: Audit, report) -> None:
    """Every figure of the 2021 form, totals included, read back as the report holds it."""
    expected = report.figures()
    found = audit.figures()
    assert found == expected, {k: (found[k], expected[k]) for k in expected if found[k] != expected[k]}
    assert audit.report.figures() == expected


# ---------------------------------------------------------------- gaidocx's own output


def test_gaidocx_docx_reads_back_exactly_without_problems(tmp_path):
    report = varied_report()
    audit = audited(write(tmp_path, "own.docx", render_docx(report)))
    assert_exact(audit, report)
    assert audit.problems == [], shown(audit)
    assert (audit.report.agency, audit.report.year, audit.report.signed_on) == (report.agency, report.year, report.signed_on)
    assert audit.report.paragraphs("一") == report.paragraphs("一")
    assert audit.report.paragraphs("六") == report.paragraphs("六")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(figures=consistent_figures())
def test_any_valid_figures_round_trip_through_gaidocx_docx(tmp_path, figures):
    report = dataclasses.replace(sample_report(), inputs=figures)
    audit = audited(write(tmp_path, "own.docx", render_docx(report)))
    assert_exact(audit, report)
    # no problem beyond what check finds in the figures themselves (a warning for a very large one)
    assert audit.problems == check_report(report, today=TODAY), shown(audit)


def _html_renderer():
    if importlib.util.find_spec("gaidocx.document.webpage") is None:
        return None
    from gaidocx.core.report import checked_report

    render_html = importlib.import_module("gaidocx.document.webpage").render_html
    return lambda report: render_html(checked_report(report, "网页"))


@pytest.mark.skipif(_html_renderer() is None, reason="gaidocx.document.webpage (render --html) is not merged yet")
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(figures=consistent_figures())
def test_any_valid_figures_round_trip_through_gaidocx_html(tmp_path, figures):
    report = dataclasses.replace(sample_report(), inputs=figures)
    page = _html_renderer()(report)
    audit = audited(write(tmp_path, "own.html", page.encode("utf-8")))
    assert_exact(audit, report)
    assert audit.problems == check_report(report, today=TODAY), shown(audit)


def test_the_fill_in_workbook_is_audited_as_check_does(tmp_path):
    report = varied_report()
    audit = audited(write_workbook(tmp_path / "filled.xlsx", report))
    assert_exact(audit, report)
    assert audit.problems == []


# ---------------------------------------------------------------- Word and WPS documents made by hand


@pytest.mark.parametrize(
    "layout",
    [
        Layout(),
        Layout(merges=REPEATED),
        Layout(merges=LOST),
        Layout(label=sloppy_label),
        Layout(label=sloppy_label, merges=REPEATED),
        Layout(splits={"二": (6,), "三": (9, 18)}, empty_rows={"二": (0, 13), "三": (3, 24), "四": (2,)}),
        Layout(merges=LOST, splits={"三": (14,)}),
    ],
    ids=["merged", "repeated", "lost-merges", "sloppy-labels", "sloppy-repeated", "split-and-empty-rows", "lost-split"],
)
def test_hand_made_docx_reads_back_exactly(tmp_path, layout):
    report = varied_report()
    audit = audited(write(tmp_path, "word.docx", make_docx(report, printed_figures(report), layout, font="仿宋")))
    assert_exact(audit, report)
    assert audit.errors == [], shown(audit)


def test_a_wps_style_docx_with_the_title_on_one_line_and_a_chinese_date(tmp_path):
    report = varied_report()
    layout = Layout(title_lines=[f"{report.agency}{report.year}年政府信息公开工作年度报告"], date="二〇二五年一月二十三日")
    audit = audited(write(tmp_path, "wps.docx", make_docx(report, printed_figures(report), layout)))
    assert audit.report.signed_on == datetime.date(2025, 1, 23)
    assert audit.problems == [], shown(audit)


def test_slash_dash_blank_and_units_are_named_with_table_row_column_and_value(tmp_path):
    report = varied_report()
    figures = printed_figures(report)
    figures["t2.r1.c1"] = "/"
    figures["t2.r3.c1"] = "—"
    figures["t3.r5.c2"] = ""
    figures["t2.r6.c1"] = "251000元"
    figures["t4.r1.c3"] = "无"
    audit = audited(write(tmp_path, "blanks.docx", make_docx(report, figures)))
    lines = shown(audit)
    assert any(line.startswith("错误  表二“规章”×“本年制发件数”（表中为“/”）") for line in lines), lines
    assert any("表二“行政许可”×“本年处理决定数量”（表中为“—”）" in line for line in lines), lines
    assert any("表三“（三）不予公开 1.属于国家秘密”×“商业企业”（表中为空白）：不能为空" in line for line in lines), lines
    assert any("表二“行政事业性收费”" in line and "251000 元应为 25.1 万元" in line for line in lines), lines
    assert any("表四“行政复议”×“其他结果”（表中为“无”）" in line for line in lines), lines
    assert audit.report.inputs["t2.r1.c1"] is None
    assert audit.report.inputs["t3.r1.c1"] == report.inputs["t3.r1.c1"]


def test_a_printed_total_of_zero_beside_non_zero_parts_is_an_error(tmp_path):
    report = varied_report()
    figures = printed_figures(report)
    figures["t3.r24.c1"] = "0"  # （七）总计 × 自然人
    figures["t4.r1.c5"] = str(report.figures()["t4.r1.c5"] + 1)
    audit = audited(write(tmp_path, "total.docx", make_docx(report, figures)))
    expected = report.figures()["t3.r24.c1"]
    lines = shown(audit)
    assert f"错误  表三“（七）总计”×“自然人”（表中为“0”）：合计印为 0，但各项之和为 {expected}。" in lines
    assert any(line.startswith("错误  表四“行政复议”×“总计”") for line in lines), lines
    # the total column of that row no longer adds up either
    assert any("表三“（七）总计”×“总计”" in line for line in lines), lines


def test_a_blank_total_is_an_error(tmp_path):
    report = varied_report()
    figures = printed_figures(report)
    del figures["t3.r1.c7"]
    audit = audited(write(tmp_path, "blank-total.docx", make_docx(report, figures)))
    assert any("“一、本年新收政府信息公开申请数量”×“总计”（表中为空白）：合计（总计）是空白" in line for line in shown(audit))


def test_the_balance_of_table_3_is_checked_per_column(tmp_path):
    report = varied_report()
    inputs = dict(report.inputs)
    inputs["t3.r2.c3"] += 1  # 上年结转 × 科研机构
    broken = dataclasses.replace(report, inputs=inputs)
    audit = audited(write(tmp_path, "balance.docx", make_docx(broken, printed_figures(broken))))
    assert [p.message for p in audit.errors if "勾稽关系" in p.message and "“科研机构”列" in p.message]
    assert [p for p in audit.errors if "“总计”列" in p.message]


def test_a_23_row_table_3_is_a_format_deviation_and_the_rest_is_mapped(tmp_path):
    report = varied_report()
    audit = audited(write(tmp_path, "23.docx", make_docx(report, trial_figures(report), Layout(form=HYBRID_FORM))))
    assert audit.layout == HYBRID_FORM
    deviation = [p for p in audit.errors if "只有一行" in p.message]
    assert len(deviation) == 1 and "23 行" in deviation[0].message
    assert len(audit.errors) == 1, shown(audit)
    expected = report.figures()
    found = audit.figures()
    other = {f"t3.r{row}.c{col}" for row in (21, 22, 23) for col in range(1, 8)}
    assert all(found[key] is None for key in other)
    assert {k: v for k, v in found.items() if k not in other} == {k: v for k, v in expected.items() if k not in other}
    # the single row's printed figure is the sum of the three official rows
    assert audit.printed["t3.r21.c1"].value == sum(expected[f"t3.r{row}.c1"] for row in (21, 22, 23))


def test_a_23_row_table_3_with_a_wrong_total_is_still_checked(tmp_path):
    report = varied_report()
    figures = trial_figures(report)
    figures["t3.r22.c2"] = "0"  # the trial table's （七）总计 × 商业企业
    audit = audited(write(tmp_path, "23.html", make_html(report, figures, Layout(form=HYBRID_FORM))))
    assert any("表三“（七）总计”×“商业企业”（表中为“0”）：合计印为 0" in line for line in shown(audit)), shown(audit)


# ---------------------------------------------------------------- web pages


@pytest.mark.parametrize(
    ("charset", "meta", "layout"),
    [
        ("gb2312", "charset", Layout()),
        ("gbk", "http-equiv", Layout(merges=REPEATED, label=sloppy_label)),
        ("gb18030", "charset", Layout(merges=LOST, splits={"三": (12,)})),
        ("utf-8", "http-equiv", Layout(empty_rows={"二": (2, 7), "四": (0,)})),
    ],
)
def test_cms_pages_read_back_exactly(tmp_path, charset, meta, layout):
    report = varied_report()
    page = make_html(report, printed_figures(report), layout, charset=charset, meta=meta)
    audit = audited(write(tmp_path, "page.htm", page))
    assert_exact(audit, report)
    assert audit.errors == [], shown(audit)
    assert audit.report.agency == report.agency and audit.report.year == report.year


def test_gbk_characters_in_a_page_declared_gb2312_are_read():
    # 镕 is in GBK but not in GB2312: pages declared gb2312 carry such characters all the time
    data = '<html><head><meta charset="gb2312"></head><body><p>朱镕基</p></body></html>'.encode("gbk")
    assert "朱镕基" in decode(data)
    assert "朱镕基" in decode(data.replace(b"gb2312", b"utf-8"))  # a wrong declaration falls back


def test_th_cells_and_a_caption_are_read_like_td(tmp_path):
    report = varied_report()
    page = make_html(report, printed_figures(report)).decode("utf-8")
    page = page.replace("<td", "<th").replace("</td>", "</th>").replace('<th class="sidebar"', '<td class="sidebar"')
    audit = audited(write(tmp_path, "th.html", page.encode("utf-8")))
    assert_exact(audit, report)


# ---------------------------------------------------------------- the text: title, headings, format


def test_a_2019_trial_report_is_recognised_with_its_year_and_the_format_it_should_use(tmp_path):
    report = dataclasses.replace(varied_report(), year=2023)
    # the trial table 二's headings: 本年新制作数量, 本年新公开数量, 对外公开总数量
    layout = Layout(form=HYBRID_FORM, label=lambda text: text.replace("本年制发件数", TRIAL_FORMAT_MARKERS[0]))
    audit = audited(write(tmp_path, "trial.docx", make_docx(report, trial_figures(report), layout)))
    assert audit.trial_marker == TRIAL_FORMAT_MARKERS[0]
    message = next(p.message for p in audit.errors if TRIAL_FORMAT_NAME in p.message)
    assert "2023 年度报告" in message and FORMAT_NAME in message


def test_a_2020_report_in_the_trial_format_used_the_right_format(tmp_path):
    report = dataclasses.replace(varied_report(), year=2020)
    layout = Layout(
        form=HYBRID_FORM, label=lambda text: text.replace("现行有效件数", TRIAL_FORMAT_MARKERS[1]), date="2021年1月20日"
    )
    audit = audited(write(tmp_path, "trial.html", make_html(report, trial_figures(report), layout)))
    assert audit.trial_marker == TRIAL_FORMAT_MARKERS[1]
    assert any("2020 年度报告适用这一格式" in p.message for p in audit.warnings)
    assert not any(TRIAL_FORMAT_NAME in p.message for p in audit.errors), shown(audit)


def test_trial_phrases_in_the_text_alone_are_not_the_trial_format(tmp_path):
    report = varied_report()
    layout = Layout(extra={"二": ["本年度通过政府集中采购平台公开采购信息 12 条。"]})
    audit = audited(write(tmp_path, "text.docx", make_docx(report, printed_figures(report), layout)))
    assert audit.trial_marker is None
    assert audit.errors == [], shown(audit)


def test_missing_and_misordered_headings_and_a_year_that_disagrees(tmp_path):
    report = varied_report()
    sections = {s.number: s.title for s in FORM_2021.sections}
    layout = Layout(
        skip_sections=("五",),
        headings={"一": "一、总体 情况", "二": sections["三"], "三": sections["二"]},
        opening=f"本报告中所列数据统计期限为{report.year - 1}年1月1日至{report.year - 1}年12月31日。",
    )
    audit = audited(write(tmp_path, "headings.docx", make_docx(report, printed_figures(report), layout)))
    messages = [p.message for p in audit.errors]
    assert f"没有找到“{sections['五']}”这一部分的标题。" in messages
    assert any(m.startswith("六个部分的顺序与官方格式不同") for m in messages)
    assert any(f"标题中的年度是 {report.year} 年" in m for m in messages)
    # tables are found by their own labels, not by the headings around them
    assert audit.report.inputs["t2.r2.c3"] == report.inputs["t2.r2.c3"]


def test_headings_in_other_wordings_are_found_and_warned(tmp_path):
    report = varied_report()
    layout = Layout(
        headings={
            "一": "总体情况",  # numbered automatically by a Word list: no warning
            "四": "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "五": "五、存在的主要问题及改进情况 ",
        }
    )
    audit = audited(write(tmp_path, "headings.docx", make_docx(report, printed_figures(report), layout)))
    assert [p.message for p in audit.problems] == [
        "标题写作“四、因政府信息公开工作被申请行政复议、提起行政诉讼情况”，官方格式为“四、政府信息公开行政复议、行政诉讼情况”。"
    ]


def test_a_title_that_is_not_the_official_one_is_reported(tmp_path):
    report = varied_report()
    layout = Layout(title_lines=[f"{report.agency}关于{report.year}年度政府信息公开工作年度报告"])
    audit = audited(write(tmp_path, "title.docx", make_docx(report, printed_figures(report), layout)))
    assert audit.report.agency == report.agency and audit.report.year == report.year
    assert any("官方格式的标题应为" in p.message for p in audit.warnings)
    missing = audited(write(tmp_path, "no-title.docx", make_docx(report, printed_figures(report), Layout(title_lines=["年度报告"]))))
    assert any(p.message.startswith("没有找到标题") for p in missing.errors)


def test_carry_over_from_the_previous_report_in_any_format(tmp_path):
    last = dataclasses.replace(varied_report(), year=2023)
    previous = write(tmp_path, "2023.html", make_html(last, printed_figures(last), charset="gbk"))
    this = varied_report()
    current = write(tmp_path, "2024.docx", make_docx(this, printed_figures(this)))
    carried = {key: value for key, value in last.figures().items() if key.startswith("t3.r25.")}
    same = all(this.inputs[key.replace("r25", "r2")] == value for key, value in carried.items() if key != "t3.r25.c7")
    audit = audited(current, previous=audited(previous).report)
    warnings = [p for p in audit.warnings if "“四、结转下年度继续办理”" in p.message]
    assert bool(warnings) != same
    assert warnings and "“四、结转下年度继续办理”" in warnings[0].message


# ---------------------------------------------------------------- the tolerant pieces


def test_last_years_report_is_read_once_however_it_is_given(tmp_path, monkeypatch):
    """``audit --previous``: last year's report is read once, not once to check it and again to use it."""
    from gaidocx import audit as audit_package

    last = dataclasses.replace(varied_report(), year=2023)
    previous = write(tmp_path, "2023.html", make_html(last, printed_figures(last)))
    current = write(tmp_path, "2024.docx", make_docx(varied_report(), printed_figures(varied_report())))
    read = []
    real = audit_package.read_source
    monkeypatch.setattr(audit_package, "read_source", lambda path: read.append(Path(path).name) or real(path))
    assert CliRunner().invoke(cli, ["audit", str(current), "--previous", str(previous)]).exit_code in (0, 1)
    assert sorted(read) == ["2023.html", "2024.docx"]


def test_labels_match_despite_what_publishers_do():
    assert similarity("1、 属于国家秘密", "1.属于国家秘密") == 1.0
    assert similarity("规范性文件", "行政规范性文件") >= 0.9
    assert similarity("现行有效件", "现行有效件数") >= 0.9
    assert similarity("其他法律行政止公开", "其他法律行政法规禁止公开") >= 0.75
    assert similarity("(二)部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）") == 1.0
    assert similarity("（六）其他处理", "3.其他") < 0.75
    assert similarity("行政处罚", "行政许可") < 0.75
    assert normalise("一、 本年新收\u3000政府信息公开申请数量") == normalise("一、本年新收政府信息公开申请数量")


@pytest.mark.parametrize(
    ("text", "kind", "value", "problem"),
    [
        ("12", Kind.COUNT, 12, ""),
        (" 1,234 ", Kind.COUNT, 1234, ""),
        ("１２", Kind.COUNT, 12, ""),
        ("24252.311082", Kind.FEE, Decimal("24252.311082"), ""),
        ("", Kind.COUNT, None, ""),
        ("/", Kind.COUNT, None, "不是数字"),
        ("—", Kind.COUNT, None, "不是数字"),
        ("无", Kind.COUNT, None, "不是数字"),
        ("3件", Kind.COUNT, None, "带了单位"),
        ("251000元", Kind.FEE, None, "25.1 万元"),
        ("见附件", Kind.COUNT, None, "应为数字"),
    ],
)
def test_printed_figures(text, kind, value, problem):
    figure = read_figure(text, kind)
    assert figure.value == value
    assert (problem in figure.problem) if problem else figure.problem == ""


def test_rowspan_and_colspan_are_placed_on_the_grid():
    rows = grid_rows([[("a", 2, 2), ("b", 1, 1)], [("c", 1, 1)], [("d", 1, 1), ("e", 2, 1)]])
    assert rows == (
        (Cell("a", 0, 2), Cell("b", 2, 1)),
        (Cell("a", 0, 2), Cell("c", 2, 1)),
        (Cell("d", 0, 1), Cell("e", 1, 2)),
    )


def test_a_published_fee_to_the_fen_is_accepted(tmp_path):
    report = varied_report()
    figures = printed_figures(report)
    figures["t2.r6.c1"] = "24252.311082"
    audit = audited(write(tmp_path, "fee.docx", make_docx(report, figures)))
    assert audit.report.inputs["t2.r6.c1"] == Decimal("24252.311082")
    assert audit.errors == [], shown(audit)


# ---------------------------------------------------------------- unreadable files and the command


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("broken.docx", b"PK\x03\x04 not really", "已损坏"),
        ("report.doc", b"\xd0\xcf\x11\xe0", "另存为 .docx"),
        ("report.pdf", b"%PDF-1.4", "PDF"),
        ("empty.html", b"", "空文件"),
    ],
)
def test_unreadable_files_are_refused_in_chinese(tmp_path, name, data, says):
    with pytest.raises(UnreadableFile, match=says):
        audit_file(write(tmp_path, name, data))


def test_a_docx_without_tables_says_which_tables_are_missing(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某某局2024年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    path = tmp_path / "text-only.docx"
    document.save(path)
    audit = audited(path)
    assert {p.message for p in audit.errors} >= {
        "没有找到表二（“二、主动公开政府信息情况”的表格）。",
        "没有找到表三（“三、收到和处理政府信息公开申请情况”的表格）。",
        "没有找到表四（“四、政府信息公开行政复议、行政诉讼情况”的表格）。",
    }


def test_cli_exit_codes_and_messages(tmp_path):
    report = varied_report()
    good = write(tmp_path, "good.docx", render_docx(report))
    figures = printed_figures(report)
    figures["t3.r1.c1"] = "/"
    bad = write(tmp_path, "bad.html", make_html(report, figures, charset="gb2312"))
    broken = write(tmp_path, "broken.docx", b"nothing")
    runner = CliRunner()
    result = runner.invoke(cli, ["audit", str(good)])
    assert result.exit_code == 0, result.output
    assert "核对通过" in result.output
    result = runner.invoke(cli, ["audit", str(bad)])
    assert result.exit_code == 1
    assert "错误  表三“一、本年新收政府信息公开申请数量”×“自然人”（表中为“/”）" in result.output
    result = runner.invoke(cli, ["audit", str(good), str(bad), str(broken)])
    assert result.exit_code == 2
    assert "共核对 3 个文件：1 个通过，1 个有错误，1 个无法读取。" in result.output
    assert "Traceback" not in result.output


def test_cli_json_holds_every_figure(tmp_path):
    report = varied_report()
    path = write(tmp_path, "page.html", make_html(report, printed_figures(report), Layout(merges=REPEATED)))
    result = CliRunner().invoke(cli, ["audit", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agency"] == report.agency and data["year"] == report.year
    assert data["audit"]["problems"] == []
    assert data["audit"]["printed"] == printed_figures(report)
    assert data["audit"]["printed_outside_the_form"] == {}
    if "figures" in data:  # the plain form (until core/data.py is merged)
        for key, value in report.figures().items():
            expected = str(value) if FIELDS[key].kind is Kind.FEE else value
            assert data["figures"][key] == expected, key


def test_cli_previous_must_be_readable(tmp_path):
    report = varied_report()
    good = write(tmp_path, "good.docx", render_docx(report))
    result = CliRunner().invoke(cli, ["audit", str(good), "--previous", str(tmp_path / "missing.docx")])
    assert result.exit_code == 2
    assert "无法使用：找不到文件" in result.output


def test_table_2_published_as_one_small_table_per_group():
    """Four tables of their own widths (2 columns where one figure spans the row), read as one."""
    table = FORM_2021.table("二")

    def row(*texts):
        return tuple(Cell(text, col) for col, text in enumerate(texts))

    fragments = [
        (row("第二十条第(一)项"), row("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
         row("规章", "1", "2", "3"), row("规范性文件", "4", "5", "6")),
        (row("第二十条第(五)项"), row("信息内容", "本年处理决定数量"), row("行政许可", "7")),
        (row("第二十条第(六)项"), row("信息内容", "本年处理决定数量"), row("行政处罚", "8"), row("行政强制", "")),
        (row("第二十条第(八)项"), row("信息内容", "本年收费金额(单位:万元)"), row("行政事业性收费", "0.5")),
    ]
    reading = read_table(table, [r for fragment in fragments for r in fragment])
    values = {key: figure.text for key, figure in reading.figures.items()}
    assert values == {
        "t2.r1.c1": "1", "t2.r1.c2": "2", "t2.r1.c3": "3",
        "t2.r2.c1": "4", "t2.r2.c2": "5", "t2.r2.c3": "6",
        "t2.r3.c1": "7", "t2.r4.c1": "8", "t2.r5.c1": "", "t2.r6.c1": "0.5",
    }
    assert reading.missing_rows == []
    assert reading.renamed == [("规范性文件", "行政规范性文件")]


def test_a_renamed_row_label_is_a_warning(tmp_path):
    report = varied_report()
    audit = audited(write(tmp_path, "sloppy.docx", make_docx(report, printed_figures(report), Layout(label=sloppy_label))))
    assert "表二的行标签“规范性文件”与官方格式“行政规范性文件”不同。" in [p.message for p in audit.warnings]
    assert not any("属于国家秘密" in p.message for p in audit.warnings)  # only 1、 for 1.: the same label


def test_column_headings_out_of_place_or_missing_are_warned(tmp_path):
    report = varied_report()
    swap = {"商业企业": "科研机构", "科研机构": "商业企业", "自然人": "个人"}
    layout = Layout(label=lambda text: swap.get(text, text))
    audit = audited(write(tmp_path, "columns.docx", make_docx(report, printed_figures(report), layout)))
    messages = [p.message for p in audit.warnings]
    assert any(m.startswith("表三的列标题“商业企业”不在官方格式的位置上") for m in messages), messages
    assert any(m.startswith("表三的列标题“科研机构”不在官方格式的位置上") for m in messages), messages
    assert "表三中没有找到列标题“自然人”。" in messages
    assert not any(m.startswith(("表二的列标题", "表四的列标题")) for m in messages)


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_documents_saved_by_another_word_processor(tmp_path):
    """LibreOffice re-saves a hand-made and a gaidocx .docx, and turns a GBK CMS page (layout table
    and all) into a .docx: each is read back exactly.  One soffice run converts all three."""
    report = varied_report()
    figures = printed_figures(report)
    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs, "hand.docx", make_docx(report, figures, Layout(merges=REPEATED, label=sloppy_label)))
    write(inputs, "own.docx", render_docx(report))
    write(inputs, "page.html", make_html(report, figures, Layout(splits={"三": (12,)}), charset="gbk"))
    outputs = tmp_path / "out"
    command = [
        find_soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
        "--nologo", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outputs),
        *(str(inputs / name) for name in ("hand.docx", "own.docx", "page.html")),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    # and a web page saved by a word processor
    command[command.index("docx:MS Word 2007 XML")] = "html:HTML (StarWriter)"
    command[-3:] = [str(inputs / "hand.docx")]
    subprocess.run(command, check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    for name in ("hand.docx", "own.docx", "page.docx", "hand.html"):
        audit = audited(outputs / name)
        assert_exact(audit, report)
        assert audit.errors == [], (name, shown(audit))


INSTALLED = shutil.which("gaidocx", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(INSTALLED is None, reason="gaidocx is not installed in this environment")
def test_installed_command_audits_from_another_folder(tmp_path):
    """The audit package ships with gaidocx (pyproject's package list names it)."""
    report = varied_report()
    write(tmp_path, "报告.htm", make_html(report, printed_figures(report), charset="gb2312"))
    result = subprocess.run([INSTALLED, "audit", "报告.htm"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "核对通过" in result.stdout


@st.composite
def cms_layouts(draw):
    merges = draw(st.sampled_from([REAL, REPEATED, LOST]))
    label = draw(st.sampled_from([lambda text: text, sloppy_label]))
    splits = {n: draw(st.lists(st.integers(3, rows - 2), max_size=2)) for n, rows in (("二", 14), ("三", 28))}
    empty = {n: draw(st.lists(st.integers(0, rows - 1), max_size=3)) for n, rows in (("二", 14), ("三", 28), ("四", 4))}
    return Layout(merges=merges, label=label, splits=splits, empty_rows=empty)


@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    figures=consistent_figures(),
    layout=cms_layouts(),
    output=st.sampled_from(["docx", "utf-8", "gb2312", "gbk"]),
)
def test_any_figures_in_any_hand_made_layout_read_back_exactly(tmp_path, figures, layout, output):
    report = dataclasses.replace(sample_report(), inputs=figures)
    if output == "docx":
        path = write(tmp_path, "word.docx", make_docx(report, printed_figures(report), layout))
    else:
        path = write(tmp_path, "page.html", make_html(report, printed_figures(report), layout, charset=output))
    audit = audited(path)
    assert_exact(audit, report)
    assert audit.errors == [], shown(audit)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_files_are_refused_or_read_never_crash(tmp_path, data):
    name = data.draw(st.sampled_from(["own.docx", "page.html"]))
    original = OWN_DOCX if name == "own.docx" else OWN_PAGE
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        damaged = damaged[: data.draw(st.integers(0, len(damaged)))]
    path = write(tmp_path, name, bytes(damaged))
    try:
        audit = audited(path)
    except UnreadableFile as exc:
        assert str(exc)
    else:
        assert all(format_audit_problem(audit, p) for p in audit.problems)

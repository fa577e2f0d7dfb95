"""The form definition, the report model and the checks, without any office library."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from support import sample_report, varied_report

from gaidocx.core.checks import (
    AGENCY,
    SIGNED_ON,
    YEAR,
    Severity,
    check_report,
    paragraph_place,
    section_place,
)
from gaidocx.core.form import FORM_2021
from gaidocx.core.narrative import parse_paragraph, split_paragraphs
from gaidocx.core.report import format_figure

FIELDS = FORM_2021.fields
SECTIONS = FORM_2021.sections
TABLES = FORM_2021.tables
TABLE_2 = FORM_2021.table("二")
TABLE_3 = FORM_2021.table("三")
TABLE_4 = FORM_2021.table("四")

TODAY = datetime.date(2025, 1, 25)


def problems_of(report, **kwargs):
    return [(p.severity, p.places) for p in check_report(report, today=TODAY, **kwargs)]


def with_inputs(report, **changes):
    return dataclasses.replace(report, inputs={**report.inputs, **{k.replace("_", "."): v for k, v in changes.items()}})


# ---------------------------------------------------------------- the form


def test_section_titles_are_the_official_ones():
    assert [s.title for s in SECTIONS] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.number)
def test_every_grid_cell_is_covered_exactly_once(table):
    covered: dict[tuple[int, int], int] = {}
    for label in table.labels:
        for r in range(label.row, label.row + label.rowspan):
            for c in range(label.col, label.col + label.colspan):
                covered[r, c] = covered.get((r, c), 0) + 1
    for f in table.fields:
        for c in range(f.col, f.col + f.colspan):
            covered[f.row, c] = covered.get((f.row, c), 0) + 1
    assert set(covered.values()) == {1}
    assert len(covered) == table.rows * table.columns


def test_table_sizes_match_the_specification():
    assert (TABLE_2.rows, TABLE_2.columns, len(TABLE_2.fields)) == (14, 4, 10)
    assert (TABLE_3.rows, TABLE_3.columns, len(TABLE_3.fields)) == (28, 10, 175)
    assert (TABLE_4.rows, TABLE_4.columns, len(TABLE_4.fields)) == (4, 15, 15)


def test_table_3_row_labels_in_order():
    labels = [f.row_label for f in TABLE_3.fields if f.col_label == "自然人"]
    assert labels[0] == "一、本年新收政府信息公开申请数量"
    assert labels[1] == "二、上年结转政府信息公开申请数量"
    assert labels[2] == "（一）予以公开"
    assert labels[4] == "（三）不予公开 1.属于国家秘密"
    assert labels[7] == "（三）不予公开 4.保护第三方合法权益"
    assert labels[14] == "（四）无法提供 3.补正后申请内容仍不明确"
    assert labels[17] == "（五）不予处理 3.要求提供公开出版物"
    assert labels[22] == "（六）其他处理 3.其他"
    assert labels[23] == "（七）总计"
    assert labels[24] == "四、结转下年度继续办理"
    assert len(labels) == 25


def test_totals_are_the_official_sums():
    assert FIELDS["t3.r1.c7"].parts == tuple(f"t3.r1.c{c}" for c in range(1, 7))
    assert FIELDS["t3.r24.c2"].parts == tuple(f"t3.r{r}.c2" for r in range(3, 24))
    assert FIELDS["t4.r1.c10"].parts == ("t4.r1.c6", "t4.r1.c7", "t4.r1.c8", "t4.r1.c9")
    assert not any(f.is_total for f in TABLE_2.fields)


def test_figures_compute_totals():
    figures = varied_report().figures()
    for key, f in FIELDS.items():
        if f.is_total:
            assert figures[key] == sum(figures[p] for p in f.parts)


def test_a_blank_part_leaves_its_totals_unknown():
    figures = with_inputs(sample_report(), t3_r5_c2=None).figures()
    assert figures["t3.r5.c7"] is None and figures["t3.r24.c2"] is None and figures["t3.r24.c7"] is None
    assert figures["t3.r6.c7"] == 0


@pytest.mark.parametrize(
    ("value", "expected"), [(Decimal("0"), "0"), (Decimal("25.1000"), "25.1"), (Decimal("0.0001"), "0.0001"), (Decimal("100"), "100")]
)
def test_fee_is_printed_without_trailing_zeros(value, expected):
    assert format_figure(value, TABLE_2.fields[-1].kind) == expected


# ---------------------------------------------------------------- narrative


def test_lead_in_is_split_from_the_body():
    p = parse_paragraph("（一）主动公开。围绕中心，服务大局。")
    assert (p.level, p.lead, p.body) == (2, "（一）主动公开。", "围绕中心，服务大局。")
    p = parse_paragraph("（一）存在的问题：一是……")
    assert (p.level, p.lead) == (2, "（一）存在的问题：")
    assert parse_paragraph("1.加强培训。").lead == "1.加强培训。"
    assert parse_paragraph("（2）其他。").level == 4
    assert parse_paragraph("2024年，本机关……").level == 0
    assert parse_paragraph("（二）改进情况").is_bare_heading


def test_line_breaks_start_new_paragraphs():
    assert split_paragraphs("第一段\r\n\n  第二段  \r第三段") == ["第一段", "第二段", "第三段"]


# ---------------------------------------------------------------- checks


def test_sample_and_varied_reports_are_clean():
    assert check_report(sample_report(), today=TODAY) == []
    assert check_report(varied_report(), today=TODAY) == []


def test_blank_cell_is_an_error_naming_the_cell():
    assert problems_of(with_inputs(sample_report(), t3_r3_c1=None)) == [(Severity.ERROR, ("t3.r3.c1",))]


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("t3.r1.c1", -1, "负数"),
        ("t3.r1.c1", Decimal("1.5"), "整数"),
        ("t2.r1.c1", 10**9, "过大"),
        ("t2.r6.c1", Decimal("0.00001"), "4 位小数"),
    ],
)
def test_bad_values_are_errors(key, value, fragment):
    problems = check_report(with_inputs(sample_report(), **{key.replace(".", "_"): value}), today=TODAY)
    assert any(p.places == (key,) and fragment in p.message and p.is_error for p in problems)


def test_fee_with_four_decimals_is_fine():
    assert check_report(with_inputs(sample_report(), t2_r6_c1=Decimal("25.1234")), today=TODAY) == []


def test_unbalanced_column_names_all_four_cells_and_both_sums():
    report = with_inputs(sample_report(), t3_r1_c3=4, t3_r3_c3=1)
    problems = check_report(report, today=TODAY)
    科研 = [p for p in problems if p.places[0] == "t3.r1.c3"]
    assert len(科研) == 1
    assert 科研[0].places == ("t3.r1.c3", "t3.r2.c3", "t3.r24.c3", "t3.r25.c3")
    assert "4 + 0 = 4" in 科研[0].message and "1 + 0 = 1" in 科研[0].message
    # the 总计 column is unbalanced too, by the same amount
    assert any(p.places[0] == "t3.r1.c7" for p in problems)


def test_reader_refused_cells_are_not_called_blank_again():
    report = with_inputs(sample_report(), t3_r1_c1=None)
    assert check_report(report, today=TODAY, reported={"t3.r1.c1"}) == []


@pytest.mark.parametrize(
    ("changes", "place", "severity"),
    [
        ({"agency": " "}, AGENCY, Severity.ERROR),
        ({"year": None}, YEAR, Severity.ERROR),
        ({"year": 2020}, YEAR, Severity.ERROR),
        ({"year": 2026}, YEAR, Severity.ERROR),
        ({"signed_on": None}, SIGNED_ON, Severity.ERROR),
        ({"signed_on": datetime.date(2024, 12, 31)}, SIGNED_ON, Severity.ERROR),
        ({"signed_on": datetime.date(2025, 2, 1)}, SIGNED_ON, Severity.WARNING),
    ],
)
def test_metadata_rules(changes, place, severity):
    assert problems_of(dataclasses.replace(sample_report(), **changes)) == [(severity, (place,))]


def test_years_before_the_trial_format_are_explained():
    (problem,) = check_report(dataclasses.replace(sample_report(), year=2018), today=TODAY)
    assert problem.places == (YEAR,) and "不使用现行格式" in problem.message


def test_trial_format_years_are_explained():
    (problem,) = check_report(dataclasses.replace(sample_report(), year=2019), today=TODAY)
    assert "2019 年试行格式" in problem.message


def test_section_six_is_required_and_must_report_the_fee():
    report = sample_report()
    empty = dataclasses.replace(report, narratives={**report.narratives, "六": ("", "")})
    assert problems_of(empty) == [(Severity.ERROR, (section_place("六"),))]
    no_fee = dataclasses.replace(report, narratives={**report.narratives, "六": ("无。",)})
    assert problems_of(no_fee) == [(Severity.WARNING, (section_place("六"),))]


def test_empty_optional_section_is_a_warning():
    report = sample_report()
    report = dataclasses.replace(report, narratives={**report.narratives, "五": ()})
    assert problems_of(report) == [(Severity.WARNING, (section_place("五"),))]


def test_placeholder_and_bare_headings_are_reported_by_row():
    report = sample_report()
    report = dataclasses.replace(
        report, narratives={**report.narratives, "opening": ("统计期限为____年。",), "五": ("", "（二）改进情况。")}
    )
    assert problems_of(report) == [
        (Severity.ERROR, (paragraph_place("opening", 0),)),
        (Severity.WARNING, (paragraph_place("五", 1),)),
    ]


def test_carry_over_from_last_year_is_a_warning():
    this_year = with_inputs(sample_report(), t3_r2_c1=2, t3_r3_c1=2)
    last_year = dataclasses.replace(with_inputs(sample_report(), t3_r25_c1=3, t3_r1_c1=3), year=2023)
    problems = check_report(this_year, previous=last_year, today=TODAY)
    assert [(p.severity, p.places) for p in problems] == [(Severity.WARNING, ("t3.r2.c1",))]
    assert "3" in problems[0].message and "2" in problems[0].message


def test_previous_report_of_another_year_is_not_compared():
    report = sample_report()
    (problem,) = check_report(report, previous=report, today=TODAY)
    assert problem.places == (YEAR,) and "不是 2023 年度" in problem.message


def test_table_four_figures_too_wide_for_their_cells_are_a_warning():
    problems = problems_of(with_inputs(sample_report(), t4_r1_c2=10_000))
    assert problems == [(Severity.WARNING, ("t4.r1.c2",))]
    assert problems_of(with_inputs(sample_report(), t4_r1_c2=9_999)) == []


def test_totals_too_wide_to_print_are_a_warning():
    report = with_inputs(sample_report(), t3_r3_c1=99_999_999, t3_r3_c2=99_999_999, t3_r25_c1=0)
    report = with_inputs(report, t3_r1_c1=99_999_999, t3_r1_c2=99_999_999)
    problems = problems_of(report)
    assert (Severity.WARNING, ("t3.r3.c7",)) in problems and (Severity.WARNING, ("t3.r24.c7",)) in problems
    assert all(severity is Severity.WARNING for severity, _ in problems)


def test_previous_report_without_a_year():
    (problem,) = check_report(sample_report(), previous=dataclasses.replace(sample_report(), year=None), today=TODAY)
    assert "没有填写年度" in problem.message


def test_the_form_is_a_value_and_the_trial_form_has_one_other_handling_row():
    from gaidocx.core.form import TRIAL_FORM_2019

    trial_3 = TRIAL_FORM_2019.table("三")
    assert trial_3.rows - trial_3.header_rows == 23
    assert TABLE_3.rows - TABLE_3.header_rows == 25
    rows = [f.row_label for f in trial_3.fields if f.col_label == "自然人"]
    assert rows[-3:] == ["（六）其他处理", "（七）总计", "四、结转下年度继续办理"]
    assert [t.number for t in TRIAL_FORM_2019.tables] == ["三", "四"]
    # every balance still holds on the trial layout: R1 + R2 = （七）总计 + 四
    assert len(trial_3.balances) == 7
    assert FORM_2021.table_of("t3.r25.c7") is TABLE_3

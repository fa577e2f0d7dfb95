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
    ("value", "expected"),
    [
        (Decimal("0"), "0"),
        (0, "0"),
        (Decimal("25.1000"), "25.1000"),
        (Decimal("1.50"), "1.50"),
        (Decimal("24252.311082"), "24252.311082"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("1E-6"), "0.000001"),
        (Decimal("1E+2"), "100"),
        (Decimal("100"), "100"),
    ],
)
def test_fee_is_printed_as_entered(value, expected):
    """The digits as entered: none added, none dropped, never in exponent form."""
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
    # the sample's own “全年未收到政府信息公开申请” beside the varied report's applications
    varied = dataclasses.replace(varied_report(), narratives=sample_report().narratives)
    (problem,) = check_report(varied, today=TODAY)
    assert problem.places == (paragraph_place("一", 2), "t3.r1.c7") and not problem.is_error
    assert str(varied.figures()["t3.r1.c7"]) in problem.message


def test_blank_cell_is_an_error_naming_the_cell():
    assert problems_of(with_inputs(sample_report(), t3_r3_c1=None)) == [(Severity.ERROR, ("t3.r3.c1",))]


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("t3.r1.c1", -1, "负数"),
        ("t3.r1.c1", Decimal("1.5"), "整数"),
        ("t2.r1.c1", 10**9, "过大"),
        ("t2.r6.c1", Decimal("0.0000001"), "6 位小数"),
        ("t2.r6.c1", Decimal("24252.3110821"), "精确到分"),
    ],
)
def test_bad_values_are_errors(key, value, fragment):
    problems = check_report(with_inputs(sample_report(), **{key.replace(".", "_"): value}), today=TODAY)
    assert any(p.places == (key,) and fragment in p.message and p.is_error for p in problems)


@pytest.mark.parametrize("fee", ["25.1234", "24252.311082", "0.000001", "1.50", "3.1000000", "100"])
def test_fees_to_the_fen_are_fine(fee):
    """Published reports give the fee in 万元 to the fen: six decimals (trailing zeros do not count)."""
    assert check_report(with_inputs(sample_report(), t2_r6_c1=Decimal(fee)), today=TODAY) == []


def test_unbalanced_column_is_one_short_error_naming_its_four_cells_and_both_sums():
    report = with_inputs(sample_report(), t3_r2_c3=4, t3_r3_c3=1)
    problems = check_report(report, today=TODAY)
    (problem,) = problems  # not a second one for the 总计 column, which follows from it
    assert problem.places == ("t3.r1.c3", "t3.r2.c3", "t3.r24.c3", "t3.r25.c3") and problem.is_error
    assert "0 + 4 = 4" in problem.message and "1 + 0 = 1" in problem.message
    assert "“科研机构”列" in problem.message and "“总计”列因此也不平衡" in problem.message
    assert len(problem.message) < 100


def test_two_unbalanced_columns_that_cancel_leave_the_total_column_balanced():
    report = with_inputs(sample_report(), t3_r2_c3=1, t3_r3_c4=1)
    problems = check_report(report, today=TODAY)
    assert [p.places[0] for p in problems] == ["t3.r1.c3", "t3.r1.c4"]
    assert not any("总计" in p.message for p in problems)


def test_a_fractional_count_is_one_error_not_three():
    report = with_inputs(sample_report(), t3_r1_c1=Decimal("5.5"))
    (problem,) = check_report(report, today=TODAY)
    assert problem.places == ("t3.r1.c1",) and "整数" in problem.message


def test_errors_with_wrong_values_come_first_then_other_errors_then_warnings():
    from gaidocx.core.checks import Problem, error, sort_problems, warning

    problems = [
        warning("甲", "agency"),
        error("乙", "t3.r1.c1", secondary=True),
        error("丙", "t3.r1.c2"),
        warning("丁"),
        error("戊", "year"),
    ]
    assert [p.message for p in sort_problems(problems)] == ["丙", "戊", "乙", "甲", "丁"]
    assert all(isinstance(p, Problem) for p in sort_problems(problems))
    report = dataclasses.replace(with_inputs(sample_report(), t3_r3_c1=-1), signed_on=datetime.date(2025, 2, 3))
    severities = [p.severity for p in check_report(report, today=TODAY)]
    assert severities == sorted(severities, key=lambda s: s is Severity.WARNING) and len(severities) == 2


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


@pytest.mark.parametrize(
    "entries",
    [
        ("（三）政府信息管理。\n规范网站发布信息管理工作流程。",),  # Alt+Enter in one cell
        ("（三）政府信息管理。", "", "规范网站发布信息管理工作流程。", "严格落实三审三校。"),  # rows of body text
        ("（一）主动公开。", "1.加强培训。", "组织培训2次。"),  # a heading over sub-headings
        ("（一）主动公开。\r\n\r\n围绕中心。",),
    ],
)
def test_a_heading_followed_by_its_body_is_not_bare(entries):
    report = sample_report()
    report = dataclasses.replace(report, narratives={**report.narratives, "一": entries})
    assert problems_of(report) == []


@pytest.mark.parametrize(
    ("entries", "bare_rows"),
    [
        (("（一）存在的主要问题。", "（二）改进情况。"), [0, 1]),  # the skeleton left unfilled
        (("（一）存在的主要问题。", "问题甲。", "（二）改进情况。"), [2]),
        (("（一）问题。\n（二）改进情况。", "改进甲。"), [0]),  # first line heads nothing
        (("（一）问题。", "1.甲。", "乙。", "2.丙。"), [3]),  # the last sub-heading heads nothing
        (("一、问题", "（一）甲。"), [1]),  # 一、 heads （一）, which heads nothing
        (("一、问题", "（一）甲。乙。"), []),
    ],
)
def test_headings_heading_nothing_are_reported_by_row(entries, bare_rows):
    report = sample_report()
    report = dataclasses.replace(report, narratives={**report.narratives, "五": entries})
    assert problems_of(report) == [(Severity.WARNING, (paragraph_place("五", row),)) for row in bare_rows]


def test_headings_without_body_reads_levels():
    from gaidocx.core.narrative import headings_without_body

    assert headings_without_body(["（一）甲。", "正文", "（二）乙。"]) == [2]
    assert headings_without_body(["一、总体情况", "（一）甲。", "正文"]) == []
    assert headings_without_body(["（一）甲。", "一、乙"]) == [0, 1]
    assert headings_without_body([]) == []


LAST_YEAR_TEXT = {
    "opening": ("依据《政府信息公开条例》编制本报告。",),
    "一": ("（一）主动公开。上一年度重点推进了乡村振兴领域的信息发布，调整了栏目设置。", "（二）依申请公开。畅通了线上线下申请渠道。"),
    "五": ("（一）存在的主要问题。基层人员业务能力有待提高。",),
    "六": ("上一年度没有收取信息处理费。",),
}


def last_year_of(report, **changes):
    """Last year's report: the year before, its own text."""
    return dataclasses.replace(report, year=report.year - 1, narratives=LAST_YEAR_TEXT, **changes)


def test_carry_over_from_last_year_is_a_warning():
    this_year = with_inputs(sample_report(), t3_r2_c1=2, t3_r3_c1=2)
    last_year = last_year_of(with_inputs(sample_report(), t3_r25_c1=3, t3_r1_c1=3))
    problems = check_report(this_year, previous=last_year, today=TODAY, previous_name="2023年.xlsx")
    assert [(p.severity, p.places) for p in problems] == [(Severity.WARNING, ("t3.r2.c1",))]
    assert "3" in problems[0].message and "2" in problems[0].message and "“2023年.xlsx”" in problems[0].message


def test_last_year_agreeing_gives_nothing():
    assert check_report(sample_report(), previous=last_year_of(sample_report()), today=TODAY) == []


def test_another_agency_last_year_names_both_agencies_and_the_file():
    last_year = last_year_of(sample_report(), agency="和田县人民政府办公室")
    (problem,) = check_report(sample_report(), previous=last_year, today=TODAY, previous_name="和田2023.xlsx")
    assert problem.places == (AGENCY,) and not problem.is_error
    assert "和田县人民政府办公室" in problem.message and "策勒县人民政府办公室" in problem.message
    assert "和田2023.xlsx" in problem.message
    # spacing and full-width forms are not a different agency
    same = last_year_of(sample_report(), agency=" 策勒县人民政府办公室 ")
    assert check_report(sample_report(), previous=same, today=TODAY) == []


def received(report, count, carried=0):
    """``report`` with ``count`` new applications, all granted, ``carried`` carried over and granted."""
    return with_inputs(report, t3_r1_c1=count, t3_r2_c1=carried, t3_r3_c1=count + carried, t3_r25_c1=0)


@pytest.mark.parametrize(
    ("now", "before", "warned"),
    [
        (51, 10, True),  # more than five times
        (50, 10, False),  # exactly five times
        (10, 51, True),  # below a fifth
        (10, 50, False),
        (60, 9, False),  # last year below ten: small numbers jump
        (9, 60, False),
    ],
)
def test_key_totals_that_jump_are_a_warning(now, before, warned):
    text = {**sample_report().narratives, "一": ("收到政府信息公开申请若干。",)}
    this_year = dataclasses.replace(received(sample_report(), now), narratives=text)
    last_year = last_year_of(received(sample_report(), before))
    problems = check_report(this_year, previous=last_year, today=TODAY)
    if not warned:
        assert problems == []
        return
    assert {p.places for p in problems} == {("t3.r1.c7",), ("t3.r24.c7",)}
    message = next(p.message for p in problems if p.places == ("t3.r1.c7",))
    assert "一、本年新收政府信息公开申请数量" in message and str(now) in message and str(before) in message
    assert ("倍" if now > before else "五分之一") in message


def test_litigation_total_counts_both_kinds_of_suit():
    def suits(report, direct, after_review):
        return with_inputs(report, t4_r1_c6=direct, t4_r1_c11=after_review)

    this_year = suits(sample_report(), 30, 31)
    (problem,) = check_report(this_year, previous=last_year_of(suits(sample_report(), 6, 6)), today=TODAY)
    assert problem.places == ("t4.r1.c10", "t4.r1.c15") and "行政诉讼总计" in problem.message and "61" in problem.message
    assert check_report(this_year, previous=last_year_of(suits(sample_report(), 6, 7)), today=TODAY) == []


def test_text_repeated_from_last_year_is_a_warning_with_its_share():
    (problem,) = check_report(sample_report(), previous=dataclasses.replace(sample_report(), year=2023), today=TODAY)
    assert "100%" in problem.message and not problem.is_error
    assert problem.places == tuple(section_place(s) for s in ("一", "五", "六"))


def test_overlap_share_counts_characters_in_runs_of_thirteen():
    from gaidocx.core.crosscheck import SHINGLE, text_overlap

    old = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"  # 20 characters
    new_text = old[:SHINGLE] + "天地玄黄宇宙洪荒日月"  # 13 repeated of 23
    this_year = dataclasses.replace(sample_report(), narratives={"一": (new_text,)})
    last_year = dataclasses.replace(sample_report(), narratives={"一": (old,)})
    overlap = text_overlap(this_year, last_year)
    assert overlap.share == pytest.approx(13 / 23) and overlap.sections == {"一": pytest.approx(13 / 23)}
    short = dataclasses.replace(this_year, narratives={"一": (old[: SHINGLE - 1] + "天地玄黄宇宙洪荒日月",)})
    assert text_overlap(short, last_year).share == 0


def test_overlap_ignores_headings_the_opening_and_template_text():
    from gaidocx.core.crosscheck import text_overlap
    from gaidocx.core.form import FORM_2021 as form

    skeleton = {s.number: s.skeleton for s in form.narrative_sections}
    fresh = {
        "opening": sample_report().narratives["opening"],
        "一": tuple(f"{h}本年新做的第{i}件事情，与去年完全不同的内容写在这里。" for i, h in enumerate(skeleton["一"])),
        "五": skeleton["五"],
        "六": skeleton["六"],
    }
    this_year = dataclasses.replace(sample_report(), narratives=fresh)
    last_year = dataclasses.replace(
        sample_report(), narratives={**fresh, "一": tuple(f"{h}上年旧事。" for h in skeleton["一"])}
    )
    assert text_overlap(this_year, last_year).share == 0
    # punctuation and spacing do not hide a copy
    punctuated = {**fresh, "一": tuple(text.replace("，", "、 ") for text in fresh["一"])}
    assert text_overlap(this_year, dataclasses.replace(last_year, narratives=punctuated)).share == 1


def test_previous_report_of_another_year_is_not_compared():
    report = sample_report()
    (problem,) = check_report(report, previous=report, today=TODAY, previous_name="甲.xlsx")
    assert problem.places == (YEAR,) and "不是 2023 年度" in problem.message and "“甲.xlsx”" in problem.message


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


def test_a_form_hashes_as_the_value_it_is():
    """Caches are keyed on the form: equal forms must hash alike, different forms apart."""
    from gaidocx.core.form import TRIAL_FORM_2019

    copy = dataclasses.replace(FORM_2021)
    assert copy is not FORM_2021 and copy == FORM_2021 and hash(copy) == hash(FORM_2021)
    assert len({FORM_2021, copy, TRIAL_FORM_2019}) == 2
    renamed = dataclasses.replace(FORM_2021, name="另一版")
    assert renamed != FORM_2021 and hash(renamed) != hash(FORM_2021)


def test_a_form_pickled_into_another_process_hashes_as_that_process_hashes_it():
    import pickle
    import subprocess
    import sys

    code = (
        "import pickle, sys; from gaidocx.core.form import FORM_2021; "
        "form = pickle.loads(sys.stdin.buffer.read()); "
        "assert form == FORM_2021 and hash(form) == hash(FORM_2021) and form.fields.keys() == FORM_2021.fields.keys()"
    )
    subprocess.run([sys.executable, "-c", code], input=pickle.dumps(FORM_2021), check=True, timeout=60,
                   env={**__import__("os").environ, "PYTHONHASHSEED": "random"})

"""The text against the tables: plain statements of table figures are compared, nothing else."""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata

import pytest
from support import sample_report

from gaidocx.core.checks import check_report, paragraph_place
from gaidocx.core.crosscheck import (
    CARRIED_IN,
    CARRIED_OUT,
    DOCS_IN_FORCE,
    DOCS_ISSUED,
    DOCS_REPEALED,
    HANDLED,
    LITIGATION,
    RECEIVED,
    REVIEW,
    RULES_IN_FORCE,
    RULES_ISSUED,
    claims,
    parse_number,
)

TODAY = datetime.date(2025, 1, 25)
YEAR = 2024


def read(text: str) -> list[tuple[str, int]]:
    return [(c.what, c.value) for c in claims(text, YEAR)]


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("12", 12), ("零", 0), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
     ("一百零五", 105), ("一千零一", 1001), ("三千二百", 3200), ("一二", None), ("十十", 20)],
)
def test_numbers_arabic_and_chinese(text, value):
    assert parse_number(text) == value


# ---------------------------------------------------------------- what is read


#: Plain statements and the claims read from them.
STATEMENTS = [
    ("收到政府信息公开申请3件", [(RECEIVED, 3)]),
    ("共受理依申请公开12件", [(RECEIVED, 12)]),
    ("全年共收到政府信息公开申请十二件，均已按时答复。", [(RECEIVED, 12)]),
    ("本年新收政府信息公开申请数量为5件", [(RECEIVED, 5)]),
    ("收到政府信息公开申请３件", [(RECEIVED, 3)]),  # full-width digits
    ("收到政府信息公开申请两件", [(RECEIVED, 2)]),
    ("2024年收到政府信息公开申请3件", [(RECEIVED, 3)]),
    ("本年度共收到3件政府信息公开申请", [(RECEIVED, 3)]),
    ("2024年度全年未收到政府信息公开申请。", [(RECEIVED, 0)]),
    ("全年没有收到依申请公开事项", [(RECEIVED, 0)]),
    ("无依申请公开情况。", [(RECEIVED, 0)]),
    ("依申请公开：本年度收到政府信息公开申请数量为0", [(RECEIVED, 0)]),
    ("办结政府信息公开申请7件", [(HANDLED, 7)]),
    ("上年结转1件", [(CARRIED_IN, 1)]),
    ("上年度结转政府信息公开申请2件", [(CARRIED_IN, 2)]),
    ("无上年结转申请", [(CARRIED_IN, 0)]),
    ("结转下年度继续办理2件", [(CARRIED_OUT, 2)]),
    ("其中2件结转下年度继续办理", [(CARRIED_OUT, 2)]),
    ("结转至2025年办理1件", [(CARRIED_OUT, 1)]),
    (
        "本年新收政府信息公开申请十二件，上年结转2件，结转下年度继续办理1件。",
        [(RECEIVED, 12), (CARRIED_IN, 2), (CARRIED_OUT, 1)],
    ),
    ("无行政复议", [(REVIEW, 0)]),
    ("全年未发生因政府信息公开引起的行政复议、行政诉讼。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("未发生行政复议和行政诉讼案件", [(REVIEW, 0), (LITIGATION, 0)]),
    ("因政府信息公开被申请行政复议2件、提起行政诉讼1件。", [(REVIEW, 2), (LITIGATION, 1)]),
    ("政府信息公开行政复议、行政诉讼均为0。", [(REVIEW, 0), (LITIGATION, 0)]),
    ("涉及政府信息公开的行政诉讼案件3起", [(LITIGATION, 3)]),
    ("本年度制发行政规范性文件5件，废止规范性文件2件，现行有效规范性文件30件。",
     [(DOCS_ISSUED, 5), (DOCS_REPEALED, 2), (DOCS_IN_FORCE, 30)]),
    ("印发3件行政规范性文件", [(DOCS_ISSUED, 3)]),
    ("行政规范性文件现行有效件数为28件", [(DOCS_IN_FORCE, 28)]),
    ("截至年底，现行有效规范性文件45件", [(DOCS_IN_FORCE, 45)]),  # the table's figure is at year end
    ("截至2024年底现行有效规范性文件45件", [(DOCS_IN_FORCE, 45)]),
    ("依申请公开方面，全年共收到申请3件", [(RECEIVED, 3)]),
    ("（二）依申请公开。2024年共收到申请3件，均按时答复。", [(RECEIVED, 3)]),
    ("（二）依申请公开。全年未收到政府信息公开申请。", [(RECEIVED, 0)]),
    ("制定政府规章1件，现行有效规章12件", [(RULES_ISSUED, 1), (RULES_IN_FORCE, 12)]),
]


@pytest.mark.parametrize(("text", "expected"), STATEMENTS)
def test_plain_statements_are_read(text, expected):
    assert read(text) == expected


#: Statements of figures the tables do not hold, and other text that must not be read.
NOT_STATEMENTS = [
    # figures the tables do not hold
    "策勒县人民政府网站发布各类信息1171条，积极弘扬主旋律。",
    "全年通过政府网站主动公开政府信息2365条，其中政策文件86条。",
    "政务微博发布信息526条，微信公众号发布信息312条。",
    "召开新闻发布会6场，解读政策文件32篇，召开政务公开工作会议3次。",
    "组织政务公开业务培训3次，参训人员150人次。",
    "办理人大代表建议28件、政协提案35件，办复率100%。",
    "12345热线受理群众诉求1200件。",
    "受理政务服务事项15632件。",
    "公开行政许可信息235条，行政处罚信息56条。",
    "主动公开规范性文件12件。",
    "发布规范性文件解读材料12篇。",
    "开展行政规范性文件合法性审核23件，备案审查规范性文件10件。",
    "清理规范性文件120件，废止5件。",
    "党内规范性文件制发3件。",
    "制定规章制度5项。",
    # not a count
    "收到政府信息公开申请后在15个工作日内答复。",
    "依申请公开答复时限为20个工作日。",
    "未收到政府信息公开申请方面的投诉。",
    "未收到涉及本单位的政府信息公开申请。",  # not plain enough to read
    "共收到各类申请10件，其中政府信息公开申请3件。",
    # other years, comparisons and running totals
    "2023年收到政府信息公开申请5件。",
    "截至目前累计制发行政规范性文件45件。",
    "较上年收到的政府信息公开申请15件减少3件。",
    "同比收到政府信息公开申请增加5件。",
    "自2008年以来累计收到政府信息公开申请300件。",
    # 行政复议 handled as the reviewing body, not about 政府信息公开
    "全年办理行政复议案件45件，行政应诉案件30件。",
    "参加行政诉讼庭审12次。",
    "未发生行政复议被纠错的情况。",
    "（二）依申请公开。完善申请受理流程，收到申请人的来信后及时登记。",
    "政府信息公开申请办理流程规范，受理申请后5个工作日内告知。",
    # headings and skeleton text
    "（二）依申请公开。",
    "（一）信息处理费收取情况。依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本机关本年度发出收费通知0件，收费金额0元；实际收取信息处理费0元。",
]


@pytest.mark.parametrize("text", NOT_STATEMENTS)
def test_figures_the_tables_do_not_hold_are_not_read(text):
    assert read(text) == []


def test_the_sample_text_states_only_what_its_tables_say():
    report = sample_report()
    found = [claim for entries in report.narratives.values() for entry in entries for claim in claims(entry, YEAR)]
    assert [(c.what, c.value) for c in found] == [(RECEIVED, 0)]  # “2024年度全年未收到政府信息公开申请”
    assert check_report(report, today=TODAY) == []


# ---------------------------------------------------------------- against the tables


def with_text(text: str, **figures):
    report = sample_report()
    inputs = {**report.inputs, **{key.replace("_", "."): value for key, value in figures.items()}}
    narratives = {**report.narratives, "一": (report.narratives["一"][0], text)}
    return dataclasses.replace(report, narratives=narratives, inputs=inputs)


def warnings(report):
    return [p for p in check_report(report, today=TODAY)]


APPLICATIONS = dict(t3_r1_c1=3, t3_r3_c1=3)  # three applications, all granted


@pytest.mark.parametrize(
    ("text", "figures", "cells"),
    [
        ("全年未收到政府信息公开申请。", APPLICATIONS, ("t3.r1.c7",)),
        ("收到政府信息公开申请5件。", APPLICATIONS, ("t3.r1.c7",)),
        ("共受理依申请公开十二件。", APPLICATIONS, ("t3.r1.c7",)),
        ("收到政府信息公开申请3件，上年结转1件。", APPLICATIONS, ("t3.r2.c7",)),
        ("结转下年度继续办理2件。", APPLICATIONS, ("t3.r25.c7",)),
        ("无行政复议。", dict(t4_r1_c1=1), ("t4.r1.c5",)),
        ("因政府信息公开被申请行政复议1件、提起行政诉讼1件。", dict(t4_r1_c1=1, t4_r1_c6=1, t4_r1_c11=1),
         ("t4.r1.c10", "t4.r1.c15")),
        ("本年制发行政规范性文件5件。", {}, ("t2.r2.c1",)),
        ("现行有效规范性文件30件。", {}, ("t2.r2.c3",)),
        ("废止规范性文件3件。", {}, ("t2.r2.c2",)),
    ],
)
def test_a_contradiction_is_a_warning_naming_the_paragraph_and_the_table_cell(text, figures, cells):
    (problem,) = warnings(with_text(text, **figures))
    assert not problem.is_error
    assert problem.places == (paragraph_place("一", 1), *cells)
    assert "请核对" in problem.message


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("收到政府信息公开申请3件，均已按时办结。", APPLICATIONS),
        ("共受理依申请公开三件。", APPLICATIONS),
        ("收到政府信息公开申请4件（含上年结转1件）。", dict(t3_r1_c1=3, t3_r2_c1=1, t3_r3_c1=4)),
        ("办结政府信息公开申请4件。", dict(t3_r1_c1=3, t3_r2_c1=1, t3_r3_c1=4)),
        ("全年未收到政府信息公开申请，上年结转1件已办结。", dict(t3_r2_c1=1, t3_r3_c1=1)),
        ("未发生行政复议、行政诉讼。", {}),
        ("因政府信息公开被申请行政复议1件、提起行政诉讼2件。", dict(t4_r1_c1=1, t4_r1_c6=1, t4_r1_c12=1)),
        ("本年度制发行政规范性文件1件，废止规范性文件1件，现行有效规范性文件6件。", {}),
        ("2023年收到政府信息公开申请9件。", {}),
    ],
)
def test_agreeing_text_gives_no_warning(text, figures):
    assert warnings(with_text(text, **figures)) == []


def test_each_paragraph_is_named_by_its_own_row():
    report = sample_report()
    narratives = {**report.narratives, "五": ("问题。", "", "本年制发行政规范性文件9件。")}
    (problem,) = warnings(dataclasses.replace(report, narratives=narratives))
    assert problem.places == (paragraph_place("五", 2), "t2.r2.c1")
    assert "本年制发行政规范性文件9件" in problem.message and "1" in problem.message


def test_a_figure_already_wrong_is_not_compared_again():
    report = with_text("收到政府信息公开申请3件。", t3_r1_c1=-1, t3_r3_c1=-1)
    assert [p.places for p in warnings(report)] == [("t3.r1.c1",), ("t3.r3.c1",)]
    blank = with_text("收到政府信息公开申请3件。", t3_r1_c1=None)
    assert [p.places for p in warnings(blank)] == [("t3.r1.c1",)]


def test_hostile_text_is_read_in_bounded_time():
    """86 cells of 32 767 characters, or text packed with the very phrases read: still quick."""
    import time

    from gaidocx.core.form import FORM_2021

    packed = "收到政府信息公开申请3件，因政府信息公开被申请行政复议2件、提起行政诉讼1件，" * 700
    report = sample_report()
    sections = ("opening", *(s.number for s in FORM_2021.narrative_sections))
    hostile = dataclasses.replace(report, narratives={s: (packed[:32_767],) * 20 for s in sections})
    started = time.monotonic()
    problems = check_report(hostile, previous=dataclasses.replace(hostile, year=2023), today=TODAY)
    assert time.monotonic() - started < 20
    # each paragraph's repeated statement is reported once, not once per repetition; text past
    # the first MAX_COMPARED characters is not read
    assert len([p for p in problems if p.places[0] == paragraph_place("opening", 0)]) == 3
    assert not [p for p in problems if p.places[0] == paragraph_place("一", 0)]


def test_a_pattern_only_matches_a_text_holding_one_of_its_words():
    """Sentences without a pattern's words are not searched: every match, on every statement
    these tests read or must not read and on the sample's text, holds one of the words."""
    from gaidocx.core.crosscheck import _BOTH_ZERO, _CASE_WORDS, _compiled, _patterns

    texts = [text for text, _ in STATEMENTS] + NOT_STATEMENTS
    texts += [p for section in sample_report().narratives for p in sample_report().paragraphs(section)]
    matched = 0
    for text in texts:
        for _, words, pattern in [*_patterns(YEAR + 1), ("case", _CASE_WORDS, _BOTH_ZERO)]:
            for match in _compiled(pattern).finditer(unicodedata.normalize("NFKC", text)):
                assert any(word in match.group() for word in words), (pattern, match.group())
                matched += 1
    assert matched > len(texts) / 2

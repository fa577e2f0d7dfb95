"""summary and check on agency names and on sums (issue 17): one agency however its name is
typed, invisible characters in a name, files left out under --skip-errors, sums check refuses."""

from __future__ import annotations

import dataclasses

import pytest
from support import varied_report

from gaidocx.core.checks import check_report
from gaidocx.core.report import AGENCY
from gaidocx.core.form import MAX_VALUE
from gaidocx.core.summary import Refusal, SummaryInput, plan_summary

AREA = "某某县人民政府"
RULES = "t2.r1.c3"  # 规章 × 现行有效件数: in no balance of the form


def item(path: str, agency: str, **changes) -> SummaryInput:
    return SummaryInput(path, dataclasses.replace(varied_report(), agency=agency, **changes))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ABC局", "ＡＢＣ局"),
        ("甲局", "甲\u200b局"),
        ("Café局", "Cafe\u0301局"),  # composed and decomposed
        ("甲局", "甲局\u202e"),
        ("县 教育局", "县教育局"),
    ],
)
def test_one_agency_however_its_name_is_typed_is_refused_as_a_duplicate(first, second):
    summary = plan_summary([item("a.xlsx", first), item("b.xlsx", second), item("c.xlsx", "乙局")], agency=AREA)
    [(kind, message)] = summary.refusals
    assert kind is Refusal.DUPLICATE and summary.report is None
    assert "多余的是：b.xlsx。" in message and "只汇总第一个（a.xlsx）" in message and "乙局" not in message


def test_invisible_characters_of_duplicate_names_are_shown():
    [(_, message)] = plan_summary([item("a.xlsx", "甲局"), item("b.xlsx", "甲\u200b局")], agency=AREA).refusals
    assert "“甲局”、“甲<U+200B>局”是同一机关" in message


def test_skip_errors_leaves_out_and_lists_duplicates_and_other_years():
    items = [
        item("a.xlsx", "甲局"),
        item("b.xlsx", "ＡＢＣ局"),
        item("c.xlsx", "甲 局"),
        item("d.xlsx", "丙局", year=2023),
        item("e.xlsx", "ABC局"),
    ]
    refused = plan_summary(items, agency=AREA, year=2024)
    assert {kind for kind, _ in refused.refusals} == {Refusal.YEARS, Refusal.DUPLICATE}
    summary = plan_summary(items, agency=AREA, year=2024, skip_errors=True)
    assert not summary.refusals and summary.report is not None
    assert [e.status for e in summary.entries] == [
        "已汇总",
        "已汇总",
        "未汇总：与 a.xlsx 是同一机关",
        "未汇总：不是 2024 年度",
        "未汇总：与 b.xlsx 是同一机关",
    ]
    assert summary.report.inputs[RULES] == 2 * varied_report().inputs[RULES]


def test_mixed_years_say_which_year_to_give_and_how_to_leave_the_others_out():
    items = [item("a.xlsx", "甲局"), item("b.xlsx", "乙局"), item("c.xlsx", "丙局", year=2023)]
    [(kind, message)] = plan_summary(items, agency=AREA, skip_errors=True).refusals
    assert kind is Refusal.YEARS and "--year 2024" in message and "--skip-errors" in message
    assert plan_summary(items, agency=AREA, year=2024, skip_errors=True).report is not None


def test_a_sum_that_check_would_refuse_is_refused_naming_the_files():
    large = {**varied_report().inputs, RULES: 60_000_000}
    items = [item("a.xlsx", "甲局", inputs=large), item("b.xlsx", "乙局", inputs=large), item("c.xlsx", "丙局")]
    for one in items:
        assert not [p for p in check_report(one.report) if p.is_error]
    summary = plan_summary(items, agency=AREA)
    [(kind, message)] = summary.refusals
    assert kind is Refusal.TOO_LARGE and summary.report is None
    total = 120_000_000 + varied_report().inputs[RULES]
    assert f"“规章 × 现行有效件数”合计为 {total}" in message and "a.xlsx 60000000、b.xlsx 60000000" in message
    assert str(MAX_VALUE) in message
    assert all(entry.included for entry in summary.entries)  # no file is wrong: the sum is


@pytest.mark.parametrize("agency", ["甲局\u202e", "\u202e甲局", "甲\u200b局", "甲\x9b局"])
def test_an_agency_name_with_invisible_characters_is_a_warning(agency):
    problems = [p for p in check_report(dataclasses.replace(varied_report(), agency=agency)) if AGENCY in p.places]
    [problem] = problems
    assert not problem.is_error and "不可见的字符（U+" in problem.message


@pytest.mark.parametrize("agency", ["\u202e", "\u200b\u200b", "\u202e\x9b", "\ufeff"])
def test_an_agency_name_with_nothing_visible_is_an_error(agency):
    [problem] = [p for p in check_report(dataclasses.replace(varied_report(), agency=agency)) if AGENCY in p.places]
    assert problem.is_error and "只有不可见的字符" in problem.message

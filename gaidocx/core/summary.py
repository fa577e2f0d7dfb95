"""The whole-area report (本行政区域): the sum of its agencies' reports.

A people's government publishes, by 31 March, a report whose three tables are
the sums of its departments' and townships' tables.  ``plan_summary`` decides
which inputs can be summed and refuses, naming the files, what cannot:
inputs of different years, the same agency twice (however its name is
typed), inputs with errors or that could not be read (``skip_errors`` leaves
those out instead), and sums beyond what ``check`` accepts.  ``summarise``
adds the figures: every rule of the form is linear, so the sum of reports that
satisfy them satisfies them too.

Pure: no office library.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gaidocx.core.checks import INVISIBLE, Problem, agency_key, check_value
from gaidocx.core.form import AREA_REPORT, FORM_2021, MAX_VALUE, OPENING, TOTAL, Field, Form, Kind, opening_skeleton
from gaidocx.core.report import Number, Report


@dataclass(frozen=True, slots=True)
class SummaryInput:
    """One file offered to the summary: its report and problems, or why it could not be read."""

    path: str  # as the user named it
    report: Report | None
    problems: tuple[Problem, ...] = ()
    unreadable: str = ""  # the reader's message when ``report`` is None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


class Refusal(enum.Enum):
    """Why a summary was refused (the CLI picks its exit code from it)."""

    UNREADABLE = "无法读取"
    ERRORS = "有错误"
    YEARS = "年度不一致"
    DUPLICATE = "机关重复"
    TOO_LARGE = "汇总数字超出上限"
    EMPTY = "没有可汇总的填报表"


@dataclass(frozen=True, slots=True)
class Entry:
    """An input's place in the summary: included, or left out and why."""

    item: SummaryInput
    included: bool
    reason: str = ""  # why it was left out

    @property
    def status(self) -> str:
        """As listed in 汇总明细: 已汇总, or 未汇总：原因."""
        return "已汇总" if self.included else f"未汇总：{self.reason}"


@dataclass(frozen=True, slots=True)
class Summary:
    """The outcome of ``plan_summary``: the summed report unless refused."""

    report: Report | None
    entries: tuple[Entry, ...]
    #: (kind, message) of each refusal; empty when the summary was made
    refusals: tuple[tuple[Refusal, str], ...] = field(default=())

    @property
    def included(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.included)

    @property
    def left_out(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.included)


def plan_summary(
    items: Sequence[SummaryInput],
    *,
    agency: str,
    year: int | None = None,
    skip_errors: bool = False,
    form: Form = FORM_2021,
) -> Summary:
    """Decide what is summed and sum it; refusals name every file concerned and what to do.

    ``year`` (when given) must be every input's year; otherwise all inputs must share one.
    ``skip_errors`` leaves out, and lists, what would otherwise be refused for one file:
    unreadable files, files with errors, files of another year than ``year``, and every
    copy of an agency after its first.  A sum that ``check`` would refuse is refused here.
    """
    left_out: dict[int, str] = {}  # id of an item → why it is left out
    refusals: list[tuple[Refusal, str]] = []

    def leave_out(kind: Refusal, found: list[tuple[SummaryInput, str, str]], message: str, hint: str) -> None:
        """``found``: (item, why it is left out as 汇总明细 says it, what the refusal adds to its name)."""
        for item, reason, _ in found:
            left_out[id(item)] = reason
        if found and not skip_errors:
            listed = (f"{item.path}（{detail}）" if detail else item.path for item, _, detail in found)
            refusals.append((kind, message + "；".join(listed) + hint))

    skip_hint = "。请改正或把它们移出，或加 --skip-errors 跳过它们（在“汇总明细”中列为未汇总）。"
    leave_out(
        Refusal.UNREADABLE,
        [(item, f"无法读取（{item.unreadable}）", item.unreadable) for item in items if item.report is None],
        "以下文件无法读取，不能汇总：",
        skip_hint,
    )
    faulty = [item for item in items if item.report is not None and item.errors]
    leave_out(
        Refusal.ERRORS,
        [(item, f"有 {len(item.errors)} 个错误", f"{len(item.errors)} 个错误") for item in faulty],
        "以下填报表有错误，请改正后再汇总：",
        skip_hint,
    )
    readable = [item for item in items if id(item) not in left_out]
    if year is not None:
        other_years = [item for item in readable if item.report.year != year]
        leave_out(
            Refusal.YEARS,
            [(item, f"不是 {year} 年度", f"{item.report.year or '未填'} 年度") for item in other_years],
            f"以下填报表不是 {year} 年度的：",
            skip_hint,
        )
    else:
        years = sorted({item.report.year for item in readable}, key=str)
        if len(years) > 1:
            by_year = {y: [i.path for i in readable if i.report.year == y] for y in years}
            refusals.append(
                (
                    Refusal.YEARS,
                    "填报表的年度不一致，只能汇总同一年度的报告："
                    + "；".join(f"{y or '未填'} 年度：{'、'.join(paths)}" for y, paths in by_year.items())
                    + f"。请用 --year 指定要汇总的年度（如 --year {max(years, key=lambda y: (len(by_year[y]), y or 0))}），"
                    "其他年度的填报表请移出，或同时加 --skip-errors 跳过它们。",
                )
            )
    by_agency: dict[str, list[SummaryInput]] = {}
    for item in readable:
        if id(item) not in left_out:
            by_agency.setdefault(agency_key(item.report.agency), []).append(item)
    for first, *again in (same for same in by_agency.values() if len(same) > 1):
        spellings = dict.fromkeys(_visibly(item.report.agency) for item in (first, *again))
        leave_out(
            Refusal.DUPLICATE,
            [(item, f"与 {first.path} 是同一机关", "") for item in again],
            f"{'、'.join(spellings)}{'是同一机关，它' if len(spellings) > 1 else ''}的填报表出现了 {len(again) + 1} 次，"
            "只能汇总一次，多余的是：",
            f"。请把多余的文件移出，或加 --skip-errors 只汇总第一个（{first.path}）。",
        )
    usable = [item for item in items if id(item) not in left_out]
    if not usable and not refusals:
        refusals.append((Refusal.EMPTY, "没有可以汇总的填报表。"))
    entries = tuple(Entry(item, id(item) not in left_out, left_out.get(id(item), "")) for item in items)
    if refusals:
        return Summary(None, entries, tuple(refusals))
    summed_year = year if year is not None else usable[0].report.year
    report = summarise([item.report for item in usable], agency=agency, year=summed_year, form=form)
    too_large = _too_large(report, usable)
    if too_large:
        return Summary(None, entries, ((Refusal.TOO_LARGE, too_large),))
    return Summary(report, entries)


def _visibly(name: str) -> str:
    """A name quoted with its invisible characters shown (``“甲<U+200B>局”``)."""
    return "“" + "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in INVISIBLE else c for c in name) + "”"


def _too_large(summed: Report, items: Sequence[SummaryInput]) -> str:
    """What ``check`` would refuse in the summed report (a sum beyond the form's largest
    figure), naming each figure and the files it comes from; empty when nothing."""
    wrong = []
    for key, f in summed.form.fields.items():
        if not f.is_total and any(p.is_error for p in check_value(f, summed.inputs.get(key))):
            largest = sorted(items, key=lambda item: item.report.inputs.get(key) or 0, reverse=True)[:3]
            parts = "、".join(f"{item.path} {item.report.inputs.get(key)}" for item in largest)
            wrong.append(f"“{f.labels}”合计为 {summed.inputs[key]}（其中 {parts}{'等' if len(items) > 3 else ''}）")
    if not wrong:
        return ""
    return (
        f"汇总后有 {len(wrong)} 个数字超过本工具的上限 {MAX_VALUE}，gaidocx check 会拒绝这样的填报表，未生成汇总表："
        + "；".join(wrong[:5])
        + ("等" if len(wrong) > 5 else "")
        + "。请核对这些填报表中的数字是否多输了位数。"
    )


def summarise(reports: Iterable[Report], *, agency: str, year: int | None, form: Form = FORM_2021) -> Report:
    """A whole-area report whose entered figures are the sums of ``reports``' (fees exactly).

    The text is left to write: the opening and each narrative section hold the form's
    customary headings, as in a fresh template.  The date is left blank.
    """
    reports = list(reports)
    inputs: dict[str, Number | None] = {}
    for key, f in form.fields.items():
        if f.is_total:
            continue
        values = [report.inputs.get(key) for report in reports]
        inputs[key] = None if any(v is None for v in values) else sum(values, start=_zero(f))
    return Report(
        agency=agency,
        year=year,
        signed_on=None,
        narratives={
            OPENING: opening_skeleton(year),
            **{section.number: section.skeleton for section in form.narrative_sections},
        },
        inputs=inputs,
        kind=AREA_REPORT,
        form=form,
    )


def _zero(f: Field) -> Number:
    return Decimal(0) if f.kind is Kind.FEE else 0


# ---------------------------------------------------------------- key totals


def key_totals(form: Form = FORM_2021) -> tuple[Field, ...]:
    """The figures 汇总明细 shows per input: table 三's 总计 column at 本年新收, 上年结转,
    办理结果总计 and 结转下年度; table 四's 总计 of 行政复议 and of both kinds of 行政诉讼;
    table 二's fee."""
    table_3 = next(t for t in form.tables if t.balances)
    total_column = next(b for b in table_3.balances if form.fields[b.left[0]].is_total)
    keys = [total_column.left[0], total_column.left[1], total_column.right[0], total_column.right[1]]
    table_4 = form.table("四")
    keys += [f.key for f in table_4.totals if f.col_label == TOTAL]
    keys += [f.key for t in form.tables for f in t.inputs if f.kind is Kind.FEE]
    return tuple(form.fields[key] for key in keys)

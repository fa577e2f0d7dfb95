"""The whole-area report (本行政区域): the sum of its agencies' reports.

A people's government publishes, by 31 March, a report whose three tables are
the sums of its departments' and townships' tables.  ``plan_summary`` decides
which inputs can be summed and refuses, naming the files, what cannot:
inputs of different years, the same agency twice, inputs with errors or that
could not be read (``skip_errors`` leaves those out instead).  ``summarise``
adds the figures: every rule of the form is linear, so the sum of reports that
satisfy them satisfies them too.

Pure: no office library.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gaidocx.core.checks import Problem
from gaidocx.core.form import AREA_REPORT, FORM_2021, OPENING, TOTAL, Field, Form, Kind, opening_skeleton
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
    """Decide what is summed and sum it; refusals name every file concerned.

    ``year`` (when given) must be every input's year; otherwise all inputs must share one.
    """
    entries: list[Entry] = []
    refusals: list[tuple[Refusal, str]] = []
    unreadable = [item for item in items if item.report is None]
    faulty = [item for item in items if item.report is not None and item.errors]
    if not skip_errors:
        if unreadable:
            refusals.append(
                (
                    Refusal.UNREADABLE,
                    "以下文件无法读取，不能汇总（或加 --skip-errors 跳过它们）："
                    + "；".join(f"{item.path}（{item.unreadable}）" for item in unreadable),
                )
            )
        if faulty:
            refusals.append(
                (
                    Refusal.ERRORS,
                    "以下填报表有错误，请改正后再汇总（或加 --skip-errors 跳过它们）："
                    + "；".join(f"{item.path}（{len(item.errors)} 个错误）" for item in faulty),
                )
            )
    for item in unreadable:
        entries.append(Entry(item, False, f"无法读取（{item.unreadable}）"))
    for item in faulty:
        entries.append(Entry(item, False, f"有 {len(item.errors)} 个错误"))
    usable = [item for item in items if item.report is not None and not item.errors]

    years = {item.report.year for item in usable}
    if year is not None:
        others = [item for item in usable if item.report.year != year]
        if others:
            refusals.append(
                (
                    Refusal.YEARS,
                    f"以下填报表不是 {year} 年度的：" + "；".join(f"{i.path}（{i.report.year} 年度）" for i in others),
                )
            )
    elif len(years) > 1:
        by_year = {y: [i.path for i in usable if i.report.year == y] for y in sorted(years, key=str)}
        refusals.append(
            (
                Refusal.YEARS,
                "填报表的年度不一致，只能汇总同一年度的报告（可用 --year 指定年度）："
                + "；".join(f"{y} 年度：{'、'.join(paths)}" for y, paths in by_year.items()),
            )
        )
    by_agency: dict[str, list[SummaryInput]] = {}
    for item in usable:
        by_agency.setdefault(_agency_key(item.report.agency), []).append(item)
    for same in by_agency.values():
        if len(same) > 1:
            refusals.append(
                (
                    Refusal.DUPLICATE,
                    f"“{same[0].report.agency}”的填报表出现了 {len(same)} 次，只能汇总一次："
                    + "、".join(item.path for item in same),
                )
            )
    if not usable and not refusals:
        refusals.append((Refusal.EMPTY, "没有可以汇总的填报表。"))
    entries = [*(Entry(item, True) for item in usable), *entries]
    order = {id(item): index for index, item in enumerate(items)}
    entries.sort(key=lambda entry: order[id(entry.item)])
    if refusals:
        return Summary(None, tuple(entries), tuple(refusals))
    summed_year = year if year is not None else next(iter(years))
    report = summarise([item.report for item in usable], agency=agency, year=summed_year, form=form)
    return Summary(report, tuple(entries))


def _agency_key(agency: str) -> str:
    """The same agency however it was spaced."""
    return re.sub(r"\s+", "", agency)


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

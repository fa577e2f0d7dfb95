"""A whole-area (本行政区域) report held against the sum of its departments' reports (``audit --parts``).

Pure: no office library.  Every figure of the whole-area report's tables is
compared with the sum of the same figure over the parts; each that differs is
an error at its table, row and column.  A part of another year, or a second
report of the same agency (its name compared as a reader sees it: NFKC, no
invisible characters), is named and left out; so is a part that could not be
read, or whose figure is not a number (that figure is then not compared).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from gaidocx.audit.findings import Audit, convert_figures
from gaidocx.core.checks import Problem, agency_key, error, warning
from gaidocx.core.form import FORM_2021
from gaidocx.core.report import Number, format_figure

@dataclass(frozen=True)
class Part:
    """One department's report given with ``--parts``: its audit, or why it could not be read."""

    name: str
    audit: Audit | None
    reason: str = ""


@dataclass(frozen=True)
class Comparison:
    """What was summed and what was left out, and why."""

    summed: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]


def compare_with_parts(whole: Audit, parts: Sequence[Part]) -> tuple[Audit, Comparison]:
    """``whole`` with a problem for every figure that differs from the sum of the usable ``parts``."""
    summed: list[Part] = []
    left_out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    year, own = whole.report.year, agency_key(whole.report.agency)
    for part in parts:
        if part.audit is None:
            left_out.append((part.name, f"无法读取：{part.reason}"))
            continue
        report = part.audit.report
        key = agency_key(report.agency)
        if report.year != year:
            left_out.append((part.name, f"年度是 {report.year or '（未知）'}，不是 {year} 年度"))
        elif not key:
            left_out.append((part.name, "没有读出机关名称，无法确认是哪个部门"))
        elif key == own:
            left_out.append((part.name, "就是本行政区域的报告本身"))
        elif key in seen:
            left_out.append((part.name, f"与 {seen[key]} 是同一机关（{report.agency}）的报告，只汇总一次"))
        else:
            seen[key] = part.name
            summed.append(part)
    comparison = Comparison(tuple(part.name for part in summed), tuple(left_out))
    if not summed:
        problem = error("没有可以汇总的部门报告（--parts），无法与各部门之和比较。")
        return dataclasses.replace(whole, problems=[*whole.problems, problem]), comparison
    return dataclasses.replace(whole, problems=[*whole.problems, *_differences(whole, summed)]), comparison


def _differences(whole: Audit, parts: Sequence[Part]) -> list[Problem]:
    """Figure by figure, in the whole-area report's own layout (the parts' figures converted to it)."""
    problems = []
    layout = whole.layout
    figures = [convert_figures(part.audit.figures(), FORM_2021, layout) for part in parts if part.audit is not None]
    unreadable: dict[str, int] = {}
    for key, figure in whole.printed.items():
        if figure.value is None:
            continue  # blank or not a number: said already
        values: list[Number | None] = [part.get(key) for part in figures]
        for part, value in zip(parts, values):
            if value is None:
                unreadable[part.name] = unreadable.get(part.name, 0) + 1
        if any(value is None for value in values):
            continue
        total = sum(values)  # type: ignore[arg-type]
        if total != figure.value:
            shown = format_figure(total, layout.fields[key].kind)
            problems.append(error(f"各部门报告之和为 {shown}（{len(parts)} 个部门），与本行政区域报告印的不同。", key))
    for name, count in unreadable.items():
        problems.append(warning(f"部门报告 {name} 中有 {count} 个数字没有读出（空白或不是数字），这些格没有与各部门之和比较。"))
    return problems

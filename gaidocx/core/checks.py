"""Every rule a report must satisfy before it is published, as plain Chinese problems.

Checks name *places* (field keys such as ``t3.r1.c1`` or metadata keys such as
``agency``); the workbook layout turns a place into ``表三!D7（…）`` for the user.
Nothing here knows about Excel or Word.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from gaidocx.core.form import (
    FEE_DECIMALS,
    AREA_REPORT,
    FEE_REPORT_PHRASE,
    FIRST_YEAR,
    FORMAT_NAME,
    MAX_VALUE,
    OPENING,
    TRIAL_FORMAT_FIRST_YEAR,
    TRIAL_FORMAT_NAME,
    YEAR_PLACEHOLDER,
    Field,
    Kind,
)
from gaidocx.core.narrative import parse_paragraph, split_paragraphs
from gaidocx.core.report import Number, Report

AGENCY = "agency"
YEAR = "year"
SIGNED_ON = "signed_on"
REPORT_KIND = "kind"


def section_place(number: str) -> str:
    return f"section.{number}"


def paragraph_place(section: str, index: int) -> str:
    """The ``index``-th (0-based) text entry of a narrative section, or of the opening."""
    return f"{section}#{index}"


class Severity(enum.Enum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    message: str
    places: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(message: str, *places: str) -> Problem:
    return Problem(Severity.ERROR, message, places)


def warning(message: str, *places: str) -> Problem:
    return Problem(Severity.WARNING, message, places)


def check_report(
    report: Report,
    *,
    previous: Report | None = None,
    today: datetime.date | None = None,
    reported: Collection[str] = (),
) -> list[Problem]:
    """All problems of ``report``.

    ``previous`` is last year's report, for the carry-over rule; ``reported``
    names fields whose content the reader already refused (left ``None``), so
    they are not reported again as blank.
    """
    today = today or datetime.date.today()
    problems = [*_check_metadata(report, today, reported), *_check_narratives(report)]
    for key, f in report.form.fields.items():
        if not f.is_total and key not in reported:
            problems.extend(check_value(f, report.inputs.get(key)))
    problems.extend(_check_balances(report))
    problems.extend(_check_total_widths(report))
    if previous is not None:
        problems.extend(_check_carry_over(report, previous))
    return problems


def check_value(f: Field, value: Number | None) -> list[Problem]:
    """One entered figure: present, non-negative, whole (the fee: at most 4 decimals), plausible."""
    if value is None:
        return [error("不能为空：没有发生的请填 0（空白不等于 0）。", f.key)]
    if value < 0:
        return [error(f"不能是负数（现为 {value}）。", f.key)]
    if value > MAX_VALUE:
        return [error(f"数值 {value} 过大，请核对是否多输了位数。", f.key)]
    exponent = Decimal(value).as_tuple().exponent
    if f.kind is Kind.COUNT and Decimal(value) != Decimal(value).to_integral_value():
        return [error(f"应为整数件数（现为 {value}）。", f.key)]
    if f.kind is Kind.FEE and isinstance(exponent, int) and -exponent > FEE_DECIMALS:
        return [error(f"金额单位为万元，最多保留 {FEE_DECIMALS} 位小数（即精确到元），现为 {value}。", f.key)]
    if f.warn_above is not None and value > f.warn_above:
        return [warning(f"数值 {value} 异常地大（超过 {f.warn_above}），请核对。", f.key)]
    return []


def _check_metadata(report: Report, today: datetime.date, reported: Collection[str]) -> list[Problem]:
    problems = []
    if not report.agency.strip() and AGENCY not in reported:
        problems.append(error("请填写机关名称。", AGENCY))
    year = report.year
    year_is_valid = False
    if year is None:
        if YEAR not in reported:
            problems.append(error("请填写报告年度（如 2024）。", YEAR))
    elif year < TRIAL_FORMAT_FIRST_YEAR:
        problems.append(error(f"{year} 年度的报告不使用现行格式，本工具只支持 {FIRST_YEAR} 年度起的报告。", YEAR))
    elif year < FIRST_YEAR:
        problems.append(
            error(
                f"{year} 年度报告应使用 2019 年试行格式（{TRIAL_FORMAT_NAME}），"
                f"本工具只支持 {FIRST_YEAR} 年度起适用的新格式（{FORMAT_NAME}）。",
                YEAR,
            )
        )
    elif year > today.year:
        problems.append(error(f"报告年度 {year} 晚于今年（{today.year}），请核对。", YEAR))
    else:
        year_is_valid = True
    if report.signed_on is None:
        if SIGNED_ON not in reported:
            problems.append(error("请填写成文日期。", SIGNED_ON))
    elif year_is_valid:
        if report.signed_on <= datetime.date(year, 12, 31):
            problems.append(error(f"成文日期应在报告年度（{year}年）结束之后。", SIGNED_ON))
        else:
            due_month, due_day = (3, 31) if report.kind == AREA_REPORT else (1, 31)
            if report.signed_on > datetime.date(year + 1, due_month, due_day):
                problems.append(
                    warning(
                        f"成文日期晚于 {year + 1}年{due_month}月{due_day}日：《条例》要求每年{due_month}月{due_day}日前"
                        f"公布上一年度{'本行政区域的' if report.kind == AREA_REPORT else ''}报告。",
                        SIGNED_ON,
                    )
                )
    return problems


def _check_narratives(report: Report) -> list[Problem]:
    problems = []
    narrative_sections = report.form.narrative_sections
    for section in (OPENING, *(s.number for s in narrative_sections)):
        for index, entry in enumerate(report.narratives.get(section, ())):
            place = paragraph_place(section, index)
            if YEAR_PLACEHOLDER in entry:
                problems.append(error(f"仍有未填写的占位符“{YEAR_PLACEHOLDER}”，请改为实际内容。", place))
            if section != OPENING and any(parse_paragraph(p).is_bare_heading for p in split_paragraphs(entry)):
                problems.append(warning("这一段只有小标题，没有内容：请补充，或删除这一段。", place))
    for section in narrative_sections:
        place = section_place(section.number)
        paragraphs = report.paragraphs(section.number)
        if not paragraphs:
            if section.required:
                problems.append(error(f"“{section.title}”不能为空（没有事项也要写明）。", place))
            else:
                problems.append(warning(f"“{section.title}”没有内容。", place))
    other = next(s for s in report.form.sections if s.required)
    paragraphs = report.paragraphs(other.number)
    if paragraphs and not any(FEE_REPORT_PHRASE in text for text in paragraphs):
        problems.append(
            warning(
                f"“{other.title}”应报告{FEE_REPORT_PHRASE}的发出收费通知和实际收取情况（为零也要写明）。",
                section_place(other.number),
            )
        )
    return problems


def _check_balances(report: Report) -> list[Problem]:
    figures = report.figures()
    problems = []
    fields = report.form.fields
    for table in report.form.tables:
        for balance in table.balances:
            left = [figures[k] for k in balance.left]
            right = [figures[k] for k in balance.right]
            if any(v is None for v in (*left, *right)):
                continue  # the blank cells are reported already
            if sum(left) != sum(right):
                problems.append(
                    error(
                        f"“{balance.column}”列不符合勾稽关系{balance.rule}："
                        f"{_terms(fields, balance.left)} = {_sum_text(left)}，"
                        f"{_terms(fields, balance.right)} = {_sum_text(right)}。",
                        *balance.left,
                        *balance.right,
                    )
                )
    return problems


def _check_total_widths(report: Report) -> list[Problem]:
    """Each input may have 8 digits, but a total of several such could not be printed in its cell."""
    figures = report.figures()
    return [
        warning(f"合计为 {figures[key]}，超过 {len(str(MAX_VALUE))} 位数字，在报告表格中会折行：请核对各项数字。", key)
        for key, f in report.form.fields.items()
        if f.is_total and figures[key] is not None and figures[key] > MAX_VALUE
    ]


def _check_carry_over(report: Report, previous: Report) -> list[Problem]:
    """This year's 上年结转 (row 2) should equal last year's 结转下年度 (row 25)."""
    if report.year is not None and previous.year != report.year - 1:
        found = f"是 {previous.year} 年度的" if previous.year else "没有填写年度"
        return [warning(f"用于核对的上年填报表{found}，不是 {report.year - 1} 年度的，未核对上年结转数。", YEAR)]
    this_year = report.figures()
    last_year = previous.figures()
    fields = report.form.fields
    table = next(t for t in report.form.tables if t.balances)
    problems = []
    for balance in table.balances:
        carried_in, carried_out = balance.left[1], balance.right[1]
        if fields[carried_in].is_total:
            continue  # follows from the other columns
        now, before = this_year[carried_in], last_year[carried_out]
        if now is not None and before is not None and now != before:
            problems.append(
                warning(
                    f"本年“{fields[carried_in].row_label}”为 {now}，"
                    f"与上年报告“{fields[carried_out].row_label}”的 {before} 不一致。",
                    carried_in,
                )
            )
    return problems


def _terms(fields: Mapping[str, Field], keys: tuple[str, ...]) -> str:
    return "＋".join(f"“{fields[key].row_label}”" for key in keys)


def _sum_text(values: list[Number | None]) -> str:
    return " + ".join(str(v) for v in values) + f" = {sum(values)}"

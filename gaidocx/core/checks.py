"""Every rule a report must satisfy before it is published, as plain Chinese problems.

Checks name *places* (field keys such as ``t3.r1.c1`` or metadata keys such as
``agency``); the workbook layout turns a place into ``表三!D7（…）`` for the user.
Nothing here knows about Excel or Word.
"""

from __future__ import annotations

import datetime
import enum
import unicodedata
from collections.abc import Collection, Iterable, Mapping
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
    Balance,
    Field,
    Kind,
    top_number,
)
from gaidocx.core import crosscheck
from gaidocx.core.narrative import headings_without_body, split_paragraphs
from gaidocx.core.report import AGENCY, SIGNED_ON, YEAR, Number, Report


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
    #: An error whose figures are right but whose file is not (a total's saved result out of
    #: date, say): listed after the errors whose values are actually wrong.
    secondary: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class WithProblems:
    """Errors and warnings of a result that holds ``problems``."""

    __slots__ = ()
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def error(message: str, *places: str, secondary: bool = False) -> Problem:
    return Problem(Severity.ERROR, message, places, secondary)


def warning(message: str, *places: str) -> Problem:
    return Problem(Severity.WARNING, message, places)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors whose values are actually wrong first, then the other errors, then warnings;
    otherwise in the order found (the order of the sheets and cells)."""
    return sorted(problems, key=lambda p: (not p.is_error, p.secondary))


def check_report(
    report: Report,
    *,
    previous: Report | None = None,
    today: datetime.date | None = None,
    reported: Collection[str] = (),
    previous_name: str = "",
) -> list[Problem]:
    """All problems of ``report``, errors whose values are wrong first (``sort_problems``).

    ``previous`` is last year's report, for the year-on-year comparisons;
    ``previous_name`` names it in messages (its file name; default “上年填报表”).
    ``reported`` names fields whose content the reader already refused (left
    ``None``), so they are not reported again as blank.
    """
    today = today or datetime.date.today()
    problems = [*_check_metadata(report, today, reported), *_check_narratives(report)]
    wrong = set(reported)
    for key, f in report.form.fields.items():
        if not f.is_total and key not in reported:
            found = check_value(f, report.inputs.get(key))
            problems.extend(found)
            if any(p.is_error for p in found):
                wrong.add(key)
    problems.extend(_check_balances(report, wrong))
    problems.extend(_check_total_widths(report))
    tainted = {key for key, inputs in report.form.inputs_of.items() if not inputs.isdisjoint(wrong)}
    problems.extend(_check_text_against_tables(report, tainted))
    if previous is not None:
        problems.extend(compare_years(report, previous, previous_name=previous_name))
    return sort_problems(problems)


def check_value(f: Field, value: Number | None) -> list[Problem]:
    """One entered figure: present, non-negative, whole (the fee: at most 6 decimals), plausible."""
    if value is None:
        return [error("不能为空：没有发生的请填 0（空白不等于 0）。", f.key)]
    if value < 0:
        return [error(f"不能是负数（现为 {value}）。", f.key)]
    if value > MAX_VALUE:
        return [error(f"数值 {value} 过大，请核对是否多输了位数。", f.key)]
    if f.kind is Kind.COUNT and Decimal(value) != Decimal(value).to_integral_value():
        return [error(f"应为整数件数（现为 {value}）。", f.key)]
    exponent = Decimal(value).normalize().as_tuple().exponent
    if f.kind is Kind.FEE and isinstance(exponent, int) and -exponent > FEE_DECIMALS:
        return [error(f"金额单位为万元，最多保留 {FEE_DECIMALS} 位小数（即精确到分），现为 {value}。", f.key)]
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
        if section != OPENING:
            for index in _entries_with_empty_headings(report.narratives.get(section, ())):
                problems.append(warning("这一段只有小标题，没有内容：请补充，或删除这一段。", paragraph_place(section, index)))
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


def _entries_with_empty_headings(entries: tuple[str, ...]) -> list[int]:
    """Indexes of the text entries (rows) holding a heading with nothing under it; the
    section's paragraphs are read as one run, so a heading row followed by rows of body
    text, or a cell with the heading and its body on separate lines, is not reported."""
    owners = [index for index, entry in enumerate(entries) for _ in split_paragraphs(entry)]
    paragraphs = [p for entry in entries for p in split_paragraphs(entry)]
    return sorted({owners[i] for i in headings_without_body(paragraphs)})


def _check_balances(report: Report, wrong: Collection[str] = ()) -> list[Problem]:
    """One error per broken column; the 总计 column follows from the others and is never
    reported on its own (a note says it is off too).  Columns holding a figure already
    reported as wrong (``wrong``) are left alone: one mistake, one message."""
    figures = report.figures()
    fields = report.form.fields
    problems = []
    for table in report.form.tables:
        broken = []
        for balance in table.balances:
            if _is_total_column(fields, balance):
                continue  # holds exactly when every other column does
            if any(not report.form.inputs_of[k].isdisjoint(wrong) for k in (*balance.left, *balance.right)):
                continue
            left = [figures[k] for k in balance.left]
            right = [figures[k] for k in balance.right]
            if any(v is None for v in (*left, *right)):
                continue  # the blank cells are reported already
            if sum(left) != sum(right):
                broken.append((balance, left, right))
        total = next((b for b in table.balances if _is_total_column(fields, b)), None)
        total_off = total is not None and sum(sum(l) - sum(r) for _, l, r in broken) != 0
        for index, (balance, left, right) in enumerate(broken):
            note = f"“{fields[total.left[0]].col_label}”列因此也不平衡。" if total_off and index == 0 else ""
            terms = [f"第{top_number(i).rstrip('、')}项" for i in range(1, 5)]
            problems.append(
                error(
                    f"“{balance.column}”列不符合勾稽关系：{terms[0]}＋{terms[1]} = {_sum_text(left)}，"
                    f"{terms[2]}＋{terms[3]} = {_sum_text(right)}，两者应相等。{note}",
                    *balance.left,
                    *balance.right,
                )
            )
    return problems


def _is_total_column(fields: Mapping[str, Field], balance: Balance) -> bool:
    """The balance of a column of totals (table 三's 总计 column): each term sums its row."""
    return all(fields[k].is_total and all(fields[p].row == fields[k].row for p in fields[k].parts) for k in balance.left)


def _check_total_widths(report: Report) -> list[Problem]:
    """Each input may have 8 digits, but a total of several such could not be printed in its cell."""
    figures = report.figures()
    return [
        warning(f"合计为 {figures[key]}，超过 {len(str(MAX_VALUE))} 位数字，在报告表格中会折行：请核对各项数字。", key)
        for key, f in report.form.fields.items()
        if f.is_total and figures[key] is not None and figures[key] > MAX_VALUE
    ]


def _check_text_against_tables(report: Report, wrong: Collection[str] = ()) -> list[Problem]:
    """A paragraph that plainly states a figure its table contradicts (``core.crosscheck``)."""
    problems = []
    for found in crosscheck.mismatches(report, paragraph_place, skip=frozenset(wrong)):
        if len(found.fields) == 1:
            what = f"表{report.form.table_of(found.fields[0]).number}中为 {found.table_value}"
        else:
            parts = " + ".join(str(report.figures()[k]) for k in found.fields)
            what = f"表{report.form.table_of(found.fields[0]).number}中为 {parts} = {found.table_value}"
        problems.append(
            warning(f"文字“{found.claim.quote}”与表格不一致：{what}。请核对文字或表格。", found.place, *found.fields)
        )
    return problems


#: Totals compared with last year's: a change beyond this factor either way is worth a look.
GROWTH_FACTOR = 5
#: ... when both years have at least this many (3 → 16 is no news).
GROWTH_FLOOR = 10
#: Share of this year's text found in last year's above which evaluators deduct points.
OVERLAP_LIMIT = 0.5


def compare_years(report: Report, previous: Report, *, previous_name: str = "") -> list[Problem]:
    """This year's report against last year's: the agency, the year, the carry-over, key totals
    that jump, and text repeated from last year.  ``previous_name`` names last year's file."""
    last = f"上年填报表“{previous_name}”" if previous_name else "上年填报表"
    problems = []
    this_agency, last_agency = _plain(report.agency), _plain(previous.agency)
    if this_agency and last_agency and this_agency != last_agency:
        problems.append(
            warning(
                f"{last}的机关名称是“{previous.agency.strip()}”，与本年的“{report.agency.strip()}”不同："
                "请核对是否选错了上年的文件。",
                AGENCY,
            )
        )
    if report.year is not None and previous.year != report.year - 1:
        found = f"是 {previous.year} 年度的" if previous.year else "没有填写年度"
        problems.append(warning(f"用于核对的{last}{found}，不是 {report.year - 1} 年度的，未与上年核对。", YEAR))
        return problems
    problems.extend(_check_carry_over(report, previous, last))
    problems.extend(_check_growth(report, previous, last))
    problems.extend(_check_overlap(report, previous, last))
    return problems


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _key_totals(report: Report) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Totals compared year on year, as (name for messages, fields summed): applications
    received, the results' 总计, 行政复议 总计 and 行政诉讼 总计 (both kinds of suit)."""
    fields = report.form.fields
    table_3, table_4 = report.form.table("三"), report.form.table("四")
    column = next(b for b in table_3.balances if _is_total_column(fields, b))
    received, results = fields[column.left[0]], fields[column.right[0]]
    results_head = next(
        label.text for label in table_3.labels if label.col == 0 and label.row <= results.row < label.row + label.rowspan
    )
    review, *suits = table_4.totals
    return (
        (received.row_label, (received.key,)),
        (f"{results_head}{results.row_label}", (results.key,)),
        (f"{review.row_label}{review.col_label}", (review.key,)),
        (f"{suits[0].row_label.split('（')[0]}{suits[0].col_label}", tuple(f.key for f in suits)),
    )


def _check_growth(report: Report, previous: Report, last: str) -> list[Problem]:
    now, before = report.figures(), previous.figures()
    problems = []
    for name, keys in _key_totals(report):
        values = [now.get(k) for k in keys], [before.get(k) for k in keys]
        if any(v is None for v in (*values[0], *values[1])):
            continue
        this_year, last_year = sum(values[0]), sum(values[1])
        if min(this_year, last_year) < GROWTH_FLOOR:
            continue
        if this_year > GROWTH_FACTOR * last_year:
            change = f"是上年的 {this_year / last_year:.1f} 倍"
        elif this_year * GROWTH_FACTOR < last_year:
            change = "不到上年的五分之一"
        else:
            continue
        problems.append(
            warning(f"“{name}”本年为 {this_year}，{last}中为 {last_year}，{change}：请核对是否填错。", *keys)
        )
    return problems


def _check_overlap(report: Report, previous: Report, last: str) -> list[Problem]:
    overlap = crosscheck.text_overlap(report, previous)
    if overlap.share <= OVERLAP_LIMIT:
        return []
    sections = [s for s, share in overlap.sections.items() if share > OVERLAP_LIMIT]
    detail = "，".join(f"“{_title(report, s)}”{_percent(overlap.sections[s])}" for s in sections)
    return [
        warning(
            f"本年报告的文字约有 {_percent(overlap.share)} 与{last}相同（连续 {crosscheck.SHINGLE} 个字相同即算重复，"
            f"不计小标题和模板预填的文字），超过一半。{detail}。评议时重复率过高会被扣分，请按本年实际情况改写。",
            *(section_place(s) for s in sections),
        )
    ]


def _title(report: Report, section: str) -> str:
    return next(s.title for s in report.form.narrative_sections if s.number == section)


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _check_carry_over(report: Report, previous: Report, last: str = "上年填报表") -> list[Problem]:
    """This year's 上年结转 (row 2) should equal last year's 结转下年度 (row 25)."""
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
                    f"与{last}“{fields[carried_out].row_label}”的 {before} 不一致。",
                    carried_in,
                )
            )
    return problems


def _sum_text(values: list[Number | None]) -> str:
    return " + ".join(str(v) for v in values) + f" = {sum(values)}"

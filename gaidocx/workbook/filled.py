"""The fill-in workbook filled with what is already known: a report's entries (the whole-area
summary, the sample, tests) or, for ``gaidocx template --from``, what next year takes over
from last year's workbook (agency, kind, year + 1, 上年结转 and the headings)."""

from __future__ import annotations

import datetime

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from gaidocx.core.checks import check_report, year_problem
from gaidocx.core.form import OPENING
from gaidocx.core.narrative import parse_paragraph
from gaidocx.core.report import AGENCY, REPORT_KIND, SIGNED_ON, YEAR, Report
from gaidocx.workbook.fillin import INFO_WIDTHS, SPARE_ROWS, build_template, fit_height, prefill_of, set_value
from gaidocx.workbook.layout import FORM, INFO_SHEET, METADATA, TEXT_BLOCKS, TEXT_COLUMN, describe_all, field_cell
from gaidocx.workbook.read import Reading


def fill_workbook(workbook: Workbook, report: Report) -> None:
    """Write ``report``'s entries into a built template; totals keep their formulas."""
    info = workbook[INFO_SHEET]
    values = {AGENCY: report.agency or None, YEAR: report.year, SIGNED_ON: report.signed_on, REPORT_KIND: report.kind}
    for place, _, cell in METADATA:
        set_value(info[cell], values[place])
    for block in TEXT_BLOCKS:
        _fill_block(info, block, report.narratives.get(block.place, ()))
    for key, f in FORM.fields.items():
        if not f.is_total:
            sheet, cell = field_cell(key)
            workbook[sheet][cell] = report.inputs.get(key)


def _fill_block(info: Worksheet, block, entries: tuple[str, ...]) -> None:
    """The block's rows hold ``entries`` then blanks; rows up to a few past the last entry show."""
    if len(entries) > block.capacity:
        raise ValueError(f"{block.place}: {len(entries)} entries, the template has {block.capacity} rows")
    last = max((i for i, entry in enumerate(entries) if entry and entry.strip()), default=-1)
    for index, row in enumerate(block.rows):
        text = entries[index] if index < len(entries) else None
        set_value(info[f"{TEXT_COLUMN}{row}"], text)
        info.row_dimensions[row].height = None
        fit_height(info, row, text or "", INFO_WIDTHS[1])
        info.row_dimensions[row].hidden = index > last + SPARE_ROWS


def build_next_year_template(previous: Reading, today: datetime.date) -> Workbook:
    """Next year's workbook started from last year's, as read (``gaidocx template --from``).

    Agency, report type and year + 1 are filled in; each 上年结转 cell of table 三 holds last
    year's 结转下年度继续办理 of its column (so that ``check --previous`` agrees); the sections' headings are last year's
    (一、 and （一） level lead-ins, or the customary ones where last year had none), and last
    year's text is not copied.  Raises ``ValueError`` (message in Chinese) when last year's
    workbook cannot start next year's: it has no year, ``check`` finds an error in what is
    copied from it (its metadata, a 结转 figure), or next year is one ``year_problem`` refuses.
    """
    last = previous.report
    if last.year is None:
        raise ValueError("上一年度的填报表没有填写年度，无法生成下一年度的填报表。")
    table = next(t for t in FORM.tables if t.balances)
    carried = [(b.left[1], b.right[1]) for b in table.balances if not FORM.fields[b.left[1]].is_total]
    copied = {AGENCY, YEAR, REPORT_KIND, *(carried_out for _, carried_out in carried)}
    problems = previous.problems + check_report(last, reported=previous.unreadable, today=today)
    wrong = [p for p in problems if p.is_error and not copied.isdisjoint(p.places)]
    if wrong:
        listed = "；".join(f"{describe_all(p.places)}：{p.message.rstrip('。')}" for p in wrong[:5])
        raise ValueError(
            f"其中有 {len(wrong)} 个错误在下一年度要沿用的内容中（机关名称、年度、报告类型或“结转下年度继续办理”）："
            f"{listed}{'等' if len(wrong) > 5 else ''}。请先用 gaidocx check 检查并改正上一年度的填报表，再生成下一年度的。"
        )
    year = last.year + 1
    if problem := year_problem(year, today):
        raise ValueError(f"它是 {last.year} 年度的，下一年度为 {year} 年度：{problem}")
    workbook = build_template(agency=last.agency.strip(), year=year)
    info = workbook[INFO_SHEET]
    info[dict((place, cell) for place, _, cell in METADATA)[REPORT_KIND]] = last.kind
    for block in TEXT_BLOCKS:
        if block.place != OPENING:
            _fill_block(info, block, _headings(last, block.place))
    last_year = last.figures()
    for carried_in, carried_out in carried:
        sheet, cell = field_cell(carried_in)
        workbook[sheet][cell] = last_year[carried_out]
    return workbook


def _headings(previous: Report, section: str) -> tuple[str, ...]:
    """Last year's 一、 and （一） headings of ``section`` (the customary skeleton entry where one
    begins with it, which keeps the skeleton's model sentence), else the customary skeleton."""
    skeleton = prefill_of(section, None)
    heads = []
    for text in previous.paragraphs(section):
        paragraph = parse_paragraph(text)
        if paragraph.level in (1, 2):
            heads.append(next((entry for entry in skeleton if entry.startswith(paragraph.lead)), paragraph.lead))
    return tuple(heads) or skeleton

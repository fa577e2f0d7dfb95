"""The whole-area report's fill-in workbook: the template, filled with the sums, plus 汇总明细.

It is an ordinary fill-in workbook (报告类型 本行政区域): the office writes the text
on 基本信息, then ``gaidocx check``/``render`` read it like any other.  The extra
sheet 汇总明细 lists every input and its key totals; the reader ignores it.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.protection import SheetProtection

from gaidocx.core.records import figure_heading
from gaidocx.core.form import Kind
from gaidocx.core.report import format_figure
from gaidocx.core.summary import Summary, key_totals
from gaidocx.workbook.fillin import build_template, save_reproducibly
from gaidocx.workbook.filled import fill_workbook
from gaidocx.workbook.coordinates import column_letter
from gaidocx.workbook.layout import FORM

DETAIL_SHEET = "汇总明细"
_HEADINGS = ("序号", "文件", "机关名称", "年度", "状态")
_TOTAL_ROW = "合计（已汇总的填报表）"
_FONT = "宋体"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
_LEFT_OUT = Font(name=_FONT, color="C00000")
_WIDTHS = (6, 36, 30, 8, 28)
_FIGURE_WIDTH = 16
_TOP = 3  # rows 1–2: title and a note


def build_summary_workbook(summary: Summary) -> Workbook:
    """The fill-in workbook of ``summary.report`` with the 汇总明细 sheet after the tables."""
    report = summary.report
    if report is None:
        raise ValueError("a refused summary has no workbook")
    workbook = build_template(agency=report.agency, year=report.year)
    fill_workbook(workbook, report)
    _detail(workbook.create_sheet(DETAIL_SHEET), summary)
    return workbook


def summary_workbook_bytes(summary: Summary) -> bytes:
    """The .xlsx file's bytes, the same for the same summary (fixed timestamps)."""
    buffer = io.BytesIO()
    save_reproducibly(build_summary_workbook(summary), buffer)
    return buffer.getvalue()


def _detail(ws, summary: Summary) -> None:
    fields = key_totals(FORM)
    headings = (*_HEADINGS, *(figure_heading(FORM, f) for f in fields))
    last = column_letter(len(headings))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = f"{DETAIL_SHEET}（{len(summary.included)} 个已汇总，{len(summary.left_out)} 个未汇总）"
    ws["A1"].font = Font(name=_FONT, size=14, bold=True)
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = "本表列出汇总时收到的每一个填报表，供核对；生成报告时不读取本表。金额单位为万元。"
    ws["A2"].font = Font(name=_FONT, color="595959")
    for index, text in enumerate(headings, start=1):
        cell = ws.cell(_TOP, index, text)
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[column_letter(index)].width = _WIDTHS[index - 1] if index <= len(_WIDTHS) else _FIGURE_WIDTH
    ws.row_dimensions[_TOP].height = 75
    row = _TOP
    for number, entry in enumerate(summary.entries, start=1):
        row += 1
        report = entry.item.report
        figures = report.figures() if report is not None else {}
        values = [
            number,
            entry.item.path,
            report.agency if report is not None else None,
            report.year if report is not None else None,
            entry.status,
            *(_value(figures.get(f.key), f.kind) for f in fields),
        ]
        _row(ws, row, values, None if entry.included else _LEFT_OUT)
    row += 1
    figures = summary.report.figures()
    _row(ws, row, [None, _TOTAL_ROW, summary.report.agency, summary.report.year, None,
                   *(_value(figures[f.key], f.kind) for f in fields)], Font(name=_FONT, bold=True))
    ws.freeze_panes = f"C{_TOP + 1}"
    ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{_TOP}:{_TOP}"


def _value(value, kind: Kind):
    """Numbers stay numbers in the sheet; None (blank or unreadable) stays blank."""
    if value is None:
        return None
    return Decimal(format_figure(value, kind)) if kind is Kind.FEE else int(value)


def _row(ws, row: int, values: list, font: Font | None) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value)
        if isinstance(value, str):
            cell.data_type = "s"  # a file name starting with = is text, not a formula
        cell.font = font or Font(name=_FONT)
        cell.border = _BOX
        cell.alignment = Alignment(vertical="center", wrap_text=col in (2, 3, 5))

"""Is this workbook our fill-in template, with nothing moved?  The reader reads by position,
so it first makes sure every position still means what the layout says: the version, the
sheets, every locked label, nothing right of the text column, and not the 2019 format.
"""

from __future__ import annotations

from gaidocx.core.form import FORMAT_NAME, TRIAL_FORMAT_MARKERS, TRIAL_FORMAT_NAME
from gaidocx.workbook import WorkbookError
from gaidocx.workbook.cells import Book as Workbook
from gaidocx.workbook.cells import Cell
from gaidocx.workbook.cells import Sheet as Worksheet
from gaidocx.workbook.coordinates import column_index_from_string, coordinate_from_string
from gaidocx.workbook.layout import (
    FORM,
    GUIDE_SHEET,
    INFO_SHEET,
    LABEL_COLUMN,
    METADATA,
    READABLE_VERSIONS,
    TEMPLATE_VERSION,
    TEXT_BLOCKS,
    TEXT_COLUMN,
    VERSION_CELL,
    grid_cell,
    paragraph_label,
    sheet_name,
)
from gaidocx.workbook.values import brief

SHEETS = (GUIDE_SHEET, INFO_SHEET, *(sheet_name(t) for t in FORM.tables))
#: Old-format tables fit well inside this corner; a bounded scan cannot hang on a sparse sheet.
SCAN_ROWS, _SCAN_COLS = 500, 60
#: The old format's phrases are table labels: only short strings are searched, and only so much text.
_MARKER_TEXT, _MARKER_BUDGET = 100, 200_000
#: What to do when a workbook cannot be used: every refusal ends with it.
FRESH = "请用 gaidocx template 生成新的填报表重新填写（原来的数字可以复制过去，粘贴时选择“只粘贴数值”）。"


def check_template(wb: Workbook, name: str) -> None:
    """The reader reads by position, so the file must be this template, with nothing moved."""
    version = wb[GUIDE_SHEET][VERSION_CELL].value if GUIDE_SHEET in wb.sheetnames else None
    missing = [sheet for sheet in SHEETS if sheet not in wb.sheetnames]
    if version not in READABLE_VERSIONS:
        marker = _trial_marker(wb)
        if marker:
            raise WorkbookError(
                f"“{name}”是 2019 年试行格式（{TRIAL_FORMAT_NAME}）的报表（其中有“{marker}”）。"
                f"该格式用于 2019、2020 年度报告，无法转换为{FORMAT_NAME}规定的格式。"
                "请用 gaidocx template 生成新的填报表，按新格式填写。"
            )
        if version is not None:
            raise WorkbookError(
                f"“{name}”的模板版本是“{brief(version)}”，本程序需要“{TEMPLATE_VERSION}”版本的填报表。{FRESH}"
            )
        if missing != [GUIDE_SHEET]:
            raise WorkbookError(
                f"“{name}”不是 gaidocx 填报表（“{GUIDE_SHEET}”工作表 {VERSION_CELL} 单元格中没有模板版本号）。"
                "本工具只能读取用 gaidocx template 生成的填报表：请生成填报表，填好后再试。"
            )
    if missing:
        raise WorkbookError(
            f"“{name}”中找不到工作表“{'”“'.join(missing)}”，可能被删除或改了名字"
            f"（现有工作表：{brief('、'.join(wb.sheetnames), 200)}）。请把工作表名称改回原样；如果已删除，{FRESH}"
        )
    for sheet, cell, text in _fixed_labels():
        found = wb[sheet][cell].value
        if found != text:
            raise WorkbookError(_moved(f"{sheet}!{cell} 应为“{text}”，现为“{brief(found)}”"))
    stray = _beyond_text_column(wb[INFO_SHEET])
    if stray is not None:
        raise WorkbookError(_moved(f"{INFO_SHEET}!{stray.coordinate} 应为空白，现为“{brief(stray.value)}”"))


def _moved(what: str) -> str:
    return f"{what}：表格中的行或列可能被插入、删除或移动过。本工具按固定位置读取数据，无法读取这个文件。{FRESH}"


def _beyond_text_column(ws: Worksheet) -> Cell | None:
    """The first filled cell right of the text column within the sheet's rows, if any.

    Labels in column A catch inserted or deleted rows and columns before B; this
    catches a column inserted at B, which moves every entry one column right.  The
    scan is bounded like ``_trial_marker``'s, which covers any plausible insertion.
    """
    first = column_index_from_string(TEXT_COLUMN) + 1
    rows = ws.iter_rows(
        min_row=1,
        max_row=min(ws.max_row, TEXT_BLOCKS[-1].rows[-1]),
        min_col=first,
        max_col=min(ws.max_column, _SCAN_COLS),
    )
    return next((cell for row in rows for cell in row if cell.value is not None), None)


def _trial_marker(wb: Workbook) -> str | None:
    """The first of the 2019 format's phrases found in a short string of the sheets' top-left corners.

    Bounded: the phrases are table labels, so longer strings are skipped, and the
    search stops after ``_MARKER_BUDGET`` characters (one string shared by every
    cell is still searched once per cell).
    """
    budget = _MARKER_BUDGET
    for ws in wb.worksheets:
        bounds = {"max_row": min(ws.max_row, SCAN_ROWS), "max_col": min(ws.max_column, _SCAN_COLS)}
        rows = ws.iter_rows(**bounds, values_only=True)
        for value in (v for row in rows for v in row if isinstance(v, str) and len(v) <= _MARKER_TEXT):
            marker = next((m for m in TRIAL_FORMAT_MARKERS if m in value), None)
            if marker:
                return marker
            budget -= len(value) + 1
            if budget < 0:
                return None
    return None


def _fixed_labels():
    """(sheet, cell, text) of every locked label: if one moved, every position after it is wrong."""
    for table in FORM.tables:
        for label in table.labels:
            yield sheet_name(table), grid_cell(label.row, label.col), label.text
    for _, label, cell in METADATA:
        yield INFO_SHEET, f"{LABEL_COLUMN}{coordinate_from_string(cell)[1]}", label
    for block in TEXT_BLOCKS:
        yield INFO_SHEET, f"{LABEL_COLUMN}{block.header_row}", block.heading
        for index, row in enumerate(block.rows):
            yield INFO_SHEET, f"{LABEL_COLUMN}{row}", paragraph_label(index)

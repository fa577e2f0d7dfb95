"""Build the fill-in workbook from the form and the layout.

Every label comes from ``gaidocx.core.form`` and every position from
``layout``: the template can only disagree with the reader if the layout does.
The committed template is compared with this builder's output, so the output
is deterministic (fixed document dates and zip timestamps).  Filling a built
template with what is known is ``filled``'s business.
"""

from __future__ import annotations

import datetime
import io
import math
import unicodedata
import zipfile
from collections.abc import Iterable
from os import PathLike

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from gaidocx.core.form import (
    AREA_REPORT,
    FEE_DECIMALS,
    FIRST_YEAR,
    FORMAT_NAME,
    MAX_VALUE,
    OPENING,
    OWN_REPORT,
    REPORT_KINDS,
    TITLE_SUFFIX,
    YEAR_PLACEHOLDER,
    Kind,
    Table,
    opening_skeleton,
)
from gaidocx.core.report import AGENCY, REPORT_KIND, SIGNED_ON, YEAR
from gaidocx.workbook.layout import (
    FORM,
    GUIDE_SHEET,
    INFO_SHEET,
    LABEL_COLUMN,
    METADATA,
    TABLE_TOP_ROW,
    TEMPLATE_VERSION,
    TEXT_BLOCKS,
    TEXT_COLUMN,
    VERSION_CELL,
    VERSION_LABEL,
    column_letter,
    field_cell,
    grid_cell,
    paragraph_label,
    sheet_name,
    total_formula,
)

#: The date of 国办公开办函〔2021〕30号, used for every timestamp in the file.
FIXED_TIME = datetime.datetime(2021, 9, 26)
LAST_YEAR = 2100
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
BALANCED, UNBALANCED = "平衡", "不平衡"
CHECK_LABEL = "勾稽关系检查"

_FONT = "宋体"
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow: fill in
_TOTAL_FILL = PatternFill("solid", fgColor="D9D9D9")  # grey: computed, locked
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TEXT = Alignment(horizontal="left", vertical="top", wrap_text=True)
_UNLOCKED = Protection(locked=False)
_LINE_HEIGHT = 15  # points per wrapped line of 11 pt text

#: Column widths (characters) of each table sheet, by grid column.
_TABLE_WIDTHS = {"二": (18, 16, 16, 16), "三": (8, 16, 40, *(11,) * 7), "四": (11,) * 15}
INFO_WIDTHS = (14, 100)
_GUIDE_WIDTHS = (16, 90)
_PORTRAIT_WIDTH = 100  # characters that fit across an upright A4 page without shrinking much


#: Empty text rows shown below the last pre-filled one of each block; the other spare rows
#: are hidden, so that printing 基本信息 gives no pages of empty numbered rows.
SPARE_ROWS = 3


def build_template(*, agency: str = "", year: int | None = None) -> Workbook:
    """The blank fill-in workbook; ``agency`` and ``year`` are pre-filled when given."""
    wb = Workbook()
    wb.remove(wb.active)
    _guide(wb.create_sheet(GUIDE_SHEET))
    _info(wb.create_sheet(INFO_SHEET), agency, year)
    for table in FORM.tables:
        _table(wb.create_sheet(sheet_name(table)), table)
    for ws in wb.worksheets:
        # No password: protection only prevents accidents (see the guide sheet).
        ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        if ws.title in (GUIDE_SHEET, INFO_SHEET):
            ws.page_setup.fitToHeight = 0  # as many pages as the text needs
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.security = WorkbookProtection(lockStructure=True)  # no renaming or deleting sheets
    wb.active = 0
    wb.active.sheet_view.tabSelected = True
    wb.properties.creator = "gaidocx"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def template_notes(year: int | None) -> list[str]:
    """What a user of a template made without a year should know (``gaidocx template`` prints it)."""
    if year is not None:
        return []
    cell = next(cell for place, _, cell in METADATA if place == YEAR)
    return [
        f"没有指定年度（--year），填报表中的年度是空白的：请在“{INFO_SHEET}”的 {cell} 单元格填写年度。"
        f"开头段落中的“{YEAR_PLACEHOLDER}”就是年度，这句话保持原样时会按所填的年度自动填入报告；也可以用 --year 重新生成，"
        "如 gaidocx template --year 2024。"
    ]


def write_template(path: str | PathLike[str], *, agency: str = "", year: int | None = None) -> None:
    save_reproducibly(build_template(agency=agency, year=year), path)


def save_reproducibly(workbook: Workbook, path: str | PathLike[str]) -> None:
    """Save byte-for-byte reproducibly (``Workbook.save`` stamps the current time), for committed files."""
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(buffer) as built, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in built.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6])
            out.writestr(fixed, built.read(info), zipfile.ZIP_DEFLATED)


def set_value(cell, value) -> None:
    """Text stays text even when it starts with ``=`` (openpyxl would store a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


# ---------------------------------------------------------------- sheets


def _guide(ws: Worksheet) -> None:
    _widths(ws, _GUIDE_WIDTHS)
    _title(ws, 1, f"{TITLE_SUFFIX.removeprefix('年')}填报说明（{FORMAT_NAME}格式）", 2)
    ws[f"{LABEL_COLUMN}{ws[VERSION_CELL].row}"] = VERSION_LABEL
    ws[VERSION_CELL] = TEMPLATE_VERSION
    row = 4
    for heading, text, sample in _guide_items():
        ws.cell(row, 1, heading).font = Font(name=_FONT, bold=True)
        ws.cell(row, 1).alignment = _CENTRE if sample else _TEXT
        ws.cell(row, 2, text).alignment = _TEXT
        fit_height(ws, row, text, _GUIDE_WIDTHS[1])
        if sample:
            ws.cell(row, 1).fill = sample
            ws.cell(row, 1).border = _BOX
        row += 1
    ws.print_area = f"A1:B{row - 1}"


def _guide_items() -> Iterable[tuple[str, str, PatternFill | None]]:
    """(heading, text, sample fill) rows of the guide: what to fill and how it is read."""
    tables = "、".join(f"“{sheet_name(t)}”" for t in FORM.tables)
    yield "填写什么", (
        f"依次填写“{INFO_SHEET}”和{tables}工作表。“{INFO_SHEET}”填机关名称、年度、成文日期和报告的文字部分；"
        f"{tables}分别对应报告第二、三、四部分的表格，格式与{FORMAT_NAME}规定的表格一致。"
    ), None
    yield "浅黄色", "浅黄色的单元格需要填写。", _INPUT_FILL
    yield "灰色", "灰色的单元格是自动计算的合计（公式），已锁定，不需要也不能修改。", _TOTAL_FILL
    yield "数字", (
        "只填数字，不要带单位：单位已写在表头中。件数只能填整数。收费金额的单位是万元（1 元 = 0.0001 万元），"
        f"可以有小数，最多 {FEE_DECIMALS} 位（精确到分，如 24252.311082），报告中按填写的数字原样列出。"
        "空白不等于 0：模板已预先填好 0，没有发生的事项保持 0 即可；单元格空着会被视为漏填。"
    ), None
    for table in FORM.tables:
        rules = [
            f"{b.rule.strip('（）')}（第三项按“{FORM.fields[b.right[0]].row_label}”计）。"
            f"每一列都要满足，可在表格下方的“{CHECK_LABEL}”行核对。"
            for b in table.balances
        ][:1]
        rules += _total_rules(table)
        if rules:
            yield f"勾稽关系（{sheet_name(table)}）", "\n".join(rules), None
    yield "文字部分", (
        f"“{INFO_SHEET}”中每个浅黄色的文字单元格是一段，按从上到下的顺序排入报告，空着的行不出现在报告中。"
        f"在单元格内按 Alt+Enter 换行，也会另起一段。以“{FORM.narrative_sections[0].skeleton[0]}”这样的编号和句号开头的段落，"
        "开头部分排成小标题，后面的文字接在同一段中；小标题也可以单独占一行（或在单元格内换行），下面接着写正文。"
        "预填的小标题可以修改或删除。"
        f"“{YEAR_PLACEHOLDER}”处请改为实际年度。"
        f"每部分只显示最后一段下面的 {SPARE_ROWS} 个空行，其余空行已隐藏（打印时就不会有整页的空行）："
        "段落不够时，可同时选中该部分最后一个显示的行和下一部分的标题行，右键“取消隐藏”；也可以在一个单元格内按 Alt+Enter 分段。"
    ), None
    yield "工作表保护", (
        "各工作表设置了保护（没有密码），只是为了防止误删公式和表头。请不要插入或删除行、列，不要改工作表名称，"
        "否则程序无法读取。可以调整行高和列宽。"
    ), None
    yield "生成报告", (
        "填好并保存后，运行 gaidocx check 文件名.xlsx 检查错误；没有错误后运行 gaidocx render 文件名.xlsx 生成 Word 报告。"
    ), None


def _total_rules(table: Table) -> list[str]:
    """Each kind of total once, in the form's own words: ``“总计”＝自然人＋…``."""
    rules: list[str] = []
    for total in table.totals:
        parts = [FORM.fields[p] for p in total.parts]
        if all(p.row == total.row for p in parts):
            rule = f"“{total.col_label}”＝" + "＋".join(p.col_label for p in parts)
        else:
            rule = f"“{total.row_label}”＝“{parts[0].row_label}”至“{parts[-1].row_label}”各行之和"
        if rule not in rules:
            rules.append(rule)
    return [f"{rule}，自动计算。" for rule in rules]


def _info(ws: Worksheet, agency: str, year: int | None) -> None:
    _widths(ws, INFO_WIDTHS)
    _title(ws, 1, f"{INFO_SHEET}和报告文字", 2)
    _hint(ws, 2, "浅黄色单元格需要填写；文字部分每个单元格填一段，单元格内按 Alt+Enter 换行也会另起一段。", 2)
    values = {AGENCY: agency or None, YEAR: year, SIGNED_ON: None, REPORT_KIND: OWN_REPORT}
    for place, label, cell in METADATA:
        _label(ws[f"{LABEL_COLUMN}{ws[cell].row}"], label)
        _input(ws[cell], values[place])
        ws[cell].alignment = Alignment(horizontal="left", vertical="center")
    cells = {place: cell for place, _, cell in METADATA}
    year_rule = f"请填写四位数字的年度，如 2024（本格式适用于 {FIRST_YEAR} 年度起的报告）。"
    _validate(ws, [cells[YEAR]], "whole", FIRST_YEAR, LAST_YEAR, "年度", year_rule)
    ws[cells[SIGNED_ON]].number_format = DATE_FORMAT
    first, last = (int(to_excel(datetime.date(year, 1, 1))) for year in (FIRST_YEAR + 1, LAST_YEAR + 2))
    _validate(ws, [cells[SIGNED_ON]], "date", first, last, "成文日期", "请填写日期，如 2025年1月23日，也可以写成 2025-1-23。")
    kinds = DataValidation(
        type="list",
        formula1=f'"{",".join(REPORT_KINDS)}"',
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="报告类型",
        error=f"请从下拉列表中选择：{'或'.join(REPORT_KINDS)}。",
        promptTitle="报告类型",
        prompt=f"{OWN_REPORT}：本机关的年度报告（1月31日前公布）；{AREA_REPORT}：县级以上人民政府汇总本行政区域的年度报告（3月31日前公布）。",
        showInputMessage=True,
    )
    ws.add_data_validation(kinds)
    kinds.add(cells[REPORT_KIND])
    for block in TEXT_BLOCKS:
        header = ws[f"{LABEL_COLUMN}{block.header_row}"]
        ws.merge_cells(f"{LABEL_COLUMN}{block.header_row}:{TEXT_COLUMN}{block.header_row}")
        _label(header, block.heading)
        header.alignment = Alignment(horizontal="left", vertical="center")
        prefill = prefill_of(block.place, year)
        for index, row in enumerate(block.rows):
            _label(ws[f"{LABEL_COLUMN}{row}"], paragraph_label(index))
            text = prefill[index] if index < len(prefill) else None
            _input(ws[f"{TEXT_COLUMN}{row}"], text)
            ws[f"{TEXT_COLUMN}{row}"].alignment = _TEXT
            fit_height(ws, row, text or "", INFO_WIDTHS[1])
            ws.row_dimensions[row].hidden = index >= len(prefill) + SPARE_ROWS
    ws.print_area = f"A1:B{TEXT_BLOCKS[-1].rows[-1]}"


def prefill_of(place: str, year: int | None) -> tuple[str, ...]:
    if place == OPENING:
        return opening_skeleton(year)
    return next(s.skeleton for s in FORM.narrative_sections if s.number == place)


def _table(ws: Worksheet, table: Table) -> None:
    widths = _TABLE_WIDTHS[table.number]
    _widths(ws, widths)
    section = next(s for s in FORM.sections if s.table is table)
    _title(ws, 1, section.title, table.columns)
    kinds = {f.kind for f in table.inputs}
    hint = "浅黄色单元格填写数字，没有发生的填 0，不要带单位。"
    if Kind.FEE in kinds:
        hint += f"收费金额单位为万元，可填小数（最多 {FEE_DECIMALS} 位，精确到分）。"
    if table.totals:
        hint += "灰色单元格为自动计算的合计。"
    if table.balances:
        hint += f"表格下方的“{CHECK_LABEL}”行显示每一列是否{BALANCED}。"
    _hint(ws, 2, hint, table.columns)
    for label in table.labels:
        _box(ws, label.row, label.col, label.rowspan, label.colspan)
        _label(ws[grid_cell(label.row, label.col)], label.text)
    for f in table.fields:
        _box(ws, f.row, f.col, 1, f.colspan)
        cell = ws[grid_cell(f.row, f.col)]
        if f.is_total:
            cell.value = total_formula(f.key)
            cell.font = Font(name=_FONT, bold=True)
            cell.fill = _TOTAL_FILL
            cell.alignment = _CENTRE
        else:
            _input(cell, 0)
            cell.alignment = _CENTRE
    for kind in sorted(kinds, key=lambda k: k.value):
        cells = [grid_cell(f.row, f.col) for f in table.inputs if f.kind is kind]
        if kind is Kind.FEE:
            fee_rule = (
                f"请填写 0 到 {MAX_VALUE} 之间的数字，单位是万元，最多 {FEE_DECIMALS} 位小数（精确到分，如 24252.311082），"
                "不要带“元”等单位。"
            )
            _validate(ws, cells, "decimal", 0, MAX_VALUE, "收费金额（万元）", fee_rule)
        else:
            _validate(ws, cells, "whole", 0, MAX_VALUE, "件数", f"请填写 0 到 {MAX_VALUE} 之间的整数，不要带“件”等单位；没有发生的填 0。")
    _row_heights(ws, table, widths)
    last_row = TABLE_TOP_ROW + table.rows - 1
    if table.balances:
        last_row = _balance_row(ws, table, last_row + 2)
    last_col = column_letter(table.columns)
    if table.header_rows:
        ws.print_title_rows = f"{TABLE_TOP_ROW}:{TABLE_TOP_ROW + table.header_rows - 1}"
        ws.freeze_panes = grid_cell(table.header_rows, min(f.col for f in table.fields))
    if sum(widths) > _PORTRAIT_WIDTH:
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToHeight = 1  # each table prints on one page: 表三's merged first column stays whole
    ws.print_area = f"A1:{last_col}{last_row}"


def _balance_row(ws: Worksheet, table: Table, row: int) -> int:
    """A row under the table showing, per column, whether the rule holds; the reader ignores it."""
    first_col = min(f.col for f in table.fields)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=first_col)
    _label(ws.cell(row, 1), CHECK_LABEL)
    for balance in table.balances:
        left, right = ("+".join(field_cell(k)[1] for k in side) for side in (balance.left, balance.right))
        col = FORM.fields[balance.left[0]].col + 1
        cell = ws.cell(row, col, f'=IF({left}={right},"{BALANCED}","{UNBALANCED}")')
        cell.alignment, cell.border, cell.font = _CENTRE, _BOX, Font(name=_FONT, bold=True)
    ws.conditional_formatting.add(
        f"{column_letter(first_col + 1)}{row}:{column_letter(table.columns)}{row}",
        CellIsRule(operator="equal", formula=[f'"{UNBALANCED}"'], font=Font(color="C00000", bold=True)),
    )
    return row


# ---------------------------------------------------------------- cells


def _widths(ws: Worksheet, widths: Iterable[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[column_letter(index)].width = width


def _title(ws: Worksheet, row: int, text: str, columns: int) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    cell = ws.cell(row, 1, text)
    cell.font = Font(name=_FONT, size=14, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[row].height = 24


def _hint(ws: Worksheet, row: int, text: str, columns: int) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    cell = ws.cell(row, 1, text)
    cell.font = Font(name=_FONT, color="595959")
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _label(cell, text: str) -> None:
    cell.value = text
    cell.font = Font(name=_FONT, bold=True)
    cell.alignment = _CENTRE


def _input(cell, value) -> None:
    set_value(cell, value)
    cell.font = Font(name=_FONT)
    cell.fill = _INPUT_FILL
    cell.border = _BOX
    cell.protection = _UNLOCKED


def _box(ws: Worksheet, row: int, col: int, rowspan: int, colspan: int) -> None:
    """Border every cell of a (merged) grid area, which Excel needs to draw a merged cell's frame."""
    for r in range(row, row + rowspan):
        for c in range(col, col + colspan):
            ws[grid_cell(r, c)].border = _BOX
    if rowspan > 1 or colspan > 1:
        ws.merge_cells(f"{grid_cell(row, col)}:{grid_cell(row + rowspan - 1, col + colspan - 1)}")


def _validate(ws: Worksheet, cells: list[str], kind: str, low: int, high: int, what: str, message: str) -> None:
    """A validation that really refuses bad typing (openpyxl's default shows no error)."""
    dv = DataValidation(
        type=kind,
        operator="between",
        formula1=str(low),
        formula2=str(high),
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=f"{what}填写有误",
        error=message,
        showInputMessage=True,
        promptTitle=what,
        prompt=message,
    )
    for cell in cells:
        dv.add(cell)
    ws.add_data_validation(dv)


def _row_heights(ws: Worksheet, table: Table, widths: tuple[float, ...]) -> None:
    """Tall enough for each single-row label to show whole (Excel cannot autofit merged cells)."""
    lines = [1] * table.rows
    for label in table.labels:
        if label.rowspan == 1:
            width = sum(widths[label.col : label.col + label.colspan])
            lines[label.row] = max(lines[label.row], _lines(label.text, width))
    for row, count in enumerate(lines):
        ws.row_dimensions[TABLE_TOP_ROW + row].height = count * _LINE_HEIGHT + 6


def _lines(text: str, width: float) -> int:
    """Wrapped lines of ``text`` in a column ``width`` characters wide (CJK counts double)."""
    sizes = (sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.split("\n"))
    return sum(max(1, math.ceil(size / max(width - 1, 1))) for size in sizes)


def fit_height(ws: Worksheet, row: int, text: str, width: float) -> None:
    """Excel and LibreOffice do not grow a row for wrapped text on opening, so size it here.

    Only rows that need it get a height: other rows stay automatic and grow as the user types.
    """
    lines = _lines(text, width)
    if lines > 1:
        ws.row_dimensions[row].height = lines * _LINE_HEIGHT + 4

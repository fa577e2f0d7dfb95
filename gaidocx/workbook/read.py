"""Read a filled-in workbook into a ``Report``, trusting nothing in the file.

A workbook comes from users' PCs: it may be the wrong kind of file, an old
format, a template whose rows were moved, or a hostile archive.  Files that
cannot be used at all (``shape`` checks that it is our template, unmoved) raise
``WorkbookError`` with a Chinese message; cell content that cannot be used becomes
a ``Problem`` naming the cell, and the report keeps ``None`` there.  The input file is only ever read.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from gaidocx.workbook import WorkbookError
from gaidocx.archive import ArchiveError, check_size, read_file
from gaidocx.limits import MAX_NARRATIVE_CHARS, MAX_PARAGRAPHS
from gaidocx.core.checks import Problem, error, paragraph_place, warning
from gaidocx.core.form import (
    OPENING,
    OWN_REPORT,
    REPORT_KINDS,
    Field,
    Kind,
    opening_skeleton,
)
from gaidocx.core.narrative import NOT_XML, split_paragraphs
from gaidocx.core.report import AGENCY, REPORT_KIND, SIGNED_ON, YEAR, Number, Report
from gaidocx.workbook.cells import Book as Workbook
from gaidocx.workbook.cells import Cell, CellsError, load
from gaidocx.workbook.coordinates import column_index_from_string, coordinate_from_string
from gaidocx.workbook.dates import from_excel
from gaidocx.workbook.cells import Sheet as Worksheet
from gaidocx.workbook.guard import LIMITS, GuardError, open_workbook_archive
from gaidocx.workbook.layout import (
    FORM,
    INFO_SHEET,
    METADATA,
    TEXT_BLOCKS,
    TEXT_COLUMN,
    field_cell,
    paragraph_label,
    sheet_name,
    total_formula,
)
from gaidocx.workbook.shape import FRESH, SCAN_ROWS, check_template
from gaidocx.workbook.values import as_text, brief, chinese, normalise_formula, to_number

#: The most characters an Excel cell holds.
EXCEL_CELL_LIMIT = 32_767
#: Excel stores characters XML cannot hold as ``_x0007_``; the cell reader (as openpyxl) leaves the escape as text.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE = re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?")


@dataclass(frozen=True)
class Reading:
    """What was read, what is wrong with it, and which places were refused (left ``None``)."""

    report: Report
    problems: list[Problem]
    unreadable: frozenset[str]


def read_workbook(path: str | PathLike[str]) -> Reading:
    """Read a filled template; raises ``WorkbookError`` when the file cannot be used at all."""
    path = Path(path)
    return read_workbook_bytes(read_workbook_file(path), path.name)


def read_workbook_file(path: Path) -> bytes:
    """The bytes of a workbook file, read once; ``WorkbookError`` when missing, a folder, empty or too big."""
    try:
        return read_file(path, LIMITS)
    except ArchiveError as exc:
        raise WorkbookError(_advice(exc)) from exc


def read_workbook_bytes(data: bytes, name: str) -> Reading:
    """Read a filled template held in memory (an upload); ``name`` is what every message calls it.

    The bytes are checked by the archive guard; its parts, already in memory, are
    read by ``cells`` (formulas and their cached results together).
    """
    try:
        check_size(len(data), name, LIMITS)
        archive = open_workbook_archive(data, name)
    except (ArchiveError, GuardError) as exc:
        raise WorkbookError(_advice(exc)) from exc
    workbook = _open(archive.xml, name)
    check_template(workbook, name)
    cached = {sheet_name(table): workbook[sheet_name(table)].cached_values() for table in FORM.tables}
    return _Reader(workbook, cached).read()


def _advice(exc: ArchiveError | GuardError) -> str:
    """The guard's message, with what to do about it."""
    message = str(exc)
    if exc.kind in ("missing", "loop"):
        return message
    if exc.kind == "folder":
        return f"{message}请指定填报表文件（.xlsx）的路径。"
    if exc.kind == "unreadable":
        return message
    if exc.kind == "ole":
        return message.replace("旧版 Office 97-2003 格式", "旧版 Excel 97-2003 工作簿（.xls）").replace(
            "加密文件", "加密文件（加密的 .xlsx 也是这种格式）"
        ) + "请在 Excel 或 WPS 中打开它，如有打开密码请先取消，然后“另存为”Excel 工作簿（*.xlsx）再试。"
    if exc.kind == "not zip":
        return (
            message.replace("不是 Office 文件", "不是 Excel 工作簿（.xlsx）").replace("扩展名不对", "扩展名是 .xlsx")
            + "请在 Excel 或 WPS 中打开它，“另存为”Excel 工作簿（*.xlsx）；最好直接使用 gaidocx template 生成的填报表。"
        )
    if exc.kind == "damaged":
        return f"{message}如果在 Excel 或 WPS 中还能打开，请“另存为”一个新的 .xlsx 文件再试；否则{FRESH}"
    if exc.kind == "kind":
        return f"{message}请使用 gaidocx template 生成的 Excel 填报表。"
    if exc.kind == "not workbook":
        return f"{message}请在 Excel 或 WPS 中打开填报表，“另存为”Excel 工作簿（*.xlsx）再试。"
    if exc.kind in ("macro", "strict"):
        return message
    return f"{message}{FRESH}"


def _open(parts: dict[str, bytes], name: str) -> Workbook:
    """The workbook's cells (formulas, with their cached results alongside).

    Merged areas are not read: nothing is read from one but its first cell, which keeps its value.
    """
    try:
        return load(parts)
    except CellsError as exc:
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        raise WorkbookError(
            f"“{name}”无法作为 Excel 工作簿打开（{type(cause).__name__}），文件可能已损坏。"
            f"请在 Excel 或 WPS 中打开它并“另存为”Excel 工作簿（*.xlsx）再试；如果打不开，{FRESH}"
        ) from exc


# ---------------------------------------------------------------- the content


class _Reader:
    """Reads cells into a Report, collecting problems and refused places on the way."""

    def __init__(self, workbook: Workbook, cached: dict[str, dict[str, tuple[str, str | None]]]) -> None:
        self.formulas = workbook
        self.cached = cached
        self.problems: list[Problem] = []
        self.unreadable: set[str] = set()
        #: figures typed as text, each with the warning that says so
        self.typed_as_text: dict[str, Problem] = {}

    def read(self) -> Reading:
        info = self.formulas[INFO_SHEET]
        cells = {place: info[cell] for place, _, cell in METADATA}
        year = self._year(cells[YEAR])
        narratives = {
            block.place: tuple(
                self._text(info[f"{TEXT_COLUMN}{row}"], paragraph_place(block.place, index))
                for index, row in enumerate(block.rows)
            )
            for block in TEXT_BLOCKS
        }
        report = Report(
            agency=self._text(cells[AGENCY], AGENCY).strip(),
            year=year,
            signed_on=self._date(cells[SIGNED_ON]),
            kind=self._kind(cells[REPORT_KIND]),
            narratives={**narratives, OPENING: _opening_with_year(narratives[OPENING], year)},
            inputs={key: self._figure(key, f) for key, f in FORM.fields.items() if not f.is_total},
        )
        self._check_narrative_size(report)
        self._check_totals(report)
        self._check_stray_text(info)
        return Reading(report, self.problems, frozenset(self.unreadable))

    def _check_narrative_size(self, report: Report) -> None:
        """Bounds far above any real report, so that no document takes minutes to write."""
        characters = paragraphs = 0
        for block in TEXT_BLOCKS:
            for index, entry in enumerate(report.narratives[block.place]):
                characters += len(entry)
                paragraphs += len(split_paragraphs(entry))
                place = paragraph_place(block.place, index)
                if characters > MAX_NARRATIVE_CHARS:
                    self.problems.append(
                        error(
                            f"报告的文字部分到这一格为止已有 {characters} 个字符，超过本工具的上限 {MAX_NARRATIVE_CHARS} 个字符"
                            "（真实的年度报告正文一般不到 2 万字，上限是它的十倍）。请检查是否粘贴了无关的内容。",
                            place,
                        )
                    )
                    return
                if paragraphs > MAX_PARAGRAPHS:
                    self.problems.append(
                        error(
                            f"报告的文字部分到这一格为止已分成 {paragraphs} 段（单元格内每换一行算一段），"
                            f"超过本工具的上限 {MAX_PARAGRAPHS} 段（真实的年度报告一般不到 200 段，上限是它的十倍）。"
                            "请检查是否粘贴了无关的内容，或是否每句话都换了行。",
                            place,
                        )
                    )
                    return

    def _check_stray_text(self, info: Worksheet) -> None:
        """Text typed where no entry is read (below the last row, in a gap) would silently vanish."""
        read_rows = {coordinate_from_string(cell)[1] for _, _, cell in METADATA}
        read_rows.update(row for block in TEXT_BLOCKS for row in block.rows)
        column = column_index_from_string(TEXT_COLUMN)
        for (cell,) in info.iter_rows(min_col=column, max_col=column, max_row=min(info.max_row, SCAN_ROWS)):
            if cell.value is not None and cell.row not in read_rows:
                self.problems.append(
                    error(
                        f"这里有内容“{brief(cell.value)}”，但这一行不是填写位置，内容不会进入报告。"
                        f"请把它移到相应部分的段落行（{paragraph_label(0)}、{paragraph_label(1)}……）中，再删除这里的内容。",
                        f"{INFO_SHEET}!{cell.coordinate}",
                    )
                )

    def _refuse(self, place: str, message: str) -> None:
        self.problems.append(error(message, place))
        self.unreadable.add(place)

    def _direct(self, cell: Cell, place: str, what: str) -> bool:
        """Entries are typed, never computed: a formula here hides what the report says."""
        if cell.data_type == "f":
            self._refuse(place, f"输入单元格应直接填写{what}，不能是公式（现为“{brief(cell.value, 40)}”）。")
            return False
        return True

    def _out_of_date_range(self, cell: Cell, place: str, problem: str) -> bool:
        """A date-formatted number beyond Excel's dates (read as ``#VALUE!``, as openpyxl reads it)
        is refused with ``problem``, which names the number as ``{serial}``."""
        if cell.serial is None:
            return False
        self._refuse(place, problem.format(serial=brief(cell.serial)))
        return True

    def _text(self, cell: Cell, place: str) -> str:
        if not self._direct(cell, place, "文字"):
            return ""
        text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), as_text(cell.value))
        if len(text) > EXCEL_CELL_LIMIT:  # Excel itself never writes more; a crafted file might
            self._refuse(place, f"有 {len(text)} 个字符，超过 Excel 单元格上限 {EXCEL_CELL_LIMIT}：请分成几段，每段填一行。")
            return ""
        cleaned = NOT_XML.sub("", text)
        if cleaned != text:
            removed = len(text) - len(cleaned)
            self.problems.append(warning(f"含有 {removed} 个不可见的控制字符（可能是从别处复制来的），已删除。", place))
        return cleaned

    def _kind(self, cell: Cell) -> str:
        """报告类型; blank (and workbooks of version 2021.1, which lack the row) mean 本机关."""
        text = self._text(cell, REPORT_KIND).strip()
        if not text:
            return OWN_REPORT
        if text not in REPORT_KINDS:
            self._refuse(REPORT_KIND, f"报告类型应为“{'”或“'.join(REPORT_KINDS)}”（现为“{brief(text)}”）。")
            return OWN_REPORT
        return text

    def _year(self, cell: Cell) -> int | None:
        value = cell.value
        if not self._direct(cell, YEAR, "年度") or value is None:
            return None
        if isinstance(value, str):
            value = value.strip().removesuffix("年度").removesuffix("年")
        number, _ = to_number(value)
        if number is None or number != int(number):
            self._refuse(YEAR, f"年度应为四位数字，如 2024（现为“{brief(cell.value)}”）。")
            return None
        return int(number)

    def _date(self, cell: Cell) -> datetime.date | None:
        value = cell.value
        if not self._direct(cell, SIGNED_ON, "日期") or value is None:
            return None
        if self._out_of_date_range(
            cell, SIGNED_ON, "成文日期单元格中的数字 {serial} 超出了 Excel 能表示的日期范围，无法读取为日期。请重新填写日期，如 2025年1月23日。"
        ):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            date = from_excel(value).date()  # type: ignore[union-attr]
            self.problems.append(
                warning(f"成文日期是数字 {value}，已按 Excel 日期读取为 {chinese(date)}，请核对。", SIGNED_ON)
            )
            return date
        match = _DATE.fullmatch(unicodedata.normalize("NFKC", str(value)[:40]).replace(" ", ""))
        if match:
            try:
                return datetime.date(*map(int, match.groups()))
            except ValueError:  # 2025年2月30日
                pass
        self._refuse(SIGNED_ON, f"成文日期无法识别（现为“{brief(value)}”），请填写日期，如 2025年1月23日。")
        return None

    def _figure(self, key: str, f: Field) -> Number | None:
        sheet, address = field_cell(key)
        cell = self.formulas[sheet][address]
        if not self._direct(cell, key, "数字"):
            return None
        if self._out_of_date_range(
            cell, key, "单元格设置成了日期格式，其中的数字 {serial} 超出了日期范围，Excel 显示为错误值。请把单元格格式改为“常规”，再重新填写数字。"
        ):
            return None
        number, note = to_number(cell.value)
        if number is None:
            if note:
                self._refuse(key, note)
            return None
        if note:
            self.typed_as_text[key] = warning(note, key)
            self.problems.append(self.typed_as_text[key])
        if f.kind is Kind.COUNT:
            if number != int(number):
                # refused here, so that the balances and totals built on it are not reported as well
                self._refuse(key, f"应为整数件数（现为 {number}）。")
                return None
            return int(number)
        return number

    def _check_totals(self, report: Report) -> None:
        """Totals are recomputed in Python; the file's formulas and cached results are only cross-checked."""
        figures = report.figures()
        left_out: dict[str, list[str]] = {}  # a figure typed as text → the totals whose saved results lack it
        for key, f in FORM.fields.items():
            if not f.is_total:
                continue
            sheet, cell = field_cell(key)
            expected, found = total_formula(key), self.formulas[sheet][cell]
            right = "暂时无法计算（有空白或无法识别的数字）" if figures[key] is None else f"应为 {figures[key]}"
            if found.data_type != "f" or normalise_formula(found.value, sheet) != normalise_formula(expected, sheet):
                typed, _ = to_number(found.value) if found.data_type != "f" else (None, "")
                if typed is not None and figures[key] is not None and typed == figures[key]:
                    self.problems.append(
                        warning(
                            f"合计单元格的公式被改成了数字 {figures[key]}（与按本表数字合计的结果相同）。"
                            f"请恢复公式 {expected}，否则以后修改数字时合计不会自动更新。",
                            key,
                        )
                    )
                    continue
                self.problems.append(
                    error(
                        f"合计单元格的公式被改动：应为 {expected}，现为“{brief(found.value, 40)}”；按本表数字合计{right}。"
                        "请撤销修改，或从新的模板复制这个公式。",
                        key,
                    )
                )
                continue
            kind, saved = self.cached.get(sheet, {}).get(cell, ("n", None))
            if saved is None or kind != "n" or figures[key] is None or to_number(saved)[0] == figures[key]:
                continue
            as_text = [k for k in _leaves(key) if k in self.typed_as_text]
            if as_text:
                for typed in as_text:
                    left_out.setdefault(typed, []).append(key)
                continue
            self.problems.append(
                error(
                    f"文件中保存的合计结果是 {brief(saved)}，但按本表数字合计{right}：结果已过时或被改动。"
                    "请在 Excel 或 WPS 中打开这个文件，保存后再试（如公式被改过，请恢复公式）。",
                    key,
                )
            )
        for typed, totals in left_out.items():
            self._fold_into_text_figure(typed, totals, report.inputs[typed])

    def _fold_into_text_figure(self, key: str, totals: list[str], number: Number | None) -> None:
        """One message at a figure typed as text whose totals were saved without it (every
        spreadsheet program's SUM leaves text out): in place of its warning and of an error
        per total, each of which named the figure's long row label twice."""
        self.problems.remove(self.typed_as_text[key])
        cells = "、".join(field_cell(total)[1] for total in totals)
        self.problems.append(
            error(
                f"这里的 {number} 是以文字形式保存的数字，Excel、WPS 和 LibreOffice 的合计公式都不计入文字，"
                f"所以文件中保存的合计（{cells}）与按本表数字算出的不同。"
                "请选中这个单元格，把格式改为“常规”，再重新输入数字（重新保存文件不能解决）。",
                key,
                secondary=True,
            )
        )


def _opening_with_year(entries: tuple[str, ...], year: int | None) -> tuple[str, ...]:
    """A template made without a year pre-fills the customary opening with “____” for it: where
    that sentence is left as it was, the year is taken from 年度 (a formula could not do it: the
    text is the user's to change, and Excel, WPS and LibreOffice would each keep their own result)."""
    if year is None:
        return entries
    filled = dict(zip(opening_skeleton(None), opening_skeleton(year)))
    return tuple(filled.get(entry.strip(), entry) for entry in entries)


def _leaves(key: str) -> set[str]:
    """The input cells a total adds up, through totals of totals."""
    parts = FORM.fields[key].parts
    if not parts:
        return {key}
    return set().union(*(_leaves(part) for part in parts))

"""Read a filled-in workbook into a ``Report``, trusting nothing in the file.

A workbook comes from users' PCs: it may be the wrong kind of file, an old
format, a template whose rows were moved, or a hostile archive.  Files that
cannot be used at all raise ``WorkbookError`` with a Chinese message; cell
content that cannot be used becomes a ``Problem`` naming the cell, and the
report keeps ``None`` there.  The input file is only ever read.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from os import PathLike
from pathlib import Path
from xml.parsers import expat

import openpyxl.xml
from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
from openpyxl.utils.datetime import from_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from gaidocx.core.checks import AGENCY, REPORT_KIND, SIGNED_ON, YEAR, Problem, error, paragraph_place, warning
from gaidocx.core.form import (
    FORMAT_NAME,
    OWN_REPORT,
    REPORT_KINDS,
    TRIAL_FORMAT_MARKERS,
    TRIAL_FORMAT_NAME,
    Field,
    Kind,
    chinese_date,
)
from gaidocx.core.narrative import NOT_XML
from gaidocx.core.report import Number, Report, format_figure
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
    field_cell,
    grid_cell,
    paragraph_label,
    sheet_name,
    total_formula,
)

_MB = 1024 * 1024
# Limits well above any real fill-in workbook, checked before openpyxl sees anything
# (it loads every sheet twice).  The template is about 20 KB; a filled sheet stays
# under 200 KB with fewer than 2 000 cells.  Only the narrative text can be large:
# 86 cells at Excel's 32 767-character limit take 8.4 MB of UTF-8 shared strings as
# Excel, WPS and LibreOffice save them, or 22.5 MB of inline ``&#NNNNN;`` strings
# in the text sheet as openpyxl (``fill_workbook``) saves them.
MAX_PART = 4 * _MB  # any member that is neither a worksheet nor the shared strings
MAX_TEXT_PART = 24 * _MB  # xl/worksheets/*.xml and xl/sharedStrings.xml
MAX_TOTAL = 32 * _MB
MAX_FILE = MAX_TOTAL + 1 * _MB  # a stored (uncompressed) archive is its members plus headers
MAX_MEMBERS = 1000  # the template has 13
MAX_RATIO = 200  # for members over RATIO_FLOOR; XML rarely compresses beyond 20:1
RATIO_FLOOR = 1 * _MB
_XML_RATIO = 20  # an oversized member compressed beyond this is a bomb, not just pasted content
#: In the whole workbook, what openpyxl would build objects for.  A real workbook has
#: some 900 cells (merged ones included) in 160 rows, 1 000 pieces of text, 600 other
#: elements (settings) and 4 000 elements in all; the worst that these limits let
#: through takes some 3 s and 120 MB.
MAX_CELLS = 50_000
MAX_ROWS = 50_000
MAX_TEXT = 50_000
MAX_SETTINGS = 10_000
MAX_ELEMENTS = 300_000
_EXCEL_ROWS, _EXCEL_COLS = 1_048_576, 16_384

SHEETS = (GUIDE_SHEET, INFO_SHEET, *(sheet_name(t) for t in FORM.tables))
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK\x03\x04"
_XML_MEMBER = (".xml", ".rels", ".vml")
#: What zipfile and zlib raise on a damaged archive.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)
_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_TEXT_PART = re.compile(r"xl/(?:worksheets/[^/]+\.xml|sharedStrings\.xml)", re.IGNORECASE)
#: Old-format tables fit well inside this corner; a bounded scan cannot hang on a sparse sheet.
_SCAN_ROWS, _SCAN_COLS = 500, 60
#: The most characters an Excel cell holds.
EXCEL_CELL_LIMIT = 32_767
#: Digits beyond any count or amount (the checks' limit has 8): longer text is a slip, not a number.
_LONGEST_NUMBER = 20
#: Excel stores characters XML cannot hold as ``_x0007_``; openpyxl leaves the escape as text.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_NUMBER_WITH_UNIT = re.compile(rf"({_NUMBER.pattern})\s*(\D+)")
_DATE = re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?")

FRESH = "请用 gaidocx template 生成新的填报表重新填写（原来的数字可以复制过去，粘贴时选择“只粘贴数值”）。"


class WorkbookError(Exception):
    """The file cannot be used at all; ``str(e)`` says in Chinese what was found and what to do."""


@dataclass(frozen=True)
class Reading:
    """What was read, what is wrong with it, and which places were refused (left ``None``)."""

    report: Report
    problems: list[Problem]
    unreadable: frozenset[str]


def read_workbook(path: str | PathLike[str]) -> Reading:
    """Read a filled template; raises ``WorkbookError`` when the file cannot be used at all.

    Loaded twice: formulas to check the totals are intact, cached results to cross-check them.
    """
    path = Path(path)
    data = _read_file(path)
    _check_archive(data, path.name)
    formulas = _open(data, path.name, data_only=False)
    cached = _open(data, path.name, data_only=True)
    _check_template(formulas, path.name)
    return _Reader(formulas, cached).read()


# ---------------------------------------------------------------- the file


def _read_file(path: Path) -> bytes:
    if not path.exists():
        raise WorkbookError(f"找不到文件“{path}”。请检查文件名和所在的文件夹是否正确。")
    if path.is_dir():
        raise WorkbookError(f"“{path}”是一个文件夹，不是 Excel 文件。请指定填报表文件（.xlsx）的路径。")
    size = path.stat().st_size
    if size == 0:
        raise WorkbookError(f"文件“{path.name}”是空的（0 字节），可能没有保存完整或复制时出错。{FRESH}")
    if size > MAX_FILE:
        raise WorkbookError(
            f"文件“{path.name}”有 {size // _MB} MB，远大于正常的填报表（几十 KB），不是本工具的填报表。{FRESH}"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbookError(f"无法读取文件“{path.name}”（{exc.strerror}）。如果它正在别的程序中打开，请关闭后再试。") from exc


def _check_archive(data: bytes, name: str) -> None:
    """Refuse what is not a plain .xlsx before any XML parser sees it."""
    if not openpyxl.xml.DEFUSEDXML:
        raise WorkbookError("缺少安全组件 defusedxml，为安全起见不读取 Excel 文件。请重新安装 gaidocx（含 defusedxml）。")
    if data.startswith(_OLE_MAGIC):
        raise WorkbookError(
            f"“{name}”不是 .xlsx 格式：它是旧版 Excel 97-2003 工作簿（.xls），或者是设置了打开密码的加密文件"
            "（加密的 .xlsx 也是这种格式）。请在 Excel 或 WPS 中打开它，如有打开密码请先取消，"
            "然后“另存为”Excel 工作簿（*.xlsx）再试。"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_sizes(archive, data, name)
            _check_kind(archive, name)
            parts: dict[str, bytes] = {}
            for info in archive.infolist():
                _check_inflated_size(data, info, name)
                if info.filename.lower().endswith(_XML_MEMBER):
                    parts[info.filename] = archive.read(info)
        for member, content in parts.items():
            _check_xml(content, member, name)
        _check_elements(parts, name)
    except _DAMAGED as exc:
        if data.startswith(_ZIP_MAGIC):
            raise WorkbookError(
                f"“{name}”已损坏或不完整（可能下载、复制或保存时中断了），无法读取。"
                f"如果在 Excel 或 WPS 中还能打开，请“另存为”一个新的 .xlsx 文件再试；否则{FRESH}"
            ) from exc
        raise WorkbookError(
            f"“{name}”不是 Excel 工作簿（.xlsx）：文件内容是别的格式（例如文本、CSV、PDF），只是扩展名是 .xlsx。"
            "请在 Excel 或 WPS 中打开它，“另存为”Excel 工作簿（*.xlsx）；最好直接使用 gaidocx template 生成的填报表。"
        ) from exc


def _check_sizes(archive: zipfile.ZipFile, data: bytes, name: str) -> None:
    """Zip-bomb guard: declared sizes bound what zipfile will ever inflate."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise WorkbookError(_bomb(name, f"包含 {len(members)} 个文件"))
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size // max(info.compress_size, 1)
        limit = MAX_TEXT_PART if _TEXT_PART.fullmatch(info.filename) else MAX_PART
        if info.file_size > limit or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            what = f"{_sheet_title(info.filename, _workbook_parts(archive, data))}解压后有 {info.file_size // _MB} MB"
            if ratio > _XML_RATIO:
                raise WorkbookError(_bomb(name, f"其中的{what}（压缩比 {ratio}:1）"))
            raise WorkbookError(_oversized(name, f"中的{what}", "（不到 1 MB）"))
    if total > MAX_TOTAL:
        raise WorkbookError(_bomb(name, f"解压后共有 {total // _MB} MB"))


def _workbook_parts(archive: zipfile.ZipFile, data: bytes) -> dict[str, bytes]:
    """The parts naming the sheets, for a message, read only if they are themselves harmless."""
    parts = {}
    for member in _WORKBOOK_PARTS:
        try:
            info = archive.getinfo(member)
            if info.file_size <= MAX_PART:
                _check_inflated_size(data, info, "")
                parts[member] = archive.read(info)
        except (KeyError, WorkbookError, *_DAMAGED):
            continue  # the message is the same without the sheet's title
    return parts


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra field length
_INFLATE_STEP = 1 * _MB


def _check_inflated_size(data: bytes, info: zipfile.ZipInfo, name: str) -> None:
    """Inflate a member in bounded steps and compare with its declared size.

    zipfile trusts the declared size only at the end: ``read()`` inflates the
    whole stream first, so a member that lies about its size would still take
    hundreds of MB before anything notices.
    """
    if info.compress_type == zipfile.ZIP_STORED:
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:  # Excel, WPS and LibreOffice write only these two
        raise zipfile.BadZipFile(f"{info.filename} uses compression method {info.compress_type}")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    pending = data[start : start + info.compress_size]
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    inflated = 0
    limit = info.file_size + RATIO_FLOOR  # a little more is corruption; much more is an attack
    while pending and inflated <= limit:
        inflated += len(inflater.decompress(pending, _INFLATE_STEP))
        pending = inflater.unconsumed_tail
    if inflated > limit:
        raise WorkbookError(_bomb(name, f"其中的“{info.filename}”解压后远大于文件声明的 {info.file_size} 字节"))
    if inflated != info.file_size:
        raise zipfile.BadZipFile(f"{info.filename} inflates to {inflated} bytes, not {info.file_size}")


def _bomb(name: str, what: str) -> str:
    return f"“{name}”{what}，远超正常的填报表，可能是恶意构造的“压缩炸弹”文件，已拒绝读取。{FRESH}"


def _check_kind(archive: zipfile.ZipFile, name: str) -> None:
    names = archive.namelist()
    if "word/document.xml" in names:
        raise WorkbookError(f"“{name}”其实是 Word 文档（.docx），只是扩展名改成了 .xlsx。请使用 gaidocx template 生成的 Excel 填报表。")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise WorkbookError(
            f"“{name}”含有宏（VBA 代码，通常是 .xlsm 文件）。为安全起见，本工具不读取带宏的文件："
            "请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx，不是“启用宏的工作簿”）再试。"
        )
    if "xl/workbook.xml" not in names:
        raise WorkbookError(
            f"“{name}”是压缩包，但不是 Excel 工作簿（.xlsx）。"
            "请在 Excel 或 WPS 中打开填报表，“另存为”Excel 工作簿（*.xlsx）再试。"
        )


def _check_xml(content: bytes, member: str, name: str) -> None:
    """Excel never writes a DOCTYPE; refusing one stops entity expansion even without defusedxml."""
    squeezed = content.replace(b"\x00", b"")  # also catches UTF-16 encoded XML
    if b"<!DOCTYPE" in squeezed or b"<!ENTITY" in squeezed:
        raise WorkbookError(
            f"“{name}”中的“{member}”含有 XML 文档类型声明（DOCTYPE/ENTITY），正常的 Excel 文件不会有这种内容，"
            f"可能是恶意构造的文件，已拒绝读取。{FRESH}"
        )


class _TooMany(Exception):
    """Raised from the expat handler at the first excess: no need to read further."""


class _Doctype(Exception):
    """Raised from the expat handler: ``_check_xml`` refuses these; entities are never expanded here."""


#: What is counted: (limit for the whole workbook, unit, how many a real workbook has).
_COUNTED = {
    "cells": (MAX_CELLS, "个单元格", "2000 个"),
    "rows": (MAX_ROWS, "行", "500 行"),
    "text": (MAX_TEXT, "个文字片段", "5000 个"),
    "settings": (MAX_SETTINGS, "个格式、数据验证等设置", "5000 个"),
    "elements": (MAX_ELEMENTS, "个 XML 元素", "1 万个"),
}
#: Elements of a cell's or the shared strings' text: strings, rich-text runs and their fonts.
_TEXT = frozenset(
    ("si", "is", "t", "r", "rPr", "rPh", "phoneticPr", "b", "i", "u", "strike", "sz", "color", "rFont")
    + ("family", "charset", "scheme", "vertAlign", "outline", "shadow", "condense", "extend")
)


def _check_elements(parts: dict[str, bytes], name: str) -> None:
    """Count what openpyxl would build objects for, before it builds any.

    A few MB of ``<row/>`` or one ``<mergeCell ref="A1:XFD1048576"/>`` keeps
    openpyxl busy for minutes and takes gigabytes; 20 KB of conditional formats,
    cell styles or rich-text runs, many seconds.  Over the whole workbook this
    counts, with expat (which openpyxl's worksheet reader uses too), stopping
    at the first excess: cells (``<c>``, and every cell of a merged or
    hyperlinked area, which openpyxl creates one by one); rows; text inside
    cells and shared strings; settings (every other element: styles,
    validations, formats…); and all elements.
    """
    totals = dict.fromkeys(_COUNTED, 0)
    counts: dict[str, dict[str, int]] = {}
    for member, content in parts.items():
        counts[member] = dict.fromkeys(_COUNTED, 0)
        excess = _count(content, counts[member], totals)
        if excess:
            limit, unit, normal = _COUNTED[excess]
            most = max(counts, key=lambda m: counts[m][excess])
            what = f"中的{_sheet_title(most, parts)}等处共有超过 {limit} {unit}"
            raise WorkbookError(_oversized(name, what, f"（不到 {normal}）"))


def _count(content: bytes, own: dict[str, int], totals: dict[str, int]) -> str | None:
    """Add one member's counts to ``own`` and ``totals``; the first thing over its limit, if any."""
    depth = 0
    text_from: int | None = None  # depth of the <c> or <sst> whose content is being read

    def add(what: str, number: int = 1) -> None:
        own[what] += number
        totals[what] += number
        if totals[what] > _COUNTED[what][0]:
            raise _TooMany(what)

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth, text_from
        depth += 1
        add("elements")
        local = tag.rpartition(" ")[2]
        if text_from is not None and local in ("v", "f"):
            return  # a cell's value or formula: part of the cell
        if text_from is not None and local in _TEXT:
            add("text")
        elif local == "c":
            add("cells")
            text_from = depth if text_from is None else text_from
        elif local == "sst" and depth == 1:
            text_from = depth
        elif local == "row":
            add("rows")
        elif local in ("mergeCell", "hyperlink"):
            add("cells", _area(attributes.get("ref", "")))
        else:  # anywhere, even inside a cell: openpyxl's worksheet reader finds elements at any depth
            add("settings")

    def end(_: str) -> None:
        nonlocal depth, text_from
        if depth == text_from:
            text_from = None
        depth -= 1

    def doctype(*_: object) -> None:
        raise _Doctype

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = doctype
    try:
        try:
            parser.Parse(content, True)
        except (expat.ExpatError, ValueError, LookupError):  # ValueError, LookupError: unusable encodings
            # openpyxl fails on such a sheet too; other parsers may read more of it
            tags = content.count(b"<")
            add("elements", tags)
            add("settings", tags)
    except _TooMany as excess:
        return excess.args[0]
    except _Doctype:
        pass
    return None


def _area(ref: str) -> int:
    """Cells in an A1 range; a whole row or column counts as Excel's full extent."""
    if ":" not in ref:
        return 1
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return 0  # openpyxl refuses it too
    width = (max_col or _EXCEL_COLS) - (min_col or 1) + 1
    height = (max_row or _EXCEL_ROWS) - (min_row or 1) + 1
    return max(width, 0) * max(height, 0)


def _sheet_title(member: str, parts: dict[str, bytes]) -> str:
    """``工作表“表四”（xl/worksheets/sheet5.xml）`` when the workbook says so; else the member's name."""
    try:
        workbook, relations = (ElementTree.fromstring(parts[part]) for part in _WORKBOOK_PARTS)
    except (KeyError, ValueError, SyntaxError):  # ParseError and defusedxml's refusals are among these
        return f"“{member}”"
    targets = {}
    for relation in relations:
        target = relation.get("Target", "")
        path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        targets[relation.get("Id")] = posixpath.normpath(path)
    for sheet in workbook.iter():
        if sheet.tag.rpartition("}")[2] != "sheet":
            continue
        relation = next((v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id"), None)
        if targets.get(relation) == member:
            return f"工作表“{sheet.get('name')}”（{member}）"
    return f"“{member}”"


def _oversized(name: str, what: str, normal: str = "") -> str:
    return f"“{name}”{what}，远超正常的填报表{normal}，可能粘贴了大量无关内容，或是恶意构造的文件，已拒绝读取。{FRESH}"


def _open(data: bytes, name: str, *, data_only: bool) -> Workbook:
    # Never read_only=True: WPS writes wrong dimension records.
    try:
        return load_workbook(io.BytesIO(data), data_only=data_only, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise WorkbookError(
            f"“{name}”无法作为 Excel 工作簿打开（{type(exc).__name__}），文件可能已损坏。"
            f"请在 Excel 或 WPS 中打开它并“另存为”Excel 工作簿（*.xlsx）再试；如果打不开，{FRESH}"
        ) from exc


# ---------------------------------------------------------------- the template


def _check_template(wb: Workbook, name: str) -> None:
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
                f"“{name}”的模板版本是“{version}”，本程序需要“{TEMPLATE_VERSION}”版本的填报表。{FRESH}"
            )
        if missing != [GUIDE_SHEET]:
            raise WorkbookError(
                f"“{name}”不是 gaidocx 填报表（“{GUIDE_SHEET}”工作表 {VERSION_CELL} 单元格中没有模板版本号）。"
                "本工具只能读取用 gaidocx template 生成的填报表：请生成填报表，填好后再试。"
            )
    if missing:
        raise WorkbookError(
            f"“{name}”中找不到工作表“{'”“'.join(missing)}”，可能被删除或改了名字"
            f"（现有工作表：{'、'.join(wb.sheetnames)}）。请把工作表名称改回原样；如果已删除，{FRESH}"
        )
    for sheet, cell, text in _fixed_labels():
        found = wb[sheet][cell].value
        if found != text:
            raise WorkbookError(_moved(f"{sheet}!{cell} 应为“{text}”，现为“{_shown(found)}”"))
    stray = _beyond_text_column(wb[INFO_SHEET])
    if stray is not None:
        raise WorkbookError(_moved(f"{INFO_SHEET}!{stray.coordinate} 应为空白，现为“{_brief(stray.value)}”"))


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
    for ws in wb.worksheets:
        bounds = {"max_row": min(ws.max_row, _SCAN_ROWS), "max_col": min(ws.max_column, _SCAN_COLS)}
        rows = ws.iter_rows(**bounds, values_only=True)
        for value in (v for row in rows for v in row if isinstance(v, str)):
            marker = next((m for m in TRIAL_FORMAT_MARKERS if m in value), None)
            if marker:
                return marker
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


# ---------------------------------------------------------------- the content


class _Reader:
    """Reads cells into a Report, collecting problems and refused places on the way."""

    def __init__(self, formulas: Workbook, cached: Workbook) -> None:
        self.formulas = formulas
        self.cached = cached
        self.problems: list[Problem] = []
        self.unreadable: set[str] = set()

    def read(self) -> Reading:
        info = self.formulas[INFO_SHEET]
        cells = {place: info[cell] for place, _, cell in METADATA}
        report = Report(
            agency=self._text(cells[AGENCY], AGENCY).strip(),
            year=self._year(cells[YEAR]),
            signed_on=self._date(cells[SIGNED_ON]),
            kind=self._kind(cells[REPORT_KIND]),
            narratives={
                block.place: tuple(
                    self._text(info[f"{TEXT_COLUMN}{row}"], paragraph_place(block.place, index))
                    for index, row in enumerate(block.rows)
                )
                for block in TEXT_BLOCKS
            },
            inputs={key: self._figure(key, f) for key, f in FORM.fields.items() if not f.is_total},
        )
        self._check_totals(report)
        self._check_stray_text(info)
        return Reading(report, self.problems, frozenset(self.unreadable))

    def _check_stray_text(self, info: Worksheet) -> None:
        """Text typed where no entry is read (below the last row, in a gap) would silently vanish."""
        read_rows = {coordinate_from_string(cell)[1] for _, _, cell in METADATA}
        read_rows.update(row for block in TEXT_BLOCKS for row in block.rows)
        column = column_index_from_string(TEXT_COLUMN)
        for (cell,) in info.iter_rows(min_col=column, max_col=column, max_row=min(info.max_row, _SCAN_ROWS)):
            if cell.value is not None and cell.row not in read_rows:
                self.problems.append(
                    error(
                        f"这里有内容“{_brief(cell.value)}”，但这一行不是填写位置，内容不会进入报告。"
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
            self._refuse(place, f"输入单元格应直接填写{what}，不能是公式（现为“{_shown(cell.value)}”）。")
            return False
        return True

    def _text(self, cell: Cell, place: str) -> str:
        if not self._direct(cell, place, "文字"):
            return ""
        text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), _as_text(cell.value))
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
            self._refuse(REPORT_KIND, f"报告类型应为“{'”或“'.join(REPORT_KINDS)}”（现为“{_brief(text)}”）。")
            return OWN_REPORT
        return text

    def _year(self, cell: Cell) -> int | None:
        value = cell.value
        if not self._direct(cell, YEAR, "年度") or value is None:
            return None
        if isinstance(value, str):
            value = value.strip().removesuffix("年度").removesuffix("年")
        number, _ = _to_number(value)
        if number is None or number != int(number):
            self._refuse(YEAR, f"年度应为四位数字，如 2024（现为“{_shown(cell.value)}”）。")
            return None
        return int(number)

    def _date(self, cell: Cell) -> datetime.date | None:
        value = cell.value
        if not self._direct(cell, SIGNED_ON, "日期") or value is None:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            date = from_excel(value).date()
            self.problems.append(
                warning(f"成文日期是数字 {value}，已按 Excel 日期读取为 {_chinese(date)}，请核对。", SIGNED_ON)
            )
            return date
        match = _DATE.fullmatch(unicodedata.normalize("NFKC", str(value)).replace(" ", ""))
        if match:
            try:
                return datetime.date(*map(int, match.groups()))
            except ValueError:  # 2025年2月30日
                pass
        self._refuse(SIGNED_ON, f"成文日期无法识别（现为“{_shown(value)}”），请填写日期，如 2025年1月23日。")
        return None

    def _figure(self, key: str, f: Field) -> Number | None:
        sheet, address = field_cell(key)
        cell = self.formulas[sheet][address]
        if not self._direct(cell, key, "数字"):
            return None
        number, note = _to_number(cell.value)
        if number is None:
            if note:
                self._refuse(key, note)
            return None
        if note:
            self.problems.append(warning(note, key))
        if f.kind is Kind.COUNT and number == int(number):
            return int(number)
        return number

    def _check_totals(self, report: Report) -> None:
        """Totals are recomputed in Python; the file's formulas and cached results are only cross-checked."""
        figures = report.figures()
        for key, f in FORM.fields.items():
            if not f.is_total:
                continue
            sheet, cell = field_cell(key)
            expected, found = total_formula(key), self.formulas[sheet][cell]
            right = "暂时无法计算（有空白或无法识别的数字）" if figures[key] is None else f"应为 {figures[key]}"
            if found.data_type != "f" or _normalise(found.value, sheet) != _normalise(expected, sheet):
                self.problems.append(
                    error(
                        f"合计单元格的公式被改动：应为 {expected}，现为“{_shown(found.value)}”；按本表数字合计{right}。"
                        "请撤销修改，或从新的模板复制这个公式。",
                        key,
                    )
                )
                continue
            saved = self.cached[sheet][cell].value
            if saved is not None and figures[key] is not None and _to_number(saved)[0] != figures[key]:
                self.problems.append(
                    error(
                        f"文件中保存的合计结果是 {saved}，但按本表数字合计{right}：结果已过时或被改动。"
                        "请在 Excel 或 WPS 中打开这个文件，保存后再试（如公式被改过，请恢复公式）。",
                        key,
                    )
                )


# ---------------------------------------------------------------- values


def _to_number(value: object) -> tuple[Number | None, str]:
    """The one place a cell value becomes a number.

    ``(number, "")`` for a number, ``(number, warning)`` for numeric text,
    ``(None, "")`` for a blank and ``(None, error)`` for anything else.
    """
    if value is None:
        return None, ""
    if isinstance(value, bool):
        return None, f"应填写数字，现为逻辑值 {str(value).upper()}。"
    if isinstance(value, int):
        return value, ""
    if isinstance(value, float | Decimal):
        number = Decimal(str(value))
        return (number, "") if number.is_finite() else (None, f"应填写数字，现为“{value}”。")
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return None, f"应填写数字，现为日期或时间“{value}”：请把单元格格式改为“常规”，再重新填写数字。"
    if not isinstance(value, str):
        return None, f"应填写数字，现为“{value}”。"
    plain = unicodedata.normalize("NFKC", value).strip()
    if not plain:
        return None, ""
    if plain in ERROR_CODES:
        return None, f"单元格是错误值 {plain}，请改为直接填写数字。"
    if len(plain) > _LONGEST_NUMBER and plain[0].isdigit():
        return None, f"数字过长（“{_brief(value)}”，{len(plain)} 位），请核对。"
    if _NUMBER.fullmatch(plain):
        number = Decimal(plain.replace(",", ""))
        return number, f"这里填的是文字“{value}”，已按数字 {number} 读取；建议改为直接输入数字。"
    with_unit = _NUMBER_WITH_UNIT.fullmatch(plain)
    if with_unit:
        amount, unit = Decimal(with_unit[1].replace(",", "")), with_unit[2]
        if unit == "元":
            return None, (
                f"只填数字，不要带单位（现为“{value}”）。金额的单位是万元（1 元 = 0.0001 万元），"
                f"{amount} 元应填 {format_figure(amount / 10000, Kind.FEE)}。"
            )
        return None, f"只填数字，不要带单位（现为“{value}”）：单位已写在表头中，这里应填 {amount}。"
    return None, f"应填写数字，现为文字“{value}”；没有发生的请填 0。"


def _as_text(value: object) -> str:
    """A text cell's value as typed: numbers without a spurious ``.0``, dates the Chinese way."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return _chinese(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _chinese(date: datetime.date) -> str:
    return chinese_date(date.year, date.month, date.day)


def _shown(value: object) -> str:
    """A cell value quoted in a message."""
    return "空白" if value is None else str(getattr(value, "text", value))


def _brief(value: object, width: int = 20) -> str:
    """A cell value quoted in a message, cut short: it may be a whole paragraph."""
    text = _shown(value)
    return text if len(text) <= width else f"{text[:width]}……"


def _normalise(formula: object, sheet: str) -> str:
    """Formulas as Excel, WPS and LibreOffice variously write them: no ``=``, ``$``, spaces or own-sheet prefix."""
    text = str(getattr(formula, "text", formula)).lstrip("=").replace("$", "").replace(" ", "")
    for prefix in (f"'{sheet}'!", f"{sheet}!"):
        text = text.replace(prefix, "")
    return text.upper()

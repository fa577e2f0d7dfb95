"""Reading filled workbooks: the round trip, every refusal, and cell-level problems."""

from __future__ import annotations

import dataclasses
import datetime
import random
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from support import varied_report, write_workbook

from gaidocx.core.checks import (
    AGENCY,
    SIGNED_ON,
    YEAR,
    Severity,
    check_report,
    paragraph_place,
)
from gaidocx.core.report import Report
from gaidocx import archive as archive_module
from gaidocx.workbook import guard
from gaidocx.workbook import shape
from gaidocx.workbook.fillin import build_template
from gaidocx.workbook.filled import fill_workbook
from gaidocx.workbook.cells import Forbidden
from gaidocx.workbook.layout import TEMPLATE_VERSION, TEXT_BLOCKS, describe
from gaidocx.workbook.read import Reading, WorkbookError, read_workbook

T3_D7 = "t3.r1.c1"  # 表三!D7: 一、本年新收 × 自然人
T3_J7 = "t3.r1.c7"  # 表三!J7: its row total
FEE = "t2.r6.c1"  # 表二!B17: 行政事业性收费, 万元


def padded(report: Report) -> Report:
    """``report`` as the reader returns it: every text row present, blank ones as ""."""
    narratives = {
        b.place: (*report.narratives.get(b.place, ()), *("",) * (b.capacity - len(report.narratives.get(b.place, ()))))
        for b in TEXT_BLOCKS
    }
    return dataclasses.replace(report, narratives=narratives)


@pytest.fixture
def make(tmp_path) -> Callable[..., Path]:
    def make(edit: Callable | None = None, report: Report | None = None) -> Path:
        return write_workbook(tmp_path / "填报表.xlsx", report or varied_report(), edit)

    return make


def setting(sheet: str, cell: str, value, number_format: str | None = None) -> Callable:
    def edit(wb):
        wb[sheet][cell] = value
        if number_format:
            wb[sheet][cell].number_format = number_format

    return edit


def refusal(path: Path, seconds: float = 5) -> str:
    started = time.monotonic()
    with pytest.raises(WorkbookError) as info:
        read_workbook(path)
    assert time.monotonic() - started < seconds
    return str(info.value)


def problem_at(reading: Reading, place: str) -> str:
    """The single problem naming ``place``; its message."""
    found = [p for p in reading.problems if place in p.places]
    assert len(found) == 1, reading.problems
    return found[0].message


def rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes] = lambda n, d: d, extra=()) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info)))
        for name, data in extra:
            new.writestr(name, data)
    return target


# ---------------------------------------------------------------- round trip


def test_round_trip_equals_the_report_and_leaves_the_file_alone(make):
    report = varied_report()
    path = make(report=report)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    reading = read_workbook(path)
    assert reading.problems == [] and reading.unreadable == frozenset()
    assert reading.report == padded(report)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_blank_template_reads_zeros_and_the_skeleton(tmp_path):
    from gaidocx.workbook.fillin import write_template

    write_template(tmp_path / "blank.xlsx", agency="某局", year=2024)
    reading = read_workbook(tmp_path / "blank.xlsx")
    assert reading.problems == []
    assert set(reading.report.inputs.values()) == {0}
    assert (reading.report.agency, reading.report.year, reading.report.signed_on) == ("某局", 2024, None)
    assert reading.report.narratives["一"][0] == "（一）主动公开。"


def test_blank_text_rows_keep_positions(make):
    report = dataclasses.replace(varied_report(), narratives={"一": ("甲。", "", "乙。")}, agency="  某局\n")
    reading = read_workbook(make(report=report))
    assert reading.report.narratives["一"][:4] == ("甲。", "", "乙。", "")
    assert reading.report.narratives["opening"] == ("",) * 6
    assert reading.report.agency == "某局"


# ---------------------------------------------------------------- the file


def test_missing_file(tmp_path):
    assert "找不到文件" in refusal(tmp_path / "没有.xlsx")


def test_directory(tmp_path):
    assert "文件夹" in refusal(tmp_path)


def test_empty_file(tmp_path):
    (tmp_path / "空.xlsx").write_bytes(b"")
    message = refusal(tmp_path / "空.xlsx")
    assert "空的" in message and "gaidocx template" in message


def test_random_bytes(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(bytes(range(256)) * 4)
    assert "不是 Excel 工作簿（.xlsx）" in refusal(tmp_path / "x.xlsx")


def test_ole_container_is_either_xls_or_encrypted(tmp_path):
    (tmp_path / "旧.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024))
    message = refusal(tmp_path / "旧.xlsx")
    assert ".xls" in message and "密码" in message and "另存为" in message


def test_docx_renamed(tmp_path):
    with zipfile.ZipFile(tmp_path / "报告.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert "Word 文档" in refusal(tmp_path / "报告.xlsx")


def test_other_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "不是 Excel 工作簿" in refusal(tmp_path / "a.xlsx")


def test_macros_refused(make, tmp_path):
    path = rezip(make(), tmp_path / "宏.xlsm", extra=[("xl/vbaProject.bin", b"\x00" * 100)])
    message = refusal(path)
    assert "宏" in message and ".xlsm" in message


def test_truncated_zip(make, tmp_path):
    data = make().read_bytes()
    (tmp_path / "半.xlsx").write_bytes(data[: len(data) // 2])
    assert "损坏或不完整" in refusal(tmp_path / "半.xlsx")


def test_corrupt_member(make, tmp_path):
    path = make()
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet4.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 100 : start + 140] = bytes(40)
    (tmp_path / "坏.xlsx").write_bytes(bytes(data))
    assert "损坏或不完整" in refusal(tmp_path / "坏.xlsx")


def test_unparseable_workbook_part(make, tmp_path):
    path = rezip(make(), tmp_path / "b.xlsx", lambda n, d: b"<workbook" if n == "xl/workbook.xml" else d)
    assert "无法作为 Excel 工作簿打开" in refusal(path)


def test_zip_bomb_large_member(make, tmp_path):
    path = rezip(make(), tmp_path / "bomb.xlsx", extra=[("xl/media/zeros.bin", bytes(60 * 1024 * 1024))])
    assert path.stat().st_size < 200_000
    message = refusal(path)
    assert "压缩炸弹" in message and "xl/media/zeros.bin" in message


def test_zip_bomb_ratio(make, tmp_path):
    path = rezip(make(), tmp_path / "ratio.xlsx", extra=[("xl/worksheets/sheet9.xml", bytes(5 * 1024 * 1024))])
    message = refusal(path)
    assert "压缩炸弹" in message and "压缩比" in message


def test_zip_bomb_total(make, monkeypatch):
    monkeypatch.setattr(guard, "LIMITS", dataclasses.replace(guard.LIMITS, total=10_000))
    assert "解压后共有" in refusal(make())


#: The billion laughs: lol9 expands to 10⁹ "lol"s.
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    + b"]>"
)


def laughing(make, tmp_path) -> Path:
    def change(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet2.xml":
            return data
        data = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
        return LAUGHS + data.replace(b"<t>", b"<t>&lol9;", 1)

    return rezip(make(), tmp_path / "laughs.xlsx", change)


def test_entity_expansion_refused_before_parsing(make, tmp_path):
    message = refusal(laughing(make, tmp_path))
    assert "DOCTYPE" in message and "xl/worksheets/sheet2.xml" in message


def test_entity_expansion_refused_by_the_cell_reader_too(make, tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "check_xml", lambda *args: None)
    with pytest.raises(WorkbookError) as info:
        read_workbook(laughing(make, tmp_path))
    assert "无法作为 Excel 工作簿打开" in str(info.value)
    causes, exc = [], info.value
    while exc is not None:
        causes.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(c, Forbidden) for c in causes)


# ---------------------------------------------------------------- small files that openpyxl would choke on


def sheet_member(path: Path, sheet: str) -> str:
    """The zip member holding ``sheet`` (openpyxl numbers sheets in workbook order)."""
    with zipfile.ZipFile(path) as archive:
        names = re.findall(rb'<sheet [^>]*name="([^"]+)"', archive.read("xl/workbook.xml"))
    return f"xl/worksheets/sheet{[n.decode() for n in names].index(sheet) + 1}.xml"


def pasted(source: Path, target: Path, rows: int, sheets=("表四",)) -> Path:
    """``rows`` rows of numbers pasted below the form.

    As in a reported file: 160 000 rows in 表四, 4 MB at 9.6:1, which ``check``
    passed after 30 s and 1.1 GB.
    """
    members = {sheet_member(source, sheet) for sheet in sheets}
    row = b'<row r="%d"><c r="A%d"><v>%d</v></c></row>'
    extra = b"".join(row % (r, r, r * 7919 % 100_003) for r in range(100, 100 + rows))

    def paste(name: str, data: bytes) -> bytes:
        return data.replace(b"</sheetData>", extra + b"</sheetData>") if name in members else data

    return rezip(source, target, paste)


def test_pasted_rows_are_refused_before_openpyxl_sees_them(make, tmp_path):
    path = pasted(make(), tmp_path / "rows.xlsx", 60_000)
    assert path.stat().st_size < 1_000_000
    message = refusal(path, seconds=1)
    assert "工作表“表四”" in message and "超过 50000 个单元格" in message and "不到 2000 个" in message
    assert "大量无关内容" in message and "gaidocx template" in message


def test_cells_count_over_the_whole_workbook(make, tmp_path):
    path = pasted(make(), tmp_path / "rows.xlsx", 11_000, sheets=("基本信息", "表二", "表三", "表四", "填报说明"))
    assert "超过 50000 个单元格" in refusal(path, seconds=1)


def test_oversized_sheet_named_without_calling_it_a_bomb(make, tmp_path, monkeypatch):
    path = pasted(make(), tmp_path / "rows.xlsx", 60_000)
    monkeypatch.setattr(guard, "LIMITS", dataclasses.replace(guard.LIMITS, large_part=2 * 1024 * 1024))
    message = refusal(path, seconds=1)
    assert "工作表“表四”（xl/worksheets/sheet5.xml）解压后有 2 MB" in message
    assert "大量无关内容" in message and "压缩炸弹" not in message


#: 20 KB files that took openpyxl past 2.5 GB (merged) and 850 MB (hyperlinked) in 20 s, still growing.
AREAS = {
    "merged": (rb"(<mergeCells[^>]*>)", rb'\1<mergeCell ref="C40:XFD1048576"/>'),
    "hyperlinked": (rb"(<pageMargins)", rb'<hyperlinks><hyperlink ref="A40:Z100000" display="x"/></hyperlinks>\1'),
    "hyperlinked column": (rb"(<pageMargins)", rb'<hyperlinks><hyperlink ref="M1:M1048576" display="x"/></hyperlinks>\1'),
    # the range hidden from a pattern: "ref=" in another value, ">" in a value, a character reference
    "ref in another value": (rb"(<mergeCells[^>]*>)", rb"""\1<mergeCell x="ref='A1'" ref="C40:XFD1048576"/>"""),
    "greater-than in a value": (rb"(<mergeCells[^>]*>)", rb'\1<mergeCell x="a>b" ref="C40:XFD1048576"/>'),
    "character reference": (rb"(<mergeCells[^>]*>)", rb'\1<mergeCell ref="C40:&#88;FD1048576"/>'),
}


@pytest.mark.parametrize("area", AREAS)
def test_one_element_naming_millions_of_cells(make, tmp_path, area):
    """openpyxl creates a cell object for every cell of a merged or hyperlinked area."""
    source = make()
    member = sheet_member(source, "表三")

    def change(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        changed, count = re.subn(*AREAS[area], data, count=1)
        assert count == 1
        return changed

    message = refusal(rezip(source, tmp_path / "area.xlsx", change), seconds=1)
    assert "工作表“表三”" in message and "超过 50000 个单元格" in message


def test_too_many_attributes(make, tmp_path):
    """A tree of a part holds every attribute: 2 million in a 23 MB sheet took 240 MB."""
    many = b"<x " + b" ".join(b'a%d="%d"' % (i, i) for i in range(1500)) + b"/>"

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"<pageMargins", many * 150 + b"<pageMargins", 1) if name == sheet_member(source, "表三") else data

    source = make()
    message = refusal(rezip(source, tmp_path / "attributes.xlsx", change), seconds=1)
    assert "工作表“表三”" in message and "超过 200000 个 XML 属性" in message


def test_a_malformed_area_tag_costs_one_pass():
    """A run of unclosed area tags was read as far as the part went from each of them."""
    from gaidocx.workbook.guard import _area_refs

    content = b"<worksheet>" + (b'<mergeCell ref="A1" x="' + b"q" * 700) * 2000
    started = time.perf_counter()
    assert _area_refs(content) == [b"A1"]
    assert time.perf_counter() - started < 5  # was 30 s: each of the 2 000 tags read to the end


def test_too_many_settings(make, tmp_path):
    """20 KB of cell styles took openpyxl 6 s; so do conditional formats, validations…"""

    def change(name: str, data: bytes) -> bytes:
        return re.sub(rb"(<cellXfs[^>]*>)", rb"\1" + b"<xf/>" * 12_000, data) if name == "xl/styles.xml" else data

    message = refusal(rezip(make(), tmp_path / "styles.xlsx", change), seconds=1)
    assert "“xl/styles.xml”等处共有超过 10000 个格式、数据验证等设置" in message


@pytest.mark.parametrize(
    ("content", "count", "excess"),
    [
        (b"<r><rPr><b/></rPr><t>%d</t></r>", 15_000, "超过 50000 个文字片段"),  # 75k runs took openpyxl 6 s
        (b"<v>%d</v>", 310_000, "超过 300000 个 XML 元素"),
        (b"<conditionalFormatting sqref='A%d'/>", 11_000, "超过 10000 个格式"),  # read at any depth
    ],
    ids=["rich text", "values", "settings"],
)
def test_inside_one_cell(make, tmp_path, content, count, excess):
    source = make()
    member = sheet_member(source, "表四")
    inside = b"".join(content % (i * 7919 % 100_003) for i in range(count))

    def change(name: str, data: bytes) -> bytes:
        cell = b'<row r="900"><c r="Z900" t="inlineStr"><is>' + inside + b"</is></c></row>"
        return data.replace(b"</sheetData>", cell + b"</sheetData>") if name == member else data

    message = refusal(rezip(source, tmp_path / "cell.xlsx", change), seconds=1)
    assert "工作表“表四”" in message and excess in message


@pytest.mark.parametrize("declaration", [b"", b'<?xml version="1.0" encoding="gb2312"?>', b'<?xml encoding="rot13"?>'])
def test_markup_counts_where_expat_cannot_parse(make, tmp_path, declaration):
    """Excel's VML is often not well-formed; other parsers may take encodings expat refuses."""
    vml = declaration + b"<xml>" + b"<br>" * 12_000
    path = rezip(make(), tmp_path / "vml.xlsx", extra=[("xl/drawings/vmlDrawing1.vml", vml)])
    assert "“xl/drawings/vmlDrawing1.vml”等处共有超过 10000 个格式" in refusal(path, seconds=1)


@pytest.mark.parametrize("declaration", [b"", b'<?xml version="1.0" encoding="gb2312"?>', b'<?xml encoding="rot13"?>'])
def test_parts_expat_cannot_parse_are_left_to_openpyxl(make, tmp_path, declaration):
    vml = declaration + b"<xml><br></xml>"
    path = rezip(make(), tmp_path / "vml.xlsx", extra=[("xl/drawings/vmlDrawing1.vml", vml)])
    assert read_workbook(path).problems == []


def test_too_many_members(make, tmp_path):
    path = rezip(make(), tmp_path / "many.xlsx", extra=[(f"xl/media/{i}.bin", b"") for i in range(1000)])
    assert "包含 1013 个文件" in refusal(path, seconds=1)


def test_longest_possible_text_still_reads(tmp_path):
    """86 cells at Excel's limit of 32 767 characters: 22.5 MB of ``&#NNNNN;`` as openpyxl writes them."""
    rng = random.Random(2021)
    hanzi = [chr(c) for c in range(0x4E00, 0x9FA6)]
    narratives = {b.place: tuple("".join(rng.choices(hanzi, k=32_767)) for _ in b.rows) for b in TEXT_BLOCKS}
    assert sum(map(len, narratives.values())) == 86
    report = dataclasses.replace(varied_report(), narratives=narratives)
    path = write_workbook(tmp_path / "长.xlsx", report)
    started = time.monotonic()
    reading = read_workbook(path)
    assert time.monotonic() - started < 5
    assert reading.report == report
    (problem,) = reading.problems
    assert problem.is_error and problem.places == (paragraph_place("一", 0),)
    assert "上限 200000 个字符" in problem.message and "十倍" in problem.message


# ---------------------------------------------------------------- the template


def test_not_a_gaidocx_workbook(tmp_path):
    wb = Workbook()
    wb.active["A1"] = "随便什么表格"
    wb.save(tmp_path / "其他.xlsx")
    assert "不是 gaidocx 填报表" in refusal(tmp_path / "其他.xlsx")


def test_trial_format(tmp_path):
    wb = Workbook()
    wb.active["A3"] = "第二十条第（九）项"
    wb.active["B5"] = "本年新制作数量"
    wb.save(tmp_path / "2020.xlsx")
    message = refusal(tmp_path / "2020.xlsx")
    assert "2019 年试行格式" in message and "2020 年度" in message and "无法转换" in message
    assert "第二十条第（九）项" in message or "本年新制作数量" in message


def test_other_template_version(make):
    message = refusal(make(setting("填报说明", "B2", "gaidocx-2020.1")))
    assert "gaidocx-2020.1" in message and TEMPLATE_VERSION in message


def test_renamed_sheet(make):
    def edit(wb):
        wb["表三"].title = "表3"

    message = refusal(make(edit))
    assert "找不到工作表“表三”" in message and "表3" in message


@pytest.mark.parametrize("sheet", ["表四", "基本信息", "填报说明"])
def test_deleted_sheet(make, sheet):
    def edit(wb):
        del wb[sheet]

    assert f"找不到工作表“{sheet}”" in refusal(make(edit))


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda wb: wb["表三"].insert_rows(8), "表三!A8 应为“二、上年结转政府信息公开申请数量”"),
        (lambda wb: wb["表四"].delete_cols(1), "表四!A4 应为“行政复议”"),
        (lambda wb: wb["表二"].insert_cols(2), "表二!B5 应为“本年制发件数”"),
        (lambda wb: wb["基本信息"].insert_rows(10), "基本信息!A10 应为“第3段”"),
        (lambda wb: wb["基本信息"].delete_rows(4), "基本信息!A4 应为“年度”"),
        (lambda wb: wb["基本信息"].insert_cols(2), f"基本信息!C3 应为空白，现为“{varied_report().agency}”"),
        (lambda wb: wb["基本信息"].insert_cols(1), "基本信息!A3 应为“机关名称”"),
    ],
)
def test_moved_rows_or_columns(make, edit, named):
    message = refusal(make(edit))
    assert named in message and "插入、删除或移动" in message


def test_column_inserted_in_the_info_sheet_quotes_a_paragraph_briefly(make):
    def edit(wb):
        for cell in ("B3", "B4", "B5", "B6"):
            wb["基本信息"][cell] = None
        wb["基本信息"].insert_cols(2)

    message = refusal(make(edit))
    opening = varied_report().narratives["opening"][0]
    assert f"基本信息!C8 应为空白，现为“{opening[:20]}……”" in message and opening[21:] not in message


def test_every_inserted_row_or_column_in_the_info_sheet_is_noticed():
    """Nothing read from 基本信息 can shift without a fixed label or column C saying so."""
    wb = build_template()
    fill_workbook(wb, varied_report())
    ws, last = wb["基本信息"], TEXT_BLOCKS[-1].rows[-1]
    shape.check_template(wb, "x.xlsx")
    for insert, delete, positions, harmless in (
        (ws.insert_rows, ws.delete_rows, range(1, last + 2), last + 1),
        (ws.insert_cols, ws.delete_cols, range(1, 4), 3),
    ):
        for position in positions:
            insert(position)
            if position == harmless:  # below or right of everything read
                shape.check_template(wb, "x.xlsx")
            else:
                with pytest.raises(WorkbookError, match="插入、删除或移动"):
                    shape.check_template(wb, "x.xlsx")
            delete(position)


# ---------------------------------------------------------------- metadata


@pytest.mark.parametrize("value", [2024, 2024.0, "2024", " ２０２４年 ", "2024年度"])
def test_year_accepted(make, value):
    reading = read_workbook(make(setting("基本信息", "B4", value)))
    assert reading.report.year == 2024 and reading.problems == []


@pytest.mark.parametrize("value", ["明年", 2024.5, True, "=2023+1"])
def test_year_refused(make, value):
    reading = read_workbook(make(setting("基本信息", "B4", value)))
    assert reading.report.year is None and YEAR in reading.unreadable
    message = problem_at(reading, YEAR)
    assert "年度" in message or "公式" in message
    assert describe(YEAR) == "基本信息!B4（年度）"


@pytest.mark.parametrize(
    "value",
    ["2025年1月23日", "2025-01-23", "2025/1/23", "２０２５年１月２３日", " 2025 年 1 月 23 日", datetime.datetime(2025, 1, 23)],
)
def test_signing_date_accepted(make, value):
    reading = read_workbook(make(setting("基本信息", "B5", value)))
    assert reading.report.signed_on == datetime.date(2025, 1, 23) and reading.problems == []


def test_signing_date_as_bare_excel_serial_is_read_with_a_warning(make):
    reading = read_workbook(make(setting("基本信息", "B5", 45680, "General")))
    assert reading.report.signed_on == datetime.date(2025, 1, 23)
    assert "2025年1月23日" in problem_at(reading, SIGNED_ON)
    assert reading.problems[0].severity is Severity.WARNING


@pytest.mark.parametrize("value", ["下周", "2025年2月30日", "2025年1月"])
def test_signing_date_refused(make, value):
    reading = read_workbook(make(setting("基本信息", "B5", value)))
    assert reading.report.signed_on is None and SIGNED_ON in reading.unreadable
    message = problem_at(reading, SIGNED_ON)
    assert "成文日期无法识别" in message and value in message


def test_agency_formula_refused(make):
    reading = read_workbook(make(setting("基本信息", "B3", '="某"&"局"')))
    assert reading.report.agency == ""
    assert "不能是公式" in problem_at(reading, AGENCY)


# ---------------------------------------------------------------- narrative


@pytest.mark.parametrize(
    ("value", "text"), [(3, "3"), (3.0, "3"), (2.5, "2.5"), (datetime.date(2024, 5, 1), "2024年5月1日")]
)
def test_numbers_in_text_cells(make, value, text):
    reading = read_workbook(make(setting("基本信息", "B8", value)))
    assert reading.report.narratives["opening"][0] == text and reading.problems == []


def test_control_characters_removed_with_a_warning(make, tmp_path):
    report = dataclasses.replace(varied_report(), narratives={"一": ("甲", "乙BELL丙", "丁CRLF戊")})

    def escape(name: str, data: bytes) -> bytes:  # as Excel writes such characters
        return data.replace(b"BELL", b"_x0007__x001B_").replace(b"CRLF", b"_x000D_\n")

    reading = read_workbook(rezip(make(report=report), tmp_path / "ctl.xlsx", escape))
    assert reading.report.narratives["一"][:3] == ("甲", "乙丙", "丁\r\n戊")
    place = paragraph_place("一", 1)
    assert "2 个不可见的控制字符" in problem_at(reading, place)
    assert [p.severity for p in reading.problems] == [Severity.WARNING]
    assert describe(place).startswith("基本信息!B17")


def test_formula_in_text_cell(make):
    reading = read_workbook(make(setting("基本信息", "B9", "=B8")))
    assert reading.report.narratives["opening"][1] == ""
    assert "不能是公式" in problem_at(reading, paragraph_place("opening", 1))


# ---------------------------------------------------------------- figures


@pytest.mark.parametrize(("value", "number"), [("12", 12), (" 12 ", 12), ("１２", 12), ("1,234", 1234), ("１，２３４", 1234)])
def test_numeric_text_read_with_a_warning(make, value, number):
    reading = read_workbook(make(setting("表三", "D7", value)))
    assert reading.report.inputs[T3_D7] == number and T3_D7 not in reading.unreadable
    assert f"按数字 {number} 读取" in problem_at(reading, T3_D7)
    assert all(p.severity is Severity.WARNING for p in reading.problems)


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (True, "逻辑值 TRUE"),
        (datetime.datetime(2024, 1, 5), "日期"),
        ("#REF!", "#REF!"),
        ("#DIV/0!", "#DIV/0!"),
        ("#N/A", "#N/A"),
        ("5件", "不要带单位（现为“5件”）：单位已写在表头中，这里应填 5"),
        ("5 件", "这里应填 5"),
        ("无", "现为文字“无”"),
        ("12 3", "现为文字“12 3”"),
        ("1,23", "现为文字“1,23”"),
        ("=1+1", "输入单元格应直接填写数字，不能是公式"),
        ("=E7", "不能是公式"),
    ],
)
def test_refused_figures(make, value, phrase):
    reading = read_workbook(make(setting("表三", "D7", value)))
    assert reading.report.inputs[T3_D7] is None and T3_D7 in reading.unreadable
    assert phrase in problem_at(reading, T3_D7)
    assert describe(T3_D7).startswith("表三!D7（一、本年新收政府信息公开申请数量 × 自然人）")
    later = check_report(reading.report, reported=reading.unreadable)
    assert not [p for p in later if T3_D7 in p.places and "不能为空" in p.message]


def test_yuan_in_the_fee_cell(make):
    reading = read_workbook(make(setting("表二", "B17", "251000元")))
    message = problem_at(reading, FEE)
    assert "万元" in message and "25.1" in message and reading.report.inputs[FEE] is None


@pytest.mark.parametrize(
    ("cell", "key", "value", "number"),
    [
        ("D7", T3_D7, 3.0, 3),
        ("D7", T3_D7, -1, -1),
        ("B17", FEE, 0.1, Decimal("0.1")),
        ("B17", FEE, 2, 2),
    ],
)
def test_numbers_pass_through_for_the_core_checks(make, cell, key, value, number):
    sheet = "表二" if key == FEE else "表三"
    reading = read_workbook(make(setting(sheet, cell, value)))
    got = reading.report.inputs[key]
    assert got == number and type(got) is type(number) and reading.problems == []


def test_a_fraction_in_a_count_is_one_error(make):
    """Refused by the reader, so neither the checks nor the balances built on it report it again."""
    reading = read_workbook(make(setting("表三", "D7", 5.5)))
    assert reading.report.inputs[T3_D7] is None and T3_D7 in reading.unreadable
    problems = reading.problems + check_report(reading.report, reported=reading.unreadable)
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1 and errors[0].places == (T3_D7,) and "整数" in errors[0].message


def test_whitespace_is_blank(make):
    reading = read_workbook(make(setting("表三", "D7", "  ")))
    assert reading.report.inputs[T3_D7] is None and reading.problems == []
    assert T3_D7 not in reading.unreadable  # so check_report says it is blank


# ---------------------------------------------------------------- totals


def row_7_sum() -> int:
    inputs = varied_report().inputs
    return sum(inputs[f"t3.r1.c{c}"] for c in range(1, 7))


@pytest.mark.parametrize("value", [99, "=SUM(D7:H7)", "=SUM(表二!D7:I7)", None])
def test_total_overwritten_or_edited(make, value):
    reading = read_workbook(make(setting("表三", "J7", value)))
    message = problem_at(reading, T3_J7)
    assert "=SUM(D7:I7)" in message and f"应为 {row_7_sum()}" in message
    assert ("空白" if value is None else str(value)) in message
    assert describe(T3_J7).startswith("表三!J7")


@pytest.mark.parametrize("value", ["=sum($D$7:$I$7)", "=SUM('表三'!D7:I7)", "= SUM( 表三!D7:I7 )"])
def test_equivalent_total_formulas_accepted(make, value):
    assert read_workbook(make(setting("表三", "J7", value))).problems == []


def test_total_without_inputs_cannot_be_computed(make):
    def edit(wb):
        wb["表三"]["D7"] = None
        wb["表三"]["J7"] = 5

    assert "暂时无法计算" in problem_at(read_workbook(make(edit)), T3_J7)


# ---------------------------------------------------------------- LibreOffice-saved files

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def libreoffice_saved(tmp_path_factory) -> Path:
    """The sample workbook after a LibreOffice save: formulas rewritten, cached results present."""
    folder = tmp_path_factory.mktemp("libreoffice")
    source = write_workbook(folder / "in.xlsx", varied_report())
    out = folder / "out"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out / "in.xlsx"


@needs_soffice
def test_libreoffice_saved_workbook_reads_the_same(libreoffice_saved):
    with zipfile.ZipFile(libreoffice_saved) as archive:
        assert b"<v>" in archive.read(_sheet_with(archive, b"SUM(D7:I7)"))  # cached results present
    reading = read_workbook(libreoffice_saved)
    assert reading.problems == []
    assert reading.report == padded(varied_report())


@needs_soffice
def test_stale_cached_total(libreoffice_saved, tmp_path):
    with zipfile.ZipFile(libreoffice_saved) as archive:
        sheet = _sheet_with(archive, b"SUM(D7:I7)")

    def forge(name: str, data: bytes) -> bytes:
        if name != sheet:
            return data
        return re.sub(rb'(<c r="J7"[^>]*>.*?<v>)[^<]*(</v>)', rb"\g<1>4242\g<2>", data, count=1, flags=re.S)

    reading = read_workbook(rezip(libreoffice_saved, tmp_path / "stale.xlsx", forge))
    message = problem_at(reading, T3_J7)
    assert "4242" in message and f"应为 {row_7_sum()}" in message and "过时" in message
    assert [p.places for p in reading.problems] == [(T3_J7,)]


def _sheet_with(archive: zipfile.ZipFile, text: bytes) -> str:
    return next(n for n in archive.namelist() if n.startswith("xl/worksheets/") and text in archive.read(n))


def test_report_kind_is_read_and_a_version_2021_1_workbook_without_it_reads_as_own_report(tmp_path):
    from gaidocx.core.form import AREA_REPORT, OWN_REPORT
    from gaidocx.workbook.layout import GUIDE_SHEET, VERSION_CELL

    wb = build_template(agency="某县人民政府", year=2024)
    wb["基本信息"]["B6"] = AREA_REPORT
    path = tmp_path / "区域.xlsx"
    wb.save(path)
    assert read_workbook(path).report.kind == AREA_REPORT
    wb["基本信息"]["B6"] = "全县"
    wb.save(path)
    reading = read_workbook(path)
    assert reading.report.kind == OWN_REPORT and "kind" in reading.unreadable
    assert any("报告类型" in p.message for p in reading.problems)
    wb["基本信息"]["B6"] = None
    wb[GUIDE_SHEET][VERSION_CELL] = "gaidocx-2021.1"
    wb.save(path)
    assert read_workbook(path).report.kind == OWN_REPORT


# ---------------------------------------------------------------- issue 9 and 10: what users and attackers found


def text_figure(wb):
    """表三!D7 typed as text, as a cell formatted as 文本 keeps it."""
    cell = wb["表三"]["D7"]
    cell.value = str(varied_report().inputs[T3_D7])
    cell.data_type = "s"


def cached_j7(value: int) -> Callable[[str, bytes], bytes]:
    """表三!J7's formula with a cached result, as Excel, WPS or LibreOffice save it."""

    def change(name: str, data: bytes) -> bytes:
        if b"SUM(D7:I7)" not in data:
            return data
        return re.sub(rb'(<c r="J7"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>[^<]*</v>)?', rb"\1<v>%d</v>" % value, data, count=1)

    return change


def test_a_figure_kept_as_text_is_named_with_advice_that_works(make, tmp_path):
    """SUM leaves text out, so re-saving cannot fix the total: the cell must be retyped.  One
    message, at the cell, in place of its warning and of the total's error (issue 17)."""
    typed = varied_report().inputs[T3_D7]
    path = rezip(make(text_figure), tmp_path / "text.xlsx", cached_j7(row_7_sum() - typed))
    reading = read_workbook(path)
    [problem] = reading.problems
    assert problem.is_error and problem.secondary and problem.places == (T3_D7,)
    assert "（J7）" in problem.message and "文字形式" in problem.message and "重新输入数字" in problem.message
    assert "保存后再试" not in problem.message and "重新保存文件不能解决" in problem.message
    assert reading.report.inputs[T3_D7] == typed  # still read


def test_a_stale_total_without_text_figures_still_says_re_save(make, tmp_path):
    path = rezip(make(), tmp_path / "stale.xlsx", cached_j7(4242))
    message = problem_at(read_workbook(path), T3_J7)
    assert "4242" in message and "保存后再试" in message


def test_a_total_typed_over_its_formula_but_right_is_a_warning(make):
    reading = read_workbook(make(setting("表三", "J7", row_7_sum())))
    (problem,) = reading.problems
    assert not problem.is_error and problem.places == (T3_J7,)
    assert "=SUM(D7:I7)" in problem.message and "恢复公式" in problem.message


def test_a_negative_long_number_is_too_long_not_too_large(make):
    reading = read_workbook(make(setting("表三", "D7", "-" + "9" * 4400)))
    message = problem_at(reading, T3_D7)
    assert "数字过长" in message and "4401 位" in message and len(message) < 200


def test_a_date_serial_out_of_range_is_named_and_no_english_warning_escapes(make, recwarn, capfd):
    def edit(wb):
        wb["表三"]["D7"] = 10**9
        wb["表三"]["D7"].number_format = "yyyy-mm-dd"
        wb["基本信息"]["B5"] = 10**9
        wb["基本信息"]["B5"].number_format = "yyyy-mm-dd"

    reading = read_workbook(make(edit))
    assert "1000000000" in problem_at(reading, T3_D7) and "日期范围" in problem_at(reading, T3_D7)
    assert "#VALUE!" not in problem_at(reading, T3_D7)
    assert "日期范围" in problem_at(reading, SIGNED_ON)
    assert {T3_D7, SIGNED_ON} <= reading.unreadable
    assert len(recwarn) == 0
    assert capfd.readouterr().err == ""


def test_a_strict_open_xml_workbook_is_recognised(make, tmp_path):
    def strict(name: str, data: bytes) -> bytes:
        return data.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"
        )

    message = refusal(rezip(make(), tmp_path / "strict.xlsx", strict))
    assert "Strict Open XML" in message and "Excel 工作簿（*.xlsx）" in message


def test_a_symlink_loop_gets_a_chinese_message(tmp_path):
    loop = tmp_path / "循环.xlsx"
    loop.symlink_to(loop)
    message = refusal(loop)
    assert "符号链接" in message and "循环" in message


def test_struct_error_from_zipfile_is_damage(make, monkeypatch):
    import struct

    def broken(*args, **kwargs):
        raise struct.error("unpack requires a buffer of 46 bytes")

    monkeypatch.setattr(archive_module.zipfile, "ZipFile", broken)
    assert "已损坏或不完整" in refusal(make())


def test_random_damage_is_always_a_clean_refusal_or_a_reading(make):
    """Bytes flipped in the central directory, the end record and the first header, or the file cut short."""
    data = make().read_bytes()
    rng = random.Random(10)
    end, directory = data.rfind(b"PK\x05\x06"), data.find(b"PK\x01\x02")
    for attempt in range(60):
        damaged = bytearray(data)
        region = rng.choice([(end, len(data)), (directory, end), (0, 200)])
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(*region)] = rng.randrange(256)
        if attempt % 3 == 0:
            damaged = damaged[: rng.randrange(len(damaged))]
        path = make().with_name(f"坏{attempt}.xlsx")
        path.write_bytes(bytes(damaged))
        try:
            read_workbook(path)
        except WorkbookError as exc:
            assert str(exc) and "Traceback" not in str(exc)


# ---- one 20-million-character string shared by every figure cell (issue 10.1, 10.2)

HUGE = 20_000_000
GIANT_LENGTH = 19 + HUGE // 150 * 150


def shared_giant(make, tmp_path, *, version: bool) -> Path:
    """Every figure cell (and, without ``version``, the template version cell) refers to one
    shared string of 20 million characters: a file of some 100 KB."""
    from gaidocx.workbook.layout import GUIDE_SHEET, VERSION_CELL, field_cell

    def edit(wb):
        for key, f in varied_report().form.fields.items():
            if not f.is_total:
                sheet, cell = field_cell(key)
                wb[sheet][cell] = "GIANT"
        if not version:
            wb[GUIDE_SHEET][VERSION_CELL] = "GIANT"

    rng = random.Random(20)
    # one random letter every 150 characters: compresses some 30:1, within the archive guard's ratio
    giant = b"9" * 19 + b"".join(b"x" * 149 + bytes([rng.randrange(97, 123)]) for _ in range(HUGE // 150))
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>%s</t></si></sst>'

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            override = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            return data.replace(b"</Types>", override + b"</Types>")
        if name == "xl/_rels/workbook.xml.rels":
            relation = b'<Relationship Id="rIdGiant" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            return data.replace(b"</Relationships>", relation + b"</Relationships>")
        return re.sub(rb'(<c r="[A-Z]+\d+"[^>]*?) t="inlineStr"><is><t>GIANT</t></is></c>', rb'\1 t="s"><v>0</v></c>', data)

    return rezip(make(edit), tmp_path / "giant.xlsx", change, extra=[("xl/sharedStrings.xml", shared % giant)])


CHILD = """
import json, resource, sys, time
from gaidocx.workbook.read import read_workbook, WorkbookError
started = time.monotonic()
try:
    reading = read_workbook(sys.argv[1])
    text = "\\n".join(p.message for p in reading.problems)
except WorkbookError as exc:
    text = str(exc)
print(json.dumps({"seconds": time.monotonic() - started, "text": text,
                  "peak_mb": int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]) / 1024}))
"""


def in_child(path: Path) -> dict:
    import json
    import sys

    result = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("version", [True, False], ids=["figures", "figures-and-version"])
def test_one_giant_shared_string_is_quoted_briefly(make, tmp_path, version):
    path = shared_giant(make, tmp_path, version=version)
    assert path.stat().st_size < 2_000_000
    measured = in_child(path)
    assert measured["seconds"] < 20 and measured["peak_mb"] < 400, measured
    assert len(measured["text"]) < 100_000
    if version:
        assert f"{GIANT_LENGTH} 个字符" in measured["text"] and "99999999999999999999" not in measured["text"]
    else:
        assert "模板版本" in measured["text"] and "……" in measured["text"]


@pytest.mark.parametrize("paragraphs", [2_000, 2_001])
def test_narrative_paragraphs_are_bounded_generously(make, paragraphs):
    block = TEXT_BLOCKS[1]
    lines = ["段"] * paragraphs
    chunk = (paragraphs + len(block.rows) - 1) // len(block.rows)
    narratives = {b.place: () for b in TEXT_BLOCKS}
    narratives[block.place] = tuple("\n".join(lines[i : i + chunk]) for i in range(0, paragraphs, chunk))
    reading = read_workbook(make(report=dataclasses.replace(varied_report(), narratives=narratives)))
    over = [p for p in reading.problems if "上限 2000 段" in p.message]
    assert len(over) == (paragraphs > 2_000)
    if over:
        assert "十倍" in over[0].message


def test_the_reader_imports_no_word_library():
    import sys

    code = "import sys, gaidocx.workbook.read; print(sorted(m for m in ('docx', 'docxtpl', 'jinja2') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@needs_soffice
def test_a_text_figure_after_a_libreoffice_save_gets_advice_that_works(tmp_path):
    """The reported case: LibreOffice computes SUM without the text cell and saves that result."""
    folder = tmp_path / "lo"
    source = write_workbook(tmp_path / "text.xlsx", varied_report(), text_figure)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    reading = read_workbook(folder / "text.xlsx")
    [problem] = reading.problems  # one message at the cell, the total's error folded into it (issue 17)
    assert problem.places == (T3_D7,) and problem.is_error and "（J7）" in problem.message
    assert "文字形式" in problem.message and "重新保存文件不能解决" in problem.message

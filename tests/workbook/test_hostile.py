"""A corpus of hostile and broken inputs, each made here from the real template.

For every case, both ``check`` and ``render`` must answer with the expected exit
code and a Chinese message that says what is wrong (naming the cell where there
is one), write no output, and leave the input's bytes unchanged.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from malicious import (
    alt_enter_lines,
    billion_laughs,
    giant_shared_string,
    lying_zip_bomb,
    sample_members,
    template_with_code,
    template_with_huge_part,
    word_template,
    zip_bomb,
    zipped,
)
from support import SAMPLE_WORKBOOK, write_workbook

from gaidocx.cli import cli
from gaidocx.workbook.layout import TEXT_BLOCKS, VERSION_CELL

FILE_PROBLEM, WORKBOOK_ERRORS = 2, 1


def set_cells(**cells) -> Callable[[openpyxl.Workbook], None]:
    def edit(workbook):
        for name, value in cells.items():
            sheet, cell = name.split("_")
            workbook[sheet][cell] = value

    return edit


def filled(edit=None) -> Callable[[Path], None]:
    return lambda path: write_workbook(path, edit=edit)


def raw(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def sample_with(change: Callable[[dict[str, bytes]], None]) -> Callable[[Path], None]:
    """The sample workbook with its zip members changed at the byte level."""

    def make(path: Path) -> None:
        members = sample_members()
        change(members)
        path.write_bytes(zipped(members))

    return make


def sheet_member(members: dict[str, bytes], sheet: str) -> str:
    """The zip member holding ``sheet`` (openpyxl numbers sheets in workbook order)."""
    names = re.findall(rb'<sheet [^>]*name="([^"]+)"', members["xl/workbook.xml"])
    return f"xl/worksheets/sheet{[n.decode() for n in names].index(sheet) + 1}.xml"


def cached_total(cell: str, value: int) -> Callable[[dict[str, bytes]], None]:
    """Give a total formula cell a cached result, as a spreadsheet program would (here: a wrong one)."""

    def change(members):
        member = sheet_member(members, "表三")
        pattern = rb'(<c r="' + cell.encode() + rb'"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>[^<]*</v>)?'
        members[member], count = re.subn(pattern, rb"\1<v>" + str(value).encode() + rb"</v>", members[member])
        assert count == 1

    return change


def longer_than_excel_allows(path: Path) -> None:
    """openpyxl cuts text at Excel's limit, so the over-long cell is written into the XML directly."""
    write_workbook(path, edit=set_cells(基本信息_B16="MARKER"))
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    (member,) = [name for name, data in members.items() if b"MARKER" in data]
    members[member] = members[member].replace(b"MARKER", "长".encode() * 40_000)
    path.write_bytes(zipped(members))


def other_file(kind: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if kind == "docx":
            path.write_bytes(zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}))
        elif kind == "xlsm":
            members = sample_members()
            members["xl/vbaProject.bin"] = b"\x00" * 64
            path.write_bytes(zipped(members))
        elif kind == "foreign":
            workbook = openpyxl.Workbook()
            workbook.active["A1"] = "某单位统计表"
            workbook.save(path)
        elif kind == "trial":
            workbook = openpyxl.Workbook()
            workbook.active["A1"] = "本年新制作数量"
            workbook.save(path)

    return make


def delete_sheet(name: str):
    def edit(workbook):
        del workbook[name]

    return edit


def rename_sheet(name: str, new: str):
    def edit(workbook):
        workbook[name].title = new

    return edit


def insert_row(sheet: str, row: int):
    return lambda workbook: workbook[sheet].insert_rows(row)


def insert_column(sheet: str, column: int):
    return lambda workbook: workbook[sheet].insert_cols(column)


def clear_block(place: str):
    block = next(b for b in TEXT_BLOCKS if b.place == place)

    def edit(workbook):
        for row in block.rows:
            workbook["基本信息"][f"B{row}"] = None

    return edit


OLE = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504

#: (case id, how to make the file, exit code, fragments the message must contain)
CASES = [
    # ---- not our workbook
    ("empty file", raw(b""), FILE_PROBLEM, ["空的"]),
    ("random bytes", raw(bytes(range(256)) * 8), FILE_PROBLEM, ["不是 Excel 工作簿"]),
    ("csv renamed", raw("机关名称,年度\n某局,2024\n".encode()), FILE_PROBLEM, ["不是 Excel 工作簿"]),
    ("pdf renamed", raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), FILE_PROBLEM, ["不是 Excel 工作簿"]),
    ("legacy xls", raw(OLE), FILE_PROBLEM, [".xls", "加密"]),
    ("encrypted xlsx", raw(OLE + b"EncryptedPackage"), FILE_PROBLEM, ["密码"]),
    ("docx renamed", other_file("docx"), FILE_PROBLEM, ["Word 文档"]),
    ("xlsm", other_file("xlsm"), FILE_PROBLEM, ["宏"]),
    ("truncated zip", lambda p: p.write_bytes(SAMPLE_WORKBOOK.read_bytes()[:4000]), FILE_PROBLEM, ["损坏"]),
    ("zip of other things", raw(zipped({"readme.txt": b"hello"})), FILE_PROBLEM, ["不是 Excel 工作簿"]),
    ("foreign workbook", other_file("foreign"), FILE_PROBLEM, ["不是 gaidocx 填报表"]),
    ("2019 trial format", other_file("trial"), FILE_PROBLEM, ["2019 年试行格式", "本年新制作数量"]),
    ("other template version", filled(set_cells(**{f"填报说明_{VERSION_CELL}": "gaidocx-2020.1"})), FILE_PROBLEM,
     ["gaidocx-2020.1", "gaidocx-2021.2"]),
    ("sheet deleted", filled(delete_sheet("表三")), FILE_PROBLEM, ["找不到工作表“表三”"]),
    ("sheet renamed", filled(rename_sheet("表四", "Sheet5")), FILE_PROBLEM, ["表四", "Sheet5"]),
    ("guide sheet deleted", filled(delete_sheet("填报说明")), FILE_PROBLEM, ["填报说明"]),
    ("row inserted in 表三", filled(insert_row("表三", 10)), FILE_PROBLEM, ["表三!", "插入"]),
    ("column inserted in 表四", filled(insert_column("表四", 3)), FILE_PROBLEM, ["表四!", "插入"]),
    ("row deleted in 表二", filled(lambda wb: wb["表二"].delete_rows(6)), FILE_PROBLEM, ["表二!", "删除"]),
    ("zip bomb", raw(zip_bomb(300 * 2**20)), FILE_PROBLEM, ["压缩炸弹", "300 MB"]),
    ("zip bomb lying about its size", raw(lying_zip_bomb(60 * 2**20)), FILE_PROBLEM, ["压缩炸弹"]),
    ("billion laughs", raw(billion_laughs()), FILE_PROBLEM, ["DOCTYPE"]),
    # ---- tampering
    ("total overwritten", filled(set_cells(表三_J7=5)), WORKBOOK_ERRORS, ["表三!J7", "=SUM(D7:I7)"]),
    ("total formula edited", filled(set_cells(表三_D30="=SUM(D9:D20)")), WORKBOOK_ERRORS, ["表三!D30", "公式被改动"]),
    ("表四 total overwritten", filled(set_cells(表四_J7=999)), WORKBOOK_ERRORS, ["表四!J7", "公式被改动"]),
    ("stale cached total", sample_with(cached_total("J7", 4242)), WORKBOOK_ERRORS, ["表三!J7", "4242", "过时"]),
    ("input turned into a formula", filled(set_cells(表三_E9="=1+1")), WORKBOOK_ERRORS, ["表三!E9", "不能是公式"]),
    # ---- values
    ("negative", filled(set_cells(表三_D9=-3)), WORKBOOK_ERRORS, ["表三!D9", "负数"]),
    ("fraction", filled(set_cells(表三_D9=2.5)), WORKBOOK_ERRORS, ["表三!D9", "整数"]),
    ("boolean", filled(set_cells(表二_B6=True)), WORKBOOK_ERRORS, ["表二!B6", "逻辑值"]),
    ("date in a figure", filled(set_cells(表二_C6=datetime.datetime(2024, 5, 1))), WORKBOOK_ERRORS, ["表二!C6", "日期"]),
    ("#REF!", filled(set_cells(表四_A7="#REF!")), WORKBOOK_ERRORS, ["表四!A7", "#REF!"]),
    ("#DIV/0!", filled(set_cells(表四_B7="#DIV/0!")), WORKBOOK_ERRORS, ["表四!B7", "#DIV/0!"]),
    ("count with unit", filled(set_cells(表三_F9="5件")), WORKBOOK_ERRORS, ["表三!F9", "5件", "应填 5"]),
    ("fee in yuan", filled(set_cells(表二_B17="251000元")), WORKBOOK_ERRORS, ["表二!B17", "25.1"]),
    ("absurdly large", filled(set_cells(表二_B10=123456789012)), WORKBOOK_ERRORS, ["表二!B10", "过大"]),
    ("fee with 7 decimals", filled(set_cells(表二_B17=1.2345678)), WORKBOOK_ERRORS, ["表二!B17", "6 位小数"]),
    ("plain text", filled(set_cells(表三_G9="无")), WORKBOOK_ERRORS, ["表三!G9", "无"]),
    ("blank figure", filled(set_cells(表三_H9=None)), WORKBOOK_ERRORS, ["表三!H9", "不能为空"]),
    ("unbalanced", filled(set_cells(表三_D7=2)), WORKBOOK_ERRORS, ["表三!D7、D8、D30、D31（自然人）", "勾稽关系"]),
    # ---- metadata and text
    ("no agency", filled(set_cells(基本信息_B3=None)), WORKBOOK_ERRORS, ["基本信息!B3", "机关名称"]),
    ("no year", filled(set_cells(基本信息_B4=None)), WORKBOOK_ERRORS, ["基本信息!B4"]),
    ("year in words", filled(set_cells(基本信息_B4="二〇二四年")), WORKBOOK_ERRORS, ["基本信息!B4", "二〇二四年"]),
    ("year of the trial format", filled(set_cells(基本信息_B4=2020)), WORKBOOK_ERRORS, ["基本信息!B4", "2019 年试行格式"]),
    ("date before year end", filled(set_cells(基本信息_B5=datetime.datetime(2024, 6, 1))), WORKBOOK_ERRORS,
     ["基本信息!B5", "结束之后"]),
    ("date unreadable", filled(set_cells(基本信息_B5="下周一")), WORKBOOK_ERRORS, ["基本信息!B5", "下周一"]),
    ("section 六 empty", filled(clear_block("六")), WORKBOOK_ERRORS, ["六、其他需要报告的事项", "不能为空"]),
    ("text below the last row", filled(set_cells(基本信息_B120="（四）补充的内容")), WORKBOOK_ERRORS,
     ["基本信息!B120", "不会进入报告"]),
    ("text in a gap row", filled(set_cells(基本信息_B14="漏掉的一段")), WORKBOOK_ERRORS, ["基本信息!B14", "不是填写位置"]),
    ("a 4 400-digit number", filled(set_cells(表三_D7="9" * 4400)), WORKBOOK_ERRORS, ["表三!D7", "数字过长"]),
    ("a cell longer than Excel allows", longer_than_excel_allows, WORKBOOK_ERRORS, ["基本信息!B16", "32767"]),
    # ---- issue 10: slow, huge or foreign
    ("one giant shared string", raw(giant_shared_string()), WORKBOOK_ERRORS, ["表三!D7", "19999969 个字符", "……"]),
    ("giant string as version", raw(giant_shared_string(version=False)), FILE_PROBLEM, ["模板版本", "……"]),
    ("Alt+Enter lines beyond the bound", raw(alt_enter_lines(400, 80)), WORKBOOK_ERRORS, ["上限 2000 段", "十倍"]),
    ("negative 4 400 digits", filled(set_cells(表三_D7="-" + "9" * 4400)), WORKBOOK_ERRORS, ["表三!D7", "数字过长"]),
    ("5.5 in a count", filled(set_cells(表三_D9=5.5)), WORKBOOK_ERRORS, ["表三!D9", "整数"]),
    ("Strict Open XML", sample_with(lambda m: m.update({k: v.replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")
        for k, v in m.items()})), FILE_PROBLEM, ["Strict Open XML"]),
]


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize(("make", "code", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_cleanly(tmp_path, make, code, fragments):
    source = tmp_path / "填报.xlsx"
    make(source)
    before = source.read_bytes()
    output = tmp_path / "报告.docx"
    for command in (("check", source), ("render", source, "-o", output)):
        result = run(*command)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output and "意外错误" not in result.output
        assert len(result.output) < 100_000  # cell values are quoted briefly, however long they are
        for fragment in fragments:
            assert fragment in result.output, (fragment, result.output[:2000])
        assert not output.exists()
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["填报.xlsx"]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("check", "没有这个文件.xlsx"), "找不到文件"),
        (("render", "没有这个文件.xlsx"), "找不到文件"),
        (("check", "."), "文件夹"),
    ],
)
def test_missing_file_and_folder(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == FILE_PROBLEM and fragment in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    result = run("render", SAMPLE_WORKBOOK, "-o", tmp_path / "报告.docx")
    assert result.exit_code == FILE_PROBLEM and "无法在文件夹中写入文件" in result.output
    assert list(tmp_path.iterdir()) == []


def test_control_characters_are_removed_with_a_warning(tmp_path):
    block = next(b for b in TEXT_BLOCKS if b.place == "五")
    row = block.rows[0]
    source = write_workbook(tmp_path / "填报.xlsx", edit=set_cells(**{f"基本信息_B{row}": "存在问题_x0007_：无。"}))
    result = run("render", source, "-o", tmp_path / "报告.docx")
    assert result.exit_code == 0, result.output
    assert f"警告  基本信息!B{row}" in result.output and "控制字符" in result.output


def test_text_that_looks_like_code_arrives_literally(tmp_path):
    """Template syntax, XML specials, a leading = and characters beyond the BMP, end to end."""
    import docx

    block = next(b for b in TEXT_BLOCKS if b.place == "五")
    tricky = ["=SUM(A1:A2) 不是公式", "{{ agency }}{% if x %}{%p endif %}", "& < > \" ' 😀 𠀀 ％", "长" * 32_767]  # Excel's longest cell

    def edit(workbook):
        for row, text in zip(block.rows, tricky):
            cell = workbook["基本信息"][f"B{row}"]
            cell.value = text
            cell.data_type = "s"

    source = write_workbook(tmp_path / "填报.xlsx", edit=edit)
    output = tmp_path / "报告.docx"
    result = run("render", source, "-o", output)
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in docx.Document(str(output)).paragraphs]
    for text in tricky:
        assert text in paragraphs


def test_one_error_for_5_5_in_a_count(tmp_path):
    source = write_workbook(tmp_path / "填报.xlsx", edit=set_cells(表三_D9=5.5))
    result = run("check", source)
    assert result.exit_code == WORKBOOK_ERRORS
    assert result.output.count("错误  ") == 1, result.output


def test_a_right_total_typed_over_its_formula_is_only_a_warning(tmp_path):
    source = write_workbook(tmp_path / "填报.xlsx", edit=set_cells(表四_J7=0))
    result = run("check", source)
    assert result.exit_code == 0, result.output
    assert "警告  表四!J7" in result.output and "恢复公式" in result.output


def test_a_symlink_loop_as_input(tmp_path):
    loop = tmp_path / "循环.xlsx"
    loop.symlink_to(loop)
    result = run("check", loop)
    assert result.exit_code == FILE_PROBLEM and "符号链接" in result.output and "Traceback" not in result.output


#: (case id, the Word template's bytes, fragments of the message)
TEMPLATE_CASES = [
    ("a 1 GiB part", lambda: template_with_huge_part(1024**3), ["Word 模板", "压缩炸弹"]),
    ("nested loops", lambda: template_with_code("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"),
     ["已停止填充"]),
    ("string multiplication", lambda: template_with_code('{{ "x" * 1000000000 }}'), ["已停止填充"]),
    ("a remote attached image", lambda: word_template(extra={}, changes={"word/_rels/document.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/image" Target="http://tracker.example/p.png" TargetMode="External"/>'
        b"</Relationships>")}), ["外部内容", "tracker.example"]),
]


@pytest.mark.parametrize(("make", "fragments"), [c[1:] for c in TEMPLATE_CASES], ids=[c[0] for c in TEMPLATE_CASES])
def test_hostile_word_templates_are_refused_cleanly(tmp_path, make, fragments):
    template = tmp_path / "模板.docx"
    template.write_bytes(make())
    output = tmp_path / "报告.docx"
    result = run("render", SAMPLE_WORKBOOK, "--template", template, "-o", output)
    assert result.exit_code == FILE_PROBLEM, result.output
    assert "Traceback" not in result.output and "意外错误" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)
    assert not output.exists()

"""The fill-in template: the official grid, protection, validation and determinism.

Expected cells and merges are written out by hand from the specification
(official-format.md §3–§5), not derived from the form, so a slip in the form
or the layout shows up here.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import subprocess
import sys
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from gaidocx.core.form import FORM_2021, MAX_VALUE, Kind
from gaidocx.core.report import Report
from gaidocx.workbook.fillin import build_template, write_template
from gaidocx.workbook.filled import fill_workbook
from gaidocx.workbook.layout import TEMPLATE_VERSION, VERSION_LABEL, field_cell

FIELDS = FORM_2021.fields


@pytest.fixture(scope="module")
def fillin_workbook():
    """The fill-in workbook as built, for 策勒县人民政府办公室 2024 (an openpyxl workbook)."""
    return build_template(agency="策勒县人民政府办公室", year=2024)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template(path, agency="策勒县人民政府办公室", year=2024)
    return path


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_sheets_in_order(fillin_workbook):
    assert fillin_workbook.sheetnames == ["填报说明", "基本信息", "表二", "表三", "表四"]
    assert fillin_workbook.active.title == "填报说明"


def test_version_cell(fillin_workbook):
    guide = fillin_workbook["填报说明"]
    assert guide["A2"].value == VERSION_LABEL == "模板版本"
    assert guide["B2"].value == TEMPLATE_VERSION


def test_table_3_merges_match_the_official_grid(fillin_workbook):
    assert merged(fillin_workbook["表三"]) == {
        "A1:J1",  # section title
        "A2:J2",  # hint
        # header
        "A4:C6",
        "D4:J4",
        "D5:D6",
        "E5:I5",
        "J5:J6",
        # body
        "A7:C7",
        "A8:C8",
        "A9:A30",
        "B9:C9",
        "B10:C10",
        "B11:B18",
        "B19:B21",
        "B22:B26",
        "B27:B29",
        "B30:C30",
        "A31:C31",
        "A33:C33",  # balance check row
    }


def test_table_2_and_4_merges(fillin_workbook):
    assert merged(fillin_workbook["表二"]) == {
        "A1:D1", "A2:D2",
        "A4:D4", "A8:D8", "A11:D11", "A15:D15",
        "B9:D9", "B10:D10", "B12:D12", "B13:D13", "B14:D14", "B16:D16", "B17:D17",
    }  # fmt: skip
    assert merged(fillin_workbook["表四"]) == {
        "A1:O1", "A2:O2",
        "A4:E4", "F4:O4",
        "A5:A6", "B5:B6", "C5:C6", "D5:D6", "E5:E6",
        "F5:J5", "K5:O5",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("sheet", "cell", "text"),
    [
        ("表三", "A4", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
        ("表三", "D4", "申请人情况"),
        ("表三", "D5", "自然人"),
        ("表三", "E5", "法人或其他组织"),
        ("表三", "J5", "总计"),
        ("表三", "E6", "商业企业"),
        ("表三", "H6", "法律服务机构"),
        ("表三", "I6", "其他"),
        ("表三", "A7", "一、本年新收政府信息公开申请数量"),
        ("表三", "A8", "二、上年结转政府信息公开申请数量"),
        ("表三", "A9", "三、本年度办理结果"),
        ("表三", "B9", "（一）予以公开"),
        ("表三", "B10", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        ("表三", "B11", "（三）不予公开"),
        ("表三", "C11", "1.属于国家秘密"),
        ("表三", "C13", "3.危及“三安全一稳定”"),
        ("表三", "C18", "8.属于行政查询事项"),
        ("表三", "B19", "（四）无法提供"),
        ("表三", "C21", "3.补正后申请内容仍不明确"),
        ("表三", "B22", "（五）不予处理"),
        ("表三", "C26", "5.要求行政机关确认或重新出具已获取信息"),
        ("表三", "B27", "（六）其他处理"),
        ("表三", "C29", "3.其他"),
        ("表三", "B30", "（七）总计"),
        ("表三", "A31", "四、结转下年度继续办理"),
        ("表二", "A4", "第二十条第（一）项"),
        ("表二", "A5", "信息内容"),
        ("表二", "D5", "现行有效件数"),
        ("表二", "A7", "行政规范性文件"),
        ("表二", "B9", "本年处理决定数量"),
        ("表二", "A10", "行政许可"),
        ("表二", "A14", "行政强制"),
        ("表二", "A15", "第二十条第（八）项"),
        ("表二", "B16", "本年收费金额（单位：万元）"),
        ("表二", "A17", "行政事业性收费"),
        ("表四", "A4", "行政复议"),
        ("表四", "F4", "行政诉讼"),
        ("表四", "A5", "结果维持"),
        ("表四", "E5", "总计"),
        ("表四", "F5", "未经复议直接起诉"),
        ("表四", "K5", "复议后起诉"),
        ("表四", "I6", "尚未审结"),
        ("表四", "O6", "总计"),
        ("表三", "A1", "三、收到和处理政府信息公开申请情况"),
    ],
)
def test_labels_at_official_positions(fillin_workbook, sheet, cell, text):
    assert fillin_workbook[sheet][cell].value == text
    assert fillin_workbook[sheet][cell].protection.locked


@pytest.mark.parametrize(
    ("sheet", "cell", "formula"),
    [
        ("表三", "J7", "=SUM(D7:I7)"),
        ("表三", "J31", "=SUM(D31:I31)"),
        ("表三", "D30", "=SUM(D9:D29)"),
        ("表三", "I30", "=SUM(I9:I29)"),
        ("表三", "J30", "=SUM(D30:I30)"),
        ("表四", "E7", "=SUM(A7:D7)"),
        ("表四", "J7", "=SUM(F7:I7)"),
        ("表四", "O7", "=SUM(K7:N7)"),
    ],
)
def test_totals_are_locked_bold_grey_formulas(fillin_workbook, sheet, cell, formula):
    c = fillin_workbook[sheet][cell]
    assert c.value == formula
    assert c.protection.locked and c.font.bold
    assert c.fill.fgColor.rgb != fillin_workbook["表三"]["D7"].fill.fgColor.rgb


def test_every_input_is_unlocked_tinted_zero_and_every_total_a_formula(fillin_workbook):
    inputs = [f for f in FIELDS.values() if not f.is_total]
    assert len(inputs) == 10 + 25 * 6 - 6 + 12  # 表三: row 24 is a total row
    for key, f in FIELDS.items():
        sheet, cell = field_cell(key)
        c = fillin_workbook[sheet][cell]
        if f.is_total:
            assert isinstance(c.value, str) and c.value.startswith("=SUM("), key
            assert c.protection.locked, key
        else:
            assert c.value == 0, key
            assert not c.protection.locked, key
            assert c.fill.fgColor.rgb == fillin_workbook["表三"]["D7"].fill.fgColor.rgb, key
    assert [fillin_workbook["表二"][c].value for c in ("B6", "C6", "D6", "B10", "B17")] == [0] * 5


def test_input_validations_really_refuse_bad_typing(fillin_workbook):
    seen = []
    for sheet in ("表二", "表三", "表四"):
        for dv in fillin_workbook[sheet].data_validations.dataValidation:
            assert dv.showErrorMessage is True and dv.errorStyle == "stop"
            assert (dv.operator, dv.formula1, dv.formula2) == ("between", "0", str(MAX_VALUE))
            seen.extend((sheet, f"{get_column_letter(c)}{r}", dv.type) for rng in dv.sqref.ranges for r, c in rng.cells)
    expected = {
        (*field_cell(key), "decimal" if f.kind is Kind.FEE else "whole")
        for key, f in FIELDS.items()
        if not f.is_total
    }
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    assert ("表二", "B17", "decimal") in expected


def test_validation_texts_fit_excel_limits(fillin_workbook):
    validations = [dv for ws in fillin_workbook.worksheets for dv in ws.data_validations.dataValidation]
    assert len(validations) == 3 + 2 + 1 + 1  # 年度, 成文日期, 报告类型, 表二 ×2, 表三, 表四
    for dv in validations:
        assert dv.showErrorMessage is True and dv.errorStyle == "stop"
        assert dv.errorTitle and len(dv.errorTitle) <= 32
        assert dv.error and len(dv.error) <= 224
        assert dv.prompt and len(dv.prompt) <= 255
        assert dv.promptTitle and len(dv.promptTitle) <= 32


def test_info_sheet(fillin_workbook):
    ws = fillin_workbook["基本信息"]
    assert [ws[c].value for c in ("A3", "A4", "A5")] == ["机关名称", "年度", "成文日期"]
    assert ws["B3"].value == "策勒县人民政府办公室"
    assert ws["B4"].value == 2024
    assert ws["B5"].value is None and "年" in ws["B5"].number_format
    for cell in ("B3", "B4", "B5"):
        assert not ws[cell].protection.locked
    year, date = (next(dv for dv in ws.data_validations.dataValidation if c in dv.sqref) for c in ("B4", "B5"))
    assert (year.type, year.formula1, year.formula2) == ("whole", "2021", "2100")
    assert date.type == "date"
    # opening block: heading in row 7, six entries in rows 8–13
    assert ws["A7"].value == "开头段落（标题之后、“一、总体情况”之前）"
    assert "A7:B7" in merged(ws)
    assert ws["A8"].value == "第1段" and ws["A13"].value == "第6段"
    assert "2024年1月1日至2024年12月31日" in ws["B8"].value
    assert ws["B9"].value is None
    # section 一 from row 15; skeleton sub-headings pre-filled
    assert ws["A15"].value == "一、总体情况"
    assert ws["B16"].value == "（一）主动公开。"
    assert ws["B20"].value == "（五）监督保障。"
    assert ws["A57"].value == "五、存在的主要问题及改进情况"
    assert ws["A79"].value == "六、其他需要报告的事项"
    assert "信息处理费" in ws["B80"].value
    assert ws["A99"].value == "第20段"
    for row in range(8, 100):
        if ws[f"A{row}"].value and ws[f"A{row}"].value.startswith("第"):
            assert not ws[f"B{row}"].protection.locked and ws[f"B{row}"].alignment.wrap_text
    assert ws.column_dimensions["B"].width >= 90


def test_blank_template_leaves_year_visible_placeholder():
    ws = build_template()["基本信息"]
    assert ws["B3"].value is None and ws["B4"].value is None
    assert "____年1月1日" in ws["B8"].value


def test_guide_explains_colours_blanks_rules_narrative_protection_and_commands(fillin_workbook):
    text = "\n".join(str(c.value) for row in fillin_workbook["填报说明"].iter_rows() for c in row if c.value)
    for phrase in (
        "浅黄色",
        "灰色",
        "空白不等于 0",
        "万元",
        "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
        "“总计”＝自然人＋商业企业＋科研机构＋社会公益组织＋法律服务机构＋其他",
        "“总计”＝结果维持＋结果纠正＋其他结果＋尚未审结",
        "“勾稽关系检查”",
        "Alt+Enter",
        "“（一）主动公开。”",
        "没有密码",
        "gaidocx check",
        "gaidocx render",
    ):
        assert phrase in text, phrase


def test_balance_check_row_under_table_3(fillin_workbook):
    ws = fillin_workbook["表三"]
    assert ws["A33"].value == "勾稽关系检查"
    assert ws["D33"].value == '=IF(D7+D8=D30+D31,"平衡","不平衡")'
    assert ws["J33"].value == '=IF(J7+J8=J30+J31,"平衡","不平衡")'


def test_protection_and_printing(fillin_workbook):
    for ws in fillin_workbook.worksheets:
        p = ws.protection
        assert p.sheet is True and not p.password, ws.title
        assert p.insertRows and p.deleteRows and p.insertColumns and p.deleteColumns  # still forbidden
        assert not p.formatColumns and not p.formatRows  # widths may be adjusted
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_area
    assert fillin_workbook["表三"].page_setup.orientation == "landscape"
    assert fillin_workbook["表四"].page_setup.orientation == "landscape"
    assert fillin_workbook["表二"].page_setup.orientation != "landscape"
    assert fillin_workbook["表三"].print_title_rows == "$4:$6"
    for sheet in ("表二", "表三", "表四"):
        assert fillin_workbook[sheet].page_setup.fitToHeight == 1  # a table on one page
    for sheet in ("填报说明", "基本信息"):
        assert fillin_workbook[sheet].page_setup.fitToHeight == 0  # text on as many pages as it needs
    assert fillin_workbook.security.lockStructure


def test_readable_sizes(fillin_workbook):
    ws = fillin_workbook["表三"]
    assert ws.column_dimensions["C"].width >= 30  # the long 不予处理/其他处理 items
    assert ws.row_dimensions[27].height >= 30  # （六）1. wraps onto two lines
    assert ws["A9"].alignment.wrap_text and ws["A4"].alignment.wrap_text


def test_saved_file_is_plain_xlsx_with_fixed_dates(saved):
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        core = archive.read("docProps/core.xml").decode()
        workbook = archive.read("xl/workbook.xml").decode()
        assert {info.date_time for info in archive.infolist()} == {(2021, 9, 26, 0, 0, 0)}
    assert not any("vbaProject" in n or "externalLink" in n for n in names)
    assert core.count("2021-09-26T00:00:00Z") == 2
    assert 'fullCalcOnLoad="1"' in workbook
    wb = load_workbook(saved)
    assert wb["基本信息"]["B3"].value == "策勒县人民政府办公室"
    assert wb.properties.modified == datetime.datetime(2021, 9, 26)


def test_output_is_byte_identical_across_processes(tmp_path, saved):
    code = (
        "import sys; from gaidocx.workbook.fillin import write_template; "
        "write_template(sys.argv[1], agency='策勒县人民政府办公室', year=2024)"
    )
    out = tmp_path / "again.xlsx"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env)
    assert out.read_bytes() == saved.read_bytes()


def test_fill_workbook_writes_entries_and_keeps_totals():
    wb = build_template()
    report = Report(
        agency="某局",
        year=2024,
        signed_on=datetime.date(2025, 1, 23),
        narratives={"opening": ("开头。",), "六": ("（一）信息处理费。无。", "", "其他。")},
        inputs={"t3.r1.c1": 5, "t2.r6.c1": Decimal("0.25")},
    )
    fill_workbook(wb, report)
    info = wb["基本信息"]
    assert (info["B3"].value, info["B4"].value, info["B5"].value) == ("某局", 2024, datetime.date(2025, 1, 23))
    assert info["B8"].value == "开头。" and info["B9"].value is None  # skeleton replaced
    assert [info[f"B{r}"].value for r in (80, 81, 82, 83)] == ["（一）信息处理费。无。", "", "其他。", None]
    assert info["B16"].value is None  # no entries for 一: the block is emptied
    assert wb["表三"]["D7"].value == 5 and wb["表三"]["E7"].value is None  # missing inputs stay blank
    assert wb["表二"]["B17"].value == Decimal("0.25")
    assert wb["表三"]["J7"].value == "=SUM(D7:I7)"


def test_fill_workbook_refuses_more_entries_than_rows():
    with pytest.raises(ValueError):
        fill_workbook(build_template(), Report(narratives={"opening": ("x",) * 7}))


# ---------------------------------------------------------------- printing and the guide


def text_rows(ws, place):
    from gaidocx.workbook.layout import TEXT_BLOCKS

    return next(b for b in TEXT_BLOCKS if b.place == place).rows


def test_spare_text_rows_are_hidden_so_printing_gives_no_pages_of_empty_rows(fillin_workbook):
    from gaidocx.workbook.fillin import SPARE_ROWS

    ws = fillin_workbook["基本信息"]
    for place, prefilled in (("opening", 1), ("一", 5), ("五", 2), ("六", 4)):
        rows = text_rows(ws, place)
        shown = [row for row in rows if not ws.row_dimensions[row].hidden]
        assert shown == list(rows[: prefilled + SPARE_ROWS]), place
        assert all(ws[f"B{row}"].value is None for row in shown[prefilled:])
    # what prints: the 92 text rows minus the hidden ones
    printed = [r for r in range(1, 100) if not ws.row_dimensions[r].hidden]
    assert len(printed) < 40
    assert fillin_workbook["基本信息"].print_area


def test_filled_rows_show_and_the_spare_rows_follow_the_last_entry():
    from gaidocx.workbook.fillin import SPARE_ROWS

    wb = build_template()
    entries = tuple(f"第{i}段。" for i in range(12)) + ("", "末段。")
    fill_workbook(wb, Report(narratives={"一": entries}))
    ws = wb["基本信息"]
    rows = text_rows(ws, "一")
    shown = [row for row in rows if not ws.row_dimensions[row].hidden]
    assert shown == list(rows[: len(entries) + SPARE_ROWS])


def test_guide_sentences_are_complete(fillin_workbook):
    ws = fillin_workbook["填报说明"]
    for row in range(4, ws.max_row + 1):
        text = ws.cell(row, 2).value
        if text:
            for line in text.split("\n"):
                assert line.endswith(("。", "）。")), line


def test_fee_cells_accept_six_decimals_and_say_so(fillin_workbook):
    ws = fillin_workbook["表二"]
    dv = next(dv for dv in ws.data_validations.dataValidation if "B17" in dv.sqref)
    assert dv.type == "decimal"  # any number of decimals passes Excel; the checks refuse more than six
    assert "6 位小数" in dv.error and "24252.311082" in dv.prompt
    guide = "\n".join(str(c.value) for row in fillin_workbook["填报说明"].iter_rows() for c in row if c.value)
    assert "最多 6 位" in guide and "精确到分" in guide


# ---------------------------------------------------------------- next year's template


@pytest.mark.parametrize(
    ("agency", "year", "name"),
    [
        ("某某县人民政府办公室", 2025, "某某县人民政府办公室2025年政府信息公开工作年度报告填报表.xlsx"),
        ("", None, "政府信息公开年度报告填报表.xlsx"),
        ("  ", None, "政府信息公开年度报告填报表.xlsx"),
        ("", 2025, "2025年政府信息公开工作年度报告填报表.xlsx"),
        ("某局", None, "某局政府信息公开工作年度报告填报表.xlsx"),
        ('某局/办公室:"甲"*?<>|', 2025, "某局_办公室__甲______2025年政府信息公开工作年度报告填报表.xlsx"),
        ("某 \n 局", 2025, "某 局2025年政府信息公开工作年度报告填报表.xlsx"),
        (". 某局", 2025, "某局2025年政府信息公开工作年度报告填报表.xlsx"),
    ],
)
def test_template_file_name_names_agency_and_year_safely(agency, year, name):
    from gaidocx.files import template_name

    assert template_name(agency, year) == name


def test_template_file_name_stays_short_enough_for_any_file_system():
    from gaidocx.files import template_name

    name = template_name("很" * 300, 2025)
    assert len(name.encode("utf-8")) < 255 and name.endswith("2025年政府信息公开工作年度报告填报表.xlsx")


def last_year_report() -> Report:
    inputs = {key: 0 for key, f in FIELDS.items() if not f.is_total}
    # last year: per column, 结转下年度继续办理 = column number
    inputs.update({f"t3.r25.c{c}": c for c in range(1, 7)})
    inputs.update({f"t3.r1.c{c}": c for c in range(1, 7)})
    return Report(
        agency=" 策勒县人民政府办公室 ",
        year=2024,
        kind="本行政区域",
        signed_on=datetime.date(2025, 1, 23),
        narratives={
            "opening": ("本报告依据……编制。2024年1月1日至2024年12月31日。",),
            "一": ("2024年，本机关坚持……。", "（一）主动公开。发布信息1171条。", "1.加强培训。", "（二）依申请公开。"),
            "五": ("存在的问题：……",),
            "六": ("（一）信息处理费收取情况。2024年未收取。", "（二）其他。无。"),
        },
        inputs=inputs,
    )


def test_next_year_template_fills_agency_year_carry_over_and_headings_but_no_text(tmp_path):
    from gaidocx.core.checks import check_report
    from gaidocx.core.form import FORM_2021 as form
    from gaidocx.workbook.fillin import save_reproducibly
    from gaidocx.workbook.filled import build_next_year_template
    from gaidocx.workbook.read import Reading, read_workbook

    previous = last_year_report()
    path = tmp_path / "next.xlsx"
    save_reproducibly(build_next_year_template(Reading(previous, [], frozenset()), datetime.date(2025, 1, 24)), path)
    reading = read_workbook(path)
    report = reading.report
    assert (report.agency, report.year, report.kind, report.signed_on) == ("策勒县人民政府办公室", 2025, "本行政区域", None)
    for c in range(1, 7):
        assert report.inputs[f"t3.r2.c{c}"] == c  # 上年结转 = last year's 结转下年度继续办理
    assert all(report.inputs[f"t3.r1.c{c}"] == 0 for c in range(1, 7))  # this year's own figures start at 0
    skeleton = {s.number: s.skeleton for s in form.narrative_sections}
    assert report.paragraphs("opening") == ("本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
                                            "（国办公开办函〔2021〕30号）要求编制。本报告中所列数据统计期限为2025年1月1日至2025年12月31日。",)
    assert report.paragraphs("一") == ("（一）主动公开。", "（二）依申请公开。")  # last year's headings, not its text
    assert report.paragraphs("五") == skeleton["五"]  # last year had no headings there
    assert report.paragraphs("六") == (skeleton["六"][0], "（二）其他。")  # the skeleton's model sentence kept
    text = "".join(p for place in ("opening", "一", "五", "六") for p in report.paragraphs(place))
    assert "1171" not in text and "2024" not in text
    # check --previous agrees with the carry-over it was started from
    problems = check_report(report, previous=previous, today=datetime.date(2026, 1, 20))
    assert not [p for p in problems if p.places and p.places[0].startswith("t3.r2.")]


def test_next_year_template_needs_last_years_year():
    from gaidocx.workbook.filled import build_next_year_template
    from gaidocx.workbook.read import Reading

    without_year = Reading(dataclasses.replace(last_year_report(), year=None), [], frozenset())
    with pytest.raises(ValueError, match="没有填写年度"):
        build_next_year_template(without_year, datetime.date(2025, 1, 24))

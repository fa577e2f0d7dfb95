"""The cell reader against openpyxl, its oracle: every cell of real and crafted workbooks reads the same."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import sys
import warnings

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries as openpyxl_range_boundaries

from gaidocx.workbook import cells, coordinates
from gaidocx.workbook.fillin import build_template
from gaidocx.workbook.cells import CellsError, Forbidden, load
from support import SAMPLE_WORKBOOK, members, varied_report, write_workbook, zipped

_MERGES = re.compile(rb"<(\w+:)?mergeCells\b[^>]*?(?:/>|>.*?</(?:\w+:)?mergeCells>)", re.S)


def xml_parts(data: bytes) -> dict[str, bytes]:
    return {name: content for name, content in members(data).items() if name.endswith((".xml", ".rels"))}


def oracle(data: bytes) -> openpyxl.Workbook:
    """openpyxl's reading, merged areas left out (the reader reads only an area's first cell)."""
    parts = members(data)
    for name in parts:
        if name.startswith("xl/worksheets/"):
            parts[name] = _MERGES.sub(b"", parts[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(zipped(parts)), data_only=False)


def plain(value: object) -> object:
    return getattr(value, "text", value)  # openpyxl's ArrayFormula


def assert_reads_as_openpyxl(data: bytes) -> cells.Book:
    expected, book = oracle(data), load(xml_parts(data))
    assert book.sheetnames == expected.sheetnames
    compared = 0
    for ws in expected.worksheets:
        sheet = book[ws.title]
        assert (sheet.max_row, sheet.max_column) == (ws.max_row, ws.max_column), ws.title
        for row, column in set(ws._cells) | set(sheet.cells):
            theirs, ours = ws.cell(row, column), sheet.cell(row, column)
            assert ours.coordinate == theirs.coordinate
            assert (plain(ours.value), ours.data_type) == (plain(theirs.value), theirs.data_type), (ws.title, ours.coordinate)
            assert type(ours.value) is type(plain(theirs.value)), (ws.title, ours.coordinate)
            compared += 1
        assert list(sheet.iter_rows(values_only=True)) == [
            tuple(plain(v) for v in row) for row in ws.iter_rows(values_only=True)
        ]
    assert compared > 0
    return book


def test_the_empty_template_reads_as_openpyxl_reads_it(tmp_path):
    path = tmp_path / "template.xlsx"
    build_template().save(path)
    assert_reads_as_openpyxl(path.read_bytes())


def test_the_sample_reads_as_openpyxl_reads_it():
    book = assert_reads_as_openpyxl(SAMPLE_WORKBOOK.read_bytes())
    assert any(c.data_type == "f" and c.cached is not None for s in book.worksheets for c in s.cells.values())


def test_a_filled_workbook_reads_as_openpyxl_reads_it(tmp_path):
    assert_reads_as_openpyxl(write_workbook(tmp_path / "filled.xlsx", varied_report()).read_bytes())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_libreoffice_saved_workbook_reads_as_openpyxl_reads_it(tmp_path):
    source = write_workbook(tmp_path / "in.xlsx", varied_report())
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    data = (tmp_path / "out" / "in.xlsx").read_bytes()
    parts = xml_parts(data)
    assert "xl/sharedStrings.xml" in parts  # LibreOffice shares its strings
    book = assert_reads_as_openpyxl(data)
    # LibreOffice writes no shared formulas for the totals: each keeps its own text and cached result
    assert not any(b't="shared"' in content for name, content in parts.items() if name.startswith("xl/worksheets/"))
    totals = [c for s in book.worksheets for c in s.cells.values() if c.data_type == "f"]
    assert totals and all(c.cached is not None and c.cached[1] is not None for c in totals)


# ---------------------------------------------------------------- a crafted workbook of every kind of cell

M = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet {M}><numFmts count="5">
<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>
<numFmt numFmtId="165" formatCode="0.00"/>
<numFmt numFmtId="166" formatCode="&quot;day&quot;0"/>
<numFmt numFmtId="167" formatCode="[Red]0;[Blue]yyyy"/>
<numFmt numFmtId="168" formatCode="[mm]:ss"/>
</numFmts>
<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>
<xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="46"/><xf numFmtId="168"/></cellXfs>
</styleSheet>"""

SHARED = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst {M} count="4" uniqueCount="4">
<si><t>plain</t></si>
<si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space="preserve">text  </t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>
<si><t>_x0007_bell and x005F_escaped</t></si>
<si><t/></si>
</sst>"""

SHEET = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet {M}><sheetData>
<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v>4.5</v></c><c r="C1"><v>1E3</v></c><c r="D1" s="3"><v>7</v></c>
<c r="E1" s="4"><v>8</v></c><c r="F1" s="5"><v>9</v></c><c r="G1"><v></v></c></row>
<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>3</v></c>
<c r="E2" t="str"><v>formula text</v></c><c r="F2" t="inlineStr"><is><t>inline</t></is></c>
<c r="G2" t="inlineStr"><is><r><t>in</t></r><r><t>runs</t></r></is></c><c r="H2" t="inlineStr"/></row>
<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="e"><v>#DIV/0!</v></c>
<c r="D3" t="d"><v>2025-01-23T00:00:00</v></c></row>
<row r="4"><c r="A4" s="1"><v>45680</v></c><c r="B4" s="2"><v>45680.5</v></c><c r="C4" s="1"><v>59</v></c>
<c r="D4" s="1"><v>60</v></c><c r="E4" s="1"><v>61</v></c><c r="F4" s="1"><v>0.25</v></c><c r="G4" s="6"><v>1.5</v></c>
<c r="H4" s="7"><v>0.01</v></c></row>
<row r="5"><c r="A5" s="1"><v>3000000</v></c><c r="B5" s="2"><v>-1000000</v></c><c r="C5" s="1"><v>1e300</v></c></row>
<row r="6"><c r="A6"><v>1</v></c><c r="B6"><v>2</v></c><c r="C6"><v>3</v></c>
<c r="D6"><f t="shared" ref="D6:D8" si="0">SUM(A6:C6)+$A$6+A$6+"A6"</f><v>13</v></c></row>
<row r="7"><c r="A7"><v>4</v></c><c r="D7"><f t="shared" si="0"/><v>9</v></c>
<c r="E7"><f t="shared" ref="E7:G7" si="1">LOG10(A7)+Sheet2!B7</f></c><c r="F7"><f t="shared" si="1"/></c></row>
<row r="8"><c r="D8"><f t="shared" si="0"/></c><c r="E8"><f t="shared" si="9"/></c>
<c r="F8"><f t="array" ref="F8">SUM(A6:A7*B6:B7)</f><v>10</v></c><c r="G8"><f>A1+B1</f><v></v></c></row>
<row><c><v>10</v></c><c t="s"><v>0</v></c><c r="E9"><v>11</v></c><c><v>12</v></c></row>
<row r="12"><c r="B12" s="3"/></row>
</sheetData></worksheet>"""


def crafted(sheet: str = SHEET, styles: str = STYLES, shared: str = SHARED, date1904: bool = False) -> bytes:
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    return zipped(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><workbook {M} {R}>{pr}<sheets>'
                '<sheet name="表一" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/styles.xml": styles.encode(),
            "xl/sharedStrings.xml": shared.encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(),
        }
    )


@pytest.mark.parametrize("date1904", [False, True])
def test_every_kind_of_cell_reads_as_openpyxl_reads_it(date1904):
    assert_reads_as_openpyxl(crafted(date1904=date1904))


def test_every_kind_of_cell_by_value():
    sheet = load(xml_parts(crafted()))["表一"]
    values = {address: (sheet[address].value, sheet[address].data_type) for address in (
        "A1", "B1", "C1", "D1", "E1", "F1", "G1", "A2", "B2", "C2", "D2", "E2", "F2", "G2", "H2", "A3", "B3", "C3")}
    assert values == {
        "A1": (42, "n"), "B1": (4.5, "n"), "C1": (1000.0, "n"), "D1": (7, "n"), "E1": (8, "n"), "F1": (9, "n"),
        "G1": (None, "n"), "A2": ("plain", "s"), "B2": ("rich text  ", "s"),
        "C2": ("_x0007_bell and escaped", "s"),  # the _xHHHH_ escapes are read.py's business
        "D2": ("", "s"), "E2": ("formula text", "s"), "F2": ("inline", "s"), "G2": ("inruns", "s"),
        "H2": (None, "inlineStr"), "A3": (True, "b"), "B3": (False, "b"), "C3": ("#DIV/0!", "e"),
    }
    assert sheet["D3"].value == datetime.datetime(2025, 1, 23) and sheet["D3"].data_type == "d"


def test_dates_count_the_leap_day_1900_never_had():
    sheet = load(xml_parts(crafted()))["表一"]
    assert sheet["A4"].value == datetime.datetime(2025, 1, 23)
    assert sheet["B4"].value == datetime.datetime(2025, 1, 23, 12)  # a custom 年月日 format
    assert sheet["C4"].value == datetime.datetime(1900, 2, 28)
    assert sheet["D4"].value == datetime.datetime(1900, 2, 28)  # Excel's "29 February 1900", as openpyxl reads it
    assert sheet["E4"].value == datetime.datetime(1900, 3, 1)
    assert sheet["F4"].value == datetime.time(6)
    assert sheet["G4"].value == datetime.timedelta(hours=36)  # [h]:mm:ss is a duration
    assert {sheet[a].data_type for a in ("A4", "B4", "C4", "G4")} == {"d"}
    assert load(xml_parts(crafted(date1904=True)))["表一"]["A4"].value == datetime.datetime(2029, 1, 24)


def test_out_of_range_serials_are_value_errors_that_keep_their_serial():
    sheet = load(xml_parts(crafted()))["表一"]
    found = {a: (sheet[a].value, sheet[a].data_type, sheet[a].serial) for a in ("A5", "B5", "C5", "A1")}
    assert found == {
        "A5": ("#VALUE!", "e", "3000000"),
        "B5": ("#VALUE!", "e", "-1000000"),
        "C5": ("#VALUE!", "e", "1e+300"),
        "A1": (42, "n", None),
    }


def test_shared_formulas_are_expanded_and_keep_their_cached_results():
    sheet = load(xml_parts(crafted()))["表一"]
    assert sheet["D6"].value == '=SUM(A6:C6)+$A$6+A$6+"A6"'
    assert sheet["D7"].value == '=SUM(A7:C7)+$A$6+A$6+"A6"'  # absolute parts and text stay
    assert sheet["D8"].value == '=SUM(A8:C8)+$A$6+A$6+"A6"'
    assert sheet["F7"].value == "=LOG10(B7)+Sheet2!C7"  # a function name is not a reference
    assert sheet["E8"].value == "="  # a child whose master never came, as openpyxl reads it
    assert sheet["F8"].value == "=SUM(A6:A7*B6:B7)" and sheet["F8"].data_type == "f"
    assert {a: sheet[a].cached for a in ("D6", "D7", "D8", "G8")} == {
        "D6": ("n", "13"), "D7": ("n", "9"), "D8": ("n", None), "G8": ("n", None),
    }
    assert set(sheet.cached_values()) == {"D6", "D7", "D8", "E7", "F7", "E8", "F8", "G8"}


def test_cells_without_coordinates_follow_their_row_and_the_cell_before():
    sheet = load(xml_parts(crafted()))["表一"]
    assert [sheet[a].value for a in ("A9", "B9", "E9", "F9")] == [10, "plain", 11, 12]
    assert (sheet.max_row, sheet.max_column) == (12, 8)
    assert sheet["Z99"].value is None and sheet["Z99"].coordinate == "Z99"


@pytest.mark.parametrize(
    "code, date",
    [("yyyy/m/d", True), ("h:mm", True), ('"d"0', False), ("[Red]0", False), ("0.00", False), ("[h]:mm", True),
     ("0;yyyy", False), (r"\d0", False), ("_d0", False), ("[$-804]yyyy年m月d日", True), ("General", False)],
)
def test_date_formats_as_openpyxl_sees_them(code, date):
    from openpyxl.styles.numbers import is_date_format

    assert cells.is_date_format(code) is date is is_date_format(code)


@pytest.mark.parametrize("number", list(range(0, 60)))
def test_builtin_date_formats_are_openpyxls(number):
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    code = BUILTIN_FORMATS.get(number)
    assert (number in cells.BUILTIN_DATE_FORMATS) is is_date_format(code)
    if number in cells.BUILTIN_DATE_FORMATS:
        assert cells.BUILTIN_DATE_FORMATS[number] == code
        assert cells.is_duration_format(code) is is_timedelta_format(code)


@pytest.mark.parametrize("serial", [1, 59, 60, 61, 0.5, 0.999999, 45680.25, 2958465.99, -5, 1e-9, 100.000001, 3e6, -1e6, 1e300])
def test_from_excel_is_openpyxls(serial):
    from openpyxl.utils.datetime import MAC_EPOCH, from_excel

    def outcome(convert, *args, **kwargs):
        try:
            return convert(serial, *args, **kwargs)
        except (OverflowError, ValueError) as exc:
            return type(exc)

    assert outcome(cells.from_excel) == outcome(from_excel)
    assert outcome(cells.from_excel, cells.MAC_EPOCH) == outcome(from_excel, MAC_EPOCH)
    assert outcome(cells.from_excel, duration=True) == outcome(from_excel, timedelta=True)


@pytest.mark.parametrize("text", ["A1:C3", "$A$1:$XFD$1048576", "A:C", "2:5", "B7", "A1:", "A:1", "1A", "", "ZZZZ1:A1"])
def test_range_boundaries_is_openpyxls(text):
    try:
        expected = openpyxl_range_boundaries(text)
    except ValueError:
        with pytest.raises(ValueError):
            coordinates.range_boundaries(text)
        return
    assert coordinates.range_boundaries(text) == expected


# ---------------------------------------------------------------- refusals


def test_a_doctype_is_refused_even_past_the_archive_guard():
    sheet = SHEET.replace("<worksheet", '<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet', 1)
    with pytest.raises(Forbidden):
        load(xml_parts(crafted(sheet)))


def test_a_doctype_in_utf16_without_a_byte_order_mark_is_refused_too():
    part = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "bbbb">]><x>&a;</x>'.encode("utf-16-le")
    with pytest.raises(Forbidden):
        cells._tree(part)


@pytest.mark.parametrize(
    "sheet",
    [
        SHEET[:-40],  # cut short
        SHEET.replace('<v>0</v></c><c r="B2"', '<v>99</v></c><c r="B2"'),  # no such shared string
        SHEET.replace("<v>42</v>", "<v>forty-two</v>"),
        SHEET.replace('r="A1"', 'r="1A"'),
        SHEET.replace('<row r="1">', '<row r="1.5">'),
    ],
)
def test_malformed_sheets_raise_cells_error(sheet):
    with pytest.raises(CellsError):
        load(xml_parts(crafted(sheet)))
    with pytest.raises(Exception):  # openpyxl cannot read them either
        oracle(crafted(sheet))


def test_a_missing_sheet_part_raises_cells_error():
    parts = xml_parts(crafted())
    del parts["xl/worksheets/sheet1.xml"]
    with pytest.raises(CellsError):
        load(parts)


def test_checking_a_workbook_imports_no_openpyxl():
    code = (
        "import sys; from gaidocx.workbook.read import read_workbook; "
        f"reading = read_workbook({str(SAMPLE_WORKBOOK)!r}); "
        "assert reading.problems == [], reading.problems; "
        "assert not [m for m in sys.modules if m.startswith('openpyxl')], 'openpyxl imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)


def test_the_hostile_sample_variants_read_as_openpyxl_reads_them():
    """The cheap members of the hostile corpus that the guard lets through read the same."""
    from malicious import alt_enter_lines

    book = assert_reads_as_openpyxl(alt_enter_lines(50, 5))
    assert any(isinstance(c.value, str) and c.value.count("\n") == 49 for s in book.worksheets for c in s.cells.values())

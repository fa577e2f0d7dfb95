"""Property-based tests: whatever is typed arrives in the .docx; whatever is broken never crashes."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from malicious import zipped
from openpyxl.cell.cell import MergedCell
from support import SAMPLE_WORKBOOK, sample_report, write_workbook

from gaidocx.cli import cli
from gaidocx.core.checks import agency_key
from gaidocx.core.form import FORM_2021, Kind
from gaidocx.core.narrative import split_paragraphs
from gaidocx.document.render import render_docx
from gaidocx.pipeline import check_workbook
from gaidocx.workbook.layout import field_cell

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text a person can type or paste: every assigned character XML 1.0 allows (controls are
# removed with a warning, tested separately), including emoji and CJK beyond the BMP.
typed_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n&<>\"'{}%#𠀀😀中文，。（）"),
    min_size=1,
    max_size=200,
).filter(lambda text: split_paragraphs(text))

FIELDS = FORM_2021.fields
TABLES = FORM_2021.tables
TABLE_3 = FORM_2021.table("三")

# Up to five digits: table 四's narrow cells hold that many on one line (a wider figure wraps).
count = st.integers(min_value=0, max_value=99_999)
fee = st.decimals(min_value=0, max_value=99_999, places=4)


@st.composite
def consistent_figures(draw):
    """Every input figure, with 表三 balanced in every column (the 结转 row closes the sum)."""
    inputs = {key: (draw(fee) if f.kind is Kind.FEE else draw(count)) for key, f in FIELDS.items() if not f.is_total}
    for balance in TABLE_3.balances:
        first, second = balance.left
        results_total, carried = balance.right
        if FIELDS[first].is_total:
            continue
        results = sum(inputs[part] for part in FIELDS[results_total].parts)
        inputs[carried] = draw(st.integers(min_value=0, max_value=1000))
        inputs[second] = draw(st.integers(min_value=0, max_value=results + inputs[carried]))
        inputs[first] = results + inputs[carried] - inputs[second]
    return inputs


def figure_cells(document) -> dict[str, str]:
    """Each field's text, read from the docx table cell at the field's official grid position."""
    tables = dict(zip((t.number for t in TABLES), document.tables))
    return {key: tables[FORM_2021.table_of(key).number].cell(f.row, f.col).text for key, f in FIELDS.items()}


@SETTINGS
@given(figures=consistent_figures(), agency=typed_text.filter(agency_key), texts=st.lists(typed_text, min_size=1, max_size=3))
def test_every_figure_and_character_arrives(tmp_path, figures, agency, texts):
    agency = " ".join(split_paragraphs(agency))  # one line: the agency is not a paragraph list
    report = dataclasses.replace(
        sample_report(),
        agency=agency,
        inputs=figures,
        narratives={**sample_report().narratives, "五": tuple(texts)},
    )
    source = write_workbook(tmp_path / "in.xlsx", report)
    checked = check_workbook(source)
    assert not checked.errors, checked.errors
    output = tmp_path / "out.docx"
    output.write_bytes(render_docx(checked.report))
    document = docx.Document(str(output))
    paragraphs = [p.text for p in document.paragraphs]
    assert agency.strip() in paragraphs
    for text in texts:
        for paragraph in split_paragraphs(text):
            assert paragraph in paragraphs
    cells = figure_cells(document)
    expected = checked.report.figures()
    for key, value in figures.items():
        assert cells[key] == (format(Decimal(value).normalize(), "f") if FIELDS[key].kind is Kind.FEE else str(value))
    for key, f in FIELDS.items():
        if f.is_total:
            assert cells[key] == str(expected[key]) == str(sum(expected[p] for p in f.parts))


# ---------------------------------------------------------------- corruption

SAMPLE_BYTES = SAMPLE_WORKBOOK.read_bytes()


@st.composite
def corrupted_bytes(draw):
    data = bytearray(SAMPLE_BYTES)
    how = draw(st.sampled_from(["flip", "truncate", "member"]))
    if how == "flip":
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if how == "truncate":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    with zipfile.ZipFile(io.BytesIO(SAMPLE_BYTES)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    name = draw(st.sampled_from(sorted(members)))
    if draw(st.booleans()):
        del members[name]
    else:
        blob = bytearray(members[name])
        position = draw(st.integers(0, max(len(blob) - 1, 0)))
        blob[position:position] = draw(st.binary(min_size=1, max_size=8))
        members[name] = bytes(blob)
    return zipped(members)


cell_values = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.booleans(),
    st.dates(),
    st.sampled_from(["#REF!", "#DIV/0!", "=1/0", "=SUM(A1:A2)", "５件", "251000元", "１２"]),
)


@st.composite
def corrupted_workbook_edits(draw):
    """Random cells of random sheets overwritten, or a sheet removed."""
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        sheet = draw(st.sampled_from(["填报说明", "基本信息", "表二", "表三", "表四"]))
        cell = draw(st.sampled_from([field_cell(k)[1] for k in FIELDS] + ["A1", "B2", "B3", "B4", "B5", "A7", "C9"]))
        edits.append((sheet, cell, draw(cell_values)))
    drop = draw(st.sampled_from([None, "基本信息", "表三", "填报说明"]))
    return edits, drop


def assert_clean_refusal(tmp_path: Path, source: Path) -> None:
    before = source.read_bytes()
    output = tmp_path / "out.docx"
    for command in (["check", str(source)], ["render", str(source), "-o", str(output), "--force"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code in (0, 1, 2), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        assert "意外错误" not in result.output, result.output
        if command[0] == "render" and result.exit_code != 0:
            assert not output.exists()
    assert source.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".gaidocx")] == []


@SETTINGS
@given(data=corrupted_bytes())
def test_corrupted_bytes_never_crash(tmp_path, data):
    source = tmp_path / "in.xlsx"
    source.write_bytes(data)
    (tmp_path / "out.docx").unlink(missing_ok=True)
    assert_clean_refusal(tmp_path, source)


@SETTINGS
@given(change=corrupted_workbook_edits())
def test_corrupted_cells_and_sheets_never_crash(tmp_path, change):
    edits, drop = change

    def edit(workbook: openpyxl.Workbook) -> None:
        for sheet, cell, value in edits:
            if sheet in workbook.sheetnames and not isinstance(workbook[sheet][cell], MergedCell):
                workbook[sheet][cell] = value
        if drop:
            del workbook[drop]

    (tmp_path / "out.docx").unlink(missing_ok=True)
    assert_clean_refusal(tmp_path, write_workbook(tmp_path / "in.xlsx", edit=edit))

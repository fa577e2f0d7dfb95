"""Where each part of the form sits in the fill-in workbook.

Pure data and arithmetic (no openpyxl): the template builder writes by it, the
reader reads by it, and problem messages use it to name ``sheet!cell``.
Each table sheet mirrors the official grid, starting at ``TABLE_TOP_ROW``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from gaidocx.core.checks import paragraph_place, section_place
from gaidocx.core.report import AGENCY, METADATA_LABELS, REPORT_KIND, SIGNED_ON, YEAR
from gaidocx.core.form import FORM_2021, Form, OPENING, Table
from gaidocx.workbook.coordinates import column_letter

#: The form this workbook lays out: one sheet per table of it, one text block per narrative section.
FORM = FORM_2021

#: Bumped whenever the workbook layout changes; the reader refuses other versions.
TEMPLATE_VERSION = "gaidocx-2021.2"
#: Earlier versions the reader still accepts: 2021.1 lacks only the 报告类型 row (read as 本机关).
READABLE_VERSIONS = ("gaidocx-2021.1", TEMPLATE_VERSION)

GUIDE_SHEET = "填报说明"
VERSION_LABEL = "模板版本"
VERSION_CELL = "B2"  # on the guide sheet; A2 holds VERSION_LABEL

INFO_SHEET = "基本信息"
#: Metadata: (place, label, cell of the value).  Labels sit in column A.
METADATA = tuple(
    (place, METADATA_LABELS[place], cell)
    for place, cell in ((AGENCY, "B3"), (YEAR, "B4"), (SIGNED_ON, "B5"), (REPORT_KIND, "B6"))
)
TEXT_COLUMN = "B"
LABEL_COLUMN = "A"

TABLE_TOP_ROW = 4  # rows 1–3 of a table sheet hold its title and a hint


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Rows for the paragraphs of the opening or of a narrative section."""

    place: str  # OPENING or a section number
    heading: str
    header_row: int
    capacity: int

    @property
    def rows(self) -> range:
        return range(self.header_row + 1, self.header_row + 1 + self.capacity)


OPENING_HEADING = "开头段落（标题之后、“一、总体情况”之前）"
_CAPACITIES = {OPENING: 6, "一": 40, "五": 20, "六": 20}


def text_blocks(form: Form = FORM_2021) -> tuple[TextBlock, ...]:
    """The rows of the opening and of each narrative section on the 基本信息 sheet."""
    blocks = []
    row = 7
    for place, heading in ((OPENING, OPENING_HEADING), *((s.number, s.title) for s in form.narrative_sections)):
        blocks.append(TextBlock(place, heading, row, _CAPACITIES[place]))
        row += _CAPACITIES[place] + 2
    return tuple(blocks)


TEXT_BLOCKS = text_blocks()


def paragraph_label(index: int) -> str:
    """Column A beside the ``index``-th (0-based) text entry of a block."""
    return f"第{index + 1}段"


def sheet_name(table: Table) -> str:
    return f"表{table.number}"


def grid_cell(row: int, col: int) -> str:
    """The A1 address of a 0-based table grid position."""
    return f"{column_letter(col + 1)}{TABLE_TOP_ROW + row}"


@functools.lru_cache(maxsize=1024)  # a few hundred fields, looked up for every workbook read
def field_cell(key: str, form: Form = FORM_2021) -> tuple[str, str]:
    """(sheet, cell) of a value field."""
    f = form.fields[key]
    return sheet_name(form.table_of(key)), grid_cell(f.row, f.col)


def describe(place: str, form: Form = FORM_2021) -> str:
    """A place as the user finds it: ``表三!D7（一、本年新收政府信息公开申请数量 × 自然人）``."""
    if place in form.fields:
        sheet, cell = field_cell(place, form)
        return f"{sheet}!{cell}（{form.fields[place].labels}）"
    for meta_place, label, cell in METADATA:
        if place == meta_place:
            return f"{INFO_SHEET}!{cell}（{label}）"
    for block in TEXT_BLOCKS:
        if place == section_place(block.place):
            first, last = block.rows[0], block.rows[-1]
            return f"{INFO_SHEET}!{TEXT_COLUMN}{first}:{TEXT_COLUMN}{last}（{block.heading}）"
        prefix = paragraph_place(block.place, 0)[:-1]
        if place.startswith(prefix):
            index = int(place[len(prefix):])
            return f"{INFO_SHEET}!{TEXT_COLUMN}{block.rows[0] + index}（{block.heading} {paragraph_label(index)}）"
    return place


def describe_all(places: tuple[str, ...] | list[str], form: Form = FORM_2021) -> str:
    """Several places, as short as they stay clear: cells of one column of one sheet are named
    together, ``表三!F7、F8、F30、F31（科研机构）``; any other place as ``describe`` gives it."""
    parts: list[str] = []
    index = 0
    while index < len(places):
        group = [places[index]]
        if places[index] in form.fields:
            column = (field_cell(places[index], form)[0], form.fields[places[index]].col_label)
            while (
                index + len(group) < len(places)
                and places[index + len(group)] in form.fields
                and (field_cell(places[index + len(group)], form)[0], form.fields[places[index + len(group)]].col_label) == column
            ):
                group.append(places[index + len(group)])
        if len(group) > 2:
            sheet, label = column
            parts.append(f"{sheet}!{_cell_runs([field_cell(place, form)[1] for place in group])}（{label}）")
        else:
            parts.extend(describe(place, form) for place in group)
        index += len(group)
    return "、".join(parts)


#: Cells of one column in a row at least this long are named as a range, ``D9:D29``.
_RUN = 4


def _cell_runs(cells: list[str]) -> str:
    """``D7、D8、D9、D10、D12`` as ``D7:D10、D12``: consecutive rows of one column as a range."""
    runs: list[list[str]] = []
    for cell in cells:
        if runs and _next_row(runs[-1][-1]) == cell:
            runs[-1].append(cell)
        else:
            runs.append([cell])
    return "、".join(f"{run[0]}:{run[-1]}" if len(run) >= _RUN else "、".join(run) for run in runs)


def _next_row(cell: str) -> str:
    column = cell.rstrip("0123456789")
    return f"{column}{int(cell[len(column):]) + 1}"


@functools.lru_cache(maxsize=1024)  # every total of every workbook read is compared with it
def total_formula(key: str, form: Form = FORM_2021) -> str:
    """The formula of a total cell: a SUM over its parts, which always form one row or column run."""
    f = form.fields[key]
    cells = [field_cell(part, form)[1] for part in f.parts]
    return f"=SUM({cells[0]}:{cells[-1]})"

"""Workbooks of issue 17's "Figures and names", shared by the tests and benchmarks/hostile_figures.py."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from support import SAMPLE_WORKBOOK, sample_report

#: The most characters an Excel cell holds.
FULL_CELL = 32_767


def sample_edited(edit: Callable) -> bytes:
    """The shipped sample workbook, changed by ``edit(workbook)`` in openpyxl."""
    import openpyxl

    workbook = openpyxl.load_workbook(SAMPLE_WORKBOOK)
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def full_narrative_cells() -> bytes:
    """Every text cell of 基本信息 holding 32,767 characters that do not compress (as pasted text
    would not), which openpyxl writes as 2.8 million character references."""
    from gaidocx.workbook.layout import INFO_SHEET, TEXT_BLOCKS, TEXT_COLUMN

    def fill(workbook) -> None:
        chance = random.Random(17)
        for row in (row for block in TEXT_BLOCKS for row in block.rows):
            text = "".join(chr(chance.randrange(0x4E00, 0x9FA5)) for _ in range(FULL_CELL))
            workbook[INFO_SHEET][f"{TEXT_COLUMN}{row}"] = text

    return sample_edited(fill)


def set_cells(**cells: object) -> bytes:
    """The sample with cells set, given as ``表三_D31=-5``."""

    def edit(workbook) -> None:
        for name, value in cells.items():
            sheet, cell = name.split("_")
            workbook[sheet][cell] = value

    return sample_edited(edit)


def blank_template_with_year() -> bytes:
    """A template made without a year, filled like the sample, its opening kept and 年度 typed later."""
    from gaidocx.workbook.fillin import build_template
    from gaidocx.workbook.filled import fill_workbook
    from gaidocx.workbook.layout import INFO_SHEET, TEXT_BLOCKS, TEXT_COLUMN

    workbook = build_template()
    opening = f"{TEXT_COLUMN}{TEXT_BLOCKS[0].rows[0]}"
    kept = workbook[INFO_SHEET][opening].value
    fill_workbook(workbook, sample_report())
    workbook[INFO_SHEET][opening] = kept
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

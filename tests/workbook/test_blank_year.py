"""A template made without a year: the user is told, and the opening's “____” follows 年度 (issue 17)."""

from __future__ import annotations

import datetime
from pathlib import Path

from support import sample_report

from gaidocx.core.checks import check_report
from gaidocx.core.form import OPENING, YEAR_PLACEHOLDER, opening_skeleton
from gaidocx.pipeline import make_template
from gaidocx.workbook.fillin import build_template
from gaidocx.workbook.filled import fill_workbook
from gaidocx.workbook.layout import INFO_SHEET, METADATA, TEXT_BLOCKS, TEXT_COLUMN
from gaidocx.workbook.read import read_workbook

OPENING_CELL = f"{TEXT_COLUMN}{TEXT_BLOCKS[0].rows[0]}"
YEAR_CELL = next(cell for place, _, cell in METADATA if place == "year")


def blank_template_filled(path: Path, opening: str | None = None, year: int | None = 2024) -> Path:
    """A template built without a year, filled with the sample except the opening, then 年度 typed."""
    workbook = build_template()
    kept = workbook[INFO_SHEET][OPENING_CELL].value
    fill_workbook(workbook, sample_report())
    workbook[INFO_SHEET][OPENING_CELL] = opening if opening is not None else kept
    workbook[INFO_SHEET][YEAR_CELL] = year
    workbook.save(path)
    return path


def test_the_blank_templates_opening_takes_the_year_typed_in_its_cell(tmp_path: Path):
    assert YEAR_PLACEHOLDER in build_template()[INFO_SHEET][OPENING_CELL].value
    reading = read_workbook(blank_template_filled(tmp_path / "填报表.xlsx"))
    assert reading.report.narratives[OPENING][0] == opening_skeleton(2024)[0]
    assert "2024年1月1日至2024年12月31日" in reading.report.paragraphs(OPENING)[0]
    problems = check_report(reading.report, today=datetime.date(2025, 3, 1), reported=reading.unreadable)
    assert not [p for p in problems if p.is_error], problems


def test_a_placeholder_the_user_wrote_stays_an_error_and_so_does_the_opening_without_a_year(tmp_path: Path):
    reading = read_workbook(blank_template_filled(tmp_path / "a.xlsx", opening="本报告统计期限为____年。"))
    assert reading.report.narratives[OPENING][0] == "本报告统计期限为____年。"
    errors = [p for p in check_report(reading.report, reported=reading.unreadable) if p.is_error]
    assert [p.places for p in errors] == [("opening#0",)] and YEAR_PLACEHOLDER in errors[0].message
    reading = read_workbook(blank_template_filled(tmp_path / "b.xlsx", year=None))
    assert YEAR_PLACEHOLDER in reading.report.narratives[OPENING][0]


def test_a_template_without_a_year_says_so_and_which_placeholder_is_the_year(tmp_path: Path):
    [note] = make_template(tmp_path / "a.xlsx").warnings
    assert "没有指定年度" in note and f"{INFO_SHEET}”的 {YEAR_CELL}" in note and YEAR_PLACEHOLDER in note
    assert make_template(tmp_path / "b.xlsx", year=2024, today=datetime.date(2025, 1, 2)).warnings == []

"""One number stored as text, after a LibreOffice save: one message at its cell (issue 17)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from support import varied_report, write_workbook

from gaidocx.pipeline import check_workbook, format_problem

RESULT = "t3.r3.c1"  # 表三!D9: （一）予以公开 × 自然人, in its row's total J9, the column's D30 and J30


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_figure_in_three_totals_stored_as_text_is_one_message_naming_the_totals(tmp_path: Path):
    def as_text(workbook):
        cell = workbook["表三"]["D9"]
        cell.value, cell.data_type = str(varied_report().inputs[RESULT]), "s"

    source = write_workbook(tmp_path / "text.xlsx", varied_report(), as_text)
    folder = tmp_path / "saved"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    checked = check_workbook(folder / "text.xlsx")
    [problem] = checked.problems
    assert problem.places == (RESULT,) and problem.is_error
    assert "（J9、D30、J30）" in problem.message and "重新输入数字" in problem.message
    line = format_problem(problem)
    assert line.startswith("错误  表三!D9（（一）予以公开 × 自然人）：") and line.count("予以公开") == 1

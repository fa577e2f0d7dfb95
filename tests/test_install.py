"""An installed gaidocx works from any folder, with its templates shipped as package data."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from support import SAMPLE_WORKBOOK

COMMAND = shutil.which("gaidocx", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(COMMAND is None, reason="gaidocx is not installed in this environment")


def test_installed_command_renders_the_sample_from_another_folder(tmp_path):
    result = subprocess.run(
        [COMMAND, "render", str(SAMPLE_WORKBOOK), "-o", "报告.docx"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert len(docx.Document(str(tmp_path / "报告.docx")).tables) == 3


def test_installed_command_writes_a_template(tmp_path):
    result = subprocess.run([COMMAND, "template"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "政府信息公开年度报告填报表.xlsx").is_file()

"""Reading a workbook stays within its memory bound however its text is written (issue 17)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from figure_files import full_narrative_cells
from support import SAMPLE_WORKBOOK

from gaidocx.workbook import cells

#: The child's own peak (VmHWM): ru_maxrss survives exec, so a child of a big pytest process would report the parent's.
_PEAK_OF_CHECK = """
import re, sys
from pathlib import Path
from gaidocx.pipeline import check_workbook
checked = check_workbook(Path(sys.argv[1]))
peak_kb = int(re.search(r"VmHWM:\\s*(\\d+)", Path("/proc/self/status").read_text())[1])
print(len(checked.errors), peak_kb // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_checking_every_narrative_cell_full_peaks_under_200_mb(tmp_path: Path):
    path = tmp_path / "full.xlsx"
    path.write_bytes(full_narrative_cells())
    result = subprocess.run([sys.executable, "-c", _PEAK_OF_CHECK, str(path)], capture_output=True, text=True, check=True)
    errors, peak_mb = map(int, result.stdout.split())
    assert errors == 1  # the text is over the reader's bound, and says so once
    assert peak_mb <= 200, f"peak {peak_mb} MB"


def test_a_part_with_many_references_reads_as_the_c_builder_reads_it():
    with zipfile.ZipFile(SAMPLE_WORKBOOK) as archive:
        parts = [archive.read(name) for name in archive.namelist() if name.endswith(".xml")]
    for part in parts:
        fast, careful = cells._tree(part), cells._careful_tree(part)
        assert [(e.tag, e.attrib, e.text, e.tail) for e in careful.iter()] == [
            (e.tag, e.attrib, e.text, e.tail) for e in fast.iter()
        ]

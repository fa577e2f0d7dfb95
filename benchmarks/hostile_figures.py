"""Hostile cases of issue 17's "Figures and names" (the files are built by
``tests/workbook/figure_files.py``, which the tests use too).

Gathered by ``benchmarks/hostile.py``; run ``python benchmarks/hostile.py --runs 1 --only figures``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "workbook"))

from figure_files import full_narrative_cells  # noqa: E402
from hostile import Case, checked  # noqa: E402

CASES: dict[str, Case] = {
    "figures-full-narrative-cells": checked(full_narrative_cells),
}

"""Cases of issue 17's "Figures and names" and of what a new user tripped on in checks and
workbooks (the files are built by ``tests/figure_files.py``, which the tests use too).

Gathered by ``benchmarks/hostile.py``; run ``python benchmarks/hostile.py --runs 1 --only figures``.
"""

from __future__ import annotations

from pathlib import Path

from figure_files import blank_template_with_year, full_narrative_cells, set_cells  # tests/, on the path hostile.py sets
from hostile import Case, checked

#: 表二!D6 (规章 × 现行有效件数), in no balance: two agencies of 60,000,000 each sum beyond check's limit.
_LARGE = {"表二_D6": 60_000_000}


def _from_last_year(make) -> Case:
    return Case(make, ".xlsx", lambda path, out: ["template", "--from", path, "-o", f"{out}/next.xlsx", "--force"])


def _summary_with_a_second_agency(path: str, out: str) -> list[str]:
    """``summary`` of the file and of a copy under another agency's name, written beside the outputs."""
    second = Path(out) / "second-agency.xlsx"
    second.write_bytes(set_cells(基本信息_B3="另一个局", **_LARGE))
    return ["summary", path, str(second), "-o", f"{out}/summary.xlsx", "--agency", "某某县人民政府", "--force"]


CASES: dict[str, Case] = {
    "figures-full-narrative-cells": checked(full_narrative_cells),
    "figures-fee-typed-as-text": Case(
        lambda: set_cells(表二_B17="-0"), ".xlsx", lambda path, out: ["render", path, "--json", "-o", f"{out}/fee.docx", "--force"]
    ),
    "figures-agency-rtl-override": checked(lambda: set_cells(基本信息_B3="策勒县\u202e公办府政民人")),
    "figures-agency-only-invisible": checked(lambda: set_cells(基本信息_B3="\u200b\u202e")),
    "figures-text-in-carry-over": _from_last_year(lambda: set_cells(表三_D31="五件")),
    "figures-carry-over-10e15": _from_last_year(lambda: set_cells(表三_D31=10**15)),
    "figures-from-year-2099": _from_last_year(lambda: set_cells(基本信息_B4=2099)),
    "figures-summary-beyond-check": Case(lambda: set_cells(**_LARGE), ".xlsx", _summary_with_a_second_agency),
    "figures-blank-template-year-typed": checked(blank_template_with_year),
}

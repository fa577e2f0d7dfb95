"""Regenerate every committed generated file from the code that defines it.

    python scripts/generate.py

writes the Excel fill-in template, the Word report template and the filled
sample workbook.  tests/test_generated.py fails when a committed file differs
from what this script would write, so run it after changing the form, the
workbook layout or the Word template builder, and commit the results.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gaidocx.core.report import Report, report_from_dict  # noqa: E402
from gaidocx.document.word_template import write_word_template  # noqa: E402
from gaidocx.workbook.fillin import build_template, save_reproducibly, write_template  # noqa: E402
from gaidocx.workbook.filled import fill_workbook  # noqa: E402

EXCEL_TEMPLATE = ROOT / "templates" / "excel" / "annual-report-input.xlsx"
WORD_TEMPLATE = ROOT / "templates" / "word" / "annual-report.docx"
SAMPLE_DATA = ROOT / "samples" / "cele-county-2024.json"
SAMPLE_WORKBOOK = ROOT / "samples" / "cele-county-2024.xlsx"


def load_sample() -> Report:
    return report_from_dict(json.loads(SAMPLE_DATA.read_text(encoding="utf-8")))


def write_sample_workbook(path: Path) -> None:
    report = load_sample()
    workbook = build_template(agency=report.agency, year=report.year)
    fill_workbook(workbook, report)
    save_reproducibly(workbook, path)


def generate(excel: Path = EXCEL_TEMPLATE, word: Path = WORD_TEMPLATE, sample: Path = SAMPLE_WORKBOOK) -> None:
    write_template(excel)
    write_word_template(word)
    write_sample_workbook(sample)


if __name__ == "__main__":
    generate()
    for path in (EXCEL_TEMPLATE, WORD_TEMPLATE, SAMPLE_WORKBOOK):
        print(f"wrote {path.relative_to(ROOT)}")

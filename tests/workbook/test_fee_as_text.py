"""A fee typed as text is read as the number it says, written as the schema and the report want it (issue 17)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from support import ROOT, sample_report, write_workbook

from gaidocx.core.checks import check_report
from gaidocx.core.records import report_json
from gaidocx.core.report import checked_report
from gaidocx.core.form import Kind
from gaidocx.core.report import format_figure
from gaidocx.workbook.read import read_workbook

FEE = "t2.r6.c1"  # 表二!B17: 行政事业性收费, 万元
SCHEMA = ROOT / "gaidocx" / "schemas" / "report.schema.json"


@pytest.mark.parametrize(
    ("typed", "printed"),
    [("1.50", "1.5"), ("0.0", "0"), ("1.500000", "1.5"), ("-0", "0"), ("-0.000", "0"), ("100.0", "100"), (-0.0, "0")],
)
def test_a_fee_typed_as_text_is_a_plain_number(tmp_path: Path, typed, printed):
    def edit(workbook):
        workbook["表二"]["B17"] = typed

    reading = read_workbook(write_workbook(tmp_path / "填报表.xlsx", sample_report(), edit))
    fee = reading.report.inputs[FEE]
    assert fee == Decimal(printed) and format_figure(fee, Kind.FEE) == printed
    problems = reading.problems + check_report(reading.report, reported=reading.unreadable)
    assert not [p for p in problems if p.is_error]
    data = json.loads(report_json(checked_report(reading.report), problems))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(data)
    values = [item["value"] for item in data["tables"]["二"]["figures"] if item["key"] == FEE]
    assert values == [printed]

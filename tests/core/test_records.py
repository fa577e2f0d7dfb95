"""A report as data: JSON validated against the published schema, the round trip, and the CSV export."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import subprocess
import sys
from decimal import Decimal

import jsonschema
import pytest
from click.testing import CliRunner
from support import ROOT, sample_report, varied_report, write_workbook

from gaidocx import __version__
from gaidocx.cli import cli
from gaidocx.core.checks import check_report, error, warning
from gaidocx.core.report import METADATA_LABELS, checked_report
from gaidocx.core.records import (
    DATA_FORMAT,
    RULES_VERSION,
    DataError,
    csv_header,
    data_to_report,
    report_json,
    report_schema,
    report_to_data,
    reports_to_csv,
    reports_to_csv_bytes,
    schema_json,
)
from gaidocx.core.form import AREA_REPORT, FORM_2021, FORMAT_NAME, OPENING, Kind
from gaidocx.pipeline import check_workbook

FIELDS = FORM_2021.fields
SCHEMA_FILES = (ROOT / "gaidocx" / "schemas" / "report.schema.json", ROOT / "docs" / "report.schema.json")
FEE_KEY = next(key for key, f in FIELDS.items() if f.kind is Kind.FEE)


def validator(schema=None):
    schema = schema or json.loads(SCHEMA_FILES[0].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def validate(data) -> None:
    """Against the published file, after a trip through JSON text as a consumer would read it."""
    errors = list(validator().iter_errors(json.loads(json.dumps(data, ensure_ascii=False))))
    assert not errors, [e.message for e in errors[:5]]


# ---------------------------------------------------------------- schema


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=("package", "docs"))
def test_published_schema_is_the_generated_one(path):
    assert path.read_text(encoding="utf-8") == schema_json(), (
        f"{path} is stale: regenerate it with "
        "python -c 'from gaidocx.core.records import schema_json; print(schema_json(), end=\"\")' > FILE"
    )


def test_schema_is_valid_draft_2020_12():
    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


# ---------------------------------------------------------------- JSON


@pytest.mark.parametrize("make", (sample_report, varied_report), ids=("sample", "varied"))
def test_json_holds_every_figure_under_its_official_labels(make):
    report = make()
    problems = check_report(report)
    data = json.loads(report_json(checked_report(report), problems))
    validate(data)
    assert data["format"] == DATA_FORMAT
    assert data["gaidocx_version"] == __version__
    assert data["rules_version"] == RULES_VERSION and RULES_VERSION.startswith(FORMAT_NAME)
    assert (data["agency"], data["year"], data["kind"]) == (report.agency, report.year, report.kind)
    assert data["signed_on"] == report.signed_on.isoformat()
    figures = report.figures()
    seen = {}
    for table in FORM_2021.tables:
        items = data["tables"][table.number]["figures"]
        assert [item["key"] for item in items] == [f.key for f in table.fields]
        for item in items:
            f = FIELDS[item["key"]]
            assert (item["row"], item["column"], item["total"]) == (f.row_label, f.col_label, f.is_total)
            seen[f.key] = Decimal(item["value"]) if f.kind is Kind.FEE else item["value"]
    assert seen == figures  # totals included, every value equal
    assert sum(FIELDS[k].is_total for k in seen) == sum(f.is_total for f in FIELDS.values()) > 0
    assert data["text"]["一"] == list(report.paragraphs("一")) and data["text"][OPENING]


def test_json_text_is_readable_chinese_and_indented(sample):
    text = report_json(checked_report(sample))
    assert "策勒县人民政府办公室" in text and "\\u" not in text
    assert text.startswith('{\n  "format"') and text.endswith("}\n")


def test_fee_keeps_every_digit():
    fee = Decimal("12345678.0001")
    report = dataclasses.replace(varied_report(), inputs={**varied_report().inputs, FEE_KEY: fee})
    text = report_json(checked_report(report))
    data = json.loads(text)
    validate(data)
    value = next(item["value"] for item in data["tables"]["二"]["figures"] if item["key"] == FEE_KEY)
    assert value == "12345678.0001"
    assert data_to_report(data).inputs[FEE_KEY] == fee
    # amounts keep the digits they were given, never in exponent notation
    report = dataclasses.replace(report, inputs={**report.inputs, FEE_KEY: Decimal("100.0000")})
    assert '"value": "100.0000"' in report_json(checked_report(report))
    report = dataclasses.replace(report, inputs={**report.inputs, FEE_KEY: Decimal("1E+2")})
    assert '"value": "100"' in report_json(checked_report(report))


def test_warnings_and_errors_are_carried_with_their_places(sample):
    report = sample
    problems = [warning("数值异常。", "t4.r1.c1"), error("请填写成文日期。", "signed_on")]
    data = report_to_data(report, problems)
    validate(data)
    assert data["warnings"] == [{"message": "数值异常。", "places": ["t4.r1.c1"]}]
    assert data["errors"] == [{"message": "请填写成文日期。", "places": ["signed_on"]}]


def test_an_incomplete_report_gives_null_figures_and_still_validates(sample):
    report = sample
    report = dataclasses.replace(report, signed_on=None, year=None, inputs={**report.inputs, "t3.r1.c1": None})
    data = report_to_data(report, check_report(report))
    validate(data)
    values = {item["key"]: item["value"] for item in data["tables"]["三"]["figures"]}
    assert values["t3.r1.c1"] is None and values["t3.r1.c7"] is None  # the row total cannot be computed
    assert values["t3.r2.c1"] is not None
    assert data["signed_on"] is None and data["title"] is None and data["errors"]


def test_round_trip(sample):
    for report in (sample, varied_report(), dataclasses.replace(varied_report(), kind=AREA_REPORT)):
        back = data_to_report(json.loads(report_json(checked_report(report))))
        assert (back.agency, back.year, back.signed_on, back.kind) == (report.agency, report.year, report.signed_on, report.kind)
        assert back.inputs == report.inputs and back.figures() == report.figures()
        for place in report.narratives:
            assert back.paragraphs(place) == report.paragraphs(place)
        assert report_json(checked_report(back)) == report_json(checked_report(report))


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda d: d["tables"]["三"]["figures"].pop(), "缺少"),
        (lambda d: d["tables"]["三"]["figures"][6].update(value=1), "各项之和"),  # t3.r1.c7, a total
        (lambda d: d.update(format="other/1"), "format"),
        (lambda d: d.update(kind="本部门"), "报告类型"),
        (lambda d: d["tables"]["二"]["figures"][-1].update(value=12.5), "无法识别"),
        (lambda d: d["tables"]["二"]["figures"][-1].update(value="NaN"), "无法识别"),
        (lambda d: d["tables"]["三"]["figures"][0].update(value=True), "无法识别"),
    ],
)
def test_data_that_does_not_fit_is_refused(edit, fragment):
    data = report_to_data(varied_report())
    edit(data)
    with pytest.raises(DataError, match=fragment):
        data_to_report(data)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["tables"]["二"]["figures"][-1].update(value=12.3456),  # a float fee loses digits
        lambda d: d["tables"]["二"]["figures"][-1].update(value="12.30"),  # not the normal form
        lambda d: d["tables"]["三"]["figures"][0].update(value=-1),
        lambda d: d["tables"]["三"]["figures"][0].update(value="5"),
        lambda d: d["tables"]["三"]["figures"].pop(),
        lambda d: d["tables"]["三"]["figures"][0].update(key="t9.r1.c1"),
        lambda d: d["tables"]["四"]["figures"][0].update(unit="万元"),
        lambda d: d.update(kind="本部门"),
        lambda d: d.update(signed_on="2025年1月23日"),
        lambda d: d.update(extra=1),
        lambda d: d.pop("rules_version"),
    ],
)
def test_the_schema_refuses_what_a_consumer_could_misread(edit):
    data = json.loads(report_json(checked_report(varied_report())))
    edit(data)
    assert list(validator().iter_errors(data))


# ---------------------------------------------------------------- CSV


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_headings_are_the_official_labels_and_unique():
    header = csv_header()
    assert header[:4] == list(METADATA_LABELS.values())
    assert "表三 一、本年新收政府信息公开申请数量 × 自然人" in header
    assert "表四 行政诉讼（复议后起诉） × 总计" in header
    assert len(header) == len(set(header)) == 4 + len(FIELDS)


def test_csv_one_row_per_report_read_back_with_the_csv_module(sample):
    reports = [sample, dataclasses.replace(varied_report(), agency="甲，乙\"丙\"局", kind=AREA_REPORT)]
    rows = read_csv(reports_to_csv_bytes(reports))
    assert len(rows) == 3
    header = rows[0]
    for report, row in zip(reports, rows[1:]):
        record = dict(zip(header, row, strict=True))
        assert record["机关名称"] == report.agency
        assert record["年度"] == str(report.year) and record["报告类型"] == report.kind
        assert record["成文日期"] == report.signed_on.isoformat()
        for key, value in report.figures().items():
            f = FIELDS[key]
            heading = f"表{FORM_2021.table_of(key).number} {f.labels}"
            read = Decimal(record[heading]) if f.kind is Kind.FEE else int(record[heading])
            assert read == value, heading


def test_csv_text_that_a_spreadsheet_would_run_is_defused(sample):
    report = dataclasses.replace(sample, agency='=HYPERLINK("http://x","点击")')
    rows = list(csv.reader(io.StringIO(reports_to_csv([report]))))
    assert rows[1][0] == "'" + report.agency


def test_csv_blank_figures_are_empty_cells(sample):
    report = dataclasses.replace(sample, inputs={**sample.inputs, "t3.r1.c1": None})
    record = dict(zip(*list(csv.reader(io.StringIO(reports_to_csv([report]))))))
    assert record["表三 一、本年新收政府信息公开申请数量 × 自然人"] == ""
    assert record["表三 一、本年新收政府信息公开申请数量 × 总计"] == ""


# ---------------------------------------------------------------- purity and the command


def test_data_and_summary_need_no_office_library():
    code = (
        "import sys, gaidocx.core.records, gaidocx.core.summary; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'docx', 'docxtpl', 'lxml', 'jinja2')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_export_command(tmp_path, sample):
    good = write_workbook(tmp_path / "甲.xlsx")
    other = write_workbook(tmp_path / "乙.xlsx", dataclasses.replace(varied_report(), agency="乙局"))
    bad = write_workbook(tmp_path / "丙.xlsx", dataclasses.replace(sample, signed_on=None))
    (tmp_path / "坏.xlsx").write_text("不是表格", encoding="utf-8")
    output = tmp_path / "数据.csv"
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "*.xlsx"), "-o", str(output)])
    assert result.exit_code == 2, result.output  # one file could not be read
    assert "未导出" in result.output and "丙.xlsx" in result.output and "坏.xlsx" in result.output
    assert "已导出 2 个报告" in result.output
    rows = read_csv(output.read_bytes())
    assert [row[0] for row in rows[1:]] == ["乙局", "策勒县人民政府办公室"]  # the wildcard's order: 乙 < 甲
    results_total = next(f for f in FIELDS.values() if f.row_label == "（七）总计" and f.col_label == "总计")
    for path, row in zip((other, good), rows[1:]):
        record = dict(zip(rows[0], row, strict=True))
        figures = check_workbook(path).report.figures()
        assert int(record["表三 （七）总计 × 总计"]) == figures[results_total.key]
        assert Decimal(record[f"表二 {FIELDS[FEE_KEY].labels}"]) == figures[FEE_KEY]
    assert bad.exists()

    again = CliRunner().invoke(cli, ["export", str(good), "-o", str(output)])
    assert again.exit_code == 2 and "已存在" in again.output
    forced = CliRunner().invoke(cli, ["export", str(good), "-o", str(output), "--force"])
    assert forced.exit_code == 0 and len(read_csv(output.read_bytes())) == 2
    refused = CliRunner().invoke(cli, ["export", str(bad), "-o", str(tmp_path / "无.csv")])
    assert refused.exit_code == 2 and not (tmp_path / "无.csv").exists()
    partly = CliRunner().invoke(cli, ["export", str(good), str(bad), "-o", str(tmp_path / "部分.csv")])
    assert partly.exit_code == 1 and len(read_csv((tmp_path / "部分.csv").read_bytes())) == 2

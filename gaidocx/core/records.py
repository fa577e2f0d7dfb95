"""A report as data: JSON beside the document and CSV for many reports.

The JSON document (``report_to_data``) is described by the JSON Schema in
``gaidocx/schemas/report.schema.json`` (a copy is published as
``docs/report.schema.json``).  Every figure of tables 二, 三 and 四 appears,
totals included, under the form's own row and column labels, so a consumer
needs neither the workbook layout nor the Word template to read it.

Amounts stay exact: counts are JSON integers and the fee (万元, up to four
decimals) is a JSON *string* holding a decimal number such as ``"12.3456"``,
because most JSON readers turn numbers into binary floats.

Pure: no office library.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from gaidocx import __version__
from gaidocx.core.checks import Problem, Severity
from gaidocx.core.form import FORM_2021, OPENING, REPORT_KINDS, Field, Form, Kind, Table, title
from gaidocx.core.report import (
    AGENCY,
    METADATA_LABELS,
    REPORT_KIND,
    SIGNED_ON,
    YEAR,
    CheckedReport,
    Number,
    Report,
    format_figure,
)

#: Identifies this JSON document's structure; bumped when the schema changes incompatibly.
DATA_FORMAT = "gaidocx-report-data/1"
#: Bumped whenever a check is added, removed or changes its verdict (``core/checks.py``).
RULES_REVISION = 1


def rules_version(form: Form = FORM_2021) -> str:
    """The rule set a report was checked with: the form's name and the revision of gaidocx's checks."""
    return f"{form.name}/{RULES_REVISION}"


RULES_VERSION = rules_version(FORM_2021)

#: Units as printed in the tables' headings.
UNITS = {Kind.COUNT: "件", Kind.FEE: "万元"}


def table_label(table: Table) -> str:
    """``表三``: how tables are named in the workbook and in CSV headings."""
    return f"表{table.number}"


def figure_heading(form: Form, f: Field) -> str:
    """A figure's column heading: ``表三 一、本年新收政府信息公开申请数量 × 自然人``."""
    return f"{table_label(form.table_of(f.key))} {f.labels}"


# ---------------------------------------------------------------- JSON


def report_to_data(report: Report, problems: Iterable[Problem] = ()) -> dict[str, Any]:
    """Any report, complete or not (``audit`` reads published reports onto the form), as JSON-ready
    data (see the module docstring and the schema); a missing figure is ``null``."""
    places = (OPENING, *(s.number for s in report.form.narrative_sections))
    return _data(report, report.figures(), {place: report.paragraphs(place) for place in places}, problems)


def _data(
    report: Report,
    figures: Mapping[str, Number | None],
    paragraphs: Mapping[str, tuple[str, ...]],
    problems: Iterable[Problem],
) -> dict[str, Any]:
    form = report.form
    problems = list(problems)
    return {
        "format": DATA_FORMAT,
        "gaidocx_version": __version__,
        "rules_version": rules_version(form),
        "form": form.name,
        "agency": report.agency,
        "year": report.year,
        "kind": report.kind,
        "signed_on": report.signed_on.isoformat() if report.signed_on else None,
        "title": title(report.agency, report.year) if report.agency and report.year else None,
        "tables": {
            table.number: {
                "title": next(s.title for s in form.sections if s.table is table),
                "figures": [_figure(f, figures[f.key]) for f in table.fields],
            }
            for table in form.tables
        },
        "text": {place: list(paragraphs[place]) for place in (OPENING, *(s.number for s in form.narrative_sections))},
        "errors": [_problem(p) for p in problems if p.severity is Severity.ERROR],
        "warnings": [_problem(p) for p in problems if p.severity is Severity.WARNING],
    }


def _figure(f: Field, value: Number | None) -> dict[str, Any]:
    return {
        "key": f.key,
        "row": f.row_label,
        "column": f.col_label,
        "total": f.is_total,
        "unit": UNITS[f.kind],
        "value": _json_value(value, f.kind),
    }


def _json_value(value: Number | None, kind: Kind) -> int | str | None:
    if value is None:
        return None
    return format_figure(value, kind) if kind is Kind.FEE else int(value)


def _problem(problem: Problem) -> dict[str, Any]:
    return {"message": problem.message, "places": list(problem.places)}


def report_json(checked: CheckedReport, problems: Iterable[Problem] = ()) -> str:
    """A checked report's data file (``render --json``): its figures and paragraphs as computed once,
    UTF-8 text with Chinese kept readable."""
    data = _data(checked.report, checked.figures, checked.paragraphs, problems)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class DataError(ValueError):
    """Data that is not a gaidocx report document; the message says what is wrong (Chinese)."""


def data_to_report(data: Mapping[str, Any], form: Form = FORM_2021) -> Report:
    """The report back from ``report_to_data``'s output: metadata, entered figures and text.

    Totals are recomputed, never read; a total that disagrees with its parts is refused.
    Text comes back one paragraph per entry.
    """
    if data.get("format") != DATA_FORMAT:
        raise DataError(f"不是 gaidocx 报告数据（format 应为“{DATA_FORMAT}”，现为“{data.get('format')}”）。")
    if data.get("form") != form.name:
        raise DataError(f"报告数据使用的格式是“{data.get('form')}”，不是“{form.name}”。")
    kind = data.get("kind")
    if kind not in REPORT_KINDS:
        raise DataError(f"报告类型应为{'或'.join(REPORT_KINDS)}，现为“{kind}”。")
    values: dict[str, Number | None] = {}
    for number, table in data.get("tables", {}).items():
        for item in table.get("figures", ()):
            key = item.get("key")
            if key not in form.fields:
                raise DataError(f"表{number}中没有“{key}”这一项。")
            values[key] = _number(item.get("value"), form, form.fields[key])
    missing = [key for key in form.fields if key not in values]
    if missing:
        raise DataError(f"报告数据缺少 {len(missing)} 项数字（如 {figure_heading(form, form.fields[missing[0]])}）。")
    signed_on = data.get("signed_on")
    report = Report(
        agency=data.get("agency") or "",
        year=data.get("year"),
        signed_on=datetime.date.fromisoformat(signed_on) if signed_on else None,
        kind=kind,
        narratives={place: tuple(paragraphs) for place, paragraphs in data.get("text", {}).items()},
        inputs={key: value for key, value in values.items() if not form.fields[key].is_total},
        form=form,
    )
    computed = report.figures()
    for key, f in form.fields.items():
        if f.is_total and values[key] is not None and computed[key] != values[key]:
            raise DataError(f"{figure_heading(form, f)} 为 {values[key]}，但各项之和为 {computed[key]}。")
    return report


def _number(value: object, form: Form, f: Field) -> Number | None:
    if value is None:
        return None
    if f.kind is Kind.FEE and isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            number = None
        if number is not None and number.is_finite():
            return number
    elif f.kind is Kind.COUNT and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise DataError(f"{figure_heading(form, f)} 的值“{value}”无法识别。")


# ---------------------------------------------------------------- JSON Schema

SCHEMA_ID = "urn:gaidocx:schema:report-data:1"
_FEE_PATTERN = r"^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$"


def report_schema(form: Form = FORM_2021) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``report_to_data``'s output, generated from the form.

    Published as ``gaidocx/schemas/report.schema.json`` and ``docs/report.schema.json``;
    a test keeps both equal to this function's output.
    """
    problem = {
        "type": "object",
        "description": "检查发现的一个问题。",
        "required": ["message", "places"],
        "additionalProperties": False,
        "properties": {
            "message": {"type": "string", "description": "问题说明（中文）。"},
            "places": {
                "type": "array",
                "description": "涉及的位置：数字的 key（如 t3.r1.c1，与 tables 中的 key 相同），"
                "或 agency、year、signed_on、kind，或文字段落（如 六#0、section.六）。",
                "items": {"type": "string"},
            },
        },
    }
    count = {"type": "integer", "minimum": 0, "description": "件数。"}
    fee = {
        "type": "string",
        "pattern": _FEE_PATTERN,
        "description": "金额（万元），写成字符串的十进制数，不丢失任何一位（如 \"12.3456\"，0 写作 \"0\"）。",
    }
    tables = {}
    for table in form.tables:
        variants = []
        for kind in (Kind.COUNT, Kind.FEE):
            keys = [f.key for f in table.fields if f.kind is kind]
            if keys:
                variants.append(
                    {
                        "properties": {
                            "key": {"enum": keys},
                            "unit": {"const": UNITS[kind]},
                            "value": {"anyOf": [count if kind is Kind.COUNT else fee, {"type": "null"}]},
                        }
                    }
                )
        figure = {
            "type": "object",
            "required": ["key", "row", "column", "total", "unit", "value"],
            "additionalProperties": False,
            "properties": {
                "key": {"type": "string", "description": "字段名，与 Word 模板中的 {{ 字段名 }} 相同。"},
                "row": {"type": "string", "description": "官方表格的行标签。"},
                "column": {"type": "string", "description": "官方表格的列标签。"},
                "total": {"type": "boolean", "description": "是否为合计（由各项相加得出）。"},
                "unit": {"enum": sorted(set(UNITS.values()))},
                "value": {"description": "数值；null 表示填报表中空白或无法识别（只出现在有错误的报告中）。"},
            },
            "oneOf": variants,
        }
        tables[table.number] = {
            "type": "object",
            "required": ["title", "figures"],
            "additionalProperties": False,
            "properties": {
                "title": {"const": next(s.title for s in form.sections if s.table is table)},
                "figures": {
                    "type": "array",
                    "description": f"{table_label(table)}的全部 {len(table.fields)} 个数字（含合计），按表格中的顺序。",
                    "items": figure,
                    "minItems": len(table.fields),
                    "maxItems": len(table.fields),
                },
            },
        }
    text_places = [OPENING, *(s.number for s in form.narrative_sections)]
    nullable = lambda schema: {"anyOf": [schema, {"type": "null"}]}  # noqa: E731
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "政府信息公开工作年度报告数据（gaidocx）",
        "description": (
            f"由 gaidocx 从填报表生成，与 Word 报告一一对应。表二、表三、表四的每一个数字（含合计）都按{form.name}"
            "表格的行、列标签列出。件数为整数；收费金额（万元）为字符串形式的十进制数，以免转换为浮点数时丢失位数。"
        ),
        "type": "object",
        "required": [
            "format", "gaidocx_version", "rules_version", "form", "agency", "year", "kind",
            "signed_on", "title", "tables", "text", "errors", "warnings",
        ],
        "additionalProperties": False,
        "properties": {
            "format": {"const": DATA_FORMAT, "description": "本数据结构的版本。"},
            "gaidocx_version": {"type": "string", "description": "生成数据的 gaidocx 版本。"},
            "rules_version": {
                "type": "string",
                "pattern": "^.+/[0-9]+$",
                "description": "检查规则的版本：格式文件名/gaidocx 检查规则的修订号。",
            },
            "form": {"const": form.name, "description": "报告格式所依据的文件。"},
            "agency": {"type": "string", "description": "机关名称。"},
            "year": nullable({"type": "integer", "description": "报告年度。"}),
            "kind": {"enum": list(REPORT_KINDS), "description": "报告类型：本机关的报告，或本行政区域的汇总报告。"},
            "signed_on": nullable({"type": "string", "format": "date", "description": "成文日期（YYYY-MM-DD）。"}),
            "title": nullable({"type": "string", "description": "报告标题。"}),
            "tables": {
                "type": "object",
                "required": list(tables),
                "additionalProperties": False,
                "properties": tables,
            },
            "text": {
                "type": "object",
                "description": f"文字部分，每段一个字符串：{OPENING} 为开头段落，其余按部分编号。",
                "required": text_places,
                "additionalProperties": False,
                "properties": {place: {"type": "array", "items": {"type": "string"}} for place in text_places},
            },
            "errors": {"type": "array", "items": problem, "description": "错误（已发布的报告没有错误）。"},
            "warnings": {"type": "array", "items": problem, "description": "警告。"},
        },
    }


def schema_json(form: Form = FORM_2021) -> str:
    """The schema as committed in ``gaidocx/schemas/`` and ``docs/``."""
    return json.dumps(report_schema(form), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- CSV

#: Spreadsheets run text starting with these as a formula (CSV injection); such text gets a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_header(form: Form = FORM_2021) -> list[str]:
    """Metadata labels, then one heading per figure (totals included) in table order."""
    return [*METADATA_LABELS.values(), *(figure_heading(form, f) for t in form.tables for f in t.fields)]


def csv_rows(reports: Iterable[Report], form: Form = FORM_2021) -> list[list[str | int]]:
    """The header row, then one row per report; fees as exact decimal text, blanks as empty cells."""
    rows: list[list[str | int]] = [csv_header(form)]
    fields = [f for t in form.tables for f in t.fields]
    for report in reports:
        if report.form is not form:
            raise ValueError(f"report of form {report.form.name} in a CSV of form {form.name}")
        figures = report.figures()
        meta = {
            AGENCY: _safe_text(report.agency),
            YEAR: report.year if report.year is not None else "",
            SIGNED_ON: report.signed_on.isoformat() if report.signed_on else "",
            REPORT_KIND: report.kind,
        }
        row = [meta[place] for place in METADATA_LABELS]
        row += ["" if figures[f.key] is None else _json_value(figures[f.key], f.kind) for f in fields]
        rows.append(row)
    return rows


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def reports_to_csv(reports: Iterable[Report], form: Form = FORM_2021) -> str:
    """The CSV text (``\\r\\n`` line ends, as Excel writes them)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(csv_rows(reports, form))
    return buffer.getvalue()


def reports_to_csv_bytes(reports: Iterable[Report], form: Form = FORM_2021) -> bytes:
    """The CSV file's bytes: UTF-8 with a byte-order mark, which Excel and WPS need to read Chinese."""
    return reports_to_csv(reports, form).encode("utf-8-sig")


def table_csv_bytes(rows: Iterable[Sequence[str | int]]) -> bytes:
    """Rows as a CSV file Excel and WPS open directly (UTF-8 with BOM, ``\r\n``); text a spreadsheet
    would take for a formula stays text."""
    buffer = io.StringIO()
    safe = ([_safe_text(cell) if isinstance(cell, str) else cell for cell in row] for row in rows)
    csv.writer(buffer, lineterminator="\r\n").writerows(safe)
    return buffer.getvalue().encode("utf-8-sig")

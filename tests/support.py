"""Shared test helpers: reports to render and workbooks built from the real template."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import zipfile
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from gaidocx.core.form import FORM_2021, Kind
from gaidocx.core.report import Report, report_from_dict

FIELDS = FORM_2021.fields
TABLE_3 = FORM_2021.table("三")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "samples" / "cele-county-2024.json"
SAMPLE_WORKBOOK = ROOT / "samples" / "cele-county-2024.xlsx"
#: The published report as scraped (a copy of ../shared/samples/, so a bare checkout tests it too).
PUBLISHED_SAMPLE = ROOT / "tests" / "data" / "cele-county-2024-report.txt"


def load_script(name: str):
    """A module from scripts/, which is not a package."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_report() -> Report:
    return report_from_dict(json.loads(SAMPLE_DATA.read_text(encoding="utf-8")))


def varied_report() -> Report:
    """The sample's text with a distinct, consistent figure in every input cell."""
    inputs: dict[str, int | Decimal] = {}
    for index, (key, f) in enumerate(sorted(FIELDS.items()), start=1):
        if not f.is_total:
            inputs[key] = Decimal("12.3456") if f.kind is Kind.FEE else index
    # make 表三 balance in every column: 结转下年度 = 新收 + 上年结转 - 办理结果总计
    for balance in TABLE_3.balances:
        first, second = balance.left
        results_total, carried = balance.right
        if FIELDS[first].is_total:
            continue  # the 总计 column follows from the others
        results = sum(inputs[part] for part in FIELDS[results_total].parts)
        inputs[first] = results + 5
        inputs[second] = 7
        inputs[carried] = 12
    sample = sample_report()
    # the sample says no application came in; these figures say otherwise
    narratives = {
        place: tuple(text.replace("全年未收到政府信息公开申请。", "全年收到的政府信息公开申请均按时答复。") for text in entries)
        for place, entries in sample.narratives.items()
    }
    return dataclasses.replace(sample, inputs=inputs, narratives=narratives)


def write_workbook(path: Path, report: Report | None = None, edit: Callable | None = None) -> Path:
    """A workbook made by the real template builder, filled, optionally sabotaged by ``edit``."""
    from gaidocx.workbook.filled import fill_workbook  # the core tests need no openpyxl
    from gaidocx.workbook.fillin import build_template

    workbook = build_template()
    fill_workbook(workbook, report or sample_report())
    if edit is not None:
        edit(workbook)
    workbook.save(path)
    return path


def members(data: bytes) -> dict[str, bytes]:
    """Every member of a zip archive by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    """A zip archive of ``parts``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()

"""The operations on bytes a server calls (the collection desk): messages name the user's file,
never a temporary path, and nothing touches the disk."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from support import sample_report, varied_report, write_workbook

from gaidocx import pipeline
from gaidocx.pipeline import Status, UserError
from gaidocx.workbook.read import WorkbookError, read_workbook_bytes

UPLOADED = "某某局填报表（上传）.xlsx"


@pytest.fixture(autouse=True)
def empty_cwd(tmp_path, monkeypatch):
    """Every test runs in an empty folder and must leave it empty: nothing is written."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder
    assert os.listdir(folder) == []


def workbook_bytes(tmp_path: Path, name: str, report=None, edit=None) -> bytes:
    source = write_workbook(tmp_path / name, report, edit=edit)
    return source.read_bytes()


def without_times(data: bytes) -> object:
    """A file to compare: a .docx as its members, the creation time (to the second) left out."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: re.sub(rb"(<dcterms:\w+ [^>]*>)[^<]*", rb"\1", archive.read(name)) for name in archive.namelist()
        }


def test_check_bytes_names_the_uploaded_file_and_agrees_with_check_workbook(sample_workbook):
    checked = pipeline.check_bytes(sample_workbook.read_bytes(), UPLOADED)
    assert checked == pipeline.check_workbook(sample_workbook)
    with pytest.raises(WorkbookError) as caught:
        pipeline.check_bytes(b"PK\x03\x04 truncated", UPLOADED)
    assert UPLOADED in str(caught.value) and "/tmp" not in str(caught.value)
    with pytest.raises(WorkbookError, match="是空的"):
        pipeline.check_bytes(b"", UPLOADED)


def test_check_bytes_with_last_years_workbook_names_it(tmp_path, sample_workbook):
    last = dataclasses.replace(sample_report(), year=2023)
    previous = ("去年的.xlsx", workbook_bytes(tmp_path, "去年.xlsx", last))
    checked = pipeline.check_bytes(sample_workbook.read_bytes(), UPLOADED, previous=previous)
    assert checked.report.year == 2024
    with pytest.raises(UserError) as caught:
        pipeline.check_bytes(sample_workbook.read_bytes(), UPLOADED, previous=("去年的.xlsx", b"not a workbook"))
    assert "“去年的.xlsx”无法使用" in str(caught.value)


def test_render_bytes_makes_every_file_in_memory_as_render_writes_it(tmp_path, sample_workbook):
    rendered = pipeline.render_bytes(sample_workbook.read_bytes(), UPLOADED)
    assert rendered.status is Status.RENDERED and rendered.name == UPLOADED
    assert set(rendered.files) == {".docx", ".html", ".json"}
    checked = pipeline.check_workbook(sample_workbook)
    assert rendered.verdict == pipeline.verdict(checked)
    assert rendered.messages == tuple(pipeline.format_problem(p) for p in checked.problems)
    assert (rendered.errors, rendered.warnings) == (len(checked.errors), len(checked.warnings))
    assert rendered.report == checked.report
    assert rendered.name_stem == "策勒县人民政府办公室2024年政府信息公开工作年度报告"
    outcome = pipeline.render_workbook(sample_workbook, output=tmp_path / "报告.docx", extras=(".html", ".json"))
    for path in outcome.outputs:
        assert without_times(rendered.files[path.suffix]) == without_times(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(rendered.files[".docx"])) as document:
        assert "策勒县" in document.read("word/document.xml").decode("utf-8")
    assert json.loads(rendered.files[".json"])["agency"] == checked.report.agency
    assert pipeline.render_bytes(sample_workbook.read_bytes(), UPLOADED, extras=()).files.keys() == {".docx"}


def test_render_bytes_never_raises_for_a_bad_workbook():
    for data in (b"", b"not a workbook", b"PK\x03\x04" + b"\0" * 100):
        rendered = pipeline.render_bytes(data, UPLOADED)
        assert rendered.status is Status.UNREADABLE and rendered.files == {} and rendered.report is None
        assert len(rendered.messages) == 1 and UPLOADED in rendered.messages[0]
        assert rendered.verdict == pipeline.UNREADABLE_VERDICT


def test_render_bytes_of_a_workbook_with_errors_lists_them_errors_first(tmp_path):
    def sabotage(wb):
        wb["表三"]["D7"] = None

    rendered = pipeline.render_bytes(workbook_bytes(tmp_path, "错.xlsx", edit=sabotage), UPLOADED)
    assert rendered.status is Status.ERRORS and rendered.files == {} and rendered.errors >= 1
    assert rendered.verdict.startswith(f"共 {rendered.errors} 个错误")
    assert all(m.startswith("错误") for m in rendered.messages[: rendered.errors])
    assert "表三!D7" in rendered.messages[0]


def test_render_bytes_turns_an_unforeseen_failure_into_that_files_reason(monkeypatch, sample_workbook):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("gaidocx.document.render.PreparedTemplate.render", broken)
    rendered = pipeline.render_bytes(sample_workbook.read_bytes(), UPLOADED)
    assert rendered.status is Status.FAILED and rendered.files == {}
    assert "意外错误（RuntimeError：boom）" in rendered.messages[0]


def test_template_bytes_makes_a_named_workbook_and_next_years_from_last_years(sample_workbook):
    made = pipeline.template_bytes(agency="某某局", year=2024)
    assert made.name == "某某局2024年政府信息公开工作年度报告填报表.xlsx" and made.year == 2024 and made.warnings == []
    blank = read_workbook_bytes(made.data, made.name).report
    assert (blank.agency, blank.year) == ("某某局", 2024)
    following = pipeline.template_bytes(previous=(UPLOADED, sample_workbook.read_bytes()))
    assert following.year == 2025 and "2025年" in following.name
    assert read_workbook_bytes(following.data, following.name).report.year == 2025
    with pytest.raises(UserError, match=f"“{UPLOADED}”无法使用"):
        pipeline.template_bytes(previous=(UPLOADED, b"not a workbook"))
    assert pipeline.template_bytes(agency="某\u202e局").warnings


def test_summarise_bytes_sums_the_uploads_and_lists_each_by_name(tmp_path):
    base = varied_report()
    items = [
        (f"{agency}.xlsx", workbook_bytes(tmp_path, f"{index}.xlsx", dataclasses.replace(base, agency=agency)))
        for index, agency in enumerate(("甲局", "乙局"))
    ]
    summarised = pipeline.summarise_bytes([*items, ("坏的.xlsx", b"junk")], agency="某某县人民政府", skip_errors=True)
    assert summarised.data is not None and not summarised.summary.refusals
    area = read_workbook_bytes(summarised.data, "汇总.xlsx").report
    key = next(k for k, v in base.inputs.items() if v)
    assert area.inputs[key] == 2 * base.inputs[key] and area.agency == "某某县人民政府"
    assert [e.item.path for e in summarised.summary.left_out] == ["坏的.xlsx"]
    refused = pipeline.summarise_bytes([*items, ("坏的.xlsx", b"junk")], agency="某某县人民政府")
    assert refused.data is None and any("坏的.xlsx" in message for _, message in refused.summary.refusals)


def test_export_csv_bytes_exports_good_reports_and_names_the_rest(tmp_path, sample_workbook):
    good = (UPLOADED, sample_workbook.read_bytes())
    exported = pipeline.export_csv_bytes([good, ("坏的.xlsx", b"junk")])
    assert exported.count == 1 and exported.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert len(rows) == 2 and "策勒县人民政府办公室" in rows[1]
    assert [name for name, _ in exported.left_out] == ["坏的.xlsx"] and "无法读取" in exported.left_out[0][1]
    assert pipeline.export_csv_bytes([("坏的.xlsx", b"junk")]).data is None

"""The library: every operation of the ``gaidocx`` command as a plain function returning results.

Data flows one way, xlsx → report → checks → docx, and the CLI is only a thin
layer that parses options, prints what these functions return and picks exit
codes.  A script can do the same in a few lines::

    from gaidocx import files, pipeline
    outcomes = pipeline.render_many(files.expand_inputs(["收到的填报表"]).paths, folder=Path("报告"))
    for outcome in outcomes:
        print(outcome.line())

User-facing failures about options and files are ``UserError`` (exit code 2)
with a complete Chinese message; workbook content problems are ``Problem``
objects (exit 1).  Office libraries are imported only by the operations that
need them, so ``check`` never loads python-docx, docxtpl or jinja2.

A server (the collection desk) calls the ``…_bytes`` operations: a workbook is
its bytes and the user's file name, which every message uses, and results hold
the bytes made; nothing touches the disk.  File handling (inputs, output names,
writing) is ``gaidocx.files``.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gaidocx.core.checks import year_problem
from gaidocx.core.narrative import NOT_XML
from gaidocx.auditing import Audited, audit_reports
from gaidocx.failures import bad_file_reason, foreseen_failures, unexpected
from gaidocx.files import (
    Protected,
    UserError,
    agency_warnings,
    check_output_path,
    is_dir,
    os_reason,
    template_name,
    unique_paths,
    with_suffix_if_none,
    write_atomically,
)
from gaidocx.rendering import (
    Outcome,
    Rendered,
    Renderer,
    Status,
    check_template_option,
    convert_batch,
    counts_line,
    exit_code,
    outcome_of,
    place,
    render_all,
    render_source,
    require_soffice,
    targets_of,
    without_pdf_removed_if_interrupted,
    worker_cap,
    write_rendered,
)
from gaidocx.workbook.layout import describe_all
from gaidocx.workbook import WorkbookError
from gaidocx.checking import (
    UNREADABLE_VERDICT,
    Checked,
    FileChecked,
    FileProblems,
    Source,
    check_bytes,
    check_many,
    check_workbook,
    format_problem,
    previous_file,
    previous_reading,
    verdict,
)

if TYPE_CHECKING:
    from gaidocx.core.summary import Summary

#: What the library offers a script or a server: the operations defined here and the values and
#: failures they return or raise.
__all__ = [
    # operations
    "audit_reports",
    "check_bytes",
    "check_many",
    "check_workbook",
    "export_csv",
    "export_csv_bytes",
    "export_word_template",
    "make_template",
    "problem_list_bytes",
    "problem_list_path",
    "render_bytes",
    "render_many",
    "render_workbook",
    "summarise_bytes",
    "summarise_workbooks",
    "template_bytes",
    "write_problem_list",
    # what they return, and how they say what went wrong
    "UNREADABLE_VERDICT",
    "Audited",
    "Checked",
    "FileChecked",
    "Outcome",
    "Rendered",
    "Status",
    "UserError",
    "WorkbookError",
    "bad_file_reason",
    "counts_line",
    "exit_code",
    "foreseen_failures",
    "format_problem",
    "unexpected",
    "verdict",
    "worker_cap",
]


# ---------------------------------------------------------------- the problem list (--report)

#: The problem list's columns.
PROBLEM_LIST_HEADING = ("文件", "结果", "类别", "位置", "说明")


def problem_list_bytes(entries: Iterable[FileProblems]) -> bytes:
    """Every file's result, errors and warnings, one row each (a file without problems, or one
    that could not be read, gets one row): a CSV to send back to the agencies (UTF-8 with BOM,
    so Excel and WPS open it directly)."""
    from gaidocx.core.records import table_csv_bytes

    rows: list[Sequence[str]] = [PROBLEM_LIST_HEADING]
    for entry in entries:
        if not entry.problems:
            rows.append((entry.file, entry.result, "", "", entry.reason))
        rows.extend(
            (entry.file, entry.result, p.severity.value, describe_all(p.places), p.message) for p in entry.problems
        )
    return table_csv_bytes(rows)


def problem_list_path(output: Path, *, inputs: Iterable[Path | None], force: bool = False) -> Path:
    """Where ``--report`` writes, checked before any work is done (``.csv`` added when it has no suffix)."""
    output = with_suffix_if_none(output, ".csv")
    check_output_path(output, inputs=Protected(inputs), force=force, suffix=".csv")
    return output


def write_problem_list(output: Path, entries: Iterable[FileProblems], *, force: bool = False) -> None:
    write_atomically(output, problem_list_bytes(entries), force=force)


# ---------------------------------------------------------------- template


@dataclass(frozen=True, slots=True)
class TemplateMade:
    """A fill-in workbook made in memory: its default file name, bytes, year and what the user should know."""

    name: str
    data: bytes
    year: int | None
    warnings: list[str]


@dataclass(frozen=True, slots=True)
class Made:
    """A fill-in workbook written: where, for which year, and what the user should know."""

    path: Path
    year: int | None
    warnings: list[str]


def template_bytes(
    *,
    agency: str = "",
    year: int | None = None,
    previous: tuple[str, bytes] | None = None,
    today: datetime.date | None = None,
) -> TemplateMade:
    """A fill-in workbook, named by agency and year.

    With ``previous`` (last year's workbook as name and bytes) it is next year's: agency and
    year + 1 filled, 上年结转 taken from last year's 结转下年度继续办理, headings pre-filled, no
    text copied.
    """
    from gaidocx.workbook.fillin import build_template, template_notes
    from gaidocx.workbook.filled import build_next_year_template

    today = today or datetime.date.today()
    if previous is not None:
        if agency or year is not None:
            raise UserError("--from 不能与 --agency、--year 同时使用：机关名称和年度取自上一年度的填报表。")
        previous_name, last = previous_reading(previous, "--from")
        try:
            workbook = build_next_year_template(last, today)
        except ValueError as exc:
            raise UserError(f"上一年度的填报表（--from）“{previous_name}”无法使用：{exc}") from exc
        agency, year = last.report.agency, (last.report.year or 0) + 1
    else:
        if year is not None and (wrong_year := year_problem(year, today)):
            raise UserError(wrong_year)
        if NOT_XML.search(agency):
            raise UserError("机关名称中含有不可见的控制字符（可能是从别处复制来的），请重新输入。")
        workbook = build_template(agency=agency, year=year)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return TemplateMade(template_name(agency, year), buffer.getvalue(), year, agency_warnings(agency) + template_notes(year))


def make_template(
    output: Path | None = None,
    *,
    agency: str = "",
    year: int | None = None,
    previous: Path | None = None,
    force: bool = False,
    today: datetime.date | None = None,
) -> Made:
    """Write ``template_bytes``'s workbook to ``output`` (a file or a folder), by default to its
    own name in the current folder; ``previous`` is last year's workbook file."""
    last_year = previous_file(previous, "--from") if previous is not None else None
    made = template_bytes(agency=agency, year=year, previous=last_year, today=today)
    output = with_suffix_if_none(output, ".xlsx") if output is not None else Path(made.name)
    if is_dir(output):
        output = output / made.name
    check_output_path(output, inputs=Protected([previous]), force=force, suffix=".xlsx")
    write_atomically(output, made.data, force=force)
    return Made(output, made.year, made.warnings)


def export_word_template(output: Path, *, force: bool = False) -> Path:
    """Write the default Word template (``.docx`` added when ``output`` has no suffix), for a user to
    restyle and pass back with ``render --template``; returns where it went."""
    from gaidocx.document.word_template import build_word_template

    output = with_suffix_if_none(output, ".docx")
    check_output_path(output, inputs=(), force=force, suffix=".docx")
    write_atomically(output, build_word_template(), force=force)
    return output


# ---------------------------------------------------------------- render


def render_bytes(data: bytes, name: str, *, extras: Sequence[str] = (".html", ".json")) -> Rendered:
    """Check a workbook held in memory and, without errors, make its report with the shipped
    Word template; nothing touches the disk.  Never raises for a bad workbook: it is
    UNREADABLE with the reason, named by ``name``."""
    return render_source((name, data), Renderer(None), extras=extras)


def render_workbook(
    source: Path,
    *,
    output: Path | None = None,
    template: Path | None = None,
    previous: Path | None = None,
    force: bool = False,
    pdf: bool = False,
    extras: Sequence[str] = (),
) -> Outcome:
    """Check one workbook and write its report.

    ``output`` is a file name (``.docx`` added when it has no suffix) or an existing folder
    that gets the default name; without it the report goes beside the workbook.  An
    unreadable workbook raises ``WorkbookError``; one with errors returns them, writing nothing.
    """
    inputs = Protected([source, template, previous])
    check_template_option(template)
    if pdf:
        require_soffice()
    named = output is not None and not is_dir(output)
    if named:
        output = with_suffix_if_none(output, ".docx")
        check_output_path(output, inputs=inputs, force=force, suffix=".docx")
    renderer = Renderer(template)
    last_year = previous_file(previous, "--previous") if previous else None
    rendered = render_source(source, renderer, previous=last_year, extras=extras, raise_unforeseen=True)
    if rendered.status is Status.UNREADABLE:
        raise WorkbookError(rendered.reason)
    if rendered.status is not Status.RENDERED:
        return outcome_of(source, rendered, [])
    docx = output if named else (output or source.parent) / f"{rendered.name_stem}.docx"
    targets = targets_of(docx, rendered, pdf)
    for target in targets:
        check_output_path(target, inputs=inputs, force=force, suffix=target.suffix)
    outcome = outcome_of(source, rendered, write_rendered(rendered, targets, force=force))
    outcome.notices = tuple(renderer.notices)
    if pdf:
        convert_batch([outcome], force=force)
    return outcome


def render_many(
    sources: Sequence[Path],
    *,
    folder: Path | None = None,
    template: Path | None = None,
    force: bool = False,
    pdf: bool = False,
    extras: Sequence[str] = (),
    jobs: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Check and render many workbooks; one bad or unreadable file never stops the others.

    Outputs go to ``folder`` (created if missing) or beside each input.  ``jobs`` worker
    processes (by default and at most: the number of CPUs) each load the Word template once.  With
    ``pdf``, one LibreOffice converts every document at the end.
    """
    check_template_option(template)
    if pdf:
        require_soffice()
    renderer = Renderer(template)  # a bad template is refused once, before anything is read or made
    if folder is not None:
        if os.path.lexists(folder) and not is_dir(folder):
            raise UserError(f"多个填报表时，-o 应为文件夹，但“{folder}”是一个文件。")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"无法创建输出文件夹：{folder}（{os_reason(exc)}）") from exc
    sources = unique_paths(sources)[0]
    outcomes: dict[Path, Outcome] = {}
    claimed: dict[Path, Path] = {}
    protected = Protected([*sources, template])
    # outcomes.values() is a live view: whatever was placed when an interruption comes
    with without_pdf_removed_if_interrupted(outcomes.values()) if pdf else contextlib.nullcontext():
        for source, rendered in render_all(sources, renderer, template, extras, jobs):
            outcome = place(source, rendered, folder, claimed, protected, force, pdf)
            outcomes[source] = outcome
            if progress:
                progress(outcome)
    ordered = [outcomes[s] for s in sources]
    for outcome in ordered:
        outcome.notices = tuple(renderer.notices)
    if pdf:
        convert_batch(ordered, force=force)
    return ordered


# ---------------------------------------------------------------- check many, export and summary


def _summary_inputs(sources: Iterable[Source]):
    from gaidocx.core.summary import SummaryInput

    return [
        SummaryInput(str(one.source), None, unreadable=one.reason)
        if one.checked is None
        else SummaryInput(str(one.source), one.checked.report, tuple(one.checked.problems))
        for one in check_many(sources)
    ]


@dataclass(frozen=True, slots=True)
class ExportedBytes:
    """``export`` in memory: the CSV (``None`` when no report could be exported), how many rows,
    and the files left out (name, why)."""

    data: bytes | None
    count: int
    left_out: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Exported:
    """``export``'s result: the files left out (path, why) and the exit code it implies."""

    count: int
    left_out: list[tuple[str, str]]
    exit_code: int


def export_csv_bytes(items: Sequence[tuple[str, bytes]]) -> ExportedBytes:
    """One CSV row per report without errors, one column per figure headed by the official labels
    (UTF-8 with BOM, so Excel and WPS open it directly); nothing touches the disk."""
    return _export(_summary_inputs(items))


def export_csv(paths: Sequence[Path], output: Path, *, force: bool = False) -> Exported:
    """``export_csv_bytes`` over workbook files, written to ``output``."""
    check_output_path(output, inputs=paths, force=force, suffix=".csv")
    inputs = _summary_inputs(paths)
    exported = _export(inputs)
    if exported.data is None:
        why = "".join(f"\n未导出  {path}：{reason}" for path, reason in exported.left_out)
        raise UserError(f"没有可以导出的填报表，未生成 CSV 文件。{why}")
    write_atomically(output, exported.data, force=force)
    unreadable = any(item.report is None for item in inputs)
    return Exported(exported.count, exported.left_out, Status.UNREADABLE.exit_code if unreadable else int(bool(exported.left_out)))


def _export(items) -> ExportedBytes:
    from gaidocx.core.records import reports_to_csv_bytes

    exported = [item.report for item in items if item.report is not None and not item.errors]
    left_out = [
        (item.path, f"无法读取。{item.unreadable}" if item.report is None else f"有 {len(item.errors)} 个错误，请先用 gaidocx check 检查并改正。")
        for item in items
        if item.report is None or item.errors
    ]
    return ExportedBytes(reports_to_csv_bytes(exported) if exported else None, len(exported), left_out)


@dataclass(frozen=True, slots=True)
class Summarised:
    """``summary`` in memory: the planned ``Summary`` and the workbook's bytes (``None`` when refused)."""

    summary: Summary
    data: bytes | None


def summarise_bytes(
    items: Sequence[tuple[str, bytes]], *, agency: str, year: int | None = None, skip_errors: bool = False
) -> Summarised:
    """The whole-area (本行政区域) fill-in workbook from workbooks held in memory (name, bytes):
    figures summed, text left to write, and a 汇总明细 sheet; nothing touches the disk."""
    return _summarised(items, agency=_area_agency(agency), year=year, skip_errors=skip_errors)


def summarise_workbooks(
    paths: Sequence[Path],
    output: Path,
    *,
    agency: str,
    year: int | None = None,
    skip_errors: bool = False,
    force: bool = False,
):
    """``summarise_bytes`` over workbook files, written to ``output``.  Returns the ``Summary``;
    when it was refused nothing is written."""
    agency = _area_agency(agency)
    check_output_path(output, inputs=paths, force=force, suffix=".xlsx")
    summarised = _summarised(paths, agency=agency, year=year, skip_errors=skip_errors)
    if summarised.data is not None:
        write_atomically(output, summarised.data, force=force)
    return summarised.summary


def _area_agency(agency: str) -> str:
    agency = agency.strip()
    if not agency or NOT_XML.search(agency):
        raise UserError("请用 --agency 给出本行政区域报告的机关名称（不能为空，不能含控制字符）。")
    return agency


def _summarised(sources: Sequence[Source], *, agency: str, year: int | None, skip_errors: bool) -> Summarised:
    from gaidocx.core.summary import plan_summary
    from gaidocx.workbook.summary_sheet import summary_workbook_bytes

    planned = plan_summary(_summary_inputs(sources), agency=agency, year=year, skip_errors=skip_errors)
    return Summarised(planned, None if planned.refusals else summary_workbook_bytes(planned))

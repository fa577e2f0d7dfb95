"""Reading and checking one workbook, given by path or as bytes with the user's file name, and
checking many: the first step of every operation.

A message names the workbook by the name given (a temporary path never shows).  Errors
are listed before warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gaidocx.core.checks import Problem, WithProblems, check_report, sort_problems
from gaidocx.core.report import Report
from gaidocx.exits import EXIT_ERRORS, EXIT_FILE_PROBLEM, EXIT_OK
from gaidocx.failures import bad_file_reason
from gaidocx.files import UserError
from gaidocx.workbook.layout import describe_all
from gaidocx.workbook import WorkbookError

if TYPE_CHECKING:
    from gaidocx.workbook.read import Reading


def _reader():
    """The workbook reader, loaded when a workbook is first read: the commands that never read
    one (auditing a published PDF or page) do not pay for loading it."""
    from gaidocx.workbook import read

    return read


@dataclass(frozen=True, slots=True)
class Checked(WithProblems):
    """A workbook's report as read and every problem found, errors first."""

    report: Report
    problems: list[Problem]


#: A workbook given by path, or by the user's file name and its bytes (an upload).
Source = Path | tuple[str, bytes]


def check_workbook(path: Path, *, previous: Path | None = None) -> Checked:
    """Read a filled workbook and run every check; ``previous`` is last year's workbook.

    Errors are listed before warnings.
    """
    last_year = previous_report(previous_file(previous, "--previous"), "--previous") if previous else None
    return check_data(_reader().read_workbook_file(path), path.name, last_year)


def check_bytes(data: bytes, name: str, *, previous: tuple[str, bytes] | None = None) -> Checked:
    """``check_workbook`` for a workbook held in memory: ``name`` (the user's file name) is what
    every message calls it; ``previous`` is last year's workbook as (name, bytes)."""
    return check_data(data, name, previous_report(previous, "--previous") if previous else None)


def check_data(data: bytes, name: str, last_year: tuple[str, Report] | None) -> Checked:
    """The one way a workbook is checked: its bytes read by name, against last year's report if given."""
    reading = _reader().read_workbook_bytes(data, name)
    previous_name, previous = last_year or ("", None)
    problems = reading.problems + check_report(
        reading.report, previous=previous, previous_name=previous_name, reported=reading.unreadable
    )
    return Checked(reading.report, sort_problems(problems))


def previous_file(path: Path, option: str) -> tuple[str, bytes]:
    """Last year's workbook (``--previous``, ``--from``) as (name, bytes)."""
    try:
        return path.name, _reader().read_workbook_file(path)
    except WorkbookError as exc:
        raise UserError(f"上一年度的填报表（{option}）“{path}”无法使用：{exc}") from exc


def previous_report(previous: tuple[str, bytes], option: str) -> tuple[str, Report]:
    name, reading = previous_reading(previous, option)
    return name, reading.report


def previous_reading(previous: tuple[str, bytes], option: str) -> tuple[str, Reading]:
    """Last year's workbook as read, or a ``UserError`` naming the option that gave it."""
    name, data = previous
    try:
        return name, _reader().read_workbook_bytes(data, name)
    except WorkbookError as exc:
        raise UserError(f"上一年度的填报表（{option}）“{name}”无法使用：{exc}") from exc


def format_problem(problem: Problem) -> str:
    """``错误  表三!D7（一、… × 自然人）：不能为空……``"""
    return f"{problem.severity.value}  {problem_text(problem)}"


def problem_text(problem: Problem) -> str:
    """``表三!D7（一、… × 自然人）：不能为空……``: where, and what is wrong."""
    where = describe_all(problem.places)
    return f"{where}：{problem.message}" if where else problem.message


def verdict(checked: Checked) -> str:
    """The closing line of a check: staff wait for “检查通过”."""
    errors, warnings = len(checked.errors), len(checked.warnings)
    if errors:
        return f"共 {errors} 个错误，{warnings} 个警告。"
    if warnings:
        return f"检查通过（有 {warnings} 个警告，请核对）。"
    return "检查通过：没有发现问题。"


#: The closing line for a file that could not be read at all.
UNREADABLE_VERDICT = "无法读取，未检查。"


def named_source(source: Source) -> tuple[str, Callable[[], bytes]]:
    """The name messages use for a source, and how to get its bytes (a file is read only when needed)."""
    if isinstance(source, tuple):
        name, data = source
        return name, lambda: data
    return source.name, lambda: _reader().read_workbook_file(source)


@dataclass(frozen=True, slots=True)
class FileProblems:
    """One file's lines in a problem list (``--report``): its result and every problem, or why
    it could not be used."""

    file: str
    result: str
    problems: tuple[Problem, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class FileChecked:
    """One file of a batch check: its checks, or why it could not be read."""

    #: the path, or the name given with the bytes
    source: Path | str
    checked: Checked | None
    reason: str = ""

    @property
    def exit_code(self) -> int:
        if self.checked is None:
            return EXIT_FILE_PROBLEM
        return EXIT_ERRORS if self.checked.errors else EXIT_OK

    def file_problems(self) -> FileProblems:
        if self.checked is None:
            return FileProblems(str(self.source), "无法读取", reason=self.reason)
        result = "有错误" if self.checked.errors else "检查通过"
        return FileProblems(str(self.source), result, tuple(self.checked.problems))


def check_many(
    sources: Iterable[Source], *, previous: Source | None = None, raise_unforeseen: bool = False
) -> Iterator[FileChecked]:
    """Each workbook read and checked on its own, as it comes: one unreadable file never stops
    the others (``bad_file_reason``).  ``previous`` (last year's workbook) is read once."""
    last_year = None
    if previous is not None:
        given = previous_file(previous, "--previous") if isinstance(previous, Path) else previous
        last_year = previous_report(given, "--previous")
    for source in sources:
        name, read = named_source(source)
        shown = source if isinstance(source, Path) else name
        try:
            checked = check_data(read(), name, last_year)
        except Exception as exc:  # noqa: BLE001 - the one policy: this file's reason
            yield FileChecked(shown, None, bad_file_reason(exc, raise_unforeseen))
            continue
        yield FileChecked(shown, checked)

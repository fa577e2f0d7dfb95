"""The one-way flow xlsx → report → checks → docx, as library calls.

The CLI is a thin layer over these functions; scripts and tests can call them
directly.  User-facing failures are ``UserError`` (exit code 2) with a complete
Chinese message; workbook content problems are ``Problem`` objects (exit 1).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gaidocx.core.checks import Problem, check_report
from gaidocx.core.form import title
from gaidocx.core.report import Report
from gaidocx.workbook.layout import describe
from gaidocx.workbook.read import WorkbookError, read_workbook


class UserError(Exception):
    """A problem with files or options: the message says what to do."""


@dataclass(frozen=True, slots=True)
class Checked:
    report: Report
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check_workbook(path: Path, *, previous: Path | None = None) -> Checked:
    """Read a filled workbook and run every check; ``previous`` is last year's workbook."""
    last_year = _read_previous(previous) if previous else None
    reading = read_workbook(path)
    problems = reading.problems + check_report(reading.report, previous=last_year, reported=reading.unreadable)
    return Checked(reading.report, problems)


def _read_previous(path: Path) -> Report:
    try:
        return read_workbook(path).report
    except WorkbookError as exc:
        raise UserError(f"上一年度的填报表（--previous）无法使用：{exc}") from exc


def format_problem(problem: Problem) -> str:
    """``错误  表三!D7（一、… × 自然人）：不能为空……``"""
    where = "、".join(describe(place) for place in problem.places)
    text = f"{where}：{problem.message}" if where else problem.message
    return f"{problem.severity.value}  {text}"


_UNSAFE_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
#: File systems refuse names over 255 bytes; CJK takes 3 bytes a character in UTF-8.
_LONGEST_AGENCY = 40


def default_output(source: Path, report: Report) -> Path:
    """Beside the input, named like the report's title, safe on Windows."""
    agency = report.agency.strip()[:_LONGEST_AGENCY]
    name = _UNSAFE_IN_FILENAMES.sub("_", title(agency, report.year or 0)).strip(" .")
    return source.with_name(f"{name}.docx")


def check_output_path(output: Path, *, inputs: tuple[Path, ...], force: bool, suffix: str) -> None:
    """Refuse before any work is done: a wrong kind of name, overwriting the input or an existing file, a missing folder."""
    for source in inputs:
        same = output.exists() and source.exists() and os.path.samefile(source, output)
        if same or output.resolve() == source.resolve():
            raise UserError(f"输出文件不能与输入文件相同：{output}")
    if output.suffix.lower() != suffix:
        raise UserError(f"输出文件名应以 {suffix} 结尾：{output}")
    if output.is_dir():
        raise UserError(f"输出路径是一个文件夹，请给出文件名：{output}")
    if output.exists() and not force:
        raise UserError(f"文件已存在：{output}\n如需覆盖，请加 --force；或用 -o 指定另一个文件名。")
    folder = output.parent
    if not folder.is_dir():
        raise UserError(f"输出文件夹不存在：{folder}")
    if not os.access(folder, os.W_OK):
        raise UserError(f"没有权限写入文件夹：{folder}")


def write_atomically(output: Path, data: bytes) -> None:
    """Write to a temporary file in the target folder, then rename: no partial file ever exists."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=".gaidocx-", suffix=output.suffix, dir=output.parent)
    except OSError as exc:
        raise UserError(f"无法在文件夹中写入文件：{output.parent}（{exc.strerror}）") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, output)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UserError(f"写入文件失败：{output}（{exc.strerror}）") from exc


def _umask() -> int:
    """mkstemp creates owner-only files; the output should get the user's usual permissions."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

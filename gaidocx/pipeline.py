"""The library: every operation of the ``gaidocx`` command as a plain function returning results.

Data flows one way, xlsx → report → checks → docx, and the CLI is only a thin
layer that parses options, prints what these functions return and picks exit
codes.  A script can do the same in a few lines::

    from gaidocx import pipeline
    outcomes = pipeline.render_many(pipeline.expand_inputs(["收到的填报表"]).paths, folder=Path("报告"))
    for outcome in outcomes:
        print(outcome.line())

User-facing failures about options and files are ``UserError`` (exit code 2)
with a complete Chinese message; workbook content problems are ``Problem``
objects (exit 1).  Office libraries are imported only by the operations that
need them, so ``check`` never loads python-docx, docxtpl or jinja2.
"""

from __future__ import annotations

import datetime
import enum
import errno
import glob
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gaidocx.core.checks import Problem, WithProblems, check_report, sort_problems
from gaidocx.core.form import FIRST_YEAR, TITLE_SUFFIX, title
from gaidocx.core.narrative import NOT_XML
from gaidocx.core.report import Report
from gaidocx.workbook.layout import describe_all
from gaidocx.workbook.read import WorkbookError, read_workbook

#: Excel keeps ``~$名称.xlsx`` beside a workbook while it is open.
LOCK_PREFIX = "~$"
WORKBOOK_SUFFIX = ".xlsx"
#: File systems refuse names over 255 bytes.
_MAX_NAME_BYTES = 255


class UserError(Exception):
    """A problem with files or options: the message says what to do."""


# ---------------------------------------------------------------- check


@dataclass(frozen=True, slots=True)
class Checked(WithProblems):
    report: Report
    problems: list[Problem]


def check_workbook(path: Path, *, previous: Path | None = None) -> Checked:
    """Read a filled workbook and run every check; ``previous`` is last year's workbook.

    Errors are listed before warnings.
    """
    last_year = _read_previous(previous) if previous else None
    reading = read_workbook(path)
    problems = reading.problems + check_report(
        reading.report, previous=last_year, previous_name=previous.name if previous else "", reported=reading.unreadable
    )
    return Checked(reading.report, sort_problems(problems))


def _read_previous(path: Path) -> Report:
    try:
        return read_workbook(path).report
    except WorkbookError as exc:
        raise UserError(f"上一年度的填报表（--previous）“{path}”无法使用：{exc}") from exc


def format_problem(problem: Problem) -> str:
    """``错误  表三!D7（一、… × 自然人）：不能为空……``"""
    where = describe_all(problem.places)
    text = f"{where}：{problem.message}" if where else problem.message
    return f"{problem.severity.value}  {text}"


def verdict(checked: Checked) -> str:
    """The closing line of a check: staff wait for “检查通过”."""
    errors, warnings = len(checked.errors), len(checked.warnings)
    if errors:
        return f"共 {errors} 个错误，{warnings} 个警告。"
    if warnings:
        return f"检查通过（有 {warnings} 个警告，请核对）。"
    return "检查通过：没有发现问题。"


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Inputs:
    """Workbooks to process, in order, and the Excel lock files that were passed over."""

    paths: list[Path]
    skipped_locks: list[Path]
    #: true when folders or several files were named: outputs then go to a folder
    many: bool


def expand_inputs(
    given: Iterable[str | Path], *, suffixes: tuple[str, ...] = (WORKBOOK_SUFFIX,), what: str = ".xlsx 填报表"
) -> Inputs:
    """Files, folders (their files ending in ``suffixes``) and wildcards, expanded here because the
    Windows command prompt passes ``*.xlsx`` on unexpanded.  A pattern matching nothing stays, so
    it is reported as a missing file."""
    paths: list[Path] = []
    given = [Path(g) for g in given]
    many = len(given) > 1
    for path in given:
        pattern = str(path)
        if path.is_dir():
            many = True
            paths.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes and p.is_file()))
        elif path.exists() or not any(mark in pattern for mark in "*?["):
            paths.append(path)
        else:
            many = True
            paths.extend([Path(m) for m in sorted(glob.glob(pattern))] or [path])
    locks = [p for p in paths if p.name.startswith(LOCK_PREFIX)]
    kept = [p for p in paths if not p.name.startswith(LOCK_PREFIX)]
    if not kept:
        if locks:
            raise UserError(
                f"没有可处理的填报表：给出的只有 Excel 的临时锁定文件（{'、'.join(p.name for p in locks[:3])}），"
                "它们不是填报表。请给出填报表本身（文件名不以 ~$ 开头）。"
            )
        raise UserError(f"文件夹中没有 {what}：{'、'.join(str(g) for g in given)}")
    return Inputs(kept, locks, many or len(kept) > 1)


# ---------------------------------------------------------------- output names and writing


_UNSAFE_IN_FILENAMES = re.compile(r'[\\/:*?"<>|]')
#: CJK takes 3 bytes a character in UTF-8; 40 characters leave room for the rest of the title.
_LONGEST_AGENCY = 40


def safe_file_name(text: str) -> str:
    """``text`` usable as a file name on Windows: no reserved or invisible characters
    (controls and format characters such as a right-to-left override never reach a name)."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    visible = "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE)
    return _UNSAFE_IN_FILENAMES.sub("_", visible).strip(" .")


#: Character categories that must not reach a file name: controls, format characters
#: (bidirectional overrides, zero-width joiners), surrogates, private use, unassigned.
_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))
#: The template's file name when neither agency nor year is known.
PLAIN_TEMPLATE_NAME = "政府信息公开年度报告填报表.xlsx"


def template_name(agency: str = "", year: int | None = None) -> str:
    """``某某县人民政府办公室2025年政府信息公开工作年度报告填报表.xlsx``: the dozens of files an
    office receives differ by name."""
    agency = safe_file_name(agency)[:_LONGEST_AGENCY]
    if not agency and not year:
        return PLAIN_TEMPLATE_NAME
    stem = title(agency, year) if year else agency + TITLE_SUFFIX.removeprefix("年")
    return safe_file_name(stem) + "填报表.xlsx"


def default_name(report: Report, suffix: str = ".docx") -> str:
    """Named like the report's title: ``某某局2024年政府信息公开工作年度报告.docx``."""
    agency = safe_file_name(report.agency)[:_LONGEST_AGENCY]
    return f"{safe_file_name(title(agency, report.year or 0))}{suffix}"



def with_suffix_if_none(output: Path, suffix: str) -> Path:
    """``-o 报告`` means ``报告.docx``."""
    return output if output.suffix else output.with_name(output.name + suffix)


class Protected:
    """Files an output must never replace (the inputs), known by resolved path and by identity
    on disk, so that checking many outputs against many inputs stays linear."""

    def __init__(self, paths: Iterable[Path | None]) -> None:
        self.keys: set[object] = set()
        for path in paths:
            if path is None:
                continue
            self.keys.add(path.resolve())
            try:
                status = path.stat()
            except OSError:
                continue
            self.keys.add((status.st_dev, status.st_ino))

    def __contains__(self, output: Path) -> bool:
        if output.resolve() in self.keys:
            return True
        try:
            status = output.stat()
        except OSError:
            return False
        return (status.st_dev, status.st_ino) in self.keys


def check_output_path(output: Path, *, inputs: Iterable[Path] | Protected, force: bool, suffix: str) -> None:
    """Refuse before any work is done: a wrong kind of name, overwriting an input or an existing
    file, a missing folder, a name too long for the file system."""
    if len(output.name.encode("utf-8")) > _MAX_NAME_BYTES:
        raise UserError(f"输出文件名太长（超过 {_MAX_NAME_BYTES} 字节），请用 -o 指定一个短一些的文件名：{output.name[:40]}……")
    if output in (inputs if isinstance(inputs, Protected) else Protected(inputs)):
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


def write_atomically(output: Path, data: bytes, *, force: bool = True) -> None:
    """Write to a temporary file in the target folder, then move it into place: no partial file
    ever exists under the final name, and an interrupted write leaves no temporary file.

    Without ``force`` an existing file is never replaced, even by a process racing this one:
    the final name is created by a hard link, which fails when the name exists.
    """
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(prefix=".gaidocx-", suffix=output.suffix, dir=output.parent)
    except OSError as exc:
        raise UserError(f"无法在文件夹中写入文件：{output.parent}（{_reason(exc)}）") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        if force:
            os.replace(temporary, output)
        else:
            _link_exclusively(Path(temporary), output)
    except FileExistsError as exc:
        raise UserError(f"文件已存在：{output}\n（可能刚由另一个程序生成。）如需覆盖，请加 --force。") from exc
    except OSError as exc:
        raise UserError(f"写入文件失败：{output}（{_reason(exc)}）") from exc
    finally:
        Path(temporary).unlink(missing_ok=True)


def _link_exclusively(temporary: Path, output: Path) -> None:
    try:
        os.link(temporary, output)
    except FileExistsError:
        raise
    except OSError:
        # File systems without hard links (FAT, some network drives): O_EXCL still never replaces.
        with open(output, "xb") as stream:
            stream.write(temporary.read_bytes())


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "文件名或路径太长"
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有权限"
    return exc.strerror or type(exc).__name__


def _umask() -> int:
    """mkstemp creates owner-only files; the output should get the user's usual permissions."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- template


@dataclass(frozen=True, slots=True)
class Made:
    """A fill-in workbook written: where, for which year, and what the user should know."""

    path: Path
    year: int | None
    warnings: list[str]


def make_template(
    output: Path | None = None,
    *,
    agency: str = "",
    year: int | None = None,
    previous: Path | None = None,
    force: bool = False,
    today: datetime.date | None = None,
) -> Made:
    """Write a fill-in workbook, named by agency and year unless ``output`` is given.

    With ``previous`` (last year's workbook) it is next year's: agency and year + 1 filled,
    上年结转 taken from last year's 结转下年度继续办理, headings pre-filled, no text copied.
    """
    from gaidocx.workbook.build import build_next_year_template, build_template

    today = today or datetime.date.today()
    if previous is not None:
        if agency or year is not None:
            raise UserError("--from 不能与 --agency、--year 同时使用：机关名称和年度取自上一年度的填报表。")
        try:
            last = read_workbook(previous).report
            workbook = build_next_year_template(last)
        except (WorkbookError, ValueError) as exc:
            raise UserError(f"上一年度的填报表（--from）“{previous}”无法使用：{exc}") from exc
        agency, year = last.agency, (last.year or 0) + 1
    else:
        if year is not None and year < FIRST_YEAR:
            raise UserError(f"报告年度 {year} 早于 {FIRST_YEAR}：{FIRST_YEAR} 年度以前的报告使用旧格式，本工具不支持。")
        if year is not None and year > today.year:
            raise UserError(f"报告年度 {year} 还没有到，请核对。")
        if NOT_XML.search(agency):
            raise UserError("机关名称中含有不可见的控制字符（可能是从别处复制来的），请重新输入。")
        workbook = build_template(agency=agency, year=year)
    output = with_suffix_if_none(output, ".xlsx") if output is not None else Path(template_name(agency, year))
    if _is_dir(output):
        output = output / template_name(agency, year)
    check_output_path(output, inputs=Protected([previous]), force=force, suffix=".xlsx")
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomically(output, buffer.getvalue(), force=force)
    return Made(output, year, agency_warnings(agency))


def agency_warnings(agency: str) -> list[str]:
    """Invisible characters pasted into 机关名称 (a right-to-left override can disguise a name)."""
    hidden = sorted({f"U+{ord(c):04X}" for c in agency if unicodedata.category(c) in _INVISIBLE})
    if not hidden:
        return []
    return [f"机关名称中有不可见的格式字符（{'、'.join(hidden[:5])}），可能是从别处复制来的，请核对；文件名中已去掉。"]


# ---------------------------------------------------------------- render


class Status(enum.Enum):
    RENDERED = "已生成"
    ERRORS = "有错误"
    UNREADABLE = "无法读取"
    #: read and checked, but its files could not be written or converted
    FAILED = "未生成"

    @property
    def exit_code(self) -> int:
        return {Status.RENDERED: 0, Status.ERRORS: 1}.get(self, 2)


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a worker hands back for one workbook: small and picklable, no report object."""

    source: Path
    status: Status
    problems: tuple[str, ...] = ()  # formatted, errors first
    errors: int = 0
    warnings: int = 0
    name_stem: str = ""  # the default output name without suffix
    files: dict[str, bytes] = field(default_factory=dict)  # suffix → content
    reason: str = ""  # why the file could not be read


@dataclass(slots=True)
class Outcome:
    """One workbook's result: what was written, or the first error, or why it was unreadable."""

    source: Path
    status: Status
    outputs: list[Path] = field(default_factory=list)
    problems: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0
    reason: str = ""
    #: what was removed from a custom Word template
    notices: tuple[str, ...] = ()

    def line(self) -> str:
        """One line for the batch table."""
        if self.status is Status.RENDERED:
            shown = "、".join(str(p) for p in self.outputs)
            note = f"（{self.warnings} 个警告）" if self.warnings else ""
            return f"{self.status.value}  {self.source.name} → {shown}{note}"
        if self.status is Status.ERRORS:
            more = f"（共 {self.errors} 个错误）" if self.errors > 1 else ""
            return f"{self.status.value}  {self.source.name}：{self.problems[0]}{more}"
        return f"{self.status.value}  {self.source.name}：{self.reason}"


def counts_line(outcomes: Sequence[Outcome]) -> str:
    statuses = [o.status for o in outcomes]
    failed = statuses.count(Status.FAILED)
    return (
        f"共 {len(outcomes)} 个文件：{statuses.count(Status.RENDERED)} 个已生成，"
        f"{statuses.count(Status.ERRORS)} 个有错误，{statuses.count(Status.UNREADABLE)} 个无法读取"
        + (f"，{failed} 个未生成。" if failed else "。")
    )


def exit_code(outcomes: Iterable[Outcome]) -> int:
    return max((o.status.exit_code for o in outcomes), default=0)


class _Renderer:
    """Fills the Word template: checked, cleaned and compiled once per process (the default
    template's compiled code is cached on disk too), then reused for every report."""

    def __init__(self, template: Path | None) -> None:
        from gaidocx.document.render import prepare_template

        self.template = prepare_template(template)

    @property
    def notices(self) -> list[str]:
        """What was removed from a custom template (an attached template, …), in Chinese."""
        return self.template.notices

    def docx(self, report: Report) -> bytes:
        return self.template.render(report)


def _extra_file(suffix: str, checked: Checked) -> bytes:
    if suffix == ".html":
        from gaidocx.document.html import render_html

        return render_html(checked.report).encode("utf-8")
    from gaidocx.core.data import report_json

    return report_json(checked.report, checked.problems).encode("utf-8")


def prepare(
    source: Path,
    renderer: _Renderer,
    *,
    previous: Path | None = None,
    extras: Sequence[str] = (),
) -> Prepared:
    """Check one workbook and, without errors, make the .docx (and extras) in memory."""
    try:
        checked = check_workbook(source, previous=previous)
    except WorkbookError as exc:
        return Prepared(source, Status.UNREADABLE, reason=str(exc))
    shown = tuple(format_problem(p) for p in checked.problems)
    counts = {"errors": len(checked.errors), "warnings": len(checked.warnings)}
    if checked.errors:
        return Prepared(source, Status.ERRORS, shown, **counts)
    files = {".docx": renderer.docx(checked.report)}
    files.update({suffix: _extra_file(suffix, checked) for suffix in extras})
    stem = Path(default_name(checked.report)).stem
    return Prepared(source, Status.RENDERED, shown, name_stem=stem, files=files, **counts)


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
    _check_template_option(template)
    if pdf:
        _require_soffice()
    named = output is not None and not _is_dir(output)
    if named:
        output = with_suffix_if_none(output, ".docx")
        check_output_path(output, inputs=inputs, force=force, suffix=".docx")
    renderer = _Renderer(template)
    prepared = prepare(source, renderer, previous=previous, extras=extras)
    if prepared.status is Status.UNREADABLE:
        raise WorkbookError(prepared.reason)
    if prepared.status is Status.ERRORS:
        return _outcome(prepared, [])
    docx = output if named else (output or source.parent) / f"{prepared.name_stem}.docx"
    targets = _targets(docx, prepared, pdf)
    for target in targets:
        check_output_path(target, inputs=inputs, force=force, suffix=target.suffix)
    outcome = _outcome(prepared, _write(prepared, targets, force=force))
    outcome.notices = tuple(renderer.notices)
    if pdf:
        _convert_batch([outcome], force=force)
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
    processes (default: the number of CPUs) each prepare the Word template once.  With
    ``pdf``, one LibreOffice converts every document at the end.
    """
    _check_template_option(template)
    if pdf:
        _require_soffice()
    renderer = _Renderer(template)  # a bad template is refused once, before anything is read or made
    if folder is not None:
        if folder.exists() and not folder.is_dir():
            raise UserError(f"多个填报表时，-o 应为文件夹，但“{folder}”是一个文件。")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"无法创建输出文件夹：{folder}（{_reason(exc)}）") from exc
    outcomes: dict[Path, Outcome] = {}
    claimed: set[Path] = set()
    protected = Protected([*sources, template])
    for prepared in _prepare_all(sources, renderer, template, extras, jobs):
        outcome = _place(prepared, folder, claimed, protected, force, pdf)
        outcomes[prepared.source] = outcome
        if progress:
            progress(outcome)
    ordered = [outcomes[s] for s in sources]
    for outcome in ordered:
        outcome.notices = tuple(renderer.notices)
    if pdf:
        _convert_batch(ordered, force=force)
    return ordered


def _prepare_all(
    sources: Sequence[Path], renderer: _Renderer, template: Path | None, extras: Sequence[str], jobs: int | None
):
    workers = min(jobs or os.cpu_count() or 1, len(sources))
    if workers <= 1:
        for source in sources:
            yield _prepare_safely(source, renderer, extras)
        return
    # Leaving the block for any reason (done, Ctrl+C, SIGTERM) terminates the workers.
    import multiprocessing

    with multiprocessing.Pool(workers, initializer=_start_worker, initargs=(template,)) as pool:
        yield from pool.imap_unordered(_work, [(source, tuple(extras)) for source in sources])


_worker_renderer: _Renderer | None = None


def _start_worker(template: Path | None) -> None:
    """Each worker prepares the Word template once; Ctrl+C is the parent's to handle, and a
    worker sent SIGTERM just ends (the parent reports the interruption)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _worker_renderer
    _worker_renderer = _Renderer(template)


def _work(task: tuple[Path, tuple[str, ...]]) -> Prepared:
    source, extras = task
    assert _worker_renderer is not None
    return _prepare_safely(source, _worker_renderer, extras)


def _prepare_safely(source: Path, renderer: _Renderer, extras: Sequence[str]) -> Prepared:
    """One odd file must not stop a batch: anything unforeseen is that file's reason."""
    try:
        return prepare(source, renderer, extras=extras)
    except UserError as exc:
        return Prepared(source, Status.UNREADABLE, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - reported for this file only
        from gaidocx.document.render import TemplateProblem

        if isinstance(exc, TemplateProblem):
            return Prepared(source, Status.FAILED, reason=f"Word 模板无法使用：{exc}")
        return Prepared(source, Status.UNREADABLE, reason=unexpected(exc))


def _place(
    prepared: Prepared,
    folder: Path | None,
    claimed: set[Path],
    protected: Protected,
    force: bool,
    pdf: bool,
) -> Outcome:
    """Write one prepared report under its default name; two inputs never share an output."""
    if prepared.status is not Status.RENDERED:
        return _outcome(prepared, [])
    docx = (folder or prepared.source.parent) / f"{prepared.name_stem}.docx"
    if docx in claimed:
        return Outcome(
            prepared.source,
            Status.FAILED,
            reason=f"与另一个填报表的机关名称和年度相同，输出文件“{docx.name}”会重名，未生成。请核对机关名称和年度。",
        )
    targets = _targets(docx, prepared, pdf)
    claimed.update(targets)
    try:
        for target in targets:
            check_output_path(target, inputs=protected, force=force, suffix=target.suffix)
        return _outcome(prepared, _write(prepared, targets, force=force))
    except UserError as exc:
        return Outcome(prepared.source, Status.FAILED, reason=str(exc))


def _targets(docx: Path, prepared: Prepared, pdf: bool) -> list[Path]:
    targets = [docx, *(docx.with_suffix(s) for s in prepared.files if s != ".docx")]
    if pdf:
        targets.append(docx.with_suffix(".pdf"))
    return targets


def _write(prepared: Prepared, targets: list[Path], *, force: bool) -> list[Path]:
    written = []
    by_suffix = {t.suffix: t for t in targets}
    try:
        for suffix, data in prepared.files.items():
            write_atomically(by_suffix[suffix], data, force=force)
            written.append(by_suffix[suffix])
    except BaseException:
        for path in written:  # all of a report's files or none
            path.unlink(missing_ok=True)
        raise
    return written


def _outcome(prepared: Prepared, written: list[Path]) -> Outcome:
    return Outcome(
        prepared.source,
        prepared.status,
        written,
        prepared.problems,
        prepared.errors,
        prepared.warnings,
        prepared.reason,
    )


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long, a loop of links: not a folder, refused later with a message
        return False


def _check_template_option(template: Path | None) -> None:
    """Only that it is there; the template guard says what else is wrong with it."""
    if template is not None and not os.path.lexists(template):
        raise UserError(f"找不到 Word 模板文件：{template}")


def _require_soffice() -> None:
    from gaidocx.document.pdf import find_soffice

    if find_soffice() is None:
        raise UserError("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice，或去掉 --pdf 只生成 Word 文档。")


def _convert_batch(outcomes: list[Outcome], *, force: bool) -> None:
    """Every rendered document through one LibreOffice; a failed conversion fails that report only."""
    from gaidocx.document.pdf import convert_many

    rendered = [o for o in outcomes if o.status is Status.RENDERED]
    if not rendered:
        return
    documents = [o.outputs[0] for o in rendered]
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        converted_names = [Path(folder) / f"{index}.pdf" for index in range(len(documents))]
        failures = convert_many(list(zip(documents, converted_names)))
        for outcome, docx, converted in zip(rendered, documents, converted_names):
            failure = failures.get(docx)
            if failure is None:
                try:
                    write_atomically(docx.with_suffix(".pdf"), converted.read_bytes(), force=force)
                    outcome.outputs.append(docx.with_suffix(".pdf"))
                    continue
                except (UserError, OSError) as exc:
                    failure = exc
            for path in outcome.outputs:
                path.unlink(missing_ok=True)
            outcome.outputs = []
            outcome.status = Status.FAILED
            outcome.reason = f"转换 PDF 失败，未生成任何文件：{failure}"


def unexpected(exc: BaseException) -> str:
    """The one line shown for a failure nobody foresaw (``--debug`` shows the traceback)."""
    detail = str(exc)
    if len(detail) > 200:
        detail = detail[:200] + "……"
    return (
        f"gaidocx 遇到意外错误（{type(exc).__name__}：{detail}）。输入文件没有被修改，也没有生成输出文件。\n"
        "请加 --debug 重新运行（gaidocx --debug …）查看详细信息，并发给维护人员。"
    )


# ---------------------------------------------------------------- export and summary


def read_all(paths: Sequence[Path]):
    """Each workbook read and checked on its own: one unreadable file never stops the others."""
    from gaidocx.core.summary import SummaryInput

    items = []
    for path in paths:
        try:
            checked = check_workbook(path)
        except WorkbookError as exc:
            items.append(SummaryInput(str(path), None, unreadable=str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - reported for this file only
            items.append(SummaryInput(str(path), None, unreadable=unexpected(exc)))
            continue
        items.append(SummaryInput(str(path), checked.report, tuple(checked.problems)))
    return items


@dataclass(frozen=True, slots=True)
class Exported:
    """``export``'s result: the files left out (path, why) and the exit code it implies."""

    count: int
    left_out: list[tuple[str, str]]
    exit_code: int


def export_csv(paths: Sequence[Path], output: Path, *, force: bool = False) -> Exported:
    """One CSV row per report without errors, one column per figure headed by the official labels
    (UTF-8 with BOM, so Excel and WPS open it directly)."""
    from gaidocx.core.data import reports_to_csv_bytes

    check_output_path(output, inputs=paths, force=force, suffix=".csv")
    items = read_all(paths)
    exported = [item for item in items if item.report is not None and not item.errors]
    left_out = [
        (item.path, f"无法读取。{item.unreadable}" if item.report is None else f"有 {len(item.errors)} 个错误，请先用 gaidocx check 检查并改正。")
        for item in items
        if item.report is None or item.errors
    ]
    if not exported:
        raise UserError("没有可以导出的填报表，未生成 CSV 文件。")
    write_atomically(output, reports_to_csv_bytes([item.report for item in exported]), force=force)
    unreadable = any(item.report is None for item in items)
    return Exported(len(exported), left_out, Status.UNREADABLE.exit_code if unreadable else int(bool(left_out)))


def summarise_workbooks(
    paths: Sequence[Path],
    output: Path,
    *,
    agency: str,
    year: int | None = None,
    skip_errors: bool = False,
    force: bool = False,
):
    """The whole-area (本行政区域) fill-in workbook: figures summed, text left to write, and a
    汇总明细 sheet.  Returns the ``Summary``; when it was refused nothing is written."""
    from gaidocx.core.summary import plan_summary
    from gaidocx.workbook.summary import summary_workbook_bytes

    agency = agency.strip()
    if not agency or NOT_XML.search(agency):
        raise UserError("请用 --agency 给出本行政区域报告的机关名称（不能为空，不能含控制字符）。")
    check_output_path(output, inputs=paths, force=force, suffix=".xlsx")
    planned = plan_summary(read_all(paths), agency=agency, year=year, skip_errors=skip_errors)
    if not planned.refusals:
        write_atomically(output, summary_workbook_bytes(planned), force=force)
    return planned


# ---------------------------------------------------------------- audit


@dataclass(frozen=True, slots=True)
class Audited:
    """A published report read back and checked (``audit``), or why it could not be read."""

    source: Path
    audit: object | None  # gaidocx.audit.Audit
    reason: str = ""
    #: with ``--parts``: the departments' reports summed and those left out (gaidocx.audit.parts.Comparison)
    parts: object | None = None

    @property
    def exit_code(self) -> int:
        if self.audit is None:
            return Status.UNREADABLE.exit_code
        return int(bool(self.audit.errors))  # type: ignore[attr-defined]


#: Worker processes for auditing many files: reading a PDF is all CPU.
_MOST_AUDIT_WORKERS = 8


def audit_reports(
    paths: Sequence[Path],
    *,
    previous: Path | None = None,
    kind: str | None = None,
    parts: Sequence[Path] = (),
    jobs: int | None = None,
) -> list[Audited]:
    """Read published reports (.pdf, .docx, .html/.htm, .xlsx) onto the form and run every check on
    them, in parallel when there are many; one unreadable file never stops the others.  ``kind``
    overrides the report's kind; with ``parts``, the one whole-area report is held against the
    sum of these departments' reports."""
    from gaidocx.audit import UnreadableFile, audit_file
    from gaidocx.core.form import AREA_REPORT

    if previous is not None:
        if len(paths) > 1:
            raise UserError("--previous 只能在核对单个文件时使用。")
        try:
            audit_file(previous)
        except UnreadableFile as exc:
            raise UserError(f"上一年度的报告（--previous）“{previous}”无法使用：{exc}") from exc
    if parts and len(paths) > 1:
        raise UserError("--parts 只能在核对一个本行政区域的报告时使用：请只给出一个报告文件。")
    results = _audit_all(paths, previous, kind or (AREA_REPORT if parts else None), jobs)
    whole = results[0] if parts else None
    if whole is None or whole.audit is None:
        return results
    from gaidocx.audit.parts import Part, compare_with_parts

    itself = whole.source.resolve()
    others = [p for p in dict.fromkeys(parts) if p.resolve() != itself]
    audited_parts = [Part(str(r.source), r.audit, r.reason) for r in _audit_all(others, None, None, jobs)]  # type: ignore[arg-type]
    checked, comparison = compare_with_parts(whole.audit, audited_parts)  # type: ignore[arg-type]
    return [Audited(whole.source, checked, parts=comparison)]


def _audit_all(paths: Sequence[Path], previous: Path | None, kind: str | None, jobs: int | None) -> list[Audited]:
    tasks = [(path, previous, kind) for path in paths]
    workers = min(jobs or os.cpu_count() or 1, _MOST_AUDIT_WORKERS, len(tasks))
    if workers <= 1:
        return [_audit_one(task) for task in tasks]
    import multiprocessing

    with multiprocessing.Pool(workers, initializer=_start_audit_worker) as pool:
        return pool.map(_audit_one, tasks, chunksize=max(1, len(tasks) // (4 * workers)))


def _start_audit_worker() -> None:
    """Ctrl+C is the parent's to handle; a worker sent SIGTERM just ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _audit_one(task: tuple[Path, Path | None, str | None]) -> Audited:
    from gaidocx.audit import UnreadableFile, audit_file

    path, previous, kind = task
    try:
        return Audited(path, audit_file(path, previous=previous, kind=kind))
    except UnreadableFile as exc:
        return Audited(path, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - reported for this file only
        return Audited(path, None, unexpected(exc))

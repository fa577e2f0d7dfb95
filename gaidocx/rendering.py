"""Making reports in memory and writing them, one or many: the render operations' machinery.

``render_source`` checks one workbook and makes its files in memory (``Rendered``);
``render_all`` does it for many, in worker processes; ``place`` writes one result
under its default name, never two inputs to one output; ``convert_batch`` sends every
document written through one LibreOffice.  Every call of a document renderer is in
``Renderer.files``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gaidocx.core.checks import Problem
from gaidocx.core.report import Report, checked_report
from gaidocx.exits import EXIT_ERRORS, EXIT_FILE_PROBLEM, EXIT_OK
from gaidocx.failures import bad_file_reason
from gaidocx.files import Protected, UserError, check_output_path, default_name, write_atomically
from gaidocx.checking import (
    UNREADABLE_VERDICT,
    Checked,
    FileProblems,
    Source,
    check_data,
    format_problem,
    named_source,
    previous_report,
    problem_text,
    verdict,
)


class Status(enum.Enum):
    RENDERED = "已生成"
    ERRORS = "有错误"
    UNREADABLE = "无法读取"
    #: read and checked, but its files could not be written or converted
    FAILED = "未生成"

    @property
    def exit_code(self) -> int:
        return {Status.RENDERED: EXIT_OK, Status.ERRORS: EXIT_ERRORS}.get(self, EXIT_FILE_PROBLEM)


@dataclass(frozen=True)
class Rendered:
    """One workbook checked and, without errors, its report made in memory: what a web page
    shows, and what a batch worker hands back (then without ``report``, to stay small)."""

    #: the file's name as the user gave it
    name: str
    status: Status
    #: ``check``'s closing line
    verdict: str
    #: every problem as ``check`` prints it, errors first; for UNREADABLE and FAILED the one reason
    messages: tuple[str, ...]
    errors: int = 0
    warnings: int = 0
    report: Report | None = None
    #: the default output name without suffix
    name_stem: str = ""
    #: suffix → content: ".docx" and each extra; empty unless RENDERED
    files: dict[str, bytes] = field(default_factory=dict)
    #: every problem found, errors first (empty when the file could not be read)
    problems: tuple[Problem, ...] = ()

    @property
    def reason(self) -> str:
        """Why nothing was made (UNREADABLE, FAILED)."""
        return self.messages[0] if self.status in (Status.UNREADABLE, Status.FAILED) else ""


@dataclass(slots=True)
class Outcome:
    """One workbook's result: what was written, or its problems, or why nothing was made."""

    source: Path
    status: Status
    outputs: list[Path] = field(default_factory=list)
    #: every problem as ``check`` prints it, errors first
    messages: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0
    reason: str = ""
    #: what was removed from a custom Word template
    notices: tuple[str, ...] = ()
    #: every problem found, errors first
    problems: tuple[Problem, ...] = ()

    def cells(self) -> tuple[str, str, str]:
        """The row of the batch table: result, workbook, and what to know (the files made and the
        first warning, or the first error, or the reason); the folder is said once, below the table."""
        if self.status is Status.RENDERED:
            first, *others = self.outputs
            detail = first.name + (f"（另有 {'、'.join(p.suffix for p in others)}）" if others else "")
            if self.warnings:
                warning = next(p for p in self.problems if not p.is_error)
                count = f"（共 {self.warnings} 个警告）" if self.warnings > 1 else ""
                detail += f"\n警告：{problem_text(warning)}{count}"
        elif self.status is Status.ERRORS:
            count = f"（共 {self.errors} 个错误）" if self.errors > 1 else ""
            detail = problem_text(self.problems[0]) + count
        else:
            detail = self.reason
        return self.status.value, self.source.name, detail

    def file_problems(self) -> FileProblems:
        return FileProblems(str(self.source), self.status.value, self.problems, self.reason)

    def line(self) -> str:
        """The row as one line (for a script)."""
        status, name, detail = self.cells()
        return f"{status}  {name}：{detail}".replace("\n", "；")


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


class Renderer:
    """Fills the Word template: checked, cleaned and compiled once per process (the default
    template's compiled code is cached on disk too), then reused for every report."""

    def __init__(self, template: Path | None) -> None:
        from gaidocx.document.render import prepare_template

        self.template = prepare_template(template)

    @property
    def notices(self) -> list[str]:
        """What was removed from a custom template (an attached template, …), in Chinese."""
        return self.template.notices

    def files(self, checked: Checked, extras: Sequence[str]) -> dict[str, bytes]:
        """The report's .docx and each extra, from its figures and paragraphs computed once:
        every call of a document renderer is here."""
        ready = checked_report(checked.report)
        files = {".docx": self.template.render(ready)}
        for suffix in extras:
            if suffix == ".html":
                from gaidocx.document.webpage import render_html

                files[suffix] = render_html(ready).encode("utf-8")
            else:
                from gaidocx.core.records import report_json

                files[suffix] = report_json(ready, checked.problems).encode("utf-8")
        return files


def render_source(
    source: Source,
    renderer: Renderer,
    *,
    previous: tuple[str, bytes] | None = None,
    extras: Sequence[str] = (),
    raise_unforeseen: bool = False,
) -> Rendered:
    """Check one workbook and, without errors, make the .docx (and extras) in memory; a file that
    cannot be read is UNREADABLE, one whose report cannot be made is FAILED, each with its reason
    (``raise_unforeseen``: a failure nobody foresaw raises instead, for one file and ``--debug``)."""
    name, read = named_source(source)
    try:
        checked = check_data(read(), name, previous_report(previous, "--previous") if previous else None)
    except Exception as exc:  # noqa: BLE001 - the one policy: this file's reason
        return Rendered(name, Status.UNREADABLE, UNREADABLE_VERDICT, (bad_file_reason(exc, raise_unforeseen),))
    shown = tuple(format_problem(p) for p in checked.problems)
    counts = {
        "errors": len(checked.errors),
        "warnings": len(checked.warnings),
        "report": checked.report,
        "problems": tuple(checked.problems),
    }
    if checked.errors:
        return Rendered(name, Status.ERRORS, verdict(checked), shown, **counts)
    try:
        files = renderer.files(checked, extras)
    except Exception as exc:  # noqa: BLE001 - the one policy: this file's reason
        return Rendered(name, Status.FAILED, verdict(checked), (bad_file_reason(exc, raise_unforeseen),), **counts)
    stem = Path(default_name(checked.report)).stem
    return Rendered(name, Status.RENDERED, verdict(checked), shown, name_stem=stem, files=files, **counts)


def render_all(
    sources: Sequence[Path], renderer: Renderer, template: Path | None, extras: Sequence[str], jobs: int | None
) -> Iterator[tuple[Path, Rendered]]:
    workers = min(jobs or worker_cap(), worker_cap(), len(sources))
    if workers <= 1:
        for source in sources:
            yield source, render_source(source, renderer, extras=extras)
        return
    # Leaving the block for any reason (done, Ctrl+C, SIGTERM) terminates the workers.  Results
    # come in the order given, so when two workbooks would share an output name the first keeps it.
    import multiprocessing

    with multiprocessing.Pool(workers, initializer=_start_worker, initargs=(template,)) as pool:
        yield from pool.imap(_work, [(source, tuple(extras)) for source in sources])


def worker_cap() -> int:
    """The most worker processes a batch starts: one per CPU.  More only wait for a CPU, and
    each holds the libraries and a Word template (tens of MB)."""
    return os.cpu_count() or 1


_worker_renderer: Renderer | None = None


def _start_worker(template: Path | None) -> None:
    """Each worker loads the Word template once; Ctrl+C is the parent's to handle, and a
    worker sent SIGTERM just ends (the parent reports the interruption)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _worker_renderer
    _worker_renderer = Renderer(template)


def _work(task: tuple[Path, tuple[str, ...]]) -> tuple[Path, Rendered]:
    """In a worker: the result without its report, which the parent does not need."""
    source, extras = task
    assert _worker_renderer is not None
    return source, dataclasses.replace(render_source(source, _worker_renderer, extras=extras), report=None)


def place(
    source: Path,
    rendered: Rendered,
    folder: Path | None,
    claimed: dict[Path, Path],
    protected: Protected,
    force: bool,
    pdf: bool,
) -> Outcome:
    """Write one rendered report under its default name; two inputs never share an output
    (``claimed``: each output already taken → the workbook it is for)."""
    if rendered.status is not Status.RENDERED:
        return outcome_of(source, rendered, [])
    docx = (folder or source.parent) / f"{rendered.name_stem}.docx"
    if docx in claimed:
        return Outcome(
            source,
            Status.FAILED,
            reason=f"输出文件“{docx.name}”已是“{claimed[docx].name}”的报告（两个填报表的机关名称和年度相同），"
            "未生成。请核对机关名称和年度。",
        )
    targets = targets_of(docx, rendered, pdf)
    try:
        for target in targets:
            check_output_path(target, inputs=protected, force=force, suffix=target.suffix)
        claimed.update(dict.fromkeys(targets, source))  # only a report that will be written claims its names
        return outcome_of(source, rendered, write_rendered(rendered, targets, force=force))
    except UserError as exc:
        return Outcome(source, Status.FAILED, reason=str(exc))


def targets_of(docx: Path, rendered: Rendered, pdf: bool) -> list[Path]:
    targets = [docx, *(docx.with_suffix(s) for s in rendered.files if s != ".docx")]
    if pdf:
        targets.append(docx.with_suffix(".pdf"))
    return targets


def write_rendered(rendered: Rendered, targets: list[Path], *, force: bool) -> list[Path]:
    written = []
    by_suffix = {t.suffix: t for t in targets}
    try:
        for suffix, data in rendered.files.items():
            write_atomically(by_suffix[suffix], data, force=force)
            written.append(by_suffix[suffix])
    except BaseException:
        for path in written:  # all of a report's files or none
            path.unlink(missing_ok=True)
        raise
    return written


def outcome_of(source: Path, rendered: Rendered, written: list[Path]) -> Outcome:
    messages = () if rendered.reason else rendered.messages
    return Outcome(
        source,
        rendered.status,
        written,
        messages,
        rendered.errors,
        rendered.warnings,
        rendered.reason,
        problems=rendered.problems,
    )


def check_template_option(template: Path | None) -> None:
    """Only that it is there; the template guard says what else is wrong with it."""
    if template is not None and not os.path.lexists(template):
        raise UserError(f"找不到 Word 模板文件：{template}")


def require_soffice() -> None:
    from gaidocx.document.pdf import find_soffice

    if find_soffice() is None:
        raise UserError("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice，或去掉 --pdf 只生成 Word 文档。")


def convert_batch(outcomes: list[Outcome], *, force: bool) -> None:
    """Every rendered document through one LibreOffice; a failed conversion fails that report only."""
    from gaidocx.document.pdf import convert_many

    rendered = [o for o in outcomes if o.status is Status.RENDERED]
    if not rendered:
        return
    documents = [o.outputs[0] for o in rendered]
    import tempfile

    with tempfile.TemporaryDirectory() as folder, without_pdf_removed_if_interrupted(rendered):
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


@contextlib.contextmanager
def without_pdf_removed_if_interrupted(outcomes: Iterable[Outcome]) -> Iterator[None]:
    """Ctrl+C or SIGTERM while PDFs are wanted: a report written without its PDF is removed, as a
    failed conversion removes it, so a rerun makes it again (and never finds it 已存在)."""
    try:
        yield
    except BaseException:
        for outcome in outcomes:
            if outcome.status is Status.RENDERED and not any(p.suffix == ".pdf" for p in outcome.outputs):
                for path in outcome.outputs:
                    path.unlink(missing_ok=True)
                outcome.outputs = []
        raise

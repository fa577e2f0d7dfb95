"""Auditing published reports (``gaidocx audit``): one or many, in worker processes, and a
whole-area report held against the sum of its departments' reports.

Every file goes through the one bad-file policy (``failures.bad_file_reason``): an unreadable
report is that file's reason and the others go on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gaidocx.core.report import Report
from gaidocx.exits import EXIT_FILE_PROBLEM
from gaidocx.failures import bad_file_reason
from gaidocx.files import UserError


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
            return EXIT_FILE_PROBLEM
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

    last_year = None
    if previous is not None:
        if len(paths) > 1:
            raise UserError("--previous 只能在核对单个文件时使用。")
        try:
            last_year = audit_file(previous).report  # read once, here
        except UnreadableFile as exc:
            raise UserError(f"上一年度的报告（--previous）“{previous}”无法使用：{exc}") from exc
    if parts and len(paths) > 1:
        raise UserError("--parts 只能在核对一个本行政区域的报告时使用：请只给出一个报告文件。")
    results = _audit_all(paths, last_year, kind or (AREA_REPORT if parts else None), jobs)
    whole = results[0] if parts else None
    if whole is None or whole.audit is None:
        return results
    from gaidocx.audit.parts import Part, compare_with_parts

    itself = whole.source.resolve()
    others = [p for p in dict.fromkeys(parts) if p.resolve() != itself]
    audited_parts = [Part(str(r.source), r.audit, r.reason) for r in _audit_all(others, None, None, jobs)]  # type: ignore[arg-type]
    checked, comparison = compare_with_parts(whole.audit, audited_parts)  # type: ignore[arg-type]
    return [Audited(whole.source, checked, parts=comparison)]


def _audit_all(paths: Sequence[Path], previous: Report | None, kind: str | None, jobs: int | None) -> list[Audited]:
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


def _audit_one(task: tuple[Path, Report | None, str | None]) -> Audited:
    from gaidocx.audit import audit_file

    path, previous, kind = task
    try:
        return Audited(path, audit_file(path, previous=previous, kind=kind))
    except Exception as exc:  # noqa: BLE001 - the one policy: reported for this file only
        return Audited(path, None, bad_file_reason(exc))

"""Reading published reports back onto the official form and checking them (``gaidocx audit``).

``audit_file(path)`` accepts a text PDF (exported from Word, WPS or gaidocx), a
.docx (written by Word, WPS or gaidocx), an .html/.htm page saved from a
website, or the .xlsx fill-in workbook.  A file
that cannot be read at all raises ``UnreadableFile`` with a Chinese message.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from gaidocx.audit.findings import Audit, audit_source, format_audit_problem
from gaidocx.audit.source import Source, UnreadableFile
from gaidocx.audit.tables import Figure
from gaidocx.core.checks import check_report
from gaidocx.core.form import FORM_2021
from gaidocx.core.report import Report, format_figure

__all__ = ["Audit", "UnreadableFile", "audit_file", "audit_source", "format_audit_problem", "read_source", "SUFFIXES"]

SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".xlsx")


def read_source(path: Path) -> Source:
    """The paragraphs and tables of a .pdf, .docx or .html file."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UnreadableFile(f"找不到文件：{path}")
    # each reader is imported when a file needs it (lxml and pdfplumber take a while to load)
    if suffix == ".docx":
        from gaidocx.audit.read_docx import read_docx

        return read_docx(path)
    if suffix in (".html", ".htm"):
        from gaidocx.audit.read_html import read_html

        return read_html(path)
    if suffix == ".pdf":
        from gaidocx.audit.read_pdf import read_pdf

        return read_pdf(path)
    raise UnreadableFile(_unsupported(path))


def _unsupported(path: Path) -> str:
    if path.suffix.lower() in (".doc", ".wps"):
        return f"{path.name} 是旧的 Word/WPS 格式，请先用 Word 或 WPS 另存为 .docx 再核对。"
    return f"{path.name} 的类型无法核对：支持 .pdf、.docx、.html、.htm 和 .xlsx（填报表）。"


def audit_file(
    path: Path, *, previous: Report | None = None, today: datetime.date | None = None, kind: str | None = None
) -> Audit:
    """Read and check one published report; ``previous`` is last year's report, as its own audit
    read it (read once by the caller, however many files are checked against it); ``kind``
    (本机关 or 本行政区域) overrides what the file records or its title suggests."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _audit_workbook(path, previous, today, kind)
    return audit_source(read_source(path), previous=previous, today=today, kind=kind)


def _audit_workbook(path: Path, previous: Report | None, today: datetime.date | None, kind: str | None) -> Audit:
    from gaidocx.workbook.read import WorkbookError, read_workbook

    if not path.is_file():
        raise UnreadableFile(f"找不到文件：{path}")
    try:
        reading = read_workbook(path)
    except WorkbookError as exc:
        raise UnreadableFile(str(exc)) from exc
    report = dataclasses.replace(reading.report, kind=kind) if kind else reading.report
    problems = reading.problems + check_report(report, previous=previous, today=today, reported=reading.unreadable)
    printed = {
        key: Figure("" if value is None else format_figure(value, f.kind), value)
        for (key, value), f in ((item, FORM_2021.fields[item[0]]) for item in report.figures().items())
    }
    return Audit(path.name, report, FORM_2021, printed, problems, workbook=True)

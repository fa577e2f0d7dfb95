"""The one policy for a file that fails in a batch: every batch loop (check, render, summary,
export, audit) turns what went wrong with one file into that file's reason, and goes on.

A failure the program foresaw (``UserError``, ``WorkbookError``, a Word template or PDF
problem, an unreadable published report) carries a complete Chinese message; anything
else is ``unexpected``: one line, and ``--debug`` for the traceback.
"""

from __future__ import annotations

import sys

from gaidocx.files import UserError
from gaidocx.workbook import WorkbookError


def bad_file_reason(exc: Exception, raise_unforeseen: bool = False) -> str:
    """The one policy for a file that fails in a batch (check, render, summary, export, audit):
    a failure with a Chinese message of its own keeps it, anything unforeseen is that file's
    ``unexpected`` reason (or, with ``raise_unforeseen``, raised again for ``--debug``)."""
    from_template = sys.modules.get("gaidocx.document.problems")
    if from_template is not None and isinstance(exc, from_template.TemplateProblem):
        return f"Word 模板无法使用：{exc}"
    if isinstance(exc, foreseen_failures()):
        return str(exc)
    if raise_unforeseen:
        raise exc
    return unexpected(exc)


def foreseen_failures() -> tuple[type[Exception], ...]:
    """Failures that are the user's files or options, each with a complete Chinese message."""
    types: list[type[Exception]] = [UserError, WorkbookError]
    for module, name in (
        ("gaidocx.document.problems", "TemplateProblem"),
        ("gaidocx.document.pdf", "PdfError"),
        ("gaidocx.audit", "UnreadableFile"),
    ):
        loaded = sys.modules.get(module)  # only modules an operation used can have raised
        if loaded is not None and hasattr(loaded, name):
            types.append(getattr(loaded, name))
    return tuple(types)


def unexpected(exc: BaseException) -> str:
    """The one line shown for a failure nobody foresaw (``--debug`` shows the traceback)."""
    detail = str(exc)
    if len(detail) > 200:
        detail = detail[:200] + "……"
    return (
        f"gaidocx 遇到意外错误（{type(exc).__name__}：{detail}）。输入文件没有被修改，也没有生成输出文件。\n"
        "请加 --debug 重新运行（gaidocx --debug …）查看详细信息，并发给维护人员。"
    )

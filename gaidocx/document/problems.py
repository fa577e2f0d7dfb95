"""Why a Word template cannot be used or filled, in the Chinese words a user needs.

A template is a program: whatever goes wrong while it is prepared or filled becomes a
``TemplateProblem`` whose text names the cause and, where known, the template text near it.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from gaidocx.archive import ArchiveError
from gaidocx.document.sandbox import TooCostly
from gaidocx.document.variables import CONTEXT_NAMES


class TemplateProblem(Exception):
    """The Word template cannot be used: missing, not a .docx, bad syntax or an unknown variable."""


def advice_for_template(source: Path) -> str:
    return f"请用 gaidocx word-template 导出默认模板，在 Word 或 WPS 中修改后另存为 .docx。（模板：{source}）"


def template_problem(exc: ArchiveError, source: Path) -> TemplateProblem:
    if exc.kind == "missing":
        return TemplateProblem(f"找不到 Word 模板文件：{source}")
    if exc.kind == "loop":
        return TemplateProblem(f"Word 模板不能使用：{exc}")
    if exc.kind in ("not zip", "ole", "folder", "empty", "unreadable"):
        return TemplateProblem(
            f"无法打开 Word 模板“{source}”：它不是有效的 Word 文档（.docx）。（{exc}）"
            "请用 gaidocx word-template 导出默认模板，在 Word 或 WPS 中修改后另存为 .docx。"
        )
    return TemplateProblem(f"Word 模板不能使用：{exc}{advice_for_template(source)}")


def _template_line(exc: BaseException) -> int | None:
    """The template line a runtime error happened on (Jinja names template frames ``<template>``)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    return lines[-1] if lines else None


#: Runtime errors a template expression can raise, in the words users need.
_RUNTIME_PROBLEMS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], str], ...] = (
    (ZeroDivisionError, "模板中的计算除以了零"),
    (
        TypeError,
        "模板中的表达式对数据做了不支持的运算（表格数字和文字在模板中都是已排版的文字，不能直接参与计算）",
    ),
    (RecursionError, "模板中的宏调用层数过多（宏在调用自身）"),
    (OverflowError, "模板中的计算结果超出范围"),
    (MemoryError, "模板填充时内存不足（模板生成的内容过多）"),
    ((LookupError, AttributeError), "模板中的表达式取用了不存在的数据"),
    (ValueError, "模板中的表达式得到了无效的值"),
)


def _near(exc: BaseException) -> str:
    context = getattr(exc, "docx_context", None)
    if context:
        text = "".join(line.strip() for line in context)[:120]
        if text:
            return f"出错位置附近的文字：“{text}”。"
    return ""


def describe(exc: BaseException) -> str:
    near = _near(exc)
    if isinstance(exc, TooCostly):
        return (
            f"{exc}，已停止填充。{near}模板中可能有过大的循环、过长的文字运算或过大的数字；"
            "报告模板只需要填入报告的数据，不需要这样的运算。"
        )
    if isinstance(exc, SecurityError):
        return (
            f"模板中的标记试图访问报告数据以外的内容（如 Python 的内部属性或函数），已被拒绝。{near}"
            f"模板只能使用报告的数据：{'、'.join(CONTEXT_NAMES)}。（详情：{exc}）"
        )
    if isinstance(exc, TemplateNotFound):
        return (
            f"模板中的 {{% include %}}、{{% import %}} 或 {{% extends %}} 标记引用了别的模板“{exc.name}”。{near}"
            "Word 模板不能引用其他文件：请把需要的内容直接写在模板中。"
        )
    if isinstance(exc, TemplateError):
        message = exc.message or str(exc)
        if isinstance(exc, UndefinedError):
            name = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", message)
            shown = next((g for g in name.groups() if g), message) if name else message
            return (
                f"模板中的变量“{shown}”没有对应的数据。{near}"
                f"请核对模板中的 {{{{ }}}} 标记；可用的变量：{'、'.join(CONTEXT_NAMES)}。"
            )
        if isinstance(exc, TemplateSyntaxError):
            return f"模板标记语法错误（{message}）。{near}请检查 {{% %}} 标记是否成对。"
        return f"模板无法填充（{message}）。{near}"
    problem = next((text for kinds, text in _RUNTIME_PROBLEMS if isinstance(exc, kinds)), "模板填充时出错")
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{problem}。{near}请检查模板中的 {{{{ }}}} 和 {{% %}} 标记。（详情：{detail}）"


def locate(exc: BaseException, source: str) -> None:
    """Record the template text near an error, as docxtpl does for syntax errors."""
    if getattr(exc, "docx_context", None) is not None:
        return
    line = getattr(exc, "lineno", None) if isinstance(exc, TemplateSyntaxError) else _template_line(exc)
    if line is None:
        return
    lines = source.splitlines()
    try:
        exc.docx_context = [re.sub(r"<[^>]+>", "", text) for text in lines[line - 1 : line]]  # type: ignore[attr-defined]
    except AttributeError:
        pass

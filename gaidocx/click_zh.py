"""Chinese for click's own words (usage, option errors), so users never meet English,
and help text laid out by display width.

click looks its messages up through ``gettext`` bound at import time in each
of its modules; we rebind those names to a small catalogue.  Anything not in
the catalogue stays as click wrote it.  click measures text in characters, but a
CJK character takes two terminal columns: help columns would not line up and
lines would run past the window, so widths are measured in columns and CJK
text may break between any two characters (never before a closing mark).
"""

from __future__ import annotations

import re
import unicodedata

import click._compat
import click._textwrap
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

_CATALOGUE = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "输入 “{command} {option}” 查看帮助。",
    "Missing argument": "缺少参数",
    "Missing argument {param_hint}.": "缺少参数 {param_hint}。",
    "Missing option {param_hint}.": "缺少选项 {param_hint}。",
    "Invalid value for {param_hint}: {message}.": "{param_hint} 的值无效：{message}。",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "No such command {name!r}.": "没有这个命令：“{name}”。",
    "No such option: {name}": "没有这个选项：{name}",
    "No such option {name!r}.": "没有这个选项：“{name}”。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项“{name}”不需要值。",
    "Option {name!r} requires an argument.": "选项“{name}”需要一个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "Aborted!": "已取消。",
    "default: {default}": "默认：{default}",
    "required": "必填",
}


def _gettext(message: str) -> str:
    return _CATALOGUE.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _gettext(singular if count == 1 else plural)


_plain_width = click._compat.term_len
#: One CJK character (with the closing marks that must not start a line), or a run of ASCII.
_BREAKABLE = re.compile(r"(?:[^\x00-\x7f]|[\x00-\x7f]+)[，。、；：！？）》」』”’]*")


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters take two."""
    plain = _plain_width(text)
    if text.isascii():
        return plain
    return plain + sum(1 for c in click._compat.strip_ansi(text) if unicodedata.east_asian_width(c) in "WF")


class _Wrapper(click._textwrap.TextWrapper):
    """Breaks CJK text between characters; never inside ``word-template`` or ``--template``."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["break_on_hyphens"] = False
        super().__init__(*args, **kwargs)

    def _split(self, text: str) -> list[str]:
        return [part for chunk in super()._split(text) for part in _BREAKABLE.findall(chunk)]


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """``text`` wrapped to ``width`` columns; each of its lines starts a new line."""
    return "\n".join(
        _Wrapper(
            width,
            initial_indent=initial_indent if index == 0 else subsequent_indent,
            subsequent_indent=subsequent_indent,
            replace_whitespace=False,
        ).fill(line)
        for index, line in enumerate(text.split("\n"))
    )


#: A line break inside a paragraph between two CJK characters: click would join the lines with a space.
_CJK_LINE_BREAK = re.compile(r"(?<=[^\x00-\x7f])\n[ \t]*(?=[^\x00-\x7f\s])")
_wrap_text = click.formatting.wrap_text


def _wrap_cjk_text(text: str, *args, **kwargs) -> str:
    """click's ``wrap_text``, with the lines of a CJK paragraph joined without a space
    (``合计、 空白`` → ``合计、空白``); a ``\\b`` block is left as written."""
    blocks = text.split("\n\n")
    joined = [block if block.lstrip().startswith("\b") else _CJK_LINE_BREAK.sub("", block) for block in blocks]
    return _wrap_text("\n\n".join(joined), *args, **kwargs)


def _write_usage(self: click.formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None) -> None:
    """``用法：gaidocx …``: no space after the full-width colon."""
    _write_usage_as_click_does(self, prog, args, _gettext("Usage:") if prefix is None else prefix)


_write_usage_as_click_does = click.formatting.HelpFormatter.write_usage


def install() -> None:
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
    for module in (click.formatting, click._textwrap):
        if hasattr(module, "term_len"):
            module.term_len = display_width  # type: ignore[attr-defined]
    click._textwrap.TextWrapper = _Wrapper  # type: ignore[misc]
    click.formatting.wrap_text = _wrap_cjk_text  # type: ignore[assignment]
    click.formatting.HelpFormatter.write_usage = _write_usage  # type: ignore[method-assign]
    click.formatting.HelpFormatter.write_heading = _write_heading  # type: ignore[method-assign]
    click.exceptions._format_possibilities = _possibilities  # type: ignore[attr-defined]
    for error in (click.exceptions.ClickException, click.exceptions.BadParameter, click.exceptions.MissingParameter):
        error.format_message = _full_width(error.format_message)  # type: ignore[method-assign]


def _possibilities(possibilities: list[str]) -> str:
    shown = "、".join(f"“{p}”" for p in sorted(possibilities))
    return f"是不是想输入{shown}？" if len(possibilities) == 1 else f"（是不是想输入其中之一：{shown}？）"


def _full_width(format_message):
    """click joins its phrases with ASCII quotes and periods: ``缺少参数 '文件'.`` → ``缺少参数“文件”。``."""

    def chinese(self) -> str:
        text = re.sub(r" ?'([^']*)' ?", r"“\1”", format_message(self))
        return re.sub(r"\.( |$)", "。", text).replace("。 ", "。")

    return chinese


def _write_heading(self: click.formatting.HelpFormatter, heading: str) -> None:
    """``选项：`` with a full-width colon."""
    self.write(f"{'':>{self.current_indent}}{heading}：\n")

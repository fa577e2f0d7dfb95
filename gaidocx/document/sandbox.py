"""Jinja's sandbox, bounded in time and memory, for Word templates that may come from anyone.

``SandboxedEnvironment`` keeps a template from reaching Python; it does not keep
it from running for hours or filling the memory: ``{% for a in range(99999) %}
{% for b in range(99999) %}…``, ``{{ "x" * 10**10 }}``, ``{{ 9 ** 9 ** 9 }}``,
``{{ "%999999999s" % 1 }}``, a namespace doubling a string in a loop, a macro
calling itself twice.  Here every loop step, call, operator, filter and
concatenation counts against a budget set for one rendering (``budget()``):
at most ``MAX_STEPS`` of them, ``MAX_SECONDS`` of time, sequences of at most
``MAX_LENGTH`` items or characters, integers of at most ``MAX_DIGITS`` digits
and ``MAX_OUTPUT`` characters written.  The first excess raises ``TooCostly``
(a ``SecurityError``) with a Chinese message.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment, SecurityError

#: Changes with the generated code (``_BoundedCodeGenerator``): compiled templates cached on disk name it.
SANDBOX_VERSION = 1
MAX_STEPS = 1_000_000
MAX_SECONDS = 5.0
MAX_LENGTH = 4_000_000
MAX_DIGITS = 10_000
MAX_OUTPUT = 16_000_000
#: An integer argument larger than this (a width, a count) is refused: no real template needs one.
MAX_ARGUMENT = 1_000_000
_CLOCK_EVERY = 1024
_BIG_NUMBER_IN_FORMAT = re.compile(r"\{[^{}]*\d{7,}[^{}]*\}")
_PERCENT_SPEC = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


_DICT_ATTRIBUTES = frozenset(dir(dict))


class TooCostly(SecurityError):
    """The template asked for more work or memory than any report needs; ``str(e)`` is Chinese."""


class _Budget:
    def __init__(self, seconds: float, steps: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.steps = steps
        self.output = 0

    def step(self, count: int = 1) -> None:
        before = self.steps
        self.steps -= count
        if self.steps < 0:
            raise TooCostly(f"模板填充要做的运算超过 {MAX_STEPS} 步（循环次数或调用次数过多）")
        if before // _CLOCK_EVERY != self.steps // _CLOCK_EVERY and time.monotonic() > self.deadline:
            raise TooCostly(f"模板填充超过了 {self.seconds:g} 秒（循环或运算过多）")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("gaidocx_template_budget", default=None)


@contextlib.contextmanager
def budget(seconds: float = MAX_SECONDS, steps: int = MAX_STEPS) -> Iterator[None]:
    """One rendering's allowance; templates rendered outside any ``budget()`` get a fresh one per call."""
    token = _BUDGET.set(_Budget(seconds, steps))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _step(count: int = 1) -> None:
    current = _BUDGET.get()
    if current is None:
        raise TooCostly("模板只能在限定的预算内填充（内部错误：没有设置预算）")
    current.step(count)


def _check_size(value: Any, what: str) -> Any:
    if isinstance(value, str | bytes | list | tuple | dict) and len(value) > MAX_LENGTH:
        raise TooCostly(f"模板中的{what}产生了 {len(value)} 个字符或元素，超过上限 {MAX_LENGTH}")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_DIGITS * 10 // 3:
        raise TooCostly(f"模板中的{what}产生了超过 {MAX_DIGITS} 位的数字")
    return value


def _check_arguments(args: Iterable[Any], what: str) -> None:
    for argument in args:
        if isinstance(argument, int) and not isinstance(argument, bool) and abs(argument) > MAX_ARGUMENT:
            raise TooCostly(f"模板中的{what}用了过大的数值 {str(argument)[:20]}（上限 {MAX_ARGUMENT}）")


def _check_format(text: str, what: str) -> None:
    """``str.format`` fields (``{:>9999999}``) and ``%`` specifications (``%9999999s``, ``%*s``)."""
    if not isinstance(text, str):
        return
    if _BIG_NUMBER_IN_FORMAT.search(text):
        raise TooCostly(f"模板中的{what}的格式含有过大的宽度或精度")
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*" or (number is not None and int(number) > MAX_ARGUMENT):
                raise TooCostly(f"模板中的{what}的格式含有过大的宽度或精度")


def bounded(iterable: Iterable[Any]) -> Iterator[Any]:
    """Every loop of a template runs over this: each step counts."""
    for item in iterable:
        _step()
        yield item


def _estimate(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """The length of what a string operation that multiplies its input would produce; 0 for the rest."""
    def argument(index: int, key: str, default: Any = None) -> Any:
        return args[index] if len(args) > index else kwargs.get(key, default)

    if name == "replace" and isinstance(value, str):
        old, new = argument(0, "old", ""), argument(1, "new", "")
        if isinstance(old, str) and isinstance(new, str):
            count = value.count(old) if old else len(value) + 1
            return len(value) + count * max(len(new) - len(old), 0)
    if name == "join":
        separator, items = (value, argument(0, "iterable")) if isinstance(value, str) else (argument(0, "d", ""), value)
        if isinstance(separator, str) and hasattr(items, "__len__"):
            return len(separator) * len(items)
    if name in ("indent", "expandtabs") and isinstance(value, str):
        width = argument(0, "width" if name == "indent" else "tabsize", 8)
        if isinstance(width, int):
            return len(value) + value.count("\n" if name == "indent" else "\t") * max(width, 0)
    return 0


def _check_estimate(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any], what: str) -> None:
    if _estimate(name, value, args, kwargs) > MAX_LENGTH:
        raise TooCostly(f"模板中的{what}会产生超过 {MAX_LENGTH} 个字符")


def _bounded_filter(name: str, function: Any) -> Any:
    value_at = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # after an environment or context

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _step()
        what = f"过滤器“{name}”"
        _check_arguments([*args[value_at + 1 :], *kwargs.values()], what)
        if len(args) > value_at:
            if name == "format":
                _check_format(args[value_at], what)
            _check_estimate(name, args[value_at], args[value_at + 1 :], kwargs, what)
        return _check_size(function(*args, **kwargs), what)

    return wrapper


class _BoundedCodeGenerator(CodeGenerator):
    """Loops iterate through ``bounded``; ``~`` concatenations are measured."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "gaidocx_bounded", [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.gaidocx_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox with every costly operation counted and capped (see the module's docstring)."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset(("*", "**", "%", "+", "//"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}
        self.filters["gaidocx_bounded"] = bounded

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``t3.r5.c2`` reads keys of the context's plain dicts directly: Jinja tries the
        attribute first, and an ``AttributeError`` for each of some 500 figures was a tenth of
        filling a report.  A name that is also a dict's attribute keeps Jinja's order."""
        if type(obj) is dict and type(attribute) is str and attribute in obj and attribute not in _DICT_ATTRIBUTES:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def gaidocx_concat(self, value: Any) -> Any:
        _step()
        return _check_size(value, "“~”连接")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _step()
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                    if len(sequence) * max(count, 0) > MAX_LENGTH:
                        raise TooCostly(f"模板中的乘法会产生 {len(sequence) * count} 个字符或元素，超过上限 {MAX_LENGTH}")
            if isinstance(left, int) and isinstance(right, int):
                if left.bit_length() + right.bit_length() > MAX_DIGITS * 10 // 3:
                    raise TooCostly(f"模板中的乘法会产生超过 {MAX_DIGITS} 位的数字")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                if right * max(left.bit_length(), 1) > MAX_DIGITS * 10 // 3:
                    raise TooCostly(f"模板中的乘方会产生超过 {MAX_DIGITS} 位的数字")
        elif operator == "%":
            _check_format(left, "“%”运算")
        elif operator == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                if len(left) + len(right) > MAX_LENGTH:
                    raise TooCostly(f"模板中的加法会产生超过 {MAX_LENGTH} 个字符或元素")
        return _check_size(super().call_binop(context, operator, left, right), f"“{operator}”运算")

    def wrap_str_format(self, value: Any) -> Any:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__, "“format”调用")
        return wrapped

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        _step()
        _check_arguments([*args, *kwargs.values()], "调用")
        bound = getattr(__obj, "__self__", None)
        for value in (bound, *args, *kwargs.values()):
            _check_size(value, "调用的参数")
        _check_estimate(getattr(__obj, "__name__", ""), bound, args, kwargs, "调用")
        return _check_size(super().call(__context, __obj, *args, **kwargs), "调用")


def render_bounded(template: Any, context: dict[str, Any]) -> str:
    """``template.render(context)``, counting what it writes against the budget."""
    current = _BUDGET.get()
    if current is None:
        with budget():
            return render_bounded(template, context)
    chunks = []
    for chunk in template.generate(context):
        current.output += len(chunk)
        if current.output > MAX_OUTPUT:
            raise TooCostly(f"模板填充产生了超过 {MAX_OUTPUT} 个字符的内容")
        current.step()
        chunks.append(chunk)
    return "".join(chunks)

"""Jinja's sandbox, bounded in time and memory, for Word templates that may come from anyone.

``SandboxedEnvironment`` keeps a template from reaching Python; it does not keep
it from running for hours or filling the memory: ``{% for a in range(99999) %}
{% for b in range(99999) %}…``, ``{{ "x" * 10**10 }}``, ``{{ 9 ** 9 ** 9 }}``,
``{{ "%999999999s" % 1 }}``, a namespace doubling a string in a loop, a macro
calling itself twice.  Here every loop step, call, operator, filter and
concatenation counts against a budget set for one rendering (``budget()``):
at most ``MAX_STEPS`` of them, ``MAX_SECONDS`` of time (the clock is read at every
step, and no single step may take long: widths, repeat counts and the inputs of slow
filters are bounded before the call), sequences of at most ``MAX_LENGTH`` items or
characters, ``MAX_PRODUCED`` characters made by all calls together (a list of 3000
strings a million wide each is refused at the 16th; an item of a list counts 16), integers of at most
``MAX_DIGITS`` digits and ``MAX_OUTPUT`` characters written.  The first excess raises
``TooCostly`` (a ``SecurityError``) with a Chinese message.

Only Jinja's documented hooks are used: ``SandboxedEnvironment``'s ``call``,
``call_binop`` with ``intercepted_binops``, ``getattr``, the filters, the globals, and
``Environment.compile``, which accepts a parsed template: the documented hooks see calls
and operators but not a loop's steps (``{% for a in l %}{% for b in l %}{% endfor %}
{% endfor %}`` over a list of 10⁵ calls nothing), so ``compile`` passes every loop's
iterable through the ``gaidocx_bounded`` filter, and every ``~`` through
``gaidocx_concat``, in the parsed template (``jinja2.nodes``, ``NodeTransformer``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

import string

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

#: Changes with the generated code (``_Bounding``): compiled templates cached on disk name it.
SANDBOX_VERSION = 2
MAX_STEPS = 1_000_000
MAX_SECONDS = 5.0
MAX_LENGTH = 4_000_000
MAX_DIGITS = 10_000
MAX_OUTPUT = 16_000_000
MAX_PRODUCED = 16_000_000
#: An item of a list counts as this many characters: a list of a million distinct short
#: strings (``s.split()``) takes some 60 MB, as much as 16 million characters do.
_ITEM_WEIGHT = 16
#: The input of a filter that takes long on long input (``wordwrap`` of 4 million characters
#: ran two minutes; ``sort`` of as many items, seconds), in characters or items.
MAX_SLOW_INPUT = 100_000
_SLOW_FILTERS = frozenset(("wordwrap", "urlize", "pprint", "tojson", "sort", "dictsort", "unique", "groupby", "xmlattr"))
#: An integer argument larger than this (a width, a count) is refused: no real template needs one.
MAX_ARGUMENT = 1_000_000
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?")


_DICT_ATTRIBUTES = frozenset(dir(dict))


class TooCostly(SecurityError):
    """The template asked for more work or memory than any report needs; ``str(e)`` is Chinese."""


class _Budget:
    def __init__(self, seconds: float, steps: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.steps = steps
        self.output = 0
        self.produced = 0

    def step(self, count: int = 1) -> None:
        self.steps -= count
        if self.steps < 0:
            raise TooCostly(f"模板填充要做的运算超过 {MAX_STEPS} 步（循环次数或调用次数过多）")
        if time.monotonic() > self.deadline:
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


def _produced(value: Any, what: str) -> Any:
    """A value a call, filter or operator made: its size checked and counted against the
    rendering's ``MAX_PRODUCED``."""
    _check_size(value, what)
    if isinstance(value, str | bytes | list | tuple | dict):
        current = _BUDGET.get()
        if current is not None:
            current.produced += len(value) * (1 if isinstance(value, str | bytes) else _ITEM_WEIGHT)
            if current.produced > MAX_PRODUCED:
                raise TooCostly(f"模板中的运算一共产生了超过 {MAX_PRODUCED} 个字符或元素（{what}）")
    return value


def _check_format(text: Any, what: str) -> None:
    """The length ``str.format`` fields (``{:>999999}``) or ``%`` specifications (``%999999s``)
    would produce, bounded before formatting: widths and precisions add up (``"{:>999999}" *
    4000``); a width taken from the arguments counts as ``MAX_ARGUMENT`` (``{:{}}``, whose
    arguments ``call`` bounds) or is refused (``%*s``, whose arguments no hook sees)."""
    if not isinstance(text, str):
        return
    total = len(text)
    for match in _PERCENT_SPEC.finditer(text):
        if "*" in match.groups():
            raise TooCostly(f"模板中的{what}的格式从数据中取宽度（%*s），报告模板不需要这样的格式")
        total += max((int(n) for n in match.groups() if n), default=0)
    if "{" in text:
        try:
            fields = list(string.Formatter().parse(text))
        except ValueError:
            fields = []  # str.format itself says what is wrong
        for _, _, spec, _ in fields:
            if not spec:
                continue
            if "{" in spec:
                total += MAX_ARGUMENT
                continue
            match = _FORMAT_SPEC.match(spec)
            total += max((int(n) for n in (match.groups() if match else ()) if n), default=0)
    if total > MAX_LENGTH:
        raise TooCostly(f"模板中的{what}的格式含有过大的宽度或精度（会产生 {total} 个以上的字符）")


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
    if name in ("center", "ljust", "rjust", "zfill") and isinstance(value, str):
        width = argument(0, "width", 80 if name == "center" else 0)
        if isinstance(width, int):
            return max(len(value), width)
    if name == "generate_lorem_ipsum":  # lipsum(n, html, min, max): up to ``max`` words of ~10 characters a paragraph
        count, most = argument(0, "n", 5), argument(3, "max", 100)
        if isinstance(count, int) and isinstance(most, int):
            return max(count, 0) * max(most, 0) * 10
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
            value = args[value_at]
            if name in _SLOW_FILTERS:
                if not hasattr(value, "__len__"):
                    value = list(bounded(value))
                    args = (*args[:value_at], value, *args[value_at + 1 :])
                if len(value) > MAX_SLOW_INPUT:
                    raise TooCostly(f"模板中的{what}要处理 {len(value)} 个字符或元素，超过上限 {MAX_SLOW_INPUT}")
            if name == "format":
                _check_format(value, what)
            _check_estimate(name, value, args[value_at + 1 :], kwargs, what)
        return _produced(function(*args, **kwargs), what)

    return wrapper


class _Bounding(NodeTransformer):
    """Every loop's iterable through ``gaidocx_bounded``; every ``~`` through ``gaidocx_concat``."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "gaidocx_bounded", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, "gaidocx_concat", [], [], None, None, lineno=node.lineno)


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox with every costly operation counted and capped (see the module's docstring)."""

    intercepted_binops = frozenset(("*", "**", "%", "+", "//"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}
        self.filters["gaidocx_bounded"] = bounded
        self.filters["gaidocx_concat"] = _concatenated

    def compile(self, source: Any, name: str | None = None, filename: str | None = None, raw: bool = False, defer_init: bool = False) -> Any:
        """Jinja's ``compile``, given the parsed template with its loops and ``~`` bounded (``_Bounding``)."""
        if isinstance(source, str):
            source = self.parse(source, name, filename)
        return super().compile(_Bounding().visit(source), name, filename, raw, defer_init)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``t3.r5.c2`` reads keys of the context's plain dicts directly: Jinja tries the
        attribute first, and an ``AttributeError`` for each of some 500 figures was a tenth of
        filling a report.  A name that is also a dict's attribute keeps Jinja's order."""
        if type(obj) is dict and type(attribute) is str and attribute in obj and attribute not in _DICT_ATTRIBUTES:
            return obj[attribute]
        return super().getattr(obj, attribute)

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
        return _produced(super().call_binop(context, operator, left, right), f"“{operator}”运算")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        _step()
        _check_arguments([*args, *kwargs.values()], "调用")
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox hands ``str.format`` over wrapped
        bound = getattr(method, "__self__", None)
        for value in (bound, *args, *kwargs.values()):
            _check_size(value, "调用的参数")
        name = getattr(method, "__name__", "")
        if name in ("format", "format_map"):
            _check_format(bound, "“format”调用")
        _check_estimate(name, bound, args, kwargs, "调用")
        return _produced(super().call(__context, __obj, *args, **kwargs), "调用")


def _concatenated(value: Any) -> Any:
    _step()
    return _produced(value, "“~”连接")


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

"""Fill the Word template with a report.

User text reaches the document literally: it is escaped here, once, and
handed to Jinja as ``Markup`` so that neither Jinja's autoescape nor docxtpl's
post-processing (which rewrites ``{_{`` to ``{{`` and turns tab, newline, bell
and form-feed characters into runs) can alter it.  Braces are written as
character references, so text such as ``{{ x }}`` is never template syntax.

Templates may come from users (``render --template``), so they run in Jinja's
sandbox: a template can read the report, not reach Python (``{{ cycler.__init__
.__globals__.os }}`` is refused).  Whatever goes wrong while a template is
filled is reported as a ``TemplateProblem`` in Chinese, never as a crash.
"""

from __future__ import annotations

import datetime
import io
import re
import traceback
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree
from markupsafe import Markup

from gaidocx.core import form
from gaidocx.core.narrative import NOT_XML, parse_paragraph
from gaidocx.core.report import Report, format_figure
from gaidocx.document.build import NARRATIVE_CONTEXT, TITLE_CHARS_PER_LINE, text_width
from gaidocx.resources import shipped_file

TEMPLATE_NAME = "annual-report.docx"

#: python-docx refuses longer text in a core property (title, author, subject …).
PROPERTY_MAX_CHARS = 255
#: The core properties docxtpl renders as templates (``DocxTemplate.render_properties``).
_TEMPLATED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "{": "&#123;",
    "}": "&#125;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
}
_ESCAPE = re.compile("[&<>\"'{}\t\n\r]")
#: A line break inside the run that holds a ``{{ }}`` tag.
_LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')


class TemplateProblem(Exception):
    """The Word template cannot be used: missing, not a .docx, bad syntax or an unknown variable."""


class IncompleteReport(ValueError):
    """The report lacks something the document needs (run the checks first)."""


def clean_text(text: str) -> str:
    """``text`` without the characters XML cannot hold at all."""
    return NOT_XML.sub("", text)


def property_text(text: str) -> str:
    """``text`` as a core property can hold it: XML-safe, on one line, at most 255 characters
    (longer text ends in “…”)."""
    text = " ".join(clean_text(text).split())
    if len(text) > PROPERTY_MAX_CHARS:
        text = text[: PROPERTY_MAX_CHARS - 1] + "…"
    return text


def literal(text: str) -> Markup:
    """``text`` as XML character data that docxtpl and Jinja pass through unchanged."""
    return Markup(_ESCAPE.sub(lambda m: _ESCAPES[m.group()], clean_text(text)))


def default_template() -> Path:
    """The template shipped with the package (``templates/word/annual-report.docx``)."""
    return shipped_file("word", TEMPLATE_NAME)


def title_markup(agency: str, year: int) -> Markup:
    """The title; too long for one line, it breaks after the year, as published reports do:
    ``{机关}{年度}年`` / ``政府信息公开工作年度报告``."""
    text = form.title(agency, year)
    head = f"{agency}{year}{form.TITLE_SUFFIX[0]}"
    if text_width(text) <= TITLE_CHARS_PER_LINE or not text.startswith(head):
        return literal(text)
    return literal(head) + _LINE_BREAK + literal(text[len(head) :])


def _paragraph(text: str, keep: bool = False) -> dict[str, Any]:
    parsed = parse_paragraph(text)
    return {
        "level": parsed.level,
        "bare": parsed.is_bare_heading,
        "keep": keep,
        "text": literal(text),
        "lead": literal(parsed.lead),
        "body": literal(parsed.body),
    }


def _nest(values: Mapping[str, Markup]) -> dict[str, Any]:
    """``{"t3.r5.c2": v}`` → ``{"t3": {"r5": {"c2": v}}}``, so the tag is the key itself."""
    tree: dict[str, Any] = {}
    for key, value in values.items():
        *path, last = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return tree


def build_context(report: Report) -> dict[str, Any]:
    """The template context: see ``gaidocx.document.build`` for the variable names."""
    missing = []
    if not report.agency.strip():
        missing.append("机关名称")
    if report.year is None:
        missing.append("报告年度")
    if report.signed_on is None:
        missing.append("成文日期")
    figures = report.figures()
    blank = [key for key, value in figures.items() if value is None]
    if blank:
        shown = "、".join(report.form.fields[key].labels for key in blank[:3])
        more = f"等 {len(blank)} 个数字" if len(blank) > 3 else ""
        missing.append(f"表格数字（{shown}{more}）")
    if missing:
        raise IncompleteReport(f"报告还不完整，无法生成文档：缺少{'；'.join(missing)}。请先运行检查并补全。")
    year: int = report.year  # type: ignore[assignment]  # checked above
    signed: datetime.date = report.signed_on  # type: ignore[assignment]
    context: dict[str, Any] = {
        "title": title_markup(report.agency, year),
        "title_text": literal(form.title(report.agency, year)),
        "agency": literal(report.agency),
        "date": literal(form.chinese_date(signed.year, signed.month, signed.day)),
    }
    last_section = next(s.number for s in reversed(report.form.sections) if s.table is None)
    for section, name in NARRATIVE_CONTEXT.items():
        texts = report.paragraphs(section)
        last = len(texts) - 1 if section == last_section else -1
        context[name] = [_paragraph(text, keep=index == last) for index, text in enumerate(texts)]
    context.update(
        _nest({key: literal(format_figure(value, report.form.fields[key].kind)) for key, value in figures.items()})
    )
    return context


class _Template(DocxTemplate):
    """docxtpl, but a rendered body that is not well-formed XML is an error, never 'recovered';
    an error while a part is filled says where; core properties stay plain text of legal length."""

    def fix_tables(self, xml: str) -> Any:
        try:
            etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise TemplateProblem(
                f"模板填充后的文档结构无效（{exc}）：请检查模板中的 {{%p %}}、{{%tr %}} 等标记是否成对、位置是否正确。"
            ) from exc
        return super().fix_tables(xml)

    def render_xml_part(self, src_xml: str, part: Any, context: dict[str, Any], jinja_env: Any = None) -> str:
        try:
            return super().render_xml_part(src_xml, part, context, jinja_env)
        except Exception as exc:
            # docxtpl records where only a TemplateError with a line number happened; runtime
            # errors (1/0, a refused attribute) carry the line in the template's traceback frame.
            line = _template_line(exc)
            if getattr(exc, "docx_context", None) is None and line is not None:
                # the source as docxtpl compiles it: each paragraph on a line of its own
                lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml).splitlines()
                try:
                    exc.docx_context = [re.sub(r"<[^>]+>", "", text) for text in lines[line - 1 : line]]  # type: ignore[attr-defined]
                except AttributeError:
                    pass
            raise

    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        """Core properties may hold tags too (``{{ agency }}`` in the title), but they are plain
        text, not XML: fill them with the text itself (not the escaped ``Markup``), and keep
        each within python-docx's 255-character limit."""
        environment = jinja_env.overlay(autoescape=False) if jinja_env is not None else _environment(autoescape=False)
        plain = {name: _plain(value) for name, value in context.items()}
        if "title_text" in plain:
            plain["title"] = plain["title_text"]  # ``title`` holds a line break as WordprocessingML
        properties = self.docx.core_properties
        for name in _TEMPLATED_PROPERTIES:
            initial = getattr(properties, name) or ""
            setattr(properties, name, property_text(environment.from_string(initial).render(plain)))


def _plain(value: Any) -> Any:
    """Context values as plain text: ``Markup`` unescaped, containers walked."""
    if isinstance(value, Markup):
        return value.unescape()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _template_line(exc: BaseException) -> int | None:
    """The template line a runtime error happened on (Jinja names template frames ``<template>``)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    return lines[-1] if lines else None


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    """Templates may come from users: the sandbox keeps them from reaching Python itself."""
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=autoescape)


#: The variables a template can use (see ``gaidocx.document.build``).
CONTEXT_NAMES = ("title", "title_text", "agency", "date", *NARRATIVE_CONTEXT.values(), "t2", "t3", "t4")

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


def _describe(exc: BaseException) -> str:
    near = _near(exc)
    if isinstance(exc, SecurityError):
        return (
            f"模板中的标记试图访问报告数据以外的内容（如 Python 的内部属性或函数），已被拒绝。{near}"
            f"模板只能使用报告的数据：{'、'.join(CONTEXT_NAMES)}。（详情：{exc}）"
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


def render_docx(report: Report, template: Path | str | None = None) -> bytes:
    """The report as a .docx, filled into ``template`` (default: the shipped one)."""
    context = build_context(report)
    source = Path(template) if template is not None else default_template()
    if not source.is_file():
        raise TemplateProblem(f"找不到 Word 模板文件：{source}")
    try:
        data = source.read_bytes()
        tpl = _Template(io.BytesIO(data))
        tpl.init_docx()
    except (OSError, zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise TemplateProblem(
            f"无法打开 Word 模板“{source}”：它不是有效的 Word 文档（.docx）。"
            "请用 gaidocx word-template 导出默认模板，在 Word 或 WPS 中修改后另存为 .docx。"
        ) from exc
    try:
        tpl.render(context, jinja_env=_environment(autoescape=True), autoescape=True)
    except TemplateProblem:
        raise
    except Exception as exc:  # a template is a program: any error in it is the template's problem
        raise TemplateProblem(_describe(exc)) from exc
    properties = tpl.docx.core_properties
    properties.title = property_text(form.title(report.agency, report.year))  # type: ignore[arg-type]
    properties.author = property_text(report.agency)
    properties.last_modified_by = "gaidocx"
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
    properties.created = now
    properties.modified = now
    output = io.BytesIO()
    tpl.save(output)
    return output.getvalue()

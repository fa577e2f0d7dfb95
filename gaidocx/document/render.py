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
import functools
import hashlib
import io
import json
import os
import posixpath
import re
import traceback
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jinja2 import FunctionLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.bccache import FileSystemBytecodeCache
from jinja2.sandbox import SecurityError
from lxml import etree
from markupsafe import Markup

from gaidocx.archive import DAMAGED, MB, Archive, ArchiveError, Limits, open_archive, read_file
from gaidocx.core import form
from gaidocx.core.narrative import NOT_XML, parse_paragraph, split_paragraphs
from gaidocx.core.report import IncompleteReport, Report, format_figure, require_complete
from gaidocx.document.build import NARRATIVE_CONTEXT, TITLE_CHARS_PER_LINE, text_width
from gaidocx import __version__
from gaidocx.limits import MAX_NARRATIVE_CHARS, MAX_PARAGRAPHS
from gaidocx.document.sandbox import SANDBOX_VERSION, BoundedEnvironment, TooCostly, budget, render_bounded
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
    figures = require_complete(report, "文档")
    entries = [entry for section in report.narratives.values() for entry in section]
    characters = sum(map(len, entries))
    paragraphs = sum(len(split_paragraphs(entry)) for entry in entries)
    if characters > MAX_NARRATIVE_CHARS or paragraphs > MAX_PARAGRAPHS:
        raise IncompleteReport(
            f"报告的文字部分有 {characters} 个字符、{paragraphs} 段，超过生成文档的上限"
            f"（{MAX_NARRATIVE_CHARS} 个字符、{MAX_PARAGRAPHS} 段，是真实年度报告的十倍）。请先运行检查并删去无关的内容。"
        )
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


# ---------------------------------------------------------------- the Word template, prepared once

#: Far above any real Word template (the default is 30 KB; a letterhead image or two, a few MB).
TEMPLATE_LIMITS = Limits(
    file=24 * MB,
    members=1000,
    total=48 * MB,
    part=16 * MB,
    large_part=16 * MB,
    what="Word 模板",
    normal="（几十 KB 到几 MB）",
)
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_DOCUMENT = "/officeDocument"
_CORE_PROPERTIES = "/metadata/core-properties"
#: Parts of the main document docxtpl fills besides its body.
_FILLED_PARTS = ("/header", "/footer", "/footnotes")
_ATTACHED_TEMPLATE = "/attachedTemplate"
#: External links a published report may carry: web and mail hyperlinks, which readers click.
_HYPERLINK = "/hyperlink"
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=True)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_BODY_MARK = "gaidocx-body-goes-here"
_ACTIVE_CONTENT = re.compile(r"vbaProject|vbaData|activeX", re.IGNORECASE)
_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
#: python-docx's names of the core properties docxtpl fills → their elements.
_CORE_ELEMENTS = {
    "author": "dc:creator",
    "comments": "dc:description",
    "identifier": "dc:identifier",
    "language": "dc:language",
    "subject": "dc:subject",
    "title": "dc:title",
}


def _advice_for_template(source: Path) -> str:
    return f"请用 gaidocx word-template 导出默认模板，在 Word 或 WPS 中修改后另存为 .docx。（模板：{source}）"


class _Filled:
    """One XML part filled by Jinja: the compiled template and how to put the result back."""

    def __init__(self, member: str, source: str, template: Any, head: str = "", tail: str = "") -> None:
        self.member = member
        self.source = source  # as compiled: each paragraph on a line of its own, for error locations
        self.template = template
        self.head, self.tail = head, tail
        #: the body, when no loop can change a table's shape nor repeat a drawing: the shipped
        #: template's body is then filled without a new tree (a user's is always parsed, repaired
        #: and checked: its expressions may write markup, ``|safe``)
        self.fixed_shape = bool(head) and _fixed_shape(source)


def _fixed_shape(body: str) -> bool:
    """No statement or comment tag inside any table (so no loop adds or removes a cell), no
    drawing (whose ids a loop would repeat), and a body tag without tags of its own (so that
    the filled body's content is what lies between its first ">" and its last "<")."""
    if "docPr" in body or "{" in body[: body.find(">")]:
        return False
    try:
        tree = etree.fromstring(body.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError:  # tags between the elements of a table, say: not fixed
        return False
    for table in tree.iter(f"{{{_W}}}tbl"):
        xml = etree.tostring(table, encoding="unicode")
        if "{%" in xml or "{#" in xml:
            return False
    return True


def _content(xml: str) -> str:
    """The body's content, without the body's own tags (its document declares their namespaces)."""
    return xml[xml.index(">") + 1 : xml.rindex("<")]


class PreparedTemplate:
    """A Word template checked, cleaned and compiled once; ``render(report)`` fills it as often as needed.

    Rendering never opens the template again nor uses python-docx: the filled parts
    replace theirs in a copy of the package, which keeps only the parts reachable
    through relationships.  ``notices`` says in Chinese what was removed from the
    template (a linked “attached template”).
    """

    def __init__(self, source: Path, archive: Archive, *, shipped: bool = False) -> None:
        self.source = source
        self.archive = archive
        #: the template gaidocx ships: built by ``document.build`` and tested to fill into
        #: well-formed XML for any report, so its filled body is not parsed again
        self.shipped = shipped
        self.xml = dict(archive.xml)  # the XML parts, some changed here (an attached template removed)
        self.notices: list[str] = []
        self.environment = BoundedEnvironment(undefined=StrictUndefined, autoescape=True, bytecode_cache=_bytecode_cache())
        self.plain_environment = self.environment.overlay(autoescape=False)
        self.parts: dict[str, bytes] = {}  # member → content, for every part copied into reports
        self._relationships: dict[str, list[tuple[str, str, str]]] = {}
        main = self._walk()
        self.filled = [self._prepare_main(main)]
        for kind, target in self._relationships.get(main, []):
            if kind.endswith(_FILLED_PARTS) and target in self.parts:
                self.filled.append(self._prepare_part(target))
        self.core = next(
            (t for k, t in self._relationships.get("", []) if k.endswith(_CORE_PROPERTIES) and t in self.parts), None
        )
        self.properties = self._prepare_properties()

    # ---- the package

    def _xml(self, member: str) -> bytes:
        if member not in self.xml:
            raise TemplateProblem(f"Word 模板“{self.source.name}”缺少“{member}”，不是有效的 Word 文档（.docx）。{_advice_for_template(self.source)}")
        return self.xml[member]

    def _walk(self) -> str:
        """Collect the parts reachable from the package's relationships; check external links.

        Returns the main document part's name."""
        if "[Content_Types].xml" not in self.xml:
            raise TemplateProblem(f"无法打开 Word 模板“{self.source.name}”：它不是有效的 Word 文档（.docx）。{_advice_for_template(self.source)}")
        pending = [""]  # "" is the package itself
        seen = {""}
        while pending:
            owner = pending.pop()
            rels = _rels_name(owner)
            if rels not in self.xml:
                continue
            content = self._strip_external(owner, rels)
            self.parts[rels] = content
            relations = self._relationships.setdefault(owner, [])
            for relation in etree.fromstring(content, _PARSER):
                if relation.get("TargetMode") == "External":
                    continue
                target = _resolve(owner, relation.get("Target", ""))
                if target not in self.archive.names and unquote(target) in self.archive.names:
                    target = unquote(target)  # a part name written percent-encoded
                relations.append((relation.get("Type", ""), target))
                if target not in seen and target in self.archive.names:
                    seen.add(target)
                    self.parts[target] = self.xml.get(target) or self.archive.read(target)
                    pending.append(target)
        active = sorted(name for name in self.parts if _ACTIVE_CONTENT.search(name))
        if active:
            raise TemplateProblem(
                f"Word 模板“{self.source.name}”含有宏或 ActiveX 控件（{_brief_target(active[0])}）。"
                "为安全起见，生成的报告不能带有可执行的内容，已拒绝使用这个模板。"
                "请在 Word 中“另存为”Word 文档（*.docx，不是“启用宏的文档”）再试。"
            )
        types = etree.fromstring(self.xml["[Content_Types].xml"], _PARSER)
        for override in list(types):
            if override.tag == f"{{{_CONTENT_TYPES}}}Override" and override.get("PartName", "").lstrip("/") not in self.parts:
                types.remove(override)  # a part left behind
            elif override.get("ContentType") == _TEMPLATE_MAIN:
                override.set("ContentType", _DOCUMENT_MAIN)  # a .dotx: the report is a document
        self.parts = {
            "[Content_Types].xml": etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True),
            **self.parts,
        }
        main = next((t for k, t in self._relationships.get("", []) if k.endswith(_OFFICE_DOCUMENT)), None)
        if main is None or main not in self.xml or b"wordprocessingml" not in self.xml[main][:4096]:
            raise TemplateProblem(f"无法打开 Word 模板“{self.source.name}”：它不是有效的 Word 文档（.docx）。{_advice_for_template(self.source)}")
        return main

    def _strip_external(self, owner: str, rels: str) -> bytes:
        """External relationships: web and mail hyperlinks stay; an attached template is removed
        (with a notice); anything else Word would fetch or open is refused."""
        content = self.xml[rels]
        tree = etree.fromstring(content, _PARSER)
        changed = False
        for relation in list(tree):
            if relation.get("TargetMode") != "External":
                continue
            kind, target = relation.get("Type", ""), relation.get("Target", "")
            shown = _brief_target(target)
            if kind.endswith(_HYPERLINK) and target.strip().lower().startswith(_SAFE_SCHEMES):
                continue
            if kind.endswith(_ATTACHED_TEMPLATE):
                tree.remove(relation)
                changed = True
                self._remove_attached_template(owner, relation.get("Id"))
                self.notices.append(
                    f"Word 模板“{self.source.name}”链接了外部的文档模板“{shown}”，生成的报告中已去掉这个链接。"
                )
                continue
            what = "链接到本机或局域网文件的超链接" if kind.endswith(_HYPERLINK) else f"外部内容（{kind.rpartition('/')[2]}）"
            raise TemplateProblem(
                f"Word 模板“{self.source.name}”中有{what}“{shown}”。打开报告时 Word 会去读取它，"
                "发布的报告不能带有这种链接，已拒绝使用这个模板。"
                "请在 Word 中删除这个链接（链接的图片请改为“嵌入”），另存为 .docx 后再试。"
            )
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True) if changed else content

    def _remove_attached_template(self, owner: str, relation: str | None) -> None:
        if owner not in self.xml:
            return
        tree = etree.fromstring(self.xml[owner], _PARSER)
        for element in tree.iter(f"{{{_W}}}attachedTemplate"):
            element.getparent().remove(element)
        self.xml[owner] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
        if owner in self.parts:
            self.parts[owner] = self.xml[owner]

    # ---- the parts Jinja fills

    def _compile(self, member: str, source: str, head: str = "", tail: str = "") -> _Filled:
        try:
            template = _compiled(self.environment, member, source)
        except Exception as exc:
            _locate(exc, source)
            raise TemplateProblem(_describe(exc)) from exc
        return _Filled(member, source, template, head, tail)

    def _prepare_main(self, member: str) -> _Filled:
        content = self._xml(member)
        cached = _cached_sources(content)
        if cached is not None:
            return self._compile(member, *cached)
        root = etree.fromstring(content, _PARSER)
        body = root.find(f"{{{_W}}}body")
        if body is None:
            raise TemplateProblem(f"无法打开 Word 模板“{self.source.name}”：文档中没有正文。{_advice_for_template(self.source)}")
        xml = etree.tostring(body, encoding="unicode")
        shell = etree.fromstring(etree.tostring(root), _PARSER)
        shell_body = shell.find(f"{{{_W}}}body")
        for child in list(shell_body):
            shell_body.remove(child)
        shell_body.text = _BODY_MARK
        document = etree.tostring(shell, encoding="unicode")
        mark = document.index(_BODY_MARK)
        head, tail = document[:mark], document[mark + len(_BODY_MARK) :]  # keep the body's own tags
        sources = (_cleaned(xml), head, tail)
        _cache_sources(content, sources)
        return self._compile(member, *sources)

    def _prepare_part(self, member: str) -> _Filled:
        content = self._xml(member)
        cached = _cached_sources(content)
        if cached is not None:
            return self._compile(member, *cached)
        sources = (_cleaned(etree.tostring(etree.fromstring(content, _PARSER), encoding="unicode")), "", "")
        _cache_sources(content, sources)
        return self._compile(member, *sources)

    def _prepare_properties(self) -> dict[str, Any]:
        """The core properties' templates (docxtpl fills these six, as text)."""
        if self.core is None:
            return {}
        tree = etree.fromstring(self._xml(self.core), _PARSER)
        found = {}
        for name, element in _CORE_ELEMENTS.items():
            prefix, local = element.split(":")
            node = tree.find(f"{{{_CORE_NS[prefix]}}}{local}")
            text = node.text if node is not None and node.text else ""
            try:
                found[name] = self.plain_environment.from_string(text) if "{" in text else text
            except Exception as exc:
                raise TemplateProblem(_describe(exc)) from exc
        return found

    # ---- rendering

    def render(self, report: Report, context: dict[str, Any] | None = None) -> bytes:
        """The report as a .docx; raises ``IncompleteReport`` or ``TemplateProblem``.

        ``context`` is ``build_context(report)`` when the caller has it already."""
        context = build_context(report) if context is None else context
        filled = {}
        with budget():
            try:
                for part in self.filled:
                    filled[part.member] = self._fill(part, context)
                core = self._core_properties(report, context)
            except TemplateProblem:
                raise
            except Exception as exc:  # a template is a program: any error in it is the template's problem
                raise TemplateProblem(_describe(exc)) from exc
        if self.core is not None:
            filled[self.core] = core
        output = io.BytesIO()
        # The fastest deflate level: a report is some 10 KB either way, and level 6 took
        # as long as filling the template.
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
            for member, content in self.parts.items():
                package.writestr(member, filled.get(member, content))
        return output.getvalue()

    def _fill(self, part: _Filled, context: dict[str, Any]) -> bytes:
        try:
            xml = render_bounded(part.template, context)
        except Exception as exc:
            _locate(exc, part.source)
            raise
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if "{_" in xml or "_}" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in "\t\a\f\n"):  # text typed in the template itself; ours arrives escaped
            xml = _docxtpl().resolve_listing(None, xml)
        try:
            if self.shipped and part.fixed_shape:
                return _DECLARATION + (part.head + _content(xml) + part.tail).encode("utf-8")
            tree = etree.fromstring(xml.encode("utf-8"), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise TemplateProblem(
                f"模板填充后的文档结构无效（{exc}）：请检查模板中的 {{%p %}}、{{%tr %}} 等标记是否成对、位置是否正确。"
            ) from exc
        if part.head:  # the body: tables whose columns a {%tc %} loop changed, drawing ids a loop repeated
            tree = _fix_tables(tree)
            for number, drawing in enumerate(tree.iter(_WP_DOC_PR), start=1001):
                drawing.set("id", str(number))
            return _DECLARATION + (part.head + _inner(tree) + part.tail).encode("utf-8")
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _core_properties(self, report: Report, context: dict[str, Any]) -> bytes:
        """Core properties may hold tags too (``{{ agency }}`` in the title), but they are plain
        text, not XML: filled with the text itself, each within python-docx's 255-character limit;
        then title, author, dates as every report has them."""
        values = {name: property_text(t) for name, t in self.properties.items() if isinstance(t, str)}
        templated = {name: t for name, t in self.properties.items() if not isinstance(t, str)}
        if templated:
            plain = {name: _plain(value) for name, value in context.items()}
            plain["title"] = plain["title_text"]  # ``title`` holds a line break as WordprocessingML
            values.update({name: property_text(render_bounded(t, plain)) for name, t in templated.items()})
        values["title"] = property_text(form.title(report.agency, report.year))  # type: ignore[arg-type]
        values["author"] = property_text(report.agency)
        if self.core is None:
            return b""
        tree = etree.fromstring(self._xml(self.core), _PARSER)
        for name, text in values.items():
            _set_core(tree, _CORE_ELEMENTS[name], text)
        _set_core(tree, "cp:lastModifiedBy", "gaidocx")
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        for name in ("dcterms:created", "dcterms:modified"):
            element = _set_core(tree, name, now)
            element.set(f"{{{_CORE_NS['xsi']}}}type", "dcterms:W3CDTF")
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def _inner(element: Any) -> str:
    """An element's content as XML, without its own tags (whose namespaces its document declares)."""
    xml = etree.tostring(element, encoding="unicode")
    if xml.endswith("/>") and xml.index(">") == len(xml) - 1:
        return ""
    return _content(xml)


class _QuietCache(FileSystemBytecodeCache):
    """Jinja's per-user cache of compiled templates (in a private folder of the temporary
    directory): a cache that cannot be read or written is no cache, never an error."""

    def load_bytecode(self, bucket: Any) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged or foreign cache file: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except Exception:
            pass


@functools.lru_cache(maxsize=1)
def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiling the template is most of preparing it; the compiled code is kept on disk, keyed
    by the source's checksum (and Jinja's and Python's versions), so that a new process reuses it."""
    if os.environ.get("GAIDOCX_NO_CACHE"):
        return None
    try:
        return _QuietCache(pattern=f"gaidocx-{__version__}-{SANDBOX_VERSION}-%s.cache")
    except Exception:  # no usable temporary directory (or an unsafe one): compile every time
        return None


def _cleaned(xml: str) -> str:
    """docxtpl's cleaning (tags inside ``{{ }}`` removed, entities in them unescaped …), then
    each paragraph on a line of its own, as docxtpl compiles it."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", _docxtpl().patch_xml(None, xml))


def _sources_file(content: bytes) -> Path | None:
    cache = _bytecode_cache()
    if cache is None:
        return None
    digest = hashlib.sha256(content).hexdigest()
    return Path(cache.directory) / f"gaidocx-{__version__}-{SANDBOX_VERSION}-{digest}.json"


def _cached_sources(content: bytes) -> tuple[str, str, str] | None:
    """The cleaned source of a part prepared before (by any process), and for the main document
    the text before and after its body."""
    path = _sources_file(content)
    try:
        source, head, tail = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
        return str(source), str(head), str(tail)
    except Exception:  # none yet, or unusable: prepare again
        return None


def _cache_sources(content: bytes, sources: tuple[str, str, str]) -> None:
    path = _sources_file(content)
    if path is None:
        return
    try:
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(sources, ensure_ascii=False), encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except Exception:
        pass


def _compiled(environment: BoundedEnvironment, member: str, source: str) -> Any:
    """``environment.from_string(source)``, through the bytecode cache when there is one (which
    needs a loader: one that serves nothing once the source is compiled)."""
    name = f"gaidocx:{member}"
    compiling = [True]  # the loader serves this source once, to compile it: never to an {% include %}
    loader = FunctionLoader(lambda asked: (source, None, lambda: True) if compiling[0] and asked == name else None)
    try:
        return environment.overlay(loader=loader, cache_size=0).get_template(name)
    finally:
        compiling[0] = False


def _set_core(tree: Any, name: str, text: str) -> Any:
    prefix, local = name.split(":")
    element = tree.find(f"{{{_CORE_NS[prefix]}}}{local}")
    if element is None:
        element = etree.SubElement(tree, f"{{{_CORE_NS[prefix]}}}{local}", nsmap={prefix: _CORE_NS[prefix]})
    element.text = text
    return element


def _docxtpl() -> Any:
    """docxtpl's template class, whose cleaning and repairs are used as functions.  Imported
    only when needed (it imports python-docx): not when the template comes from the disk cache
    and needs no repair."""
    from docxtpl.template import DocxTemplate

    return DocxTemplate


def _fix_tables(tree: Any) -> Any:
    """docxtpl's repair of tables whose rows a ``{%tc %}`` loop gave more or fewer cells than
    their grid has columns; the tree itself when there is nothing to repair."""
    if not any(_needs_repair(table) for table in tree.iter(f"{{{_W}}}tbl")):
        return tree
    return _docxtpl().fix_tables(None, etree.tostring(tree))


def _needs_repair(table: Any) -> bool:
    """What makes docxtpl's ``fix_tables`` change a table: a row with more cells than grid
    columns, or no row as wide (with spans) as the grid."""
    grid = table.find(f"{{{_W}}}tblGrid")
    if grid is None:
        return True  # let docxtpl decide
    columns = len(grid.findall(f"{{{_W}}}gridCol"))
    widest = 0
    for row in table.iter(f"{{{_W}}}tr"):
        cells = row.findall(f"{{{_W}}}tc")
        if len(cells) > columns:
            return True
        width = 0
        for cell in cells:
            span = cell.find(f"{{{_W}}}tcPr/{{{_W}}}gridSpan")
            width += int(span.get(f"{{{_W}}}val")) if span is not None else 1
        widest = max(widest, width)
    return widest < columns


def _rels_name(owner: str) -> str:
    if not owner:
        return "_rels/.rels"
    folder, _, name = owner.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _resolve(owner: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))


def _brief_target(target: str) -> str:
    target = " ".join(target.split())
    return target if len(target) <= 60 else target[:60] + "……"


def _locate(exc: BaseException, source: str) -> None:
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


def prepare_template(template: Path | str | None = None) -> PreparedTemplate:
    """``template`` (default: the shipped one) checked by the archive guard, cleaned and compiled once."""
    if template is None:
        return _default_prepared()
    source = Path(template)
    data = _read_template(source)
    return _prepared(hashlib.sha256(data).hexdigest(), source, data)


@functools.lru_cache(maxsize=8)
def _prepared_by_digest(digest: str) -> list[PreparedTemplate]:
    return []


def _prepared(digest: str, source: Path, data: bytes) -> PreparedTemplate:
    """A template prepared once per process for the same content (the name in messages is the first one's)."""
    held = _prepared_by_digest(digest)
    if not held:
        held.append(_prepare(source, data))
    return held[0]


@functools.lru_cache(maxsize=1)
def _default_prepared() -> PreparedTemplate:
    source = default_template()
    return _prepare(source, _read_template(source), shipped=True)


def _read_template(source: Path) -> bytes:
    try:
        return read_file(source, TEMPLATE_LIMITS)
    except ArchiveError as exc:
        raise _template_problem(exc, source) from exc


def _template_problem(exc: ArchiveError, source: Path) -> TemplateProblem:
    if exc.kind == "missing":
        return TemplateProblem(f"找不到 Word 模板文件：{source}")
    if exc.kind == "loop":
        return TemplateProblem(f"Word 模板不能使用：{exc}")
    if exc.kind in ("not zip", "ole", "folder", "empty", "unreadable"):
        return TemplateProblem(
            f"无法打开 Word 模板“{source}”：它不是有效的 Word 文档（.docx）。（{exc}）"
            "请用 gaidocx word-template 导出默认模板，在 Word 或 WPS 中修改后另存为 .docx。"
        )
    return TemplateProblem(f"Word 模板不能使用：{exc}{_advice_for_template(source)}")


def _prepare(source: Path, data: bytes, *, shipped: bool = False) -> PreparedTemplate:
    try:
        archive = open_archive(data, source.name, TEMPLATE_LIMITS)
    except ArchiveError as exc:
        raise _template_problem(exc, source) from exc
    try:
        return PreparedTemplate(source, archive, shipped=shipped)
    except TemplateProblem:
        raise
    except (etree.XMLSyntaxError, KeyError, ValueError, *DAMAGED, ArchiveError) as exc:
        raise TemplateProblem(
            f"无法打开 Word 模板“{source}”：它不是有效的 Word 文档（.docx）。"
            "请用 gaidocx word-template 导出默认模板，在 Word 或 WPS 中修改后另存为 .docx。"
        ) from exc


def render_docx(report: Report, template: Path | str | None = None) -> bytes:
    """The report as a .docx, filled into ``template`` (default: the shipped one, prepared once per process)."""
    context = build_context(report)  # an incomplete report is refused before the template is looked at
    return prepare_template(template).render(report, context)

"""Fill a Word template with a checked report.

Templates may come from users (``render --template``), so they run in Jinja's sandbox
(``gaidocx.document.sandbox``): a template can read the report, not reach Python, and
its time and memory are bounded.  A user's template package is checked and cleaned first
(``gaidocx.document.package``); what its expressions write is checked after filling:
markup written with ``|safe`` must be made of the elements the template itself uses, in
places it uses them, and may not add an active field.  Whatever goes wrong is a
``TemplateProblem`` in Chinese (``gaidocx.document.problems``), never a crash.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from lxml import etree

from gaidocx.core.report import CheckedReport, Report, checked_report
from gaidocx.document import docxtpl_steps
from gaidocx.document.caches import bytecode_cache, cache_sources, cached_sources, compiled
from gaidocx.document.doc_properties import DocumentProperties
from gaidocx.document.package import PARSER, W, TemplatePackage, check_fields, not_a_document, open_package, read_template
from gaidocx.document.problems import TemplateProblem, describe, locate
from gaidocx.document.sandbox import BoundedEnvironment, budget, render_bounded
from gaidocx.document.variables import build_context
from gaidocx.resources import shipped_file

TEMPLATE_NAME = "annual-report.docx"
#: Parts of the main document filled besides its body.
_FILLED_PARTS = ("/header", "/footer", "/footnotes")
_WP_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_BODY_MARK = "gaidocx-body-goes-here"
_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
#: A real template holds a few hundred tags (the shipped one some 600); docxtpl's cleaning is
#: quadratic in tags left open, so a part's tags are counted and matched before it runs.
MAX_TAGS = 20_000
_OPENER = re.compile(r"\{(?:<[^>]*>)*([{%#])")
#: Each opener's closer, which Word may split with markup too.
_CLOSERS = {kind: re.compile(re.escape(mark) + r"(?:<[^>]*>)*\}") for kind, mark in (("{", "}"), ("%", "%"), ("#", "#"))}
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: Elements and attributes docxtpl itself writes into a filled part (line breaks, tabs, page
#: breaks, kept spaces, merged and shaded cells): allowed whether or not the template has them.
_DOCXTPL_WRITES = {
    (f"{{{W}}}r", f"{{{W}}}{child}") for child in ("t", "br", "tab", "cr", "rPr")
} | {(f"{{{W}}}tcPr", f"{{{W}}}{child}") for child in ("gridSpan", "shd", "vMerge", "hMerge")}
_DOCXTPL_ATTRIBUTES = {(f"{{{W}}}t", _XML_SPACE), (f"{{{W}}}br", f"{{{W}}}type")} | {
    (f"{{{W}}}{tag}", f"{{{W}}}{name}") for tag, name in (("gridSpan", "val"), ("vMerge", "val"), ("shd", "val"), ("shd", "color"), ("shd", "fill"))
}


def default_template() -> Path:
    """The template shipped with the package (``templates/word/annual-report.docx``)."""
    return shipped_file("word", TEMPLATE_NAME)


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
        tree = etree.fromstring(body.encode("utf-8"), PARSER)
    except etree.XMLSyntaxError:  # tags between the elements of a table, say: not fixed
        return False
    for table in tree.iter(f"{{{W}}}tbl"):
        xml = etree.tostring(table, encoding="unicode")
        if "{%" in xml or "{#" in xml:
            return False
    return True


def _content(xml: str) -> str:
    """The body's content, without the body's own tags (its document declares their namespaces)."""
    return xml[xml.index(">") + 1 : xml.rindex("<")]


class _Shape:
    """What a part of the template is made of: which element holds which, which attributes each
    element carries and which elements hold text.  Markup a template writes with ``|safe`` must
    keep to it (plus what docxtpl writes), or the report would be a document Word refuses."""

    def __init__(self, original: bytes, cleaned: str) -> None:
        self.children = set(_DOCXTPL_WRITES)
        self.attributes = set(_DOCXTPL_ATTRIBUTES)
        self.texts = {f"{{{W}}}t"}
        recovering = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
        markup = _TAG.sub("", cleaned).encode("utf-8")  # what the template writes, without what its tags write
        for tree, with_text in ((etree.fromstring(original, PARSER), True), (etree.fromstring(markup, recovering), False)):
            if tree is None:
                continue
            for element in tree.iter(tag=etree.Element):
                parent = element.getparent()
                if parent is not None:
                    self.children.add((parent.tag, element.tag))
                self.attributes.update((element.tag, name) for name in element.attrib)
                if with_text and element.text and element.text.strip():
                    self.texts.add(element.tag)

    def check(self, tree: Any) -> None:
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue  # a comment or processing instruction
            parent = element.getparent()
            if parent is not None and (parent.tag, element.tag) not in self.children:
                _refuse_markup(f"<{_short(element.tag)}> 不能放在 <{_short(parent.tag)}> 中")
            for name in element.attrib:
                if (element.tag, name) not in self.attributes:
                    _refuse_markup(f"<{_short(element.tag)}> 不能有属性 {_short(name)}")
            if element.text and element.text.strip() and element.tag not in self.texts:
                _refuse_markup(f"<{_short(element.tag)}> 中不能直接有文字“{element.text.strip()[:20]}”")


def _short(tag: str) -> str:
    return tag.replace(f"{{{W}}}", "w:").replace(_XML_SPACE, "xml:space")


def _refuse_markup(why: str) -> None:
    raise TemplateProblem(
        f"模板填充后的文档结构无效：{why}。模板中用 |safe 或 {{% autoescape false %}} 写入的内容不是 Word 文档允许的标记，"
        "已停止生成。报告模板只需要填入报告的数据：请删去写入标记的表达式。"
    )


class PreparedTemplate:
    """A Word template checked, cleaned and compiled once; ``render(checked)`` fills it as often as needed.

    Rendering never opens the template again nor uses python-docx: the filled parts
    replace theirs in a copy of the package, which keeps only the parts reachable
    through relationships.  ``notices`` says in Chinese what was removed from the
    template (a linked “attached template”).
    """

    def __init__(self, package: TemplatePackage, *, shipped: bool = False) -> None:
        self.source = package.source
        self.package = package
        #: the template gaidocx ships: built by ``document.word_template`` and tested to fill into
        #: well-formed XML for any report, so its filled body is not parsed again
        self.shipped = shipped
        self.notices = package.notices
        self.environment = BoundedEnvironment(undefined=StrictUndefined, autoescape=True, bytecode_cache=bytecode_cache())
        self.filled = [self._prepare_main(package.main)]
        for kind, target in package.relationships.get(package.main, []):
            if kind.endswith(_FILLED_PARTS) and target in package.parts:
                self.filled.append(self._prepare_part(target))
        self.properties = DocumentProperties(package, self.environment.overlay(autoescape=False))
        self.parts = package.parts  # member → content, for every part copied into reports
        self.shapes = {} if shipped else {part.member: _Shape(package.xml_of(part.member), part.source) for part in self.filled}

    def _compile(self, member: str, source: str, head: str = "", tail: str = "") -> _Filled:
        try:
            template = compiled(self.environment, member, source)
        except Exception as exc:
            locate(exc, source)
            raise TemplateProblem(describe(exc)) from exc
        return _Filled(member, source, template, head, tail)

    def _prepare_main(self, member: str) -> _Filled:
        content = self.package.xml_of(member)
        cached = cached_sources(content)
        if cached is not None:
            return self._compile(member, *cached)
        root = etree.fromstring(content, PARSER)
        body = root.find(f"{{{W}}}body")
        if body is None:
            raise not_a_document(self.source, "文档中没有正文")
        xml = etree.tostring(body, encoding="unicode")
        shell = etree.fromstring(etree.tostring(root), PARSER)
        shell_body = shell.find(f"{{{W}}}body")
        for child in list(shell_body):
            shell_body.remove(child)
        shell_body.text = _BODY_MARK
        document = etree.tostring(shell, encoding="unicode")
        mark = document.index(_BODY_MARK)
        head, tail = document[:mark], document[mark + len(_BODY_MARK) :]  # keep the body's own tags
        sources = (_cleaned(xml), head, tail)
        cache_sources(content, sources)
        return self._compile(member, *sources)

    def _prepare_part(self, member: str) -> _Filled:
        content = self.package.xml_of(member)
        cached = cached_sources(content)
        if cached is not None:
            return self._compile(member, *cached)
        sources = (_cleaned(etree.tostring(etree.fromstring(content, PARSER), encoding="unicode")), "", "")
        cache_sources(content, sources)
        return self._compile(member, *sources)

    def render(self, checked: CheckedReport) -> bytes:
        """The report as a .docx; raises ``TemplateProblem``."""
        context = build_context(checked)
        filled = {}
        with budget():
            try:
                for part in self.filled:
                    filled[part.member] = self._fill(part, context)
                filled.update(self.properties.fill(checked, context))
            except TemplateProblem:
                raise
            except Exception as exc:  # a template is a program: any error in it is the template's problem
                raise TemplateProblem(describe(exc)) from exc
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
            locate(exc, part.source)
            raise
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if "{_" in xml or "_}" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in "\t\a\f\n"):  # text typed in the template itself; ours arrives escaped
            xml = docxtpl_steps.resolve_listing(xml)
        try:
            if self.shipped and part.fixed_shape:
                return _DECLARATION + (part.head + _content(xml) + part.tail).encode("utf-8")
            tree = etree.fromstring(xml.encode("utf-8"), PARSER)
        except etree.XMLSyntaxError as exc:
            raise TemplateProblem(
                f"模板填充后的文档结构无效（{exc}）：请检查模板中的 {{%p %}}、{{%tr %}} 等标记是否成对、位置是否正确。"
            ) from exc
        if part.member in self.shapes:
            self.shapes[part.member].check(tree)
            check_fields(tree, self.source)
        if part.head:  # the body: tables whose columns a {%tc %} loop changed, drawing ids a loop repeated
            tree = _fix_tables(tree)
            for number, drawing in enumerate(tree.iter(_WP_DOC_PR), start=1001):
                drawing.set("id", str(number))
            return _DECLARATION + (part.head + _inner(tree) + part.tail).encode("utf-8")
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def _inner(element: Any) -> str:
    """An element's content as XML, without its own tags (whose namespaces its document declares)."""
    xml = etree.tostring(element, encoding="unicode")
    if xml.endswith("/>") and xml.index(">") == len(xml) - 1:
        return ""
    return _content(xml)


def _cleaned(xml: str) -> str:
    """docxtpl's cleaning (tags inside ``{{ }}`` removed, entities in them unescaped …), then
    each paragraph on a line of its own, as docxtpl compiles it.  The tags are counted and
    matched first: docxtpl's cleaning takes minutes on tags left open."""
    _check_tags(xml)
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", docxtpl_steps.clean_tags(xml))


def _check_tags(xml: str) -> None:
    """Every ``{{``, ``{%``, ``{#`` (Word may split one with markup) closed, and at most ``MAX_TAGS``."""
    next_close: dict[str, int] = {}
    count = 0
    for match in _OPENER.finditer(xml):
        count += 1
        if count > MAX_TAGS:
            raise TemplateProblem(f"模板中的 {{{{ }}}} 和 {{% %}} 标记超过 {MAX_TAGS} 个，远多于任何报告模板所需，已拒绝使用。")
        kind = match.group(1)
        position = next_close.get(kind)
        if position is None or -1 < position < match.end():
            found = _CLOSERS[kind].search(xml, match.end())
            position = next_close[kind] = found.start() if found else -1
        if position == -1:
            text = re.sub(r"<[^>]*>", "", xml[match.start() : match.start() + 400])[:40]
            raise TemplateProblem(
                f"模板标记语法错误：“{{{kind}”之后没有对应的“{'}' if kind == '{' else kind}}}”。出错位置附近的文字：“{text}”。请检查 {{{{ }}}} 和 {{% %}} 标记是否成对。"
            )


def _fix_tables(tree: Any) -> Any:
    """docxtpl's repair of tables whose rows a ``{%tc %}`` loop gave more or fewer cells than
    their grid has columns; the tree itself when there is nothing to repair."""
    if not any(_needs_repair(table) for table in tree.iter(f"{{{W}}}tbl")):
        return tree
    return docxtpl_steps.fix_tables(etree.tostring(tree))


def _needs_repair(table: Any) -> bool:
    """What makes docxtpl's ``fix_tables`` change a table: a row with more cells than grid
    columns, or no row as wide (with spans) as the grid."""
    grid = table.find(f"{{{W}}}tblGrid")
    if grid is None:
        return True  # let docxtpl decide
    columns = len(grid.findall(f"{{{W}}}gridCol"))
    widest = 0
    for row in table.iter(f"{{{W}}}tr"):
        cells = row.findall(f"{{{W}}}tc")
        if len(cells) > columns:
            return True
        width = 0
        for cell in cells:
            span = cell.find(f"{{{W}}}tcPr/{{{W}}}gridSpan")
            width += int(span.get(f"{{{W}}}val")) if span is not None else 1
        widest = max(widest, width)
    return widest < columns


def prepare_template(template: Path | str | None = None) -> PreparedTemplate:
    """``template`` (default: the shipped one) checked by the archive guard, cleaned and compiled once."""
    if template is None:
        return _default_prepared()
    source = Path(template)
    data = read_template(source)
    return _prepared(hashlib.sha256(data).hexdigest(), source, data)


@functools.lru_cache(maxsize=8)
def _prepared_by_digest(digest: str) -> list[PreparedTemplate]:
    return []


def _prepared(digest: str, source: Path, data: bytes) -> PreparedTemplate:
    """A template prepared once per process for the same content (the name in messages is the first one's)."""
    held = _prepared_by_digest(digest)
    if not held:
        held.append(PreparedTemplate(open_package(source, data)))
    return held[0]


@functools.lru_cache(maxsize=1)
def _default_prepared() -> PreparedTemplate:
    source = default_template()
    return PreparedTemplate(open_package(source, read_template(source)), shipped=True)


def render_docx(report: Report, template: Path | str | None = None) -> bytes:
    """The report as a .docx, filled into ``template`` (default: the shipped one, prepared once
    per process): for scripts; ``IncompleteReport`` before the template is looked at."""
    checked = checked_report(report)
    return prepare_template(template).render(checked)

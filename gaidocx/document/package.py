"""A user's Word template package, checked and cleaned before anything is filled into it.

Reports are published, so nothing in a template may act when a reader opens one: macros,
ActiveX controls, embedded OLE objects (a "Package" object carries any program), fields
that run commands or read files and web addresses (DDE, DDEAUTO, INCLUDETEXT,
INCLUDEPICTURE …) and links to outside content are refused with a Chinese message naming
what was found.  Active parts are recognised by the relationship type that reaches them
and by their content type, not by their names (a renamed ``vbaProject.bin`` is still one).
Only parts reachable through relationships are kept; a linked "attached template" is
removed with a notice; a .dotx becomes a document.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from gaidocx.archive import DAMAGED, MB, Archive, ArchiveError, Limits, open_archive, read_file
from gaidocx.document.problems import TemplateProblem, advice_for_template, template_problem

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
PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=True)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = "[Content_Types].xml"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_DOCUMENT = "/officeDocument"
_CORE_PROPERTIES = "/metadata/core-properties"
_ATTACHED_TEMPLATE = "/attachedTemplate"
#: External links a published report may carry: web and mail hyperlinks, which readers click.
_HYPERLINK = "/hyperlink"
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: Main parts of a template or a macro-enabled file: the report is a plain document.
_OTHER_MAINS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
#: Relationship types (their last segment) that reach executable content, and what it is called.
_ACTIVE_RELATIONSHIPS = {
    "vbaProject": "宏（VBA 工程）",
    "wordVbaData": "宏数据",
    "vbaProjectSignature": "宏签名",
    "attachedToolbars": "宏工具栏",
    "oleObject": "嵌入的 OLE 对象（其中可以装入任何程序）",
    "control": "ActiveX 控件",
    "activeXControlBinary": "ActiveX 控件",
}
_ACTIVE_CONTENT_TYPE = re.compile(r"vbaProject|vbaData|activeX|oleObject|macroEnabled\.(?!main)", re.IGNORECASE)
_ACTIVE_NAME = re.compile(r"vbaProject|vbaData|activeX", re.IGNORECASE)
#: Field codes that act when a report is opened or its fields are updated.
_ACTIVE_FIELDS = {
    "DDE": "会在打开报告时运行其他程序",
    "DDEAUTO": "会在打开报告时运行其他程序",
    "INCLUDETEXT": "会把本机、局域网或网上的文件内容读进报告",
    "INCLUDE": "会把本机、局域网或网上的文件内容读进报告",
    "INCLUDEPICTURE": "会从本机、局域网或网上读取图片",
    "LINK": "会链接并读取其他文件",
    "IMPORT": "会从其他文件读取图片",
}
_FIELD_CHAR = f"{{{W}}}fldChar"
_FIELD_TEXT = (f"{{{W}}}instrText", f"{{{W}}}delInstrText")
_SIMPLE_FIELD = f"{{{W}}}fldSimple"


def read_template(source: Path) -> bytes:
    """The template's bytes, through the archive guard's size checks."""
    try:
        return read_file(source, TEMPLATE_LIMITS)
    except ArchiveError as exc:
        raise template_problem(exc, source) from exc


def open_package(source: Path, data: bytes) -> TemplatePackage:
    """``data`` (read from ``source``) as a checked and cleaned template package."""
    try:
        archive = open_archive(data, source.name, TEMPLATE_LIMITS)
    except ArchiveError as exc:
        raise template_problem(exc, source) from exc
    try:
        return TemplatePackage(source, archive)
    except TemplateProblem:
        raise
    except (etree.XMLSyntaxError, KeyError, ValueError, *DAMAGED, ArchiveError) as exc:
        raise not_a_document(source) from exc


def not_a_document(source: Path, why: str = "它不是有效的 Word 文档（.docx）") -> TemplateProblem:
    return TemplateProblem(f"无法打开 Word 模板“{source.name}”：{why}。{advice_for_template(source)}")


def refuse_active(source: Path, what: str) -> TemplateProblem:
    return TemplateProblem(
        f"Word 模板“{source.name}”含有{what}。为安全起见，生成的报告不能带有打开时会自动运行或读取其他内容的部分，"
        "已拒绝使用这个模板，没有生成任何文件。请在 Word 中删除它，“另存为”Word 文档（*.docx，不是“启用宏的文档”）再试。"
    )


def xml_bytes(tree: etree._Element) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


class TemplatePackage:
    """The parts a report copies from the template (``parts``: member → content, in package
    order), the XML parts by name (``xml``), each part's relationships, the main document part
    (``main``) and the core properties part (``core``, if any); ``notices`` says in Chinese
    what was removed."""

    def __init__(self, source: Path, archive: Archive) -> None:
        self.source = source
        self.archive = archive
        self.xml = dict(archive.xml)
        self.notices: list[str] = []
        self.parts: dict[str, bytes] = {}
        #: owner part ("" for the package) → (relationship type, target part)
        self.relationships: dict[str, list[tuple[str, str]]] = {}
        self.main = self._walk()
        self.core = next(
            (t for k, t in self.relationships.get("", []) if k.endswith(_CORE_PROPERTIES) and t in self.parts), None
        )
        for member in self.parts:
            if member in self.xml:
                check_fields(self.xml[member], source)

    def xml_of(self, member: str) -> bytes:
        if member not in self.xml:
            raise not_a_document(self.source, f"缺少“{member}”，不是有效的 Word 文档（.docx）")
        return self.xml[member]

    def _walk(self) -> str:
        """Collect the parts reachable from the package's relationships; refuse active content
        and outside links.  Returns the main document part's name."""
        if CONTENT_TYPES not in self.xml:
            raise not_a_document(self.source)
        types = etree.fromstring(self.xml[CONTENT_TYPES], PARSER)
        content_type = _content_types(types)
        pending = [""]  # "" is the package itself
        seen = {""}
        while pending:
            owner = pending.pop()
            rels = _rels_name(owner)
            if rels not in self.xml:
                continue
            content = self._strip_external(owner, rels)
            self.parts[rels] = content
            relations = self.relationships.setdefault(owner, [])
            for relation in etree.fromstring(content, PARSER):
                if relation.get("TargetMode") == "External":
                    continue
                kind = relation.get("Type", "")
                target = _resolve(owner, relation.get("Target", ""))
                if target not in self.archive.names and unquote(target) in self.archive.names:
                    target = unquote(target)  # a part name written percent-encoded
                active = _ACTIVE_RELATIONSHIPS.get(kind.rpartition("/")[2])
                found = content_type(target)
                if active is None and (_ACTIVE_CONTENT_TYPE.search(found) or _ACTIVE_NAME.search(target)):
                    active = f"宏或 ActiveX 控件（{found or brief(target)}）"
                if active is not None:
                    raise refuse_active(self.source, f"{active}（{brief(target)}）")
                relations.append((kind, target))
                if target not in seen and target in self.archive.names:
                    seen.add(target)
                    self.parts[target] = self.xml.get(target) or self.archive.read(target)
                    pending.append(target)
        for override in list(types):
            if override.tag == f"{{{_CT}}}Override" and override.get("PartName", "").lstrip("/") not in self.parts:
                types.remove(override)  # a part left behind
            elif override.get("ContentType") in _OTHER_MAINS:
                override.set("ContentType", _DOCUMENT_MAIN)
        self.parts = {CONTENT_TYPES: xml_bytes(types), **self.parts}
        main = next((t for k, t in self.relationships.get("", []) if k.endswith(_OFFICE_DOCUMENT)), None)
        if main is None or main not in self.xml or b"wordprocessingml" not in self.xml[main][:4096]:
            raise not_a_document(self.source)
        return main

    def _strip_external(self, owner: str, rels: str) -> bytes:
        """External relationships: web and mail hyperlinks stay; an attached template is removed
        (with a notice); anything else Word would fetch or open is refused."""
        content = self.xml[rels]
        tree = etree.fromstring(content, PARSER)
        changed = False
        for relation in list(tree):
            if relation.get("TargetMode") != "External":
                continue
            kind, target = relation.get("Type", ""), relation.get("Target", "")
            shown = brief(target)
            if kind.endswith(_HYPERLINK) and target.strip().lower().startswith(_SAFE_SCHEMES):
                continue
            if kind.endswith(_ATTACHED_TEMPLATE):
                tree.remove(relation)
                changed = True
                self._remove_attached_template(owner)
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
        return xml_bytes(tree) if changed else content

    def _remove_attached_template(self, owner: str) -> None:
        if owner not in self.xml:
            return
        tree = etree.fromstring(self.xml[owner], PARSER)
        for element in tree.iter(f"{{{W}}}attachedTemplate"):
            element.getparent().remove(element)
        self.xml[owner] = xml_bytes(tree)
        if owner in self.parts:
            self.parts[owner] = self.xml[owner]


def check_fields(content: bytes | etree._Element, source: Path) -> None:
    """Refuse a part holding a field that acts when the report is opened (``_ACTIVE_FIELDS``),
    or a field whose code another field computes (the usual disguise of DDE)."""
    if isinstance(content, bytes):
        if b"instrText" not in content and b"fldSimple" not in content:
            return
        content = etree.fromstring(content, PARSER)
    for instruction in field_instructions(content):
        if instruction.lstrip().startswith(_COMPUTED):
            raise refuse_active(source, "由另一个域代码拼成的域（常用来隐藏 DDE 等会运行程序的域）")
        words = instruction.split()
        code = words[0].upper() if words else ""
        if code in _ACTIVE_FIELDS:
            raise refuse_active(source, f"域代码 {code}（“{brief(' '.join(words[1:]))}”），它{_ACTIVE_FIELDS[code]}")


#: Marks, in an instruction, a field nested before the code: XML text cannot hold it.
_COMPUTED = "\x00"


def field_instructions(tree: etree._Element) -> Iterator[str]:
    """Every field's instruction: ``w:fldSimple/@w:instr``, and the ``w:instrText`` runs between
    a field's begin and its separator.  Fields nest: a field begun before its outer field's
    code is written computes that code (marked ``_COMPUTED``); a result is not instruction."""
    stack: list[list[str] | None] = []  # per open field: its instruction so far, None in its result
    for element in tree.iter(_FIELD_CHAR, *_FIELD_TEXT, _SIMPLE_FIELD):
        if element.tag == _SIMPLE_FIELD:
            yield element.get(f"{{{W}}}instr", "")
            continue
        if element.tag != _FIELD_CHAR:
            if stack and stack[-1] is not None:
                stack[-1].append(element.text or "")
            continue
        kind = element.get(f"{{{W}}}fldCharType")
        if kind == "begin":
            if stack and stack[-1] is not None and not "".join(stack[-1]).strip():
                stack[-1].append(_COMPUTED)
            stack.append([])
        elif kind in ("separate", "end") and stack:
            instruction = stack.pop()
            if instruction is not None:
                yield "".join(instruction)
            if kind == "separate":
                stack.append(None)


def _content_types(types: etree._Element) -> Callable[[str], str]:
    overrides = {o.get("PartName", "").lstrip("/"): o.get("ContentType", "") for o in types if o.tag == f"{{{_CT}}}Override"}
    defaults = {d.get("Extension", "").lower(): d.get("ContentType", "") for d in types if d.tag == f"{{{_CT}}}Default"}

    def content_type(part: str) -> str:
        return overrides.get(part) or defaults.get(part.rpartition(".")[2].lower(), "")

    return content_type


def brief(target: str) -> str:
    target = " ".join(target.split())
    return target if len(target) <= 60 else target[:60] + "……"


def _rels_name(owner: str) -> str:
    if not owner:
        return "_rels/.rels"
    folder, _, name = owner.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _resolve(owner: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), target))


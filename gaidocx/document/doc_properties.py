"""The report's document properties.

Core properties: title, author and dates as every report has them; a template may put tags
in the six docxtpl fills (``{{ agency }}`` in the subject), filled as plain text.
Custom property ``报告类型``: 本机关 or 本行政区域 (``docProps/custom.xml``), so that
``gaidocx audit`` knows the report's kind, and with it its deadline, from the .docx alone.
"""

from __future__ import annotations

import datetime
from typing import Any

from jinja2 import Environment
from lxml import etree

from gaidocx.core import form
from gaidocx.core.form import REPORT_KINDS
from gaidocx.core.report import KIND_PROPERTY, CheckedReport
from gaidocx.document.package import CONTENT_TYPES, PARSER, TemplatePackage, xml_bytes
from gaidocx.document.problems import TemplateProblem, describe
from gaidocx.document.sandbox import render_bounded
from gaidocx.document.variables import clean_text, plain_context

#: The custom document property that records the report's kind (read by ``gaidocx audit``).
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
#: The format id every user-defined property carries (ECMA-376 Part 1 §22.3.2.2).
_USER_DEFINED = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"

#: python-docx refuses longer text in a core property (title, author, subject …).
PROPERTY_MAX_CHARS = 255
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


def property_text(text: str) -> str:
    """``text`` as a core property can hold it: XML-safe, on one line, at most 255 characters
    (longer text ends in “…”)."""
    text = " ".join(clean_text(text).split())
    if len(text) > PROPERTY_MAX_CHARS:
        text = text[: PROPERTY_MAX_CHARS - 1] + "…"
    return text


class DocumentProperties:
    """The template's properties prepared once (``package.parts`` gains the custom part and
    its relationship and content type); ``fill`` gives each report's parts."""

    def __init__(self, package: TemplatePackage, environment: Environment) -> None:
        self.package = package
        self.core = package.core
        self.templates = self._core_templates(environment)
        self.custom_part, self.custom_variants = _custom_variants(package)

    def _core_templates(self, environment: Environment) -> dict[str, Any]:
        """The core properties' templates (docxtpl fills these six, as text)."""
        if self.core is None:
            return {}
        tree = etree.fromstring(self.package.xml_of(self.core), PARSER)
        found = {}
        for name, element in _CORE_ELEMENTS.items():
            prefix, local = element.split(":")
            node = tree.find(f"{{{_CORE_NS[prefix]}}}{local}")
            text = node.text if node is not None and node.text else ""
            try:
                found[name] = environment.from_string(text) if "{" in text else text
            except Exception as exc:
                raise TemplateProblem(describe(exc)) from exc
        return found

    def fill(self, checked: CheckedReport, context: dict[str, Any]) -> dict[str, bytes]:
        """The core and custom property parts of one report (inside the template's budget)."""
        filled = {self.custom_part: self.custom_variants[checked.report.kind]}
        if self.core is not None:
            filled[self.core] = self._core(checked, context)
        return filled

    def _core(self, checked: CheckedReport, context: dict[str, Any]) -> bytes:
        report = checked.report
        values = {name: property_text(t) for name, t in self.templates.items() if isinstance(t, str)}
        templated = {name: t for name, t in self.templates.items() if not isinstance(t, str)}
        if templated:
            plain = {name: plain_context(value) for name, value in context.items()}
            plain["title"] = plain["title_text"]  # ``title`` holds a line break as WordprocessingML
            values.update({name: property_text(render_bounded(t, plain)) for name, t in templated.items()})
        values["title"] = property_text(form.title(report.agency, report.year))  # type: ignore[arg-type]
        values["author"] = property_text(report.agency)
        tree = etree.fromstring(self.package.xml_of(self.core), PARSER)  # type: ignore[arg-type]
        for name, text in values.items():
            _set_core(tree, _CORE_ELEMENTS[name], text)
        _set_core(tree, "cp:lastModifiedBy", "gaidocx")
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        for name in ("dcterms:created", "dcterms:modified"):
            element = _set_core(tree, name, now)
            element.set(f"{{{_CORE_NS['xsi']}}}type", "dcterms:W3CDTF")
        return xml_bytes(tree)


def _set_core(tree: Any, name: str, text: str) -> Any:
    prefix, local = name.split(":")
    element = tree.find(f"{{{_CORE_NS[prefix]}}}{local}")
    if element is None:
        element = etree.SubElement(tree, f"{{{_CORE_NS[prefix]}}}{local}", nsmap={prefix: _CORE_NS[prefix]})
    element.text = text
    return element


def _custom_variants(package: TemplatePackage) -> tuple[str, dict[str, bytes]]:
    """The custom properties part (the template's own, or a new ``docProps/custom.xml`` with
    its relationship and content type added to ``package.parts``) and its content for each
    report kind: the template's properties kept, ``报告类型`` set."""
    part = next((t for k, t in package.relationships.get("", []) if k == CUSTOM_RELATIONSHIP and t in package.parts), None)
    if part is None:
        part = _add_custom_part(package)
        tree = etree.Element(f"{{{_CUSTOM}}}Properties", nsmap={None: _CUSTOM, "vt": _VT})
    else:
        tree = etree.fromstring(package.xml_of(part), PARSER)
        for old in tree.findall(f"{{{_CUSTOM}}}property"):
            if old.get("name") == KIND_PROPERTY:
                tree.remove(old)
    pids = [int(p.get("pid")) for p in tree.findall(f"{{{_CUSTOM}}}property") if (p.get("pid") or "").isdigit()]
    prop = etree.SubElement(tree, f"{{{_CUSTOM}}}property", fmtid=_USER_DEFINED, pid=str(max(pids, default=1) + 1), name=KIND_PROPERTY)
    value = etree.SubElement(prop, f"{{{_VT}}}lpwstr")
    variants = {}
    for kind in REPORT_KINDS:
        value.text = kind
        variants[kind] = xml_bytes(tree)
    return part, variants


def _add_custom_part(package: TemplatePackage) -> str:
    names = set(package.archive.names) | set(package.parts)
    part = next(name for name in (CUSTOM_PART, *(f"docProps/custom{n}.xml" for n in range(2, 1000))) if name not in names)
    rels = etree.fromstring(package.parts["_rels/.rels"], PARSER)
    ids = {relation.get("Id") for relation in rels}
    rel_id = next(f"rIdGaidocx{n}" for n in range(1, 1000) if f"rIdGaidocx{n}" not in ids)
    etree.SubElement(rels, f"{{{_RELATIONSHIPS}}}Relationship", Id=rel_id, Type=CUSTOM_RELATIONSHIP, Target=part)
    package.parts["_rels/.rels"] = xml_bytes(rels)
    types = etree.fromstring(package.parts[CONTENT_TYPES], PARSER)
    etree.SubElement(types, f"{{{_CT}}}Override", PartName=f"/{part}", ContentType=CUSTOM_CONTENT_TYPE)
    package.parts[CONTENT_TYPES] = xml_bytes(types)
    package.parts[part] = b""  # filled for each report
    return part


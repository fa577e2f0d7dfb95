"""Check an Office Open XML package (.xlsx, .docx) as Office reads it.

Three layers, each returning a list of problems (empty: the package is valid), every one naming the
part and, where there is one, the line and the schema's message:

- the package (ECMA-376 Part 2, Open Packaging Conventions): zip member names, ``[Content_Types].xml``
  (every part has a content type, from an ``Override`` or its extension's ``Default``), relationships
  (unique Ids, every target a part of the package, the target's content type the one its relationship
  type expects from its source, every part reachable from the package relationships, every ``r:id``
  in a part resolving to one of that part's relationships);
- Markup Compatibility (ECMA-376 Part 3), processed as Office does before reading a part: namespaces
  declared ``mc:Ignorable`` that the consumer does not understand are dropped (elements and
  attributes, ``mc:ProcessContent`` keeping an element's children), ``mc:AlternateContent`` becomes
  its first ``mc:Choice`` whose ``Requires`` are understood, or its ``mc:Fallback``;
  ``mc:MustUnderstand`` of a foreign namespace is an error. "Understood" means: a namespace the
  compiled schemas declare, so the extension namespaces (w14, w15, x14ac, ...) are dropped, as an
  Office 2007 consumer drops them;
- the XML schemas: each part's root element is the one its content type requires, and the part is
  valid against the ECMA-376 Transitional schemas (copied in ``tests/ooxml-schemas``), with the one
  departure Microsoft documents and Excel itself writes: ``xml:space`` on SpreadsheetML ``t``
  (``OFFICE_XML_SPACE``);
- what the transitional schema leaves open but ECMA-376 Part 1 and Word do not: run properties
  (``w:rPr``) once each, in the order of Part 1 §17.3.2.
"""

from __future__ import annotations

import functools
import io
import posixpath
import zipfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

SCHEMA_ROOT = Path(__file__).resolve().parent.parent / "ooxml-schemas"
_SCHEMA_FOLDERS = ("transitional", "opc")
_SCHEMA_URL = "ooxml-schema:"  # the scheme every schema import is rewritten to; only the resolver knows it

XSD_NS = "http://www.w3.org/2001/XMLSchema"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

#: The schema document of each namespace a package part's root element may be in.
ENTRY_SCHEMAS = {
    W_NS: "wml.xsd",
    S_NS: "sml.xsd",
    A_NS: "dml-main.xsd",
    EP_NS: "shared-documentPropertiesExtended.xsd",
    CUSTOM_NS: "shared-documentPropertiesCustom.xsd",
    CP_NS: "opc-coreProperties.xsd",
    PR_NS: "opc-relationships.xsd",
    CT_NS: "opc-contentTypes.xsd",
}
#: Imports that name a namespace but no file.
_IMPLICIT_LOCATIONS = {XML_NS: "xml.xsd"}

# ---------------------------------------------------------------- content and relationship types

CONTENT_TYPES_PART = "/[Content_Types].xml"
RELS_CT = "application/vnd.openxmlformats-package.relationships+xml"
CORE_CT = "application/vnd.openxmlformats-package.core-properties+xml"
APP_CT = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
THEME_CT = "application/vnd.openxmlformats-officedocument.theme+xml"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
DOCUMENT_CT = _WML + "document.main+xml"
WORD_TEMPLATE_CT = _WML + "template.main+xml"
WORKBOOK_CT = _SML + "sheet.main+xml"
EXCEL_TEMPLATE_CT = _SML + "template.main+xml"

#: The root element each content type requires, as (namespace, local name).
ROOT_ELEMENTS = {
    RELS_CT: (PR_NS, "Relationships"),
    CORE_CT: (CP_NS, "coreProperties"),
    APP_CT: (EP_NS, "Properties"),
    CUSTOM_CT: (CUSTOM_NS, "Properties"),
    THEME_CT: (A_NS, "theme"),
    DOCUMENT_CT: (W_NS, "document"),
    WORD_TEMPLATE_CT: (W_NS, "document"),
    _WML + "styles+xml": (W_NS, "styles"),
    _WML + "settings+xml": (W_NS, "settings"),
    _WML + "webSettings+xml": (W_NS, "webSettings"),
    _WML + "fontTable+xml": (W_NS, "fonts"),
    _WML + "numbering+xml": (W_NS, "numbering"),
    _WML + "footnotes+xml": (W_NS, "footnotes"),
    _WML + "endnotes+xml": (W_NS, "endnotes"),
    _WML + "comments+xml": (W_NS, "comments"),
    _WML + "header+xml": (W_NS, "hdr"),
    _WML + "footer+xml": (W_NS, "ftr"),
    WORKBOOK_CT: (S_NS, "workbook"),
    EXCEL_TEMPLATE_CT: (S_NS, "workbook"),
    _SML + "worksheet+xml": (S_NS, "worksheet"),
    _SML + "styles+xml": (S_NS, "styleSheet"),
    _SML + "sharedStrings+xml": (S_NS, "sst"),
    _SML + "calcChain+xml": (S_NS, "calcChain"),
    _SML + "comments+xml": (S_NS, "comments"),
}

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
OFFICE_DOCUMENT_REL = _REL + "officeDocument"
CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
APP_REL = _REL + "extended-properties"
CUSTOM_REL = _REL + "custom-properties"

#: (source content type, None for the package; relationship type) -> the target's allowed content types.
RELATIONSHIP_TARGETS: dict[tuple[str | None, str], frozenset[str]] = {
    (None, OFFICE_DOCUMENT_REL): frozenset({DOCUMENT_CT, WORD_TEMPLATE_CT, WORKBOOK_CT, EXCEL_TEMPLATE_CT}),
    (None, CORE_REL): frozenset({CORE_CT}),
    (None, APP_REL): frozenset({APP_CT}),
    (None, CUSTOM_REL): frozenset({CUSTOM_CT}),
    **{
        (document, _REL + name): frozenset({_WML + f"{name}+xml"})
        for document in (DOCUMENT_CT, WORD_TEMPLATE_CT)
        for name in (
            "styles", "settings", "webSettings", "fontTable", "numbering", "footnotes", "endnotes", "comments",
        )
    },
    **{
        (document, _REL + name): frozenset({_WML + f"{part}+xml"})
        for document in (DOCUMENT_CT, WORD_TEMPLATE_CT)
        for name, part in (("header", "header"), ("footer", "footer"))
    },
    **{(document, _REL + "theme"): frozenset({THEME_CT}) for document in (DOCUMENT_CT, WORD_TEMPLATE_CT)},
    **{
        (workbook, _REL + name): frozenset({_SML + f"{part}+xml"})
        for workbook in (WORKBOOK_CT, EXCEL_TEMPLATE_CT)
        for name, part in (
            ("worksheet", "worksheet"),
            ("styles", "styles"),
            ("sharedStrings", "sharedStrings"),
            ("calcChain", "calcChain"),
        )
    },
    **{(workbook, _REL + "theme"): frozenset({THEME_CT}) for workbook in (WORKBOOK_CT, EXCEL_TEMPLATE_CT)},
}

#: Elements whose r:id must name a relationship of a given type.
REFERENCE_TYPES = {
    (W_NS, "headerReference"): _REL + "header",
    (W_NS, "footerReference"): _REL + "footer",
    (S_NS, "sheet"): _REL + "worksheet",
}

# ---------------------------------------------------------------- schemas


def _secure_parser() -> etree.XMLParser:
    """No DTD, no entities, no network: parts and schemas are data, never instructions."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _schema_file(name: str) -> Path:
    for folder in _SCHEMA_FOLDERS:
        path = SCHEMA_ROOT / folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"schema {name!r} is imported but not copied into {SCHEMA_ROOT}")


def _with_local_imports(name: str) -> bytes:
    """The schema document ``name`` with every import and include pointing into this folder."""
    tree = etree.parse(str(_schema_file(name)), _secure_parser())
    for node in tree.getroot().iter(f"{{{XSD_NS}}}import", f"{{{XSD_NS}}}include", f"{{{XSD_NS}}}redefine"):
        location = node.get("schemaLocation") or _IMPLICIT_LOCATIONS[node.get("namespace")]
        node.set("schemaLocation", _SCHEMA_URL + location.rsplit("/", 1)[-1])
    return etree.tostring(tree)


class _LocalSchemas(etree.Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: dict[str, str | None] = {}  # file name -> its target namespace
        self.missing: list[str] = []

    def resolve(self, url, pubid, context):
        if not url.startswith(_SCHEMA_URL):
            self.missing.append(url)
            return self.resolve_string(b"<refused/>", context)  # anything else would go to the network
        name = url[len(_SCHEMA_URL) :]
        try:
            data = _with_local_imports(name)
        except FileNotFoundError:
            self.missing.append(name)
            return self.resolve_string(b"<missing/>", context)
        self.loaded[name] = etree.fromstring(data, _secure_parser()).get("targetNamespace")
        return self.resolve_string(data, context, base_url=url)


@dataclass(frozen=True)
class Schemas:
    schema: etree.XMLSchema
    #: Namespaces the schemas declare: what a consumer reading by these schemas "understands".
    understood: frozenset[str]
    files: tuple[str, ...]


@functools.cache
def compile_schemas() -> Schemas:
    """One XMLSchema for every namespace in ``ENTRY_SCHEMAS`` and all they import (about 0.3 s, once)."""
    resolver = _LocalSchemas()
    parser = _secure_parser()
    parser.resolvers.add(resolver)
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{_SCHEMA_URL}{name}"/>' for ns, name in ENTRY_SCHEMAS.items()
    )
    driver = etree.fromstring(
        f'<xs:schema xmlns:xs="{XSD_NS}">{imports}</xs:schema>'.encode(), parser, base_url=_SCHEMA_URL + "all.xsd"
    )
    schema = etree.XMLSchema(etree.ElementTree(driver))
    if resolver.missing:
        raise RuntimeError(f"schemas not available locally: {resolver.missing}")
    understood = frozenset(ns for ns in resolver.loaded.values() if ns) | {XML_NS, XSI_NS}
    return Schemas(schema, understood, tuple(sorted(resolver.loaded)))


# ---------------------------------------------------------------- Markup Compatibility


def _namespaces(element: etree._Element, attribute: str, problems: list[str]) -> set[str]:
    """The namespaces an mc: attribute (or mc:Choice's unqualified ``Requires``) lists by prefix (``"w14 w15"``)."""
    result = set()
    name = attribute if attribute == "Requires" else f"{{{MC_NS}}}{attribute}"
    for prefix in (element.get(name) or "").split():
        ns = element.nsmap.get(prefix)
        if ns is None:
            problems.append(f"mc:{attribute} names the undeclared prefix {prefix!r} on <{element.tag}>")
        else:
            result.add(ns)
    return result


def _qualified_names(element: etree._Element, problems: list[str]) -> set[tuple[str, str]]:
    """mc:ProcessContent's ``prefix:name`` / ``prefix:*`` list as (namespace, name)."""
    result = set()
    for item in (element.get(f"{{{MC_NS}}}ProcessContent") or "").split():
        prefix, _, name = item.partition(":")
        ns = element.nsmap.get(prefix)
        if ns is None:
            problems.append(f"mc:ProcessContent names the undeclared prefix {prefix!r} on <{element.tag}>")
        else:
            result.add((ns, name))
    return result


def _move_tail(element: etree._Element) -> None:
    """Keep ``element``'s tail text when it is removed."""
    if element.tail:
        previous = element.getprevious()
        parent = element.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        elif parent is not None:
            parent.text = (parent.text or "") + element.tail


def _replace_by(element: etree._Element, children: list[etree._Element]) -> None:
    """Put ``children`` where ``element`` is (an element taken from its subtree moves with its tail)."""
    parent = element.getparent()
    index = parent.index(element)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
    else:
        _move_tail(element)
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


def _namespace_of(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def _understands(understood: frozenset[str], ns: str | None) -> bool:
    return ns is None or ns in understood or ns == MC_NS


def process_markup_compatibility(root: etree._Element, understood: frozenset[str]) -> list[str]:
    """Apply ECMA-376 Part 3 to ``root`` in place, as a consumer understanding ``understood`` does.

    Returns what such a consumer must refuse (the part is then not conformant)."""
    problems: list[str] = []

    def walk(element: etree._Element, ignorable: frozenset[str], process: frozenset[tuple[str, str]]) -> None:
        own_ignorable = _namespaces(element, "Ignorable", problems)
        ignorable = ignorable | own_ignorable
        process = process | _qualified_names(element, problems)
        for ns in _namespaces(element, "MustUnderstand", problems):
            if not _understands(understood, ns):
                problems.append(f"<{element.tag}> must be understood in {ns}, which is not")
        for name in list(element.attrib):
            ns = _namespace_of(name)
            if ns == MC_NS:
                del element.attrib[name]
            elif not _understands(understood, ns):
                if ns in ignorable:
                    del element.attrib[name]
                else:
                    problems.append(f"attribute {name} on <{element.tag}> is in a namespace neither understood nor mc:Ignorable")
        for child in list(element):
            if not isinstance(child.tag, str):  # comment or processing instruction
                continue
            ns = _namespace_of(child.tag)
            if child.tag == f"{{{MC_NS}}}AlternateContent":
                chosen = _choose(child, understood, problems)
                _replace_by(child, chosen)
                for item in chosen:
                    walk(item, ignorable, process)
            elif ns == MC_NS:
                problems.append(f"<{child.tag}> outside mc:AlternateContent")
            elif not _understands(understood, ns):
                child_ignorable = ignorable | _namespaces(child, "Ignorable", problems)
                if ns not in child_ignorable:
                    problems.append(f"element <{child.tag}> is in a namespace neither understood nor mc:Ignorable")
                elif (ns, etree.QName(child).localname) in process or (ns, "*") in process:
                    grandchildren = list(child)
                    _replace_by(child, grandchildren)
                    for item in grandchildren:
                        if isinstance(item.tag, str):
                            walk(item, child_ignorable, process)
                else:
                    _move_tail(child)
                    element.remove(child)
            else:
                walk(child, ignorable, process)

    if not _understands(understood, _namespace_of(root.tag)):
        problems.append(f"root element <{root.tag}> is in a namespace the schemas do not declare")
    walk(root, frozenset(), frozenset())
    return problems


def _choose(alternate: etree._Element, understood: frozenset[str], problems: list[str]) -> list[etree._Element]:
    """The content an mc:AlternateContent stands for: its first understood Choice, or its Fallback."""
    for branch in alternate:
        if not isinstance(branch.tag, str):
            continue
        if branch.tag == f"{{{MC_NS}}}Choice":
            required = _namespaces(branch, "Requires", problems)
            if not branch.get("Requires"):
                problems.append("mc:Choice without Requires")
            if all(_understands(understood, ns) for ns in required):
                return [child for child in branch]
        elif branch.tag == f"{{{MC_NS}}}Fallback":
            return [child for child in branch]
        else:
            problems.append(f"<{branch.tag}> inside mc:AlternateContent")
    return []


# ---------------------------------------------------------------- what Office documents beyond the schemas

#: SpreadsheetML text elements on which Excel writes and reads ``xml:space`` although the schema
#: types them as plain strings: Microsoft's implementation notes for ECMA-376 ([MS-OE376] 2.1.706,
#: "t (Text): The standard makes no mention of an xml:space attribute. Excel uses this attribute to
#: specify ... how white space should be handled"). It is the only way to keep a cell's leading or
#: trailing spaces, so openpyxl writes it too. Any other element keeps the schema's verdict.
OFFICE_XML_SPACE = frozenset({(S_NS, "t")})


def accept_office_xml_space(root: etree._Element) -> list[str]:
    """Remove, in place, the ``xml:space`` Excel documents on ``OFFICE_XML_SPACE`` elements; report bad values."""
    problems = []
    space = f"{{{XML_NS}}}space"
    for ns, local in OFFICE_XML_SPACE:
        for element in root.iter(f"{{{ns}}}{local}"):
            value = element.attrib.pop(space, None)
            if value not in (None, "preserve", "default"):
                problems.append(f"line {element.sourceline}: xml:space=\"{value}\" on <{local}> (only preserve or default)")
    return problems


@functools.cache
def run_property_order() -> tuple[str, ...]:
    """The run properties in the order of ECMA-376 Part 1 §17.3.2 (the order the transitional
    schema lists them in ``EG_RPrBase``; Part 1 and the strict schema make it a sequence)."""
    tree = etree.parse(str(_schema_file("wml.xsd")), _secure_parser())
    group = tree.getroot().find(f"{{{XSD_NS}}}group[@name='EG_RPrBase']")
    return tuple(node.get("name") for node in group.iter(f"{{{XSD_NS}}}element"))


def run_property_problems(root: etree._Element) -> list[str]:
    """Every ``w:rPr`` in ``root`` lists its properties once each, in the order ECMA-376 Part 1
    §17.3.2 gives them (Part 1's schema makes them a sequence; the transitional schema relaxes it to
    any order and repetition, but Word is written against Part 1's order)."""
    rank = {name: index for index, name in enumerate(run_property_order())}
    problems = []
    for properties in root.iter(f"{{{W_NS}}}rPr"):
        names = [
            etree.QName(child).localname
            for child in properties
            if isinstance(child.tag, str) and _namespace_of(child.tag) == W_NS and etree.QName(child).localname in rank
        ]
        positions = [rank[name] for name in names]
        if positions != sorted(positions) or len(set(names)) != len(names):
            expected = sorted(dict.fromkeys(names), key=rank.__getitem__)
            problems.append(
                f"line {properties.sourceline}: <w:rPr> has {' '.join(names)}; ECMA-376 Part 1 §17.3.2 order is"
                f" {' '.join(expected)}, each once"
            )
    return problems


# ---------------------------------------------------------------- the package


def _rels_part(source: str | None) -> str:
    """The relationships part of ``source`` (a part name; None for the package)."""
    if source is None:
        return "/_rels/.rels"
    folder, name = posixpath.split(source)
    return f"{folder.rstrip('/')}/_rels/{name}.rels"


def _rels_source(rels: str) -> str | None:
    """The part ``rels`` holds the relationships of (None: the package), or "" if it is no rels part name."""
    folder, name = posixpath.split(rels)
    if posixpath.basename(folder) != "_rels" or not name.endswith(".rels"):
        return ""
    if rels == "/_rels/.rels":
        return None
    return posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])


def _extension(name: str) -> str:
    """The extension a content type Default matches: after the last dot of the last segment ("rels" for "/_rels/.rels")."""
    segment = name.rsplit("/", 1)[-1]
    return segment.rpartition(".")[2].lower() if "." in segment else ""


def _parse(name: str, data: bytes, problems: list[str]) -> etree._Element | None:
    try:
        tree = etree.parse(io.BytesIO(data), _secure_parser())
    except etree.XMLSyntaxError as exc:
        problems.append(f"{name}: not well-formed XML: {exc}")
        return None
    if tree.docinfo.doctype:
        problems.append(f"{name}: has a DOCTYPE, which a package part must not have (ECMA-376 Part 2, §8.1.4)")
    if tree.docinfo.encoding.upper() not in ("UTF-8", "UTF-16"):
        problems.append(f"{name}: encoded as {tree.docinfo.encoding}, not UTF-8 or UTF-16")
    return tree.getroot()


@dataclass
class Relationship:
    id: str
    type: str
    target: str  # a part name, resolved against the source's folder ("" for an external one)
    external: bool


class Package:
    """The parts of a package by part name ("/word/document.xml"), with content types and relationships."""

    def __init__(self, data: bytes) -> None:
        self.problems: list[str] = []
        self.parts: dict[str, bytes] = {}
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            seen: dict[str, str] = {}
            for info in archive.infolist():
                name = info.filename
                if name.endswith("/"):
                    self.problems.append(f"zip member {name!r} is a folder entry, not a part")
                    continue
                part = "/" + name
                if name.startswith("/") or "\\" in name or "//" in part or any(
                    segment in ("", ".", "..") or segment.endswith(".") for segment in part.split("/")[1:]
                ):
                    self.problems.append(f"zip member {name!r} is not a valid part name")
                if part.lower() in seen:
                    self.problems.append(f"parts {seen[part.lower()]} and {part} differ only in case or are duplicates")
                    continue
                seen[part.lower()] = part
                self.parts[part] = archive.read(info)
        self._by_lower = {name.lower(): name for name in self.parts}
        self.content_types = self._read_content_types()
        self.relationships: dict[str | None, list[Relationship]] = {}
        for name in self.parts:
            source = _rels_source(name)
            if source != "":
                self._read_relationships(name, source)

    def part(self, name: str) -> str | None:
        """The part name as stored, matching ``name`` case-insensitively (part names are), or None."""
        return self._by_lower.get(name.lower())

    def _read_content_types(self) -> dict[str, str]:
        """The content type of every part that has one."""
        if CONTENT_TYPES_PART not in self.parts:
            self.problems.append(f"{CONTENT_TYPES_PART} is missing")
            return {}
        root = _parse(CONTENT_TYPES_PART, self.parts[CONTENT_TYPES_PART], self.problems)
        if root is None:
            return {}
        defaults: dict[str, str] = {}
        overrides: dict[str, str] = {}
        for node in root.iter(f"{{{CT_NS}}}Default"):
            extension = node.get("Extension", "").lower()
            if extension in defaults:
                self.problems.append(f"{CONTENT_TYPES_PART}: two Defaults for extension {extension!r}")
            defaults[extension] = node.get("ContentType", "")
        for node in root.iter(f"{{{CT_NS}}}Override"):
            name = node.get("PartName", "")
            if name.lower() in overrides:
                self.problems.append(f"{CONTENT_TYPES_PART}: two Overrides for {name}")
            overrides[name.lower()] = node.get("ContentType", "")
            if self.part(name) is None:
                self.problems.append(f"{CONTENT_TYPES_PART}: Override for {name}, which is not in the package")
        result = {}
        for name in self.parts:
            if name == CONTENT_TYPES_PART:
                continue
            content_type = overrides.get(name.lower()) or defaults.get(_extension(name))
            if content_type is None:
                self.problems.append(f"{name}: has no content type (no Override, no Default for its extension)")
            else:
                result[name] = content_type
        return result

    def _read_relationships(self, rels: str, source: str | None) -> None:
        if source is not None and self.part(source) is None:
            self.problems.append(f"{rels}: relationships of {source}, which is not in the package")
        root = _parse(rels, self.parts[rels], self.problems)
        if root is None:
            return
        found: list[Relationship] = []
        ids: set[str] = set()
        base = "/" if source is None else posixpath.dirname(source)
        for node in root.iter(f"{{{PR_NS}}}Relationship"):
            rel_id, rel_type, target = node.get("Id", ""), node.get("Type", ""), node.get("Target", "")
            if rel_id in ids:
                self.problems.append(f"{rels}: Id {rel_id!r} is used twice")
            ids.add(rel_id)
            if node.get("TargetMode") == "External":
                self.problems.append(f"{rels}: {rel_id} is an external relationship to {target!r}; files we write link nothing outside")
                found.append(Relationship(rel_id, rel_type, "", True))
                continue
            if "#" in target or "?" in target or "://" in target:
                self.problems.append(f"{rels}: {rel_id} targets {target!r}, which is no part name")
            joined = target if target.startswith("/") else posixpath.join(base, target)
            resolved = posixpath.normpath(unquote(joined))
            part = self.part(resolved)
            if part is None:
                self.problems.append(f"{rels}: {rel_id} targets {target!r} ({resolved}), which is not in the package")
            elif part == CONTENT_TYPES_PART or _rels_source(part) != "":
                self.problems.append(f"{rels}: {rel_id} targets {part}, which cannot be a relationship target")
            found.append(Relationship(rel_id, rel_type, part or resolved, False))
        self.relationships[source] = found

    def check_relationships(self) -> None:
        """Targets have the content types their relationship types expect; every part is reachable;
        r:id attributes resolve."""
        package_rels = self.relationships.get(None, [])
        if [r.type for r in package_rels].count(OFFICE_DOCUMENT_REL) != 1:
            self.problems.append("/_rels/.rels: there must be exactly one officeDocument relationship")
        for source, rels in self.relationships.items():
            source_type = None if source is None else self.content_types.get(source)
            for rel in rels:
                if rel.external or rel.target not in self.parts:
                    continue
                expected = RELATIONSHIP_TARGETS.get((source_type, rel.type))
                target_type = self.content_types.get(rel.target)
                if expected is None:
                    self.problems.append(
                        f"{_rels_part(source)}: {rel.id}: relationship type {rel.type} from {source_type or 'the package'}"
                        " is not known to these tests (add it to RELATIONSHIP_TARGETS)"
                    )
                elif target_type not in expected:
                    self.problems.append(
                        f"{_rels_part(source)}: {rel.id} ({rel.type.rsplit('/', 1)[-1]}) targets {rel.target}"
                        f" of content type {target_type}; expected {' or '.join(sorted(expected))}"
                    )
        reached: set[str] = set()
        queue: deque[str | None] = deque([None])
        while queue:
            source = queue.popleft()
            for rel in self.relationships.get(source, []):
                if not rel.external and rel.target in self.parts and rel.target not in reached:
                    reached.add(rel.target)
                    queue.append(rel.target)
        for name in self.parts:
            if name != CONTENT_TYPES_PART and _rels_source(name) == "" and name not in reached:
                self.problems.append(f"{name}: not reachable by relationships from the package")

    def check_references(self, name: str, root: etree._Element) -> None:
        """Every r:* attribute in part ``name`` names one of its relationships (of the right type)."""
        rels = {rel.id: rel for rel in self.relationships.get(name, [])}
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute, value in element.attrib.items():
                if _namespace_of(attribute) != R_NS:
                    continue
                rel = rels.get(value)
                if rel is None:
                    self.problems.append(
                        f"{name}: line {element.sourceline}: <{etree.QName(element).localname} {etree.QName(attribute).localname}=\"{value}\">"
                        f" names no relationship in {_rels_part(name)}"
                    )
                    continue
                wanted = REFERENCE_TYPES.get((_namespace_of(element.tag), etree.QName(element).localname))
                if wanted is not None and rel.type != wanted:
                    self.problems.append(
                        f"{name}: line {element.sourceline}: {value} is a {rel.type} relationship, expected {wanted}"
                    )

    def check_parts(self, schemas: Schemas) -> None:
        """Each XML part's root is the one its content type requires and is schema-valid after
        Markup Compatibility processing."""
        for name, data in self.parts.items():
            content_type = RELS_CT if _rels_source(name) != "" else self.content_types.get(name)
            if name == CONTENT_TYPES_PART:
                content_type, expected_root = None, (CT_NS, "Types")
            elif content_type is None:
                continue  # already reported
            elif content_type in ROOT_ELEMENTS:
                expected_root = ROOT_ELEMENTS[content_type]
            else:
                self.problems.append(f"{name}: content type {content_type} has no schema in these tests")
                continue
            root = _parse(name, data, self.problems)
            if root is None:
                continue
            if content_type not in (None, RELS_CT):
                self.check_references(name, root)
            actual = (_namespace_of(root.tag), etree.QName(root).localname)
            if actual != expected_root:
                self.problems.append(
                    f"{name}: root element {{{actual[0]}}}{actual[1]}, but content type {content_type}"
                    f" requires {{{expected_root[0]}}}{expected_root[1]}"
                )
                continue
            for problem in process_markup_compatibility(root, schemas.understood):
                self.problems.append(f"{name}: {problem}")
            for problem in accept_office_xml_space(root) + run_property_problems(root):
                self.problems.append(f"{name}: {problem}")
            if not schemas.schema.validate(root):
                for error in schemas.schema.error_log:
                    self.problems.append(f"{name}: line {error.line}: {error.message}")


def package_problems(data: bytes, schemas: Schemas | None = None) -> list[str]:
    """Everything that makes ``data`` (a .docx or .xlsx) not a valid Office Open XML package."""
    try:
        package = Package(data)
    except zipfile.BadZipFile as exc:
        return [f"not a zip archive: {exc}"]
    package.check_relationships()
    package.check_parts(schemas or compile_schemas())
    return package.problems

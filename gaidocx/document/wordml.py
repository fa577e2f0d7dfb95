"""WordprocessingML written with lxml: namespaces and small element builders.

Elements are appended in the schema's order by the builders that use these helpers;
the OOXML schema tests (tests/test_ooxml.py) validate every part against ECMA-376.
"""

from __future__ import annotations

from lxml import etree

# ---------------------------------------------------------------- namespaces

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
XML_NS = "http://www.w3.org/XML/1998/namespace"

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
MAIN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."

# ---------------------------------------------------------------- xml helpers


def clark(name: str) -> str:
    """``"w:p"`` → Clark notation."""
    prefix, local = name.split(":")
    ns = {"w": W_NS, "r": R_NS, "xml": XML_NS}[prefix]
    return f"{{{ns}}}{local}"


def E(tag: str, *children: etree._Element | None, **attrs: str | int) -> etree._Element:
    """A ``w:`` element; attribute names are WordprocessingML local names (``r_id`` → ``r:id``)."""
    element = etree.Element(clark(tag) if ":" in tag else clark("w:" + tag))
    for key, value in attrs.items():
        name = "r:id" if key == "r_id" else "w:" + key
        element.set(clark(name), str(value))
    for child in children:
        if child is not None:
            element.append(child)
    return element


def part_xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def text_element(value: str) -> etree._Element:
    t = E("t")
    t.text = value
    t.set(clark("xml:space"), "preserve")
    return t


def run(value: str, style: str | None = None) -> etree._Element:
    props = E("rPr", E("rStyle", val=style)) if style else None
    return E("r", props, text_element(value))


def paragraph(style: str, *runs: etree._Element) -> etree._Element:
    return E("p", E("pPr", E("pStyle", val=style)), *runs)


def text_paragraph(style: str, value: str) -> etree._Element:
    return paragraph(style, run(value)) if value else paragraph(style)



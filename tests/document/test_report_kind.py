"""The report's kind (本机关 / 本行政区域) travels with the .docx and the page (issue 16 item 3):
``gaidocx audit`` reads the custom document property ``报告类型`` and ``<meta name="report-kind">``."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

import pytest
from lxml import etree
from ooxml import compile_schemas, package_problems
from support import sample_report
from support import zipped
from template_attacks import members

from gaidocx.core.form import AREA_REPORT, OWN_REPORT
from gaidocx.core.report import checked_report
from gaidocx.document.render import render_docx
from gaidocx.document.webpage import render_html

CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"


def of_kind(kind: str):
    return dataclasses.replace(sample_report(), kind=kind)


def custom_properties(data: bytes) -> dict[str, tuple[str, str, str]]:
    """name → (fmtid, pid, value) of the custom properties, found through the package relationship."""
    package = zipfile.ZipFile(io.BytesIO(data))
    rels = etree.fromstring(package.read("_rels/.rels"))
    (target,) = [r.get("Target") for r in rels if r.get("Type") == CUSTOM_REL]
    types = etree.fromstring(package.read("[Content_Types].xml"))
    assert [o.get("ContentType") for o in types if o.get("PartName") == f"/{target}"] == [CUSTOM_TYPE]
    root = etree.fromstring(package.read(target))
    return {
        p.get("name"): (p.get("fmtid"), p.get("pid"), p.findtext(f"{{{VT}}}lpwstr"))
        for p in root.iter(f"{{{CUSTOM}}}property")
    }


@pytest.mark.parametrize("kind", [OWN_REPORT, AREA_REPORT])
def test_the_docx_records_the_kind_in_a_valid_custom_property(kind):
    data = render_docx(of_kind(kind))
    assert custom_properties(data)["报告类型"] == ("{D5CDD505-2E9C-101B-9397-08002B2CF9AE}", "2", kind)
    assert package_problems(data, compile_schemas()) == []


def test_a_templates_own_custom_properties_are_kept_and_its_kind_replaced(tmp_path):
    parts = members()
    parts["docProps/custom.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="{CUSTOM}" xmlns:vt="{VT}">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="部门"><vt:lpwstr>办公室</vt:lpwstr></property>'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="5" name="报告类型"><vt:lpwstr>旧的</vt:lpwstr></property>'
        "</Properties>"
    ).encode()
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rId9" Type="{CUSTOM_REL}" Target="docProps/custom.xml"/></Relationships>'.encode()
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/docProps/custom.xml" ContentType="{CUSTOM_TYPE}"/></Types>'.encode()
    )
    template = tmp_path / "own.docx"
    template.write_bytes(zipped(parts))
    data = render_docx(of_kind(AREA_REPORT), template)
    properties = custom_properties(data)
    assert properties["部门"][2] == "办公室" and properties["报告类型"][1:] == ("3", AREA_REPORT)
    assert zipfile.ZipFile(io.BytesIO(data)).read("_rels/.rels").count(CUSTOM_REL.encode()) == 1
    assert package_problems(data, compile_schemas()) == []


def test_nothing_else_in_the_docx_depends_on_the_kind():
    own, area = (zipfile.ZipFile(io.BytesIO(render_docx(of_kind(kind)))) for kind in (OWN_REPORT, AREA_REPORT))
    differ = [n for n in own.namelist() if own.read(n) != area.read(n) and n != "docProps/core.xml"]
    assert own.namelist() == area.namelist() and differ == ["docProps/custom.xml"]


@pytest.mark.parametrize("kind", [OWN_REPORT, AREA_REPORT])
def test_the_page_records_the_kind_in_a_meta(kind):
    page = render_html(checked_report(of_kind(kind), "网页"))
    head = page.split("</head>", 1)[0]
    assert re.findall(r'<meta name="report-kind" content="([^"]*)">', head) == [kind]

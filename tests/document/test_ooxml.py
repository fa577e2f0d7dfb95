"""Every .xlsx and .docx gaidocx writes is a valid Office Open XML package, proved part by part:
ECMA-376 Transitional schemas, Markup Compatibility processed as Office does, relationships and
content types (the checker is ``tests/ooxml``; it is itself tested on broken packages below)."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from ooxml import (
    MC_NS,
    W_NS,
    compile_schemas,
    package_problems,
    process_markup_compatibility,
)
from support import ROOT, SAMPLE_WORKBOOK, members, sample_report, varied_report, zipped
from test_properties import consistent_figures

from gaidocx.cli import cli
from gaidocx.core.form import AREA_REPORT, FORM_2021
from gaidocx.core.narrative import NOT_XML
from gaidocx.document.word_template import build_word_template
from gaidocx.document.render import render_docx
from gaidocx.document.variables import clean_text
from gaidocx.workbook.fillin import build_template, save_reproducibly, write_template
from gaidocx.workbook.filled import fill_workbook
from gaidocx.workbook.layout import TEXT_BLOCKS

W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def schemas():
    return compile_schemas()  # about 0.3 s, once


def assert_valid(data: bytes, schemas) -> None:
    problems = package_problems(data, schemas)
    assert not problems, "\n".join(problems)


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()




# ---------------------------------------------------------------- hostile text

#: Text as hostile as a person or a pasted document can make it (one entry each, for every field).
HOSTILE = (
    "{{ agency }}{% if x %}{%p endif %}{#",
    "& < > \" ' ]]> <w:p/> &amp; &#0; <![CDATA[ x ]]>",
    "  前后都有空格  ",
    "制表\t符，回车\r与换行",
    "行分隔\u2028段分隔\u2029",
    "C1 控制字符\x7f\x85\x9f",
    "非字符\ufdd0\U0001fffe\U0010ffff私用区\ue000",
    "双向\u202e覆盖\u2066隔离\u200b零宽\u200d连接\ufeff",
    "😀👨\u200d👩\u200d👧 𠀀𪚥 中文，。（）e\u0301\u0338",
    "=SUM(A1:A2) +1 -1 @x %s %d #REF!",
    "长" * 32_767,  # Excel's longest cell
)
#: Characters XML cannot hold: rendering removes them (the workbook reader warns first).
NOT_XML_TEXT = ("C0 控制字符\x00\x01\x07\x0b\x1b", "不成对的代理\ud800与\udfff，非字符\ufffe\uffff")


def hostile_report(texts=HOSTILE):
    """The varied report with hostile text as agency and as every narrative entry."""
    report = varied_report()
    narratives = {}
    for block in TEXT_BLOCKS:
        entries = tuple(texts)[: block.capacity]
        narratives[block.place] = entries
    return dataclasses.replace(report, agency="".join(texts[:3])[:200] + "人民政府办公室", narratives=narratives)


# ---------------------------------------------------------------- every file we write

def _excel_template_reproducible(tmp: Path) -> bytes:
    write_template(tmp / "t.xlsx", agency="某某县人民政府办公室", year=2024)
    return (tmp / "t.xlsx").read_bytes()


def _filled(report) -> Callable[[Path], bytes]:
    def build(tmp: Path) -> bytes:
        workbook = build_template(agency=report.agency, year=report.year)
        fill_workbook(workbook, report)
        save_reproducibly(workbook, tmp / "filled.xlsx")  # as scripts/generate.py writes the sample
        return (tmp / "filled.xlsx").read_bytes()

    return build


def _hostile_workbook_report():
    texts = tuple(text for text in HOSTILE if not NOT_XML.search(text))
    return hostile_report(texts)


#: Every kind of file the project writes: name -> how to build its bytes (in a test's tmp_path).
FILES: dict[str, Callable[[Path], bytes]] = {
    "excel template (build_template)": lambda tmp: saved(build_template()),
    "excel template, agency and year (cli template)": lambda tmp: saved(
        build_template(agency="某某县人民政府办公室", year=2024)
    ),
    "excel template, saved reproducibly": _excel_template_reproducible,
    "excel template, hostile agency": lambda tmp: saved(
        build_template(agency=_hostile_workbook_report().agency, year=2024)
    ),
    "filled workbook": _filled(varied_report()),
    "filled workbook, hostile text": _filled(_hostile_workbook_report()),
    "committed excel template": lambda tmp: (ROOT / "templates" / "excel" / "annual-report-input.xlsx").read_bytes(),
    "committed sample workbook": lambda tmp: SAMPLE_WORKBOOK.read_bytes(),
    "word template 2021": lambda tmp: build_word_template(FORM_2021),
    "committed word template": lambda tmp: (ROOT / "templates" / "word" / "annual-report.docx").read_bytes(),
    "report, sample": lambda tmp: render_docx(sample_report()),
    "report, varied figures": lambda tmp: render_docx(varied_report()),
    "report, whole area": lambda tmp: render_docx(dataclasses.replace(varied_report(), kind=AREA_REPORT)),
    "report, hostile text": lambda tmp: render_docx(hostile_report()),
    "report, characters XML cannot hold": lambda tmp: render_docx(hostile_report(NOT_XML_TEXT + HOSTILE[:2])),
}


@pytest.mark.parametrize("name", FILES)
def test_every_file_we_write_is_valid(name, schemas, tmp_path):
    assert_valid(FILES[name](tmp_path), schemas)


def test_the_hostile_text_arrives(tmp_path):
    """The hostile cases are not vacuous: the text is in the rendered document and the workbook."""
    document = etree.fromstring(members(render_docx(hostile_report()))["word/document.xml"])
    text = "".join(document.itertext())
    for entry in (HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[8], HOSTILE[10]):
        assert entry in text
    workbook = members(FILES["filled workbook, hostile text"](tmp_path))
    assert any(b'<t xml:space="preserve">' in data for data in workbook.values())  # "  前后都有空格  "


@pytest.mark.parametrize(
    "args, output",
    [
        (("template", "--agency", "某某县人民政府办公室", "--year", "2024"), "填报表.xlsx"),
        (("word-template",), "模板.docx"),
        (("render", SAMPLE_WORKBOOK), "报告.docx"),
    ],
    ids=["template", "word-template", "render"],
)
def test_files_written_by_the_command_line_are_valid(args, output, schemas, tmp_path):
    target = tmp_path / output
    result = CliRunner().invoke(cli, [str(a) for a in args] + ["-o", str(target)])
    assert result.exit_code == 0, result.output
    assert_valid(target.read_bytes(), schemas)


# Text a person can type or paste, controls and all (rendering removes what XML cannot hold).
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",))
    | st.sampled_from("\n\t\r&<>\"'{}%#]]>𠀀😀中文，。（）\u202e\ufeff"),
    min_size=1,
    max_size=120,
)


@SETTINGS
@given(
    figures=consistent_figures(),
    agency=any_text.filter(lambda text: clean_text(text).strip()),
    texts=st.lists(any_text, min_size=1, max_size=4),
)
def test_any_text_renders_into_a_valid_report(schemas, figures, agency, texts):
    report = dataclasses.replace(
        varied_report(),
        inputs=figures,
        agency=agency,
        narratives={**varied_report().narratives, "一": tuple(texts), "六": tuple(texts)},
    )
    assert_valid(render_docx(report), schemas)


@SETTINGS
@given(agency=any_text.filter(lambda text: not NOT_XML.search(text)))
def test_any_agency_makes_a_valid_excel_template(schemas, agency):
    assert_valid(saved(build_template(agency=agency, year=2024)), schemas)


# ---------------------------------------------------------------- a template edited in Word

_W14_PARA_IDS = re.compile(rb"<w:p(?=[ >])")


def word_edited_template() -> bytes:
    """The default template as Word 2010+ saves it: w14 paragraph ids and an mc:AlternateContent,
    all declared ignorable."""
    parts = members(build_word_template())
    document = parts["word/document.xml"]
    document = document.replace(
        b"<w:document ",
        f'<w:document xmlns:mc="{MC_NS}" xmlns:w14="{W14_NS}" mc:Ignorable="w14" '.encode(),
        1,
    )
    counter = iter(range(1, 10**6))
    document = _W14_PARA_IDS.sub(lambda m: b'<w:p w14:paraId="%08X" w14:textId="77777777"' % next(counter), document)
    alternate = (
        b'<mc:AlternateContent><mc:Choice Requires="w14"><w:p><w:r><w14:checkbox/></w:r></w:p></mc:Choice>'
        b"<mc:Fallback><w:p><w:r><w:t>\xe2\x98\x90</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent>"
    )
    document = document.replace(b"<w:body>", b"<w:body>" + alternate, 1)
    parts["word/document.xml"] = document
    return zipped(parts)


def test_a_template_saved_by_word_renders_into_a_valid_report(schemas, tmp_path):
    template = tmp_path / "edited.docx"
    template.write_bytes(word_edited_template())
    report = render_docx(varied_report(), template)
    document = members(report)["word/document.xml"]
    assert b'mc:Ignorable="w14"' in document and b"w14:paraId=" in document and b"mc:AlternateContent" in document
    assert not schemas.schema.validate(etree.fromstring(document))  # as it stands, before compatibility processing
    assert_valid(report, schemas)


# ---------------------------------------------------------------- Markup Compatibility


def _mce(xml: str, schemas) -> tuple[etree._Element, list[str]]:
    root = etree.fromstring(xml)
    return root, process_markup_compatibility(root, schemas.understood)


_DOC = f'<w:document xmlns:w="{W_NS}" xmlns:mc="{MC_NS}" xmlns:w14="{W14_NS}" {{}}><w:body>{{}}</w:body></w:document>'


def test_ignorable_extensions_are_dropped_as_office_does(schemas):
    root, problems = _mce(
        _DOC.format('mc:Ignorable="w14"', '<w:p w14:paraId="01020304"><w14:extra><w:r/></w14:extra><w:r><w:t>x</w:t></w:r></w:p>'),
        schemas,
    )
    assert problems == []
    assert etree.tostring(root).count(b"w14:") == 0 and root.get(f"{{{MC_NS}}}Ignorable") is None
    assert schemas.schema.validate(root), schemas.schema.error_log


def test_extensions_not_declared_ignorable_are_reported(schemas):
    root, problems = _mce(_DOC.format("", '<w:p w14:paraId="01020304"><w14:extra/></w:p>'), schemas)
    assert len(problems) == 2 and all("neither understood nor mc:Ignorable" in p for p in problems)


def test_process_content_keeps_the_children(schemas):
    root, problems = _mce(
        _DOC.format('mc:Ignorable="w14" mc:ProcessContent="w14:wrap"', "<w14:wrap><w:p/><w:p/></w14:wrap>"), schemas
    )
    assert problems == [] and len(root[0]) == 2 and schemas.schema.validate(root)


@pytest.mark.parametrize(
    "choice, expected",
    [
        ('<mc:Choice Requires="w14"><w:p><w14:new/></w:p></mc:Choice>', "fallback"),
        ('<mc:Choice Requires="w"><w:p><w:r><w:t>choice</w:t></w:r></w:p></mc:Choice>', "choice"),
    ],
)
def test_alternate_content_takes_the_first_understood_choice(schemas, choice, expected):
    fallback = "<mc:Fallback><w:p><w:r><w:t>fallback</w:t></w:r></w:p></mc:Fallback>"
    root, problems = _mce(_DOC.format("", f"<mc:AlternateContent>{choice}{fallback}</mc:AlternateContent>"), schemas)
    assert problems == [] and root.xpath("string()") == expected and schemas.schema.validate(root)


def test_must_understand_a_foreign_namespace_is_refused(schemas):
    _, problems = _mce(_DOC.format('mc:MustUnderstand="w14"', "<w:p/>"), schemas)
    assert problems and "must be understood" in problems[0]


# ---------------------------------------------------------------- the checker finds what is broken


def _edit(part: str, old: bytes, new: bytes) -> Callable[[dict[str, bytes]], None]:
    def edit(parts: dict[str, bytes]) -> None:
        assert old in parts[part], (part, old)
        parts[part] = parts[part].replace(old, new, 1)

    return edit


def _add(part: str, data: bytes) -> Callable[[dict[str, bytes]], None]:
    def edit(parts: dict[str, bytes]) -> None:
        parts[part] = data

    return edit


def _remove(part: str) -> Callable[[dict[str, bytes]], None]:
    return lambda parts: parts.pop(part)


_FOOTER_REL = b'Id="rIdFooterOdd"'
BROKEN_WORD = {
    "an element where the schema has none": (
        _edit("word/document.xml", b"<w:body>", b"<w:body><w:p><w:r><w:p/></w:r></w:p>"),
        "/word/document.xml: line 2: Element '{%s}p': This element is not expected" % W_NS,
    ),
    "a value outside its enumeration": (
        _edit("word/settings.xml", b'w:val="doNotCompress"', b'w:val="squeeze"'),
        "/word/settings.xml: line 2: Element '{%s}characterSpacingControl', attribute '{%s}val': [facet 'enumeration']"
        % (W_NS, W_NS),
    ),
    "a core property date that is not a date": (
        _edit("docProps/core.xml", b">2021-09-26T00:00:00Z<", b">26/09/2021<"),
        "/docProps/core.xml: line 2: Element '{http://purl.org/dc/terms/}created': '26/09/2021' is not a valid value",
    ),
    "a relationship to a missing part": (
        _remove("word/footer2.xml"),
        "/word/_rels/document.xml.rels: rIdFooterEven targets 'footer2.xml' (/word/footer2.xml), which is not in the package",
    ),
    "a relationship Id used twice": (
        _edit("word/_rels/document.xml.rels", b'Id="rIdFooterEven"', b'Id="rIdFooterOdd"'),
        "/word/_rels/document.xml.rels: Id 'rIdFooterOdd' is used twice",
    ),
    "an r:id naming no relationship": (
        _edit("word/document.xml", b'r:id="rIdFooterOdd"', b'r:id="rIdNowhere"'),
        "names no relationship in /word/_rels/document.xml.rels",
    ),
    "a footer reference to a relationship of another type": (
        _edit("word/document.xml", b'r:id="rIdFooterOdd"', b'r:id="rIdStyles"'),
        "rIdStyles is a http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles relationship",
    ),
    "a part nothing points to": (
        _add("word/stray.xml", b"<x/>"),
        "/word/stray.xml: not reachable by relationships from the package",
    ),
    "a part with no content type": (
        _add("word/media/image1.png", b"\x89PNG"),
        "/word/media/image1.png: has no content type",
    ),
    "a relationship target of the wrong content type": (
        _edit("[Content_Types].xml", b'PartName="/word/footer2.xml"', b'PartName="/word/footer3.xml"'),
        "/word/_rels/document.xml.rels: rIdFooterEven (footer) targets /word/footer2.xml of content type application/xml",
    ),
    "a dangling content type override": (
        _edit("[Content_Types].xml", b'PartName="/word/footer2.xml"', b'PartName="/word/footer3.xml"'),
        "Override for /word/footer3.xml, which is not in the package",
    ),
    "a root element its content type does not allow": (
        _edit("[Content_Types].xml", b"footer+xml", b"header+xml"),
        "requires {%s}hdr" % W_NS,
    ),
    "relationships of a missing part": (
        _add("word/_rels/gone.xml.rels", b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'),
        "/word/_rels/gone.xml.rels: relationships of /word/gone.xml, which is not in the package",
    ),
    "an external relationship": (
        _edit(
            "word/_rels/document.xml.rels",
            b"</Relationships>",
            b'<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"'
            b' Target="http://example.com/t.dotx" TargetMode="External"/></Relationships>',
        ),
        "rIdT is an external relationship",
    ),
    "a DOCTYPE in a part": (
        _edit("word/styles.xml", b"<w:styles", b"<!DOCTYPE w:styles><w:styles"),
        "/word/styles.xml: has a DOCTYPE",
    ),
    "an extension namespace not declared ignorable": (
        _edit("word/document.xml", b"<w:body>", b'<w:body xmlns:w14="%s" w14:x="1">' % W14_NS.encode()),
        "/word/document.xml: attribute {%s}x on <{%s}body> is in a namespace neither understood nor mc:Ignorable"
        % (W14_NS, W_NS),
    ),
}


@pytest.mark.parametrize("case", BROKEN_WORD)
def test_the_checker_reports_a_broken_package(case, schemas):
    edit, expected = BROKEN_WORD[case]
    parts = members(build_word_template())
    edit(parts)
    problems = package_problems(zipped(parts), schemas)
    assert any(expected in problem for problem in problems), "\n".join(problems)


def test_the_checker_reports_a_broken_workbook(schemas):
    parts = members(saved(build_template()))
    sheet2 = "xl/worksheets/sheet2.xml"
    parts[sheet2] = parts[sheet2].replace(b"<sheetData>", b'<sheetData><row><c t="bogus"/></row>', 1)
    sheet = next(name for name in parts["xl/_rels/workbook.xml.rels"].split(b'"') if name.endswith(b"sheet1.xml"))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(sheet, b"/xl/styles.xml", 1)
    problems = package_problems(zipped(parts), schemas)
    assert any("/xl/worksheets/sheet2.xml: line" in p and "'bogus'" in p for p in problems), problems
    assert any("(worksheet) targets /xl/styles.xml of content type" in p for p in problems), problems
    assert any("/xl/worksheets/sheet1.xml: not reachable" in p for p in problems), problems


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (b"<t>", b'<t xml:space="preserve">', None),  # Excel's own way to keep spaces: accepted
        (b"<t>", b'<t xml:space="keep">', 'xml:space="keep" on <t> (only preserve or default)'),
        (b"<sheetData>", b'<sheetData xml:space="preserve">', "attribute '{http://www.w3.org/XML/1998/namespace}space' is not allowed"),
    ],
    ids=["preserve on t", "a bad value on t", "anywhere else"],
)
def test_xml_space_is_accepted_only_where_excel_documents_it(schemas, old, new, expected):
    parts = members(saved(build_template()))
    sheet = next(name for name, data in parts.items() if name.startswith("xl/worksheets/") and old in data)
    parts[sheet] = parts[sheet].replace(old, new, 1)
    problems = package_problems(zipped(parts), schemas)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(f"/{sheet}: line ") and expected in problems[0], problems


def test_run_properties_out_of_order_are_reported(schemas):
    """The transitional schema accepts them; Part 1's order is checked separately."""
    parts = members(build_word_template())
    styles = etree.fromstring(parts["word/styles.xml"])
    properties = next(p for p in styles.iter(f"{{{W_NS}}}rPr") if len(p) >= 2)
    names = [etree.QName(child).localname for child in properties]
    properties.append(properties[0])  # the first property moves to the end
    parts["word/styles.xml"] = etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)
    assert schemas.schema.validate(etree.fromstring(parts["word/styles.xml"]))
    problems = package_problems(zipped(parts), schemas)
    assert len(problems) == 1 and problems[0].startswith("/word/styles.xml: line "), problems
    assert f"order is {' '.join(names)}, each once" in problems[0]


def test_the_schemas_come_from_the_repository_only():
    compiled = compile_schemas()
    copied = {path.name for path in (ROOT / "tests" / "ooxml-schemas").rglob("*.xsd")}
    assert set(compiled.files) == copied  # every copied file is used, every used file copied
    assert {W_NS, "http://schemas.openxmlformats.org/spreadsheetml/2006/main"} <= compiled.understood
    assert W14_NS not in compiled.understood

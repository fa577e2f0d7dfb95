"""Generate the Word template (``templates/word/annual-report.docx``) from the form.

The package is written part by part with lxml instead of starting from
python-docx's default document, whose theme resolves Chinese text through a
Japanese font.  Every style names its fonts explicitly (no theme fonts), and
the layout (``gaidocx.document.layout``) follows GB/T 9704-2012 as described in
``official-format.md`` §7: A4, margins 37/35/28/26 mm, a 22 × 28 document grid, 方正小标宋简体 title,
仿宋_GB2312 body, 黑体 / 楷体_GB2312 headings and ``— N —`` page numbers on
alternating sides.

The template is a real document: everything static (section headings, every
table label and merge) is plain text generated here from ``gaidocx.core.form``;
docxtpl tags appear only where data goes.  Context variables (filled by
``gaidocx.document.variables``):

``title``
    the title, with a line break after ``{机关}{年度}年`` when it is too long for one line.
``title_text``, ``agency``, ``date``
    plain text (the title on one line; the signature's agency and date).
``opening``, ``section1``, ``section5``, ``section6``
    lists of paragraphs, each with ``level`` (0 body, 1–4 heading level),
    ``bare`` (a heading with nothing after it), ``text``, ``lead`` (the
    heading lead-in), ``body`` (the rest) and ``keep`` (the last paragraph
    before the signature, kept on its page).  They are laid out by the
    ``narrative`` macro defined at the top of the template.
``t2``, ``t3``, ``t4``
    the table figures, addressed exactly like the form's field keys:
    ``{{ t3.r5.c2 }}`` is field ``t3.r5.c2``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from gaidocx.core.form import FORM_2021, FORMAT_NAME, OPENING, TITLE_SUFFIX, Field, Form, Label, Table
from gaidocx.document.layout import (
    CHAR_SPACE,
    COLUMN_WIDTHS,
    FOOTER_DISTANCE,
    HEADER_DISTANCE,
    LINE_PITCH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SUB_NUMBER,
    TABLE_CELL_MARGIN,
    TABLE_ROW_MIN,
    TABLE_SIZE,
    TEXT_WIDTH,
    figure_margin,
    label_left_aligned,
    rows_kept_with_next,
    text_width,
)
from gaidocx.document.variables import NARRATIVE_CONTEXT
from gaidocx.document.word_styles import (
    BODY_KEEP,
    HEADINGS,
    LEAD_INS,
    NORMAL,
    PAGE_NUMBER_EVEN,
    PAGE_NUMBER_ODD,
    SIGNATURE,
    SIGNATURE_DATE,
    TABLE_STYLE,
    TABLE_TEXT,
    TABLE_TEXT_LEFT,
    TITLE,
    borders,
    cell_margins,
    font_table_xml,
    settings_xml,
    styles_xml,
)
from gaidocx.document.wordml import (
    CP_NS,
    CT_NS,
    DC_NS,
    DCTERMS_NS,
    EP_NS,
    MAIN_CT,
    PKG_REL_NS,
    R_NS,
    REL,
    W_NS,
    XSI_NS,
    E,
    clark,
    paragraph,
    part_xml,
    run,
    text_element,
    text_paragraph,
)

#: Core-properties date of the generated template, fixed so the output is reproducible.
TEMPLATE_DATE = "2021-09-26T00:00:00Z"
_ZIP_DATE = (2021, 9, 26, 0, 0, 0)



# ---------------------------------------------------------------- tables


def _cells(table: Table) -> Iterator[tuple[int, list[tuple[Label | Field, bool]]]]:
    """Each row's cells in order: ``(origin label or field, is_continuation)``.

    A label spanning rows starts a vertical merge in its first row and leaves a
    continuation cell, with the same width, in each row below.
    """
    owner: dict[tuple[int, int], tuple[Label | Field, bool]] = {}
    for label in table.labels:
        for row in range(label.row, label.row + label.rowspan):
            key = (row, label.col)
            if key in owner:
                raise ValueError(f"table {table.number}: cells overlap at {key}")
            owner[key] = (label, row != label.row)
    for f in table.fields:
        key = (f.row, f.col)
        if key in owner:
            raise ValueError(f"table {table.number}: cells overlap at {key}")
        owner[key] = (f, False)
    for row in range(table.rows):
        cells = []
        col = 0
        while col < table.columns:
            if (row, col) not in owner:
                raise ValueError(f"table {table.number}: no cell at {(row, col)}")
            cell, continuation = owner[(row, col)]
            cells.append((cell, continuation))
            col += cell.colspan
        if col != table.columns:
            raise ValueError(f"table {table.number}: row {row} spans {col} columns")
        yield row, cells



def field_tag(f: Field) -> str:
    """The docxtpl tag of a value cell: the field key itself (``t3.r5.c2``)."""
    return "{{ " + f.key + " }}"



def _label_paragraph(table: Table, label: Label, width: int) -> etree._Element:
    """A label; one too wide for its column but whose text after a （三） prefix fits
    breaks after the prefix (（三）/不予公开) rather than wherever the line ends."""
    style = TABLE_TEXT_LEFT if label_left_aligned(table, label) else TABLE_TEXT
    chars = (width - 2 * TABLE_CELL_MARGIN) / (TABLE_SIZE * 10)
    prefix = SUB_NUMBER.match(label.text)
    if prefix and text_width(label.text) > chars >= text_width(label.text[prefix.end() :]):
        run = E("r", text_element(prefix.group()), E("br"), text_element(label.text[prefix.end() :]))
        return paragraph(style, run)
    return text_paragraph(style, label.text)



def _table(table: Table) -> etree._Element:
    widths = COLUMN_WIDTHS[table.number]
    if len(widths) != table.columns or sum(widths) != TEXT_WIDTH:
        raise ValueError(f"table {table.number}: column widths do not fill the text block")
    tbl = E(
        "tbl",
        E(
            "tblPr",
            E("tblStyle", val=TABLE_STYLE),
            E("tblW", w=TEXT_WIDTH, type="dxa"),
            E("jc", val="center"),
            E("tblInd", w=0, type="dxa"),
            borders("tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")),
            E("tblLayout", type="fixed"),
            cell_margins(),
            E("tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0, lastColumn=0, noHBand=1, noVBand=1),
        ),
        E("tblGrid", *(E("gridCol", w=width) for width in widths)),
    )
    keep_with_next = rows_kept_with_next(table)
    for row, cells in _cells(table):
        tr = E(
            "tr",
            E(
                "trPr",
                E("cantSplit"),
                E("trHeight", val=TABLE_ROW_MIN, hRule="atLeast"),
                E("tblHeader") if row < table.header_rows else None,
            ),
        )
        for cell, continuation in cells:
            start = cell.col
            width = sum(widths[start : start + cell.colspan])
            vmerge = None
            if isinstance(cell, Label) and cell.rowspan > 1:
                vmerge = E("vMerge") if continuation else E("vMerge", val="restart")
            margin = None
            if isinstance(cell, Field) and figure_margin(table) != TABLE_CELL_MARGIN:
                margin = E(
                    "tcMar",
                    E("left", w=figure_margin(table), type="dxa"),
                    E("right", w=figure_margin(table), type="dxa"),
                )
            tc_pr = E(
                "tcPr",
                E("tcW", w=width, type="dxa"),
                E("gridSpan", val=cell.colspan) if cell.colspan > 1 else None,
                vmerge,
                margin,
                E("vAlign", val="center"),
            )
            if continuation:
                content = paragraph(TABLE_TEXT)
            elif isinstance(cell, Label):
                content = _label_paragraph(table, cell, width)
            else:
                content = text_paragraph(TABLE_TEXT, field_tag(cell))
            if row in keep_with_next:
                content.find(clark("w:pPr")).insert(1, E("keepNext"))
            tr.append(E("tc", tc_pr, content))
        tbl.append(tr)
    return tbl


# ---------------------------------------------------------------- body


def _tag_para(tag: str) -> etree._Element:
    """A paragraph holding only a paragraph-level docxtpl tag (removed when rendered)."""
    return text_paragraph(NORMAL, tag)


def _narrative_macro() -> list[etree._Element]:
    """``narrative(paragraphs)``: a bare heading in its heading style, else body text whose
    lead-in (``（一）主动公开。``) takes its heading level's character style."""
    elements = [_tag_para("{%p macro narrative(paragraphs) %}"), _tag_para("{%p for p in paragraphs %}")]
    for level, style in enumerate(HEADINGS, start=1):
        keyword = "if" if level == 1 else "elif"
        elements.append(_tag_para(f"{{%p {keyword} p.bare and p.level == {level} %}}"))
        elements.append(text_paragraph(style, "{{ p.text }}"))
    # The last paragraph before the signature keeps with it: no signature alone on a page.
    elements.append(_tag_para("{%p elif p.keep %}"))
    elements.append(paragraph(BODY_KEEP, *_body_runs()))
    elements.append(_tag_para("{%p else %}"))
    elements.append(paragraph(NORMAL, *_body_runs()))
    elements += [_tag_para("{%p endif %}"), _tag_para("{%p endfor %}"), _tag_para("{%p endmacro %}")]
    return elements


def _body_runs() -> list[etree._Element]:
    """The lead-in in its level's character style (if any), then the body text."""
    runs = []
    for level, style in enumerate(LEAD_INS, start=1):
        keyword = "if" if level == 1 else "elif"
        runs.append(run(f"{{%r {keyword} p.level == {level} %}}"))
        runs.append(run("{{ p.lead }}", style))
    runs.append(run("{%r endif %}"))
    runs.append(run("{{ p.body }}"))
    return runs


def _narrative_call(section: str) -> etree._Element:
    return _tag_para("{{p narrative(" + NARRATIVE_CONTEXT[section] + ") }}")


def _section_properties() -> etree._Element:
    return E(
        "sectPr",
        E("footerReference", type="default", r_id="rIdFooterOdd"),
        E("footerReference", type="even", r_id="rIdFooterEven"),
        E("pgSz", w=PAGE_WIDTH, h=PAGE_HEIGHT),
        E(
            "pgMar",
            top=MARGIN_TOP,
            right=MARGIN_RIGHT,
            bottom=MARGIN_BOTTOM,
            left=MARGIN_LEFT,
            header=HEADER_DISTANCE,
            footer=FOOTER_DISTANCE,
            gutter=0,
        ),
        E("pgNumType", fmt="decimal"),
        E("cols", space=425),
        E("docGrid", type="linesAndChars", linePitch=LINE_PITCH, charSpace=CHAR_SPACE),
    )


def _document_xml(form: Form) -> bytes:
    body = E("body")
    body.extend(_narrative_macro())
    body.append(text_paragraph(TITLE, "{{ title }}"))
    body.append(_narrative_call(OPENING))
    after_table = False
    for section in form.sections:
        heading = text_paragraph(HEADINGS[0], section.title)
        if after_table:  # a blank line between a table and the heading below it
            heading.find(clark("w:pPr")).append(E("spacing", before=LINE_PITCH))
        body.append(heading)
        after_table = section.table is not None
        if section.table is not None:
            body.append(_table(section.table))
        else:
            body.append(_narrative_call(section.number))
    body.append(text_paragraph(SIGNATURE, "{{ agency }}"))
    body.append(text_paragraph(SIGNATURE_DATE, "{{ date }}"))
    body.append(_section_properties())
    root = etree.Element(clark("w:document"), nsmap={"w": W_NS, "r": R_NS})
    root.append(body)
    return part_xml(root)


# ---------------------------------------------------------------- footers


def _footer_xml(style: str) -> bytes:
    """``— N —``: the page number between one-em dashes, as a PAGE field."""
    root = etree.Element(clark("w:ftr"), nsmap={"w": W_NS, "r": R_NS})
    instr = E("instrText")
    instr.text = " PAGE "
    instr.set(clark("xml:space"), "preserve")
    root.append(
        paragraph(
            style,
            run("— "),
            E("r", E("fldChar", fldCharType="begin")),
            E("r", instr),
            E("r", E("fldChar", fldCharType="separate")),
            run("1"),
            E("r", E("fldChar", fldCharType="end")),
            run(" —"),
        )
    )
    return part_xml(root)


def _relationships(rels: Iterable[tuple[str, str, str]]) -> bytes:
    root = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
    for rel_id, rel_type, target in rels:
        etree.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", Id=rel_id, Type=rel_type, Target=target)
    return part_xml(root)


def _content_types_xml() -> bytes:
    root = etree.Element(f"{{{CT_NS}}}Types", nsmap={None: CT_NS})
    etree.SubElement(root, f"{{{CT_NS}}}Default", Extension="rels", ContentType="application/vnd.openxmlformats-package.relationships+xml")
    etree.SubElement(root, f"{{{CT_NS}}}Default", Extension="xml", ContentType="application/xml")
    overrides = (
        ("/word/document.xml", MAIN_CT + "document.main+xml"),
        ("/word/styles.xml", MAIN_CT + "styles+xml"),
        ("/word/settings.xml", MAIN_CT + "settings+xml"),
        ("/word/fontTable.xml", MAIN_CT + "fontTable+xml"),
        ("/word/footer1.xml", MAIN_CT + "footer+xml"),
        ("/word/footer2.xml", MAIN_CT + "footer+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    )
    for part, content_type in overrides:
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName=part, ContentType=content_type)
    return part_xml(root)


def _core_xml() -> bytes:
    root = etree.Element(
        f"{{{CP_NS}}}coreProperties",
        nsmap={"cp": CP_NS, "dc": DC_NS, "dcterms": DCTERMS_NS, "xsi": XSI_NS},
    )
    # The document's name as the form spells it; a rendered report gets its full title instead.
    name = TITLE_SUFFIX.removeprefix("年")
    for ns, tag, text in (
        (DC_NS, "title", name),
        (DC_NS, "subject", f"{name}（{FORMAT_NAME}）"),
        (DC_NS, "creator", "gaidocx"),
        (CP_NS, "lastModifiedBy", "gaidocx"),
        (DC_NS, "language", "zh-CN"),
        (CP_NS, "revision", "1"),
    ):
        etree.SubElement(root, f"{{{ns}}}{tag}").text = text
    for tag in ("created", "modified"):
        element = etree.SubElement(root, f"{{{DCTERMS_NS}}}{tag}")
        element.set(f"{{{XSI_NS}}}type", "dcterms:W3CDTF")
        element.text = TEMPLATE_DATE
    return part_xml(root)


def _app_xml() -> bytes:
    root = etree.Element(f"{{{EP_NS}}}Properties", nsmap={None: EP_NS})
    etree.SubElement(root, f"{{{EP_NS}}}Application").text = "gaidocx"
    etree.SubElement(root, f"{{{EP_NS}}}DocSecurity").text = "0"
    return part_xml(root)


def template_parts(form: Form = FORM_2021) -> dict[str, bytes]:
    """Every part of the template package by zip member name, in package order."""
    return {
        "[Content_Types].xml": _content_types_xml(),
        "_rels/.rels": _relationships(
            (
                ("rId1", REL + "officeDocument", "word/document.xml"),
                ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
                ("rId3", REL + "extended-properties", "docProps/app.xml"),
            )
        ),
        "docProps/core.xml": _core_xml(),
        "docProps/app.xml": _app_xml(),
        "word/document.xml": _document_xml(form),
        "word/_rels/document.xml.rels": _relationships(
            (
                ("rIdStyles", REL + "styles", "styles.xml"),
                ("rIdSettings", REL + "settings", "settings.xml"),
                ("rIdFontTable", REL + "fontTable", "fontTable.xml"),
                ("rIdFooterOdd", REL + "footer", "footer1.xml"),
                ("rIdFooterEven", REL + "footer", "footer2.xml"),
            )
        ),
        "word/styles.xml": styles_xml(),
        "word/settings.xml": settings_xml(),
        "word/fontTable.xml": font_table_xml(),
        "word/footer1.xml": _footer_xml(PAGE_NUMBER_ODD),
        "word/footer2.xml": _footer_xml(PAGE_NUMBER_EVEN),
    }


def build_word_template(form: Form = FORM_2021) -> bytes:
    """The complete template package (.docx) for ``form``, byte-for-byte reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in template_parts(form).items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, data)
    return buffer.getvalue()


def write_word_template(path: str | Path) -> Path:
    """Write the template to ``path`` (parent folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_word_template())
    return path

"""Generate the Word template (``templates/word/annual-report.docx``) from the form.

The package is written part by part with lxml instead of starting from
python-docx's default document, whose theme resolves Chinese text through a
Japanese font.  Every style names its fonts explicitly (no theme fonts), and
the layout follows GB/T 9704-2012 as described in ``official-format.md`` §7:
A4, margins 37/35/28/26 mm, a 22 × 28 document grid, 方正小标宋简体 title,
仿宋_GB2312 body, 黑体 / 楷体_GB2312 headings and ``— N —`` page numbers on
alternating sides.

The template is a real document: everything static (section headings, every
table label and merge) is plain text generated here from ``gaidocx.core.form``;
docxtpl tags appear only where data goes.  Context variables (filled by
``gaidocx.document.render``):

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
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from gaidocx.core.form import FORM_2021, FORMAT_NAME, OPENING, TITLE_SUFFIX, Field, Form, Label, Table

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

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_MAIN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."

# ---------------------------------------------------------------- page geometry (twips, 1/1440 inch)

PAGE_WIDTH = 11906  # A4 210 mm
PAGE_HEIGHT = 16838  # A4 297 mm
MARGIN_TOP = 2098  # 37 mm
MARGIN_BOTTOM = 1984  # 35 mm
MARGIN_LEFT = 1588  # 28 mm
MARGIN_RIGHT = 1474  # 26 mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8844 = 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 12756 = 225 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
#: 225 mm / 22 lines = 28.99 pt; Word needs the pitch rounded down to fit 22 lines.
LINE_PITCH = TEXT_HEIGHT // LINES_PER_PAGE  # 579 twips = 28.95 pt
BODY_SIZE = 32  # half-points: 3号, 16 pt
#: Letter spacing of body text in twentieths of a point: 16 pt − 0.4 pt = 15.6 pt a character
#: puts 28 on the 442.2 pt line (437 pt) and never 29 (452 pt).  This, not the character grid,
#: sets the 28 characters: LibreOffice cannot lay out a grid pitch narrower than the font (it
#: gives each character two cells, 14 a line), so paragraphs do not snap to the grid, and Word,
#: WPS and LibreOffice all break lines at the same 28 characters.  The grid stays in the page
#: setup (Word shows 22 lines × 28 characters) for text a user adds in other styles.
BODY_TRACKING = -8
#: docGrid charSpace: the grid pitch minus the default font size, in 1/4096 pt, rounded
#: down so that 28 characters fit.
CHAR_SPACE = math.floor((TEXT_WIDTH / CHARS_PER_LINE / 20 - BODY_SIZE / 2) * 4096)  # -849
HEADER_DISTANCE = 851  # 15 mm; the template has no header content
#: Puts the page number's dashes 7 mm below the text block (GB/T 9704 §7.5), measured.
FOOTER_DISTANCE = 1361  # 24 mm from the page edge to the bottom of the footer line

TITLE_SIZE = 44  # 2号, 22 pt
TITLE_CHARS_PER_LINE = TEXT_WIDTH // (TITLE_SIZE * 10)  # 20
PAGE_NUMBER_SIZE = 28  # 4号, 14 pt, digits and dashes in 宋体 too (“半角宋体阿拉伯数字”)
TABLE_SIZE = 18  # 小五, 9 pt: table 四 has 15 columns on a portrait page
TABLE_LINE = 240  # exact 12 pt lines in tables
TABLE_CELL_MARGIN = 30  # left/right cell padding
#: Left/right padding of table 四's value cells, narrower than its label cells' so that a
#: figure of 6 digits (540 twips at 9 pt) fits on one line while 结果维持 still wraps 2 + 2.
TABLE_FOUR_FIGURE_MARGIN = 15
TABLE_ROW_MIN = 320  # 16 pt minimum row height

# ---------------------------------------------------------------- fonts

LATIN = "Times New Roman"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
TITLE_FONT = "方正小标宋简体"

# ---------------------------------------------------------------- style ids

NORMAL = "Normal"
TITLE = "Title"
HEADINGS = ("Heading1", "Heading2", "Heading3", "Heading4")
LEAD_INS = ("Heading1Char", "Heading2Char", "Heading3Char", "Heading4Char")
BODY_KEEP = "BodyKeepWithSignature"
TABLE_TEXT = "TableText"
TABLE_TEXT_LEFT = "TableTextLeft"
SIGNATURE = "Signature"
SIGNATURE_DATE = "SignatureDate"
FOOTER = "Footer"
PAGE_NUMBER_ODD = "PageNumberOdd"
PAGE_NUMBER_EVEN = "PageNumberEven"
TABLE_STYLE = "ReportTable"

#: Heading fonts by level: 一、 黑体; （一） 楷体; 1. and （1） 仿宋.
HEADING_FONTS = (HEITI, KAITI, FANGSONG, FANGSONG)

#: Column widths in twips, each table exactly as wide as the text block.
#: Table 三: a narrow first column (“三、本年度办理结果” two characters a line), the
#: （三）不予公开 column four characters wide (set as （三）/不予公开), the item column ten,
#: and value columns that hold 8 digits at 9 pt while 社会公益组织 wraps 4 + 2; so the
#: whole table fits on one page.
#: Table 四: 15 equal columns; labels wrap two characters a line (结果维持 as 2 + 2) and, with
#: TABLE_FOUR_FIGURE_MARGIN, value cells hold 6 digits at 9 pt.
COLUMN_WIDTHS: dict[str, tuple[int, ...]] = {
    "二": (2211,) * 4,
    "三": (480, 800, 1964) + (800,) * 7,
    "四": (590,) * 9 + (589,) * 6,
}

#: Core-properties date of the generated template, fixed so the output is reproducible.
TEMPLATE_DATE = "2021-09-26T00:00:00Z"
_ZIP_DATE = (2021, 9, 26, 0, 0, 0)

NARRATIVE_CONTEXT = {
    OPENING: "opening",
    **{section.number: f"section{index}" for index, section in enumerate(FORM_2021.sections, start=1) if section.table is None},
}


# ---------------------------------------------------------------- xml helpers


def _q(name: str) -> str:
    """``"w:p"`` → Clark notation."""
    prefix, local = name.split(":")
    ns = {"w": W_NS, "r": R_NS, "xml": XML_NS}[prefix]
    return f"{{{ns}}}{local}"


def E(tag: str, *children: etree._Element | None, **attrs: str | int) -> etree._Element:
    """A ``w:`` element; attribute names are WordprocessingML local names (``r_id`` → ``r:id``)."""
    element = etree.Element(_q(tag) if ":" in tag else _q("w:" + tag))
    for key, value in attrs.items():
        name = "r:id" if key == "r_id" else "w:" + key
        element.set(_q(name), str(value))
    for child in children:
        if child is not None:
            element.append(child)
    return element


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _fonts(east_asia: str, latin: str = LATIN) -> etree._Element:
    return E("rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia")


def _run_props(east_asia: str, size: int, *, tracking: int | None = None, latin: str = LATIN) -> etree._Element:
    """Style run properties in schema order: fonts, letter spacing, size, language."""
    return E(
        "rPr",
        _fonts(east_asia, latin),
        E("spacing", val=tracking) if tracking is not None else None,
        E("sz", val=size),
        E("szCs", val=size),
        E("lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"),
    )


def _text(value: str) -> etree._Element:
    t = E("t")
    t.text = value
    t.set(_q("xml:space"), "preserve")
    return t


def _run(value: str, style: str | None = None) -> etree._Element:
    props = E("rPr", E("rStyle", val=style)) if style else None
    return E("r", props, _text(value))


def _para(style: str, *runs: etree._Element) -> etree._Element:
    return E("p", E("pPr", E("pStyle", val=style)), *runs)


def _text_para(style: str, value: str) -> etree._Element:
    return _para(style, _run(value)) if value else _para(style)


# ---------------------------------------------------------------- styles


#: Names Word knows as its own styles (and shows translated, e.g. 标题 1, 页脚).
_BUILT_IN_NAMES = {"Normal", "Title", "heading 1", "heading 2", "heading 3", "heading 4", "footer"}


def _style(
    kind: str,
    style_id: str,
    name: str,
    *,
    based_on: str | None = None,
    next_style: str | None = None,
    link: str | None = None,
    ui_priority: int | None = None,
    quick: bool = False,
    default: bool = False,
    ppr: etree._Element | None = None,
    rpr: etree._Element | None = None,
    tblpr: etree._Element | None = None,
    trpr: etree._Element | None = None,
    tcpr: etree._Element | None = None,
) -> etree._Element:
    attrs = {"type": kind, "styleId": style_id}
    if default:
        attrs["default"] = "1"
    if name not in _BUILT_IN_NAMES:
        attrs["customStyle"] = "1"
    return E(
        "style",
        E("name", val=name),
        E("basedOn", val=based_on) if based_on else None,
        E("next", val=next_style) if next_style else None,
        E("link", val=link) if link else None,
        E("uiPriority", val=ui_priority) if ui_priority is not None else None,
        E("qFormat") if quick else None,
        ppr,
        rpr,
        tblpr,
        trpr,
        tcpr,
        **attrs,
    )


def _body_spacing() -> etree._Element:
    return E("spacing", before=0, after=0, line=LINE_PITCH, lineRule="exact")


def _first_line_indent() -> etree._Element:
    return E("ind", firstLineChars=200, firstLine=BODY_SIZE * 20)


def _no_indent() -> etree._Element:
    return E("ind", firstLineChars=0, firstLine=0)


def _borders(tag: str, sides: Iterable[str]) -> etree._Element:
    return E(tag, *(E(side, val="single", sz=4, space=0, color="000000") for side in sides))


def _styles_xml() -> bytes:
    heading_names = ("heading 1", "heading 2", "heading 3", "heading 4")
    lead_names = ("标题 1 字符", "标题 2 字符", "标题 3 字符", "标题 4 字符")
    styles = [
        _style(
            "paragraph",
            NORMAL,
            "Normal",
            default=True,
            quick=True,
            ppr=E(
                "pPr",
                E("widowControl"),  # no single line of a paragraph alone at a page's top or foot
                E("overflowPunct", val=0),  # no punctuation hanging past the margin
                E("snapToGrid", val=0),
                _body_spacing(),
                _first_line_indent(),
                E("jc", val="both"),
            ),
            rpr=_run_props(FANGSONG, BODY_SIZE, tracking=BODY_TRACKING),
        ),
        _style(
            "paragraph",
            TITLE,
            "Title",
            based_on=NORMAL,
            next_style=NORMAL,
            ui_priority=10,
            quick=True,
            ppr=E(
                "pPr",
                E("keepNext"),
                E("snapToGrid", val=0),
                E("spacing", before=0, after=LINE_PITCH, line=LINE_PITCH + 120, lineRule="exact"),
                _no_indent(),
                E("jc", val="center"),
            ),
            rpr=_run_props(TITLE_FONT, TITLE_SIZE, tracking=0),
        ),
    ]
    for level, (style_id, lead_id, name, lead_name, font) in enumerate(
        zip(HEADINGS, LEAD_INS, heading_names, lead_names, HEADING_FONTS), start=1
    ):
        styles.append(
            _style(
                "paragraph",
                style_id,
                name,
                based_on=NORMAL,
                next_style=NORMAL,
                link=lead_id,
                ui_priority=9,
                quick=True,
                ppr=E("pPr", E("keepNext"), E("outlineLvl", val=level - 1)),
                rpr=_run_props(font, BODY_SIZE),
            )
        )
    for style_id, lead_id, lead_name, font in zip(HEADINGS, LEAD_INS, lead_names, HEADING_FONTS):
        styles.append(
            _style("character", lead_id, lead_name, link=style_id, ui_priority=9, rpr=_run_props(font, BODY_SIZE))
        )
    table_ppr = E(
        "pPr",
        E("snapToGrid", val=0),
        E("spacing", before=0, after=0, line=TABLE_LINE, lineRule="exact"),
        _no_indent(),
        E("jc", val="center"),
    )
    styles += [
        _style(
            "paragraph",
            BODY_KEEP,
            "正文（署名前末段）",
            based_on=NORMAL,
            next_style=NORMAL,
            ppr=E("pPr", E("keepNext")),
            rpr=_run_props(FANGSONG, BODY_SIZE),
        ),
        _style(
            "paragraph",
            TABLE_TEXT,
            "表格文字",
            based_on=NORMAL,
            quick=True,
            ppr=table_ppr,
            rpr=_run_props(FANGSONG, TABLE_SIZE, tracking=0),
        ),
        _style(
            "paragraph",
            TABLE_TEXT_LEFT,
            "表格文字（左对齐）",
            based_on=TABLE_TEXT,
            quick=True,
            ppr=E("pPr", E("jc", val="left")),
            rpr=_run_props(FANGSONG, TABLE_SIZE, tracking=0),
        ),
        _style(
            "paragraph",
            SIGNATURE,
            "署名",
            based_on=NORMAL,
            next_style=SIGNATURE_DATE,
            quick=True,
            ppr=E(
                "pPr",
                E("keepNext"),
                # one blank line between the body and the signature
                E("spacing", before=LINE_PITCH, after=0, line=LINE_PITCH, lineRule="exact"),
                E("ind", rightChars=200, right=BODY_SIZE * 20, firstLineChars=0, firstLine=0),
                E("jc", val="right"),
            ),
            rpr=_run_props(FANGSONG, BODY_SIZE),
        ),
        _style(
            "paragraph",
            SIGNATURE_DATE,
            "成文日期",
            based_on=SIGNATURE,
            next_style=NORMAL,
            quick=True,
            ppr=E(
                "pPr",
                E("keepNext", val=0),
                _body_spacing(),
                E("ind", rightChars=400, right=BODY_SIZE * 40, firstLineChars=0, firstLine=0),
            ),
            rpr=_run_props(FANGSONG, BODY_SIZE),
        ),
        _style(
            "paragraph",
            FOOTER,
            "footer",
            based_on=NORMAL,
            ui_priority=99,
            ppr=E(
                "pPr",
                E("snapToGrid", val=0),
                E("spacing", before=0, after=0, line=240, lineRule="auto"),
                _no_indent(),
                E("jc", val="center"),
            ),
            rpr=_run_props(SONGTI, PAGE_NUMBER_SIZE, tracking=0, latin=SONGTI),
        ),
        # odd pages: right, one character in from the margin; even pages: left
        *(
            _style(
                "paragraph",
                style,
                name,
                based_on=FOOTER,
                ppr=E("pPr", E("ind", **{side: PAGE_NUMBER_SIZE * 10}, firstLineChars=0, firstLine=0), E("jc", val=side)),
                rpr=_run_props(SONGTI, PAGE_NUMBER_SIZE, tracking=0, latin=SONGTI),
            )
            for style, name, side in ((PAGE_NUMBER_ODD, "页码（单页）", "right"), (PAGE_NUMBER_EVEN, "页码（双页）", "left"))
        ),
        _style(
            "table",
            TABLE_STYLE,
            "报告表格",
            ui_priority=59,
            ppr=E("pPr", E("snapToGrid", val=0), _no_indent(), E("jc", val="center")),
            rpr=_run_props(FANGSONG, TABLE_SIZE, tracking=0),
            tblpr=_table_style_props(),
            trpr=E("trPr", E("cantSplit")),
            tcpr=E("tcPr", E("vAlign", val="center")),
        ),
    ]
    doc_defaults = E(
        "docDefaults",
        E("rPrDefault", _run_props(FANGSONG, BODY_SIZE)),
        E("pPrDefault", E("pPr", E("widowControl"), E("jc", val="both"))),
    )
    root = etree.Element(_q("w:styles"), nsmap={"w": W_NS})
    root.append(doc_defaults)
    root.extend(styles)
    return _xml(root)


def _table_style_props() -> etree._Element:
    return E(
        "tblPr",
        E("tblInd", w=0, type="dxa"),
        _borders("tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")),
        _cell_margins(),
    )


def _cell_margins() -> etree._Element:
    return E(
        "tblCellMar",
        E("top", w=0, type="dxa"),
        E("left", w=TABLE_CELL_MARGIN, type="dxa"),
        E("bottom", w=0, type="dxa"),
        E("right", w=TABLE_CELL_MARGIN, type="dxa"),
    )


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


#: A Times New Roman digit is half an em wide.
DIGIT_WIDTH = TABLE_SIZE * 10 // 2


def figure_margin(table: Table) -> int:
    """Left/right padding of the table's value cells."""
    return TABLE_FOUR_FIGURE_MARGIN if table.number == "四" else TABLE_CELL_MARGIN


def figure_capacity(f: Field, form: Form = FORM_2021) -> int:
    """How many digits fit on one line in the field's cell of the shipped template
    (tables 二 and 三: at least 8, every figure the checks accept; table 四: 6)."""
    table = form.table_of(f.key)
    widths = COLUMN_WIDTHS[table.number]
    return (sum(widths[f.col : f.col + f.colspan]) - 2 * figure_margin(table)) // DIGIT_WIDTH


def field_tag(f: Field) -> str:
    """The docxtpl tag of a value cell: the field key itself (``t3.r5.c2``)."""
    return "{{ " + f.key + " }}"


def label_style(table: Table, label: Label) -> str:
    """Table 三's long body labels read better left-aligned; its tall 三、 column stays centred."""
    tall_first_column = label.col == 0 and label.rowspan > 1
    if table.number == "三" and label.row >= table.header_rows and not tall_first_column:
        return TABLE_TEXT_LEFT
    return TABLE_TEXT


SUB_NUMBER = re.compile(r"（[一二三四五六七八九十]+）")


def text_width(text: str) -> float:
    """Width in characters: CJK and full-width forms 1, others one half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _label_paragraph(table: Table, label: Label, width: int) -> etree._Element:
    """A label; one too wide for its column but whose text after a （三） prefix fits
    breaks after the prefix (（三）/不予公开) rather than wherever the line ends."""
    style = label_style(table, label)
    chars = (width - 2 * TABLE_CELL_MARGIN) / (TABLE_SIZE * 10)
    prefix = SUB_NUMBER.match(label.text)
    if prefix and text_width(label.text) > chars >= text_width(label.text[prefix.end() :]):
        run = E("r", _text(prefix.group()), E("br"), _text(label.text[prefix.end() :]))
        return _para(style, run)
    return _text_para(style, label.text)


def break_rows(table: Table) -> set[int]:
    """Rows a page may break before, so that a long table fills the page it starts on
    instead of leaving it mostly blank, while every group reads whole:

    - after the repeated header rows and the first body row below them;
    - where no merged cell spans the break, except the tall first column (表三's
      三、本年度办理结果), which may break once the rows above the break are tall enough
      for its whole label (LibreOffice, like Word, sets the label in the part of the merged
      cell on the first page; a shorter part would cut the label in two);
    - in a table of full-width groups (表二's 第二十条第（五）项), only before a group.
    """
    blocked: set[int] = set()
    widths = COLUMN_WIDTHS[table.number]
    for label in table.labels:
        if label.rowspan < 2:
            continue
        inside = range(label.row + 1, label.row + label.rowspan)
        if label.col > 0:
            blocked.update(inside)
            continue
        chars = (sum(widths[: label.colspan]) - 2 * TABLE_CELL_MARGIN) // (TABLE_SIZE * 10)
        label_height = math.ceil(text_width(label.text) / max(chars, 1)) * TABLE_LINE
        rows_needed = math.ceil(label_height / TABLE_ROW_MIN)
        blocked.update(row for row in inside if row < label.row + rows_needed)
    rows = {row for row in range(table.header_rows + 1, table.rows) if row not in blocked}
    group_starts = {label.row for label in table.labels if label.colspan == table.columns and label.row >= table.header_rows}
    return rows & group_starts if group_starts else rows


def _rows_kept_with_next(table: Table) -> set[int]:
    """Rows whose paragraphs keep with the next row: every row but those before a break row."""
    breaks = break_rows(table)
    return {row for row in range(table.rows - 1) if row + 1 not in breaks}


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
            _borders("tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")),
            E("tblLayout", type="fixed"),
            _cell_margins(),
            E("tblLook", val="0000", firstRow=0, lastRow=0, firstColumn=0, lastColumn=0, noHBand=1, noVBand=1),
        ),
        E("tblGrid", *(E("gridCol", w=width) for width in widths)),
    )
    keep_with_next = _rows_kept_with_next(table)
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
                content = _para(TABLE_TEXT)
            elif isinstance(cell, Label):
                content = _label_paragraph(table, cell, width)
            else:
                content = _text_para(TABLE_TEXT, field_tag(cell))
            if row in keep_with_next:
                content.find(_q("w:pPr")).insert(1, E("keepNext"))
            tr.append(E("tc", tc_pr, content))
        tbl.append(tr)
    return tbl


# ---------------------------------------------------------------- body


def _tag_para(tag: str) -> etree._Element:
    """A paragraph holding only a paragraph-level docxtpl tag (removed when rendered)."""
    return _text_para(NORMAL, tag)


def _narrative_macro() -> list[etree._Element]:
    """``narrative(paragraphs)``: a bare heading in its heading style, else body text whose
    lead-in (``（一）主动公开。``) takes its heading level's character style."""
    elements = [_tag_para("{%p macro narrative(paragraphs) %}"), _tag_para("{%p for p in paragraphs %}")]
    for level, style in enumerate(HEADINGS, start=1):
        keyword = "if" if level == 1 else "elif"
        elements.append(_tag_para(f"{{%p {keyword} p.bare and p.level == {level} %}}"))
        elements.append(_text_para(style, "{{ p.text }}"))
    # The last paragraph before the signature keeps with it: no signature alone on a page.
    elements.append(_tag_para("{%p elif p.keep %}"))
    elements.append(_para(BODY_KEEP, *_body_runs()))
    elements.append(_tag_para("{%p else %}"))
    elements.append(_para(NORMAL, *_body_runs()))
    elements += [_tag_para("{%p endif %}"), _tag_para("{%p endfor %}"), _tag_para("{%p endmacro %}")]
    return elements


def _body_runs() -> list[etree._Element]:
    """The lead-in in its level's character style (if any), then the body text."""
    runs = []
    for level, style in enumerate(LEAD_INS, start=1):
        keyword = "if" if level == 1 else "elif"
        runs.append(_run(f"{{%r {keyword} p.level == {level} %}}"))
        runs.append(_run("{{ p.lead }}", style))
    runs.append(_run("{%r endif %}"))
    runs.append(_run("{{ p.body }}"))
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
    body.append(_text_para(TITLE, "{{ title }}"))
    body.append(_narrative_call(OPENING))
    after_table = False
    for section in form.sections:
        heading = _text_para(HEADINGS[0], section.title)
        if after_table:  # a blank line between a table and the heading below it
            heading.find(_q("w:pPr")).append(E("spacing", before=LINE_PITCH))
        body.append(heading)
        after_table = section.table is not None
        if section.table is not None:
            body.append(_table(section.table))
        else:
            body.append(_narrative_call(section.number))
    body.append(_text_para(SIGNATURE, "{{ agency }}"))
    body.append(_text_para(SIGNATURE_DATE, "{{ date }}"))
    body.append(_section_properties())
    root = etree.Element(_q("w:document"), nsmap={"w": W_NS, "r": R_NS})
    root.append(body)
    return _xml(root)


# ---------------------------------------------------------------- footers


def _footer_xml(style: str) -> bytes:
    """``— N —``: the page number between one-em dashes, as a PAGE field."""
    root = etree.Element(_q("w:ftr"), nsmap={"w": W_NS, "r": R_NS})
    instr = E("instrText")
    instr.text = " PAGE "
    instr.set(_q("xml:space"), "preserve")
    root.append(
        _para(
            style,
            _run("— "),
            E("r", E("fldChar", fldCharType="begin")),
            E("r", instr),
            E("r", E("fldChar", fldCharType="separate")),
            _run("1"),
            E("r", E("fldChar", fldCharType="end")),
            _run(" —"),
        )
    )
    return _xml(root)


# ---------------------------------------------------------------- settings, fonts, package parts


def _settings_xml() -> bytes:
    compat = E(
        "compat",
        E("spaceForUL"),
        E("doNotLeaveBackslashAlone"),
        E("ulTrailSpace"),
        E("doNotExpandShiftReturn"),
        E("useFELayout"),
    )
    compat.append(
        E("compatSetting", name="compatibilityMode", uri="http://schemas.microsoft.com/office/word", val=15)
    )
    root = etree.Element(_q("w:settings"), nsmap={"w": W_NS, "r": R_NS})
    root.extend(
        [
            E("zoom", percent=100),
            E("defaultTabStop", val=420),
            E("evenAndOddHeaders"),
            E("drawingGridVerticalSpacing", val=LINE_PITCH // 2),
            E("characterSpacingControl", val="doNotCompress"),
            compat,
            E("themeFontLang", val="en-US", eastAsia="zh-CN"),
            E("decimalSymbol", val="."),
            E("listSeparator", val=","),
        ]
    )
    return _xml(root)


#: name, alternative name, panose, charset, family, pitch.  The alternative names let
#: Word substitute the fonts Windows ships (仿宋, 楷体) when the GB2312 ones are absent.
_FONT_TABLE = (
    (LATIN, None, "02020603050405020304", "00", "roman", "variable"),
    (FANGSONG, "仿宋", "02010609030101010101", "86", "modern", "fixed"),
    (KAITI, "楷体", "02010609030101010101", "86", "modern", "fixed"),
    (HEITI, "SimHei", "02010609060101010101", "86", "modern", "fixed"),
    (SONGTI, "SimSun", "02010600030101010101", "86", "auto", "variable"),
    (TITLE_FONT, "宋体", "02000000000000000000", "86", "auto", "variable"),
)


def _font_table_xml() -> bytes:
    root = etree.Element(_q("w:fonts"), nsmap={"w": W_NS, "r": R_NS})
    for name, alt, panose, charset, family, pitch in _FONT_TABLE:
        root.append(
            E(
                "font",
                E("altName", val=alt) if alt else None,
                E("panose1", val=panose),
                E("charset", val=charset),
                E("family", val=family),
                E("pitch", val=pitch),
                name=name,
            )
        )
    return _xml(root)


def _relationships(rels: Iterable[tuple[str, str, str]]) -> bytes:
    root = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
    for rel_id, rel_type, target in rels:
        etree.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", Id=rel_id, Type=rel_type, Target=target)
    return _xml(root)


def _content_types_xml() -> bytes:
    root = etree.Element(f"{{{CT_NS}}}Types", nsmap={None: CT_NS})
    etree.SubElement(root, f"{{{CT_NS}}}Default", Extension="rels", ContentType="application/vnd.openxmlformats-package.relationships+xml")
    etree.SubElement(root, f"{{{CT_NS}}}Default", Extension="xml", ContentType="application/xml")
    overrides = (
        ("/word/document.xml", _MAIN_CT + "document.main+xml"),
        ("/word/styles.xml", _MAIN_CT + "styles+xml"),
        ("/word/settings.xml", _MAIN_CT + "settings+xml"),
        ("/word/fontTable.xml", _MAIN_CT + "fontTable+xml"),
        ("/word/footer1.xml", _MAIN_CT + "footer+xml"),
        ("/word/footer2.xml", _MAIN_CT + "footer+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    )
    for part, content_type in overrides:
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName=part, ContentType=content_type)
    return _xml(root)


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
    return _xml(root)


def _app_xml() -> bytes:
    root = etree.Element(f"{{{EP_NS}}}Properties", nsmap={None: EP_NS})
    etree.SubElement(root, f"{{{EP_NS}}}Application").text = "gaidocx"
    etree.SubElement(root, f"{{{EP_NS}}}DocSecurity").text = "0"
    return _xml(root)


def template_parts(form: Form = FORM_2021) -> dict[str, bytes]:
    """Every part of the template package by zip member name, in package order."""
    return {
        "[Content_Types].xml": _content_types_xml(),
        "_rels/.rels": _relationships(
            (
                ("rId1", _REL + "officeDocument", "word/document.xml"),
                ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
                ("rId3", _REL + "extended-properties", "docProps/app.xml"),
            )
        ),
        "docProps/core.xml": _core_xml(),
        "docProps/app.xml": _app_xml(),
        "word/document.xml": _document_xml(form),
        "word/_rels/document.xml.rels": _relationships(
            (
                ("rIdStyles", _REL + "styles", "styles.xml"),
                ("rIdSettings", _REL + "settings", "settings.xml"),
                ("rIdFontTable", _REL + "fontTable", "fontTable.xml"),
                ("rIdFooterOdd", _REL + "footer", "footer1.xml"),
                ("rIdFooterEven", _REL + "footer", "footer2.xml"),
            )
        ),
        "word/styles.xml": _styles_xml(),
        "word/settings.xml": _settings_xml(),
        "word/fontTable.xml": _font_table_xml(),
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

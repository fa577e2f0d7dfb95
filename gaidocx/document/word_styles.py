"""The Word template's styles, settings and font table: fonts named explicitly (no theme
fonts), sizes and spacing from ``gaidocx.document.layout``."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from gaidocx.document.layout import (
    BODY_SIZE,
    BODY_TRACKING,
    LINE_PITCH,
    PAGE_NUMBER_SIZE,
    TABLE_CELL_MARGIN,
    TABLE_LINE,
    TABLE_SIZE,
    TITLE_SIZE,
)
from gaidocx.document.wordml import R_NS, W_NS, E, clark, part_xml

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


def fonts(east_asia: str, latin: str = LATIN) -> etree._Element:
    return E("rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia")


def run_properties(east_asia: str, size: int, *, tracking: int | None = None, latin: str = LATIN) -> etree._Element:
    """Style run properties in schema order: fonts, letter spacing, size, language."""
    return E(
        "rPr",
        fonts(east_asia, latin),
        E("spacing", val=tracking) if tracking is not None else None,
        E("sz", val=size),
        E("szCs", val=size),
        E("lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"),
    )


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


def borders(tag: str, sides: Iterable[str]) -> etree._Element:
    return E(tag, *(E(side, val="single", sz=4, space=0, color="000000") for side in sides))


def styles_xml() -> bytes:
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
            rpr=run_properties(FANGSONG, BODY_SIZE, tracking=BODY_TRACKING),
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
            rpr=run_properties(TITLE_FONT, TITLE_SIZE, tracking=0),
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
                rpr=run_properties(font, BODY_SIZE),
            )
        )
    for style_id, lead_id, lead_name, font in zip(HEADINGS, LEAD_INS, lead_names, HEADING_FONTS):
        styles.append(
            _style("character", lead_id, lead_name, link=style_id, ui_priority=9, rpr=run_properties(font, BODY_SIZE))
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
            rpr=run_properties(FANGSONG, BODY_SIZE),
        ),
        _style(
            "paragraph",
            TABLE_TEXT,
            "表格文字",
            based_on=NORMAL,
            quick=True,
            ppr=table_ppr,
            rpr=run_properties(FANGSONG, TABLE_SIZE, tracking=0),
        ),
        _style(
            "paragraph",
            TABLE_TEXT_LEFT,
            "表格文字（左对齐）",
            based_on=TABLE_TEXT,
            quick=True,
            ppr=E("pPr", E("jc", val="left")),
            rpr=run_properties(FANGSONG, TABLE_SIZE, tracking=0),
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
            rpr=run_properties(FANGSONG, BODY_SIZE),
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
            rpr=run_properties(FANGSONG, BODY_SIZE),
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
            rpr=run_properties(SONGTI, PAGE_NUMBER_SIZE, tracking=0, latin=SONGTI),
        ),
        # odd pages: right, one character in from the margin; even pages: left
        *(
            _style(
                "paragraph",
                style,
                name,
                based_on=FOOTER,
                ppr=E("pPr", E("ind", **{side: PAGE_NUMBER_SIZE * 10}, firstLineChars=0, firstLine=0), E("jc", val=side)),
                rpr=run_properties(SONGTI, PAGE_NUMBER_SIZE, tracking=0, latin=SONGTI),
            )
            for style, name, side in ((PAGE_NUMBER_ODD, "页码（单页）", "right"), (PAGE_NUMBER_EVEN, "页码（双页）", "left"))
        ),
        _style(
            "table",
            TABLE_STYLE,
            "报告表格",
            ui_priority=59,
            ppr=E("pPr", E("snapToGrid", val=0), _no_indent(), E("jc", val="center")),
            rpr=run_properties(FANGSONG, TABLE_SIZE, tracking=0),
            tblpr=_table_style_props(),
            trpr=E("trPr", E("cantSplit")),
            tcpr=E("tcPr", E("vAlign", val="center")),
        ),
    ]
    doc_defaults = E(
        "docDefaults",
        E("rPrDefault", run_properties(FANGSONG, BODY_SIZE)),
        E("pPrDefault", E("pPr", E("widowControl"), E("jc", val="both"))),
    )
    root = etree.Element(clark("w:styles"), nsmap={"w": W_NS})
    root.append(doc_defaults)
    root.extend(styles)
    return part_xml(root)


def _table_style_props() -> etree._Element:
    return E(
        "tblPr",
        E("tblInd", w=0, type="dxa"),
        borders("tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")),
        cell_margins(),
    )


def cell_margins() -> etree._Element:
    return E(
        "tblCellMar",
        E("top", w=0, type="dxa"),
        E("left", w=TABLE_CELL_MARGIN, type="dxa"),
        E("bottom", w=0, type="dxa"),
        E("right", w=TABLE_CELL_MARGIN, type="dxa"),
    )


# ---------------------------------------------------------------- settings, fonts, package parts


def settings_xml() -> bytes:
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
    root = etree.Element(clark("w:settings"), nsmap={"w": W_NS, "r": R_NS})
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
    return part_xml(root)


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


def font_table_xml() -> bytes:
    root = etree.Element(clark("w:fonts"), nsmap={"w": W_NS, "r": R_NS})
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
    return part_xml(root)



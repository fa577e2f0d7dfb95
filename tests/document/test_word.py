"""The Word template and the rendered report, read back from the .docx XML."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from jinja2.sandbox import SecurityError
from lxml import etree

from gaidocx.core import form
from gaidocx.core.report import IncompleteReport, Report, format_figure
from gaidocx.document.doc_properties import PROPERTY_MAX_CHARS
from gaidocx.document.layout import COLUMN_WIDTHS, TABLE_CELL_MARGIN, TABLE_SIZE, figure_capacity
from gaidocx.document.problems import TemplateProblem
from gaidocx.document.render import default_template, render_docx
from gaidocx.document.word_template import build_word_template, template_parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
DC = "{http://purl.org/dc/elements/1.1/}"
AGENCY = "策勒县人民政府办公室"
LONG_BODY = "围绕中心，服务大局，聚焦财政预决算、养老服务、社会救助、义务教育等重点领域持续做好信息公开。"
LITERAL = "A&B <c> \"q\" 'a' {{ x }} {% if %} {# c #} {_{ y }_} {_% z %_} 😀 𠀀 “引号”——破折号\t制表符"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def make_report(agency: str = AGENCY, **changes) -> Report:
    inputs = {}
    for number, f in enumerate((f for table in form.FORM_2021.tables for f in table.inputs), start=1001):
        inputs[f.key] = Decimal("12.3456") if f.kind is form.Kind.FEE else number
    narratives = {
        form.OPENING: form.opening_skeleton(2024),
        "一": (
            "2024年，本机关坚持以人民为中心，全力推进政府信息公开工作。",
            "（一）主动公开。" + LONG_BODY,
            "（二）依申请公开\n" + LONG_BODY,
            "1.规范管理。" + LONG_BODY,
            "（1）细化：" + LITERAL,
            "二、补充说明。" + LONG_BODY,
        ),
        "五": ("（一）存在的主要问题。" + LONG_BODY, "（二）改进情况。" + LONG_BODY),
        "六": ("（一）信息处理费收取情况。本机关本年度发出收费通知0件，收费金额0元；实际收取信息处理费0元。",),
    }
    values = dict(
        agency=agency,
        year=2024,
        signed_on=datetime.date(2025, 1, 23),
        narratives=narratives,
        inputs=inputs,
    )
    values.update(changes)
    return Report(**values)


class Rendered:
    """A rendered .docx: its parts parsed, and helpers to walk the body."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.parts = {
            name: etree.fromstring(self.zip.read(name)) for name in self.zip.namelist() if name.endswith((".xml", ".rels"))
        }
        self.document = self.parts["word/document.xml"]
        self.body = self.document.find(w("body"))
        self.styles = {s.get(w("styleId")): s for s in self.parts["word/styles.xml"].iter(w("style"))}

    def blocks(self) -> list[tuple[str, str | None, str]]:
        """Body paragraphs and tables in order: (kind, paragraph style, text)."""
        out = []
        for child in self.body:
            if child.tag == w("p"):
                out.append(("p", paragraph_style(child), paragraph_text(child)))
            elif child.tag == w("tbl"):
                out.append(("tbl", None, ""))
        return out

    def tables(self) -> list[etree._Element]:
        return self.body.findall(w("tbl"))

    def style_font(self, style_id: str) -> tuple[str, int]:
        """The eastAsia font and the size (half-points) a style sets, following basedOn."""
        font = size = None
        while style_id and (font is None or size is None):
            style = self.styles[style_id]
            rpr = style.find(w("rPr"))
            if rpr is not None:
                fonts = rpr.find(w("rFonts"))
                if font is None and fonts is not None:
                    font = fonts.get(w("eastAsia"))
                sz = rpr.find(w("sz"))
                if size is None and sz is not None:
                    size = int(sz.get(w("val")))
            based = style.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None
        return font, size


def paragraph_style(p) -> str | None:
    style = p.find("w:pPr/w:pStyle", NS)
    return style.get(w("val")) if style is not None else None


def paragraph_text(p) -> str:
    """Text with line breaks as ``\\n``."""
    parts = []
    for element in p.iter(w("t"), w("br")):
        parts.append("\n" if element.tag == w("br") else element.text or "")
    return "".join(parts)


def runs(p) -> list[tuple[str | None, str]]:
    """Non-empty runs as (character style, text)."""
    out = []
    for r in p.findall(w("r")):
        text = "".join(t.text or "" for t in r.findall(w("t")))
        if not text:
            continue
        style = r.find("w:rPr/w:rStyle", NS)
        out.append((style.get(w("val")) if style is not None else None, text))
    return out


@pytest.fixture(scope="module")
def report() -> Report:
    return make_report()


@pytest.fixture(scope="module")
def rendered(report, word_template) -> Rendered:
    return Rendered(render_docx(report, word_template))


# ---------------------------------------------------------------- package


def test_every_part_is_well_formed_xml_and_declared(rendered):
    names = set(rendered.zip.namelist())
    assert {"word/document.xml", "word/styles.xml", "word/settings.xml", "word/fontTable.xml"} <= names
    assert {"word/footer1.xml", "word/footer2.xml", "docProps/core.xml", "docProps/app.xml"} <= names
    assert not any("theme" in name for name in names)
    declared = {o.get("PartName") for o in rendered.parts["[Content_Types].xml"]}
    for name in names:
        if name.endswith(".xml") and name != "[Content_Types].xml":
            assert "/" + name in declared, name
    for name in names:  # every part parses, including those not kept in rendered.parts
        etree.fromstring(rendered.zip.read(name))


def test_core_properties(rendered):
    core = rendered.parts["docProps/core.xml"]
    assert core.find(f"{DC}title").text == form.title(AGENCY, 2024)
    assert core.find(f"{DC}creator").text == AGENCY
    template_core = etree.fromstring(template_parts()["docProps/core.xml"])
    assert form.TITLE_SUFFIX.endswith(template_core.find(f"{DC}title").text)  # the form's wording


def test_a_very_long_agency_name_renders(word_template):
    agency = "某" * 1000
    data = render_docx(make_report(agency=agency), word_template)
    document = Rendered(data)
    assert document.blocks()[0][2].replace("\n", "") == form.title(agency, 2024)
    assert document.blocks()[-2] == ("p", "Signature", agency)
    core = document.parts["docProps/core.xml"]
    for tag in ("title", "creator"):
        text = core.find(f"{DC}{tag}").text
        assert len(text) == PROPERTY_MAX_CHARS and text.startswith("某某某") and text.endswith("…"), tag


def test_template_is_reproducible_and_a_real_document():
    assert build_word_template() == build_word_template()
    parts = template_parts()
    document = parts["word/document.xml"].decode()
    for section in form.FORM_2021.sections:
        assert section.title in document
    for table in form.FORM_2021.tables:
        for label in table.labels:
            assert label.text.split("）")[-1] in document  # a （三） prefix may be followed by a break
    created = etree.fromstring(parts["docProps/core.xml"]).find("{http://purl.org/dc/terms/}created")
    assert created.text == "2021-09-26T00:00:00Z"


def test_default_template_renders(report):
    assert default_template().is_file()
    assert Rendered(render_docx(report)).blocks()[0][2].replace("\n", "") == form.title(AGENCY, 2024)


# ---------------------------------------------------------------- outline


def test_title_breaks_after_the_year_when_too_long(rendered):
    kind, style, text = rendered.blocks()[0]
    assert (kind, style) == ("p", "Title")
    assert text == f"{AGENCY}2024年\n政府信息公开工作年度报告"


def test_a_short_title_stays_on_one_line(word_template):
    blocks = Rendered(render_docx(make_report(agency="某县财政局"), word_template)).blocks()
    assert blocks[0] == ("p", "Title", "某县财政局2024年政府信息公开工作年度报告")  # 20 characters


def test_sections_in_order_with_their_tables(rendered):
    headings = [(i, text) for i, (kind, style, text) in enumerate(rendered.blocks()) if style == "Heading1"]
    assert [text for _, text in headings] == [s.title for s in form.FORM_2021.sections]
    blocks = rendered.blocks()
    for (index, _), section in zip(headings, form.FORM_2021.sections):
        assert (blocks[index + 1][0] == "tbl") == (section.table is not None)
    assert sum(kind == "tbl" for kind, _, _ in blocks) == 3


def test_signature_ends_the_document(rendered):
    blocks = rendered.blocks()
    assert blocks[-2:] == [("p", "Signature", AGENCY), ("p", "SignatureDate", "2025年1月23日")]
    assert blocks[-3] == ("p", "BodyKeepWithSignature", make_report().paragraphs("六")[-1])
    assert rendered.body[-1].tag == w("sectPr")
    # one blank line above the agency, the date right below it; the signature never stands alone
    spacing = rendered.styles["Signature"].find("w:pPr/w:spacing", NS)
    assert spacing.get(w("before")) == spacing.get(w("line")) == "579"
    assert rendered.styles["SignatureDate"].find("w:pPr/w:spacing", NS).get(w("before")) == "0"
    for style in ("BodyKeepWithSignature", "Signature"):
        assert rendered.styles[style].find("w:pPr/w:keepNext", NS) is not None


def narrative(rendered: Rendered, number: str) -> list[etree._Element]:
    """The paragraphs between a section heading and the next heading (or the signature)."""
    title = next(s.title for s in form.FORM_2021.sections if s.number == number)
    children = list(rendered.body)
    start = next(i for i, c in enumerate(children) if c.tag == w("p") and paragraph_text(c) == title) + 1
    out = []
    for child in children[start:]:
        if child.tag != w("p") or paragraph_style(child) in ("Heading1", "Signature"):
            break
        out.append(child)
    return out


@pytest.mark.parametrize("number", ["一", "五", "六"])
def test_each_narrative_paragraph_is_its_own_paragraph(rendered, report, number):
    assert [paragraph_text(p) for p in narrative(rendered, number)] == list(report.paragraphs(number))


def test_opening_follows_the_title(rendered, report):
    blocks = rendered.blocks()
    assert [text for _, _, text in blocks[1 : 1 + len(report.paragraphs(form.OPENING))]] == list(
        report.paragraphs(form.OPENING)
    )
    assert blocks[1][1] == "Normal"


def test_lead_ins_take_their_heading_font_within_one_paragraph(rendered):
    paragraphs = narrative(rendered, "一")
    assert [paragraph_style(p) for p in paragraphs] == ["Normal", "Normal", "Heading2", "Normal", "Normal", "Normal", "Normal"]
    assert runs(paragraphs[0]) == [(None, "2024年，本机关坚持以人民为中心，全力推进政府信息公开工作。")]
    assert runs(paragraphs[1]) == [("Heading2Char", "（一）主动公开。"), (None, LONG_BODY)]
    assert runs(paragraphs[2]) == [(None, "（二）依申请公开")]  # a bare heading: the heading style
    assert runs(paragraphs[3]) == [(None, LONG_BODY)]
    assert runs(paragraphs[4]) == [("Heading3Char", "1.规范管理。"), (None, LONG_BODY)]
    assert runs(paragraphs[5])[0] == ("Heading4Char", "（1）细化：")
    assert runs(paragraphs[6])[0] == ("Heading1Char", "二、补充说明。")
    assert rendered.style_font("Heading2Char") == ("楷体_GB2312", 32)
    assert rendered.style_font("Heading1Char") == ("黑体", 32)
    assert rendered.style_font("Heading3Char") == ("仿宋_GB2312", 32)
    assert rendered.style_font("Heading2") == ("楷体_GB2312", 32)
    assert rendered.style_font("Normal") == ("仿宋_GB2312", 32)


# ---------------------------------------------------------------- literal text


def test_user_text_arrives_literally(rendered):
    paragraph = narrative(rendered, "一")[5]
    assert paragraph_text(paragraph) == "（1）细化：" + LITERAL
    text = paragraph_text(paragraph)
    for piece in ("{{ x }}", "{% if %}", "{# c #}", "{_{ y }_}", "{_% z %_}", "A&B <c>", "😀", "𠀀", "\t"):
        assert piece in text


def test_special_characters_in_the_agency_name(word_template):
    agency = "A&B<局>{{ agency }}\x07"
    blocks = Rendered(render_docx(make_report(agency=agency), word_template)).blocks()
    assert blocks[0][2].replace("\n", "") == "A&B<局>{{ agency }}2024年政府信息公开工作年度报告"
    assert blocks[-2] == ("p", "Signature", "A&B<局>{{ agency }}")


# ---------------------------------------------------------------- tables

# (gridSpan, vMerge) of every w:tc, row by row, written out from the official format
# (official-format.md §3–5), not from gaidocx.core.form.
ONE = (1, None)
FULL_2 = [(4, None)]
CONTENT_2 = [ONE, (3, None)]
TABLE_2_MERGES = [
    FULL_2,  # 第二十条第（一）项
    [ONE, ONE, ONE, ONE],  # 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
    [ONE, ONE, ONE, ONE],  # 规章
    [ONE, ONE, ONE, ONE],  # 行政规范性文件
    FULL_2,  # 第二十条第（五）项
    CONTENT_2,  # 信息内容 | 本年处理决定数量
    CONTENT_2,  # 行政许可
    FULL_2,  # 第二十条第（六）项
    CONTENT_2,  # 信息内容 | 本年处理决定数量
    CONTENT_2,  # 行政处罚
    CONTENT_2,  # 行政强制
    FULL_2,  # 第二十条第（八）项
    CONTENT_2,  # 信息内容 | 本年收费金额（单位：万元）
    CONTENT_2,  # 行政事业性收费
]
VALUES_3 = [ONE] * 7
R, C = "restart", "continue"
TABLE_3_MERGES = [
    [(3, R), (7, None)],  # corner | 申请人情况
    [(3, C), (1, R), (5, None), (1, R)],  # 自然人 | 法人或其他组织 | 总计
    [(3, C), (1, C), ONE, ONE, ONE, ONE, ONE, (1, C)],  # 商业企业 … 其他
    [(3, None)] + VALUES_3,  # 一、本年新收
    [(3, None)] + VALUES_3,  # 二、上年结转
    [(1, R), (2, None)] + VALUES_3,  # 三、本年度办理结果 | （一）予以公开
    [(1, C), (2, None)] + VALUES_3,  # （二）部分公开
    [(1, C), (1, R), ONE] + VALUES_3,  # （三）不予公开 | 1.属于国家秘密
    [(1, C), (1, C), ONE] + VALUES_3,  # 2.
    [(1, C), (1, C), ONE] + VALUES_3,  # 3.
    [(1, C), (1, C), ONE] + VALUES_3,  # 4.
    [(1, C), (1, C), ONE] + VALUES_3,  # 5.
    [(1, C), (1, C), ONE] + VALUES_3,  # 6.
    [(1, C), (1, C), ONE] + VALUES_3,  # 7.
    [(1, C), (1, C), ONE] + VALUES_3,  # 8.属于行政查询事项
    [(1, C), (1, R), ONE] + VALUES_3,  # （四）无法提供 | 1.
    [(1, C), (1, C), ONE] + VALUES_3,  # 2.
    [(1, C), (1, C), ONE] + VALUES_3,  # 3.
    [(1, C), (1, R), ONE] + VALUES_3,  # （五）不予处理 | 1.
    [(1, C), (1, C), ONE] + VALUES_3,  # 2.
    [(1, C), (1, C), ONE] + VALUES_3,  # 3.
    [(1, C), (1, C), ONE] + VALUES_3,  # 4.
    [(1, C), (1, C), ONE] + VALUES_3,  # 5.
    [(1, C), (1, R), ONE] + VALUES_3,  # （六）其他处理 | 1.
    [(1, C), (1, C), ONE] + VALUES_3,  # 2.
    [(1, C), (1, C), ONE] + VALUES_3,  # 3.其他
    [(1, C), (2, None)] + VALUES_3,  # （七）总计
    [(3, None)] + VALUES_3,  # 四、结转下年度继续办理
]
TABLE_4_MERGES = [
    [(5, None), (10, None)],  # 行政复议 | 行政诉讼
    [(1, R)] * 5 + [(5, None), (5, None)],  # 结果维持 … 总计 | 未经复议直接起诉 | 复议后起诉
    [(1, C)] * 5 + [ONE] * 10,  # 结果维持 … 总计, twice
    [ONE] * 15,  # the 15 values
]


def merge_map(tbl) -> list[list[tuple[int, str | None]]]:
    out = []
    for tr in tbl.findall(w("tr")):
        row = []
        for tc in tr.findall(w("tc")):
            span = tc.find("w:tcPr/w:gridSpan", NS)
            merge = tc.find("w:tcPr/w:vMerge", NS)
            row.append(
                (
                    int(span.get(w("val"))) if span is not None else 1,
                    None if merge is None else merge.get(w("val"), "continue"),
                )
            )
        out.append(row)
    return out


def grid(tbl) -> dict[tuple[int, int], etree._Element]:
    """(row, first grid column) → w:tc."""
    cells = {}
    for r, tr in enumerate(tbl.findall(w("tr"))):
        col = 0
        for tc in tr.findall(w("tc")):
            cells[(r, col)] = tc
            span = tc.find("w:tcPr/w:gridSpan", NS)
            col += int(span.get(w("val"))) if span is not None else 1
    return cells


def cell_text(tc) -> str:
    return "".join(paragraph_text(p) for p in tc.findall(w("p")))


@pytest.mark.parametrize(
    "index, expected", [(0, TABLE_2_MERGES), (1, TABLE_3_MERGES), (2, TABLE_4_MERGES)], ids=["二", "三", "四"]
)
def test_merges_follow_the_official_tables(rendered, index, expected):
    assert merge_map(rendered.tables()[index]) == expected


@pytest.mark.parametrize("index", [0, 1, 2], ids=["二", "三", "四"])
def test_widths_fill_the_text_block_consistently(rendered, index):
    tbl = rendered.tables()[index]
    cols = [int(c.get(w("w"))) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(cols) == 8844
    assert tbl.find("w:tblPr/w:tblW", NS).get(w("w")) == "8844"
    assert tbl.find("w:tblPr/w:tblLayout", NS).get(w("type")) == "fixed"
    for (row, col), tc in grid(tbl).items():
        span = tc.find("w:tcPr/w:gridSpan", NS)
        n = int(span.get(w("val"))) if span is not None else 1
        assert int(tc.find("w:tcPr/w:tcW", NS).get(w("w"))) == sum(cols[col : col + n]), (row, col)
        assert tc.find("w:tcPr/w:vAlign", NS).get(w("val")) == "center"


def test_every_accepted_figure_fits_on_one_line():
    # Table 四's 15 columns hold 6 digits, not all 8 the checks accept (they warn well before).
    for table in form.FORM_2021.tables:
        for f in table.fields:
            assert figure_capacity(f) >= (6 if table is form.FORM_2021.table("四") else len(str(form.MAX_VALUE))), f.key


def test_table_four_figures_get_narrow_padding_and_labels_still_wrap_two_by_two(rendered):
    cells = grid(rendered.tables()[2])
    for f in form.FORM_2021.table("四").fields:
        margins = cells[(f.row, f.col)].find("w:tcPr/w:tcMar", NS)
        padding = sum(int(margins.find(w(side), NS).get(w("w"))) for side in ("left", "right"))
        assert COLUMN_WIDTHS["四"][f.col] - padding >= 6 * TABLE_SIZE * 10 // 2, f.key  # 6 digits
    for label in form.FORM_2021.table("四").labels:
        assert cells[(label.row, label.col)].find("w:tcPr/w:tcMar", NS) is None, label.text
    # 结果维持 wraps as 结果 / 维持: two 9 pt characters fit a label cell, three do not
    usable = min(COLUMN_WIDTHS["四"]) - 2 * TABLE_CELL_MARGIN
    assert 2 * TABLE_SIZE * 10 <= usable < 3 * TABLE_SIZE * 10
    for tbl in rendered.tables()[:2]:  # tables 二 and 三 keep the table-wide padding
        assert tbl.find(".//w:tcMar", NS) is None


def test_table_three_first_column_is_narrow(rendered):
    cols = [int(c.get(w("w"))) for c in rendered.tables()[1].findall("w:tblGrid/w:gridCol", NS)]
    assert cols[0] <= 2 * 180 + 2 * 60  # two 9 pt characters and the cell padding


@pytest.mark.parametrize("index, header_rows", [(0, 0), (1, 3), (2, 3)], ids=["二", "三", "四"])
def test_header_rows_repeat_and_no_row_splits(rendered, index, header_rows):
    for r, tr in enumerate(rendered.tables()[index].findall(w("tr"))):
        assert tr.find("w:trPr/w:cantSplit", NS) is not None
        assert (tr.find("w:trPr/w:tblHeader", NS) is not None) == (r < header_rows), r


def kept_rows(tbl) -> list[int]:
    """Rows whose every paragraph keeps with the next (the row stays with the row below)."""
    rows = []
    for r, tr in enumerate(tbl.findall(w("tr"))):
        paragraphs = tr.findall(".//w:p", NS)
        if all(p.find("w:pPr/w:keepNext", NS) is not None for p in paragraphs):
            rows.append(r)
        else:
            assert not any(p.find("w:pPr/w:keepNext", NS) is not None for p in paragraphs), r
    return rows


def test_where_tables_may_break_between_pages(rendered):
    two, three, four = (tbl for tbl in rendered.tables())
    # 表二 breaks only before a group (第二十条第（五）项, （六）, （八）).
    assert [r for r in range(14) if r not in kept_rows(two)] == [3, 6, 10, 13]
    # 表三: the header rows stay with the first row below them; the results break between their
    # groups（一）…（七）, never inside （三）不予公开 etc., and not before the tall 三、本年度办理结果
    # column has room for its whole label (5 lines of 2 characters: 4 rows).
    breaks_before = [r + 1 for r in range(27) if r not in kept_rows(three)]
    assert breaks_before == [4, 5, 15, 18, 23, 26, 27]
    # 表四 stays whole.
    assert kept_rows(four) == [0, 1, 2]


def test_a_blank_line_between_a_table_and_the_next_heading(rendered):
    after_table = set()
    children = list(rendered.body)
    for previous, child in zip(children, children[1:]):
        if previous.tag == w("tbl"):
            after_table.add(paragraph_text(child))
            assert child.find("w:pPr/w:spacing", NS).get(w("before")) == rendered.styles["Normal"].find(
                "w:pPr/w:spacing", NS
            ).get(w("line"))
    assert after_table == {s.title for s in form.FORM_2021.sections[2:5]}
    for child in children:  # no other paragraph has space before it
        if child.tag == w("p") and paragraph_text(child) not in after_table:
            assert child.find("w:pPr/w:spacing", NS) is None, paragraph_text(child)


def test_body_paragraphs_have_widow_and_orphan_control(rendered):
    widow = rendered.styles["Normal"].find("w:pPr/w:widowControl", NS)
    assert widow is not None and widow.get(w("val")) in (None, "1", "true")
    for style in ("Heading1", "Heading2", "BodyKeepWithSignature"):  # based on Normal, not switching it off
        assert rendered.styles[style].find("w:pPr/w:widowControl", NS) is None


def test_every_figure_sits_in_its_cell(rendered, report):
    figures = report.figures()
    for tbl, table in zip(rendered.tables(), form.FORM_2021.tables):
        cells = grid(tbl)
        for f in table.fields:
            assert cell_text(cells[(f.row, f.col)]) == format_figure(figures[f.key], f.kind), f.key


def test_figures_spot_checked_by_hand(rendered, report):
    t2, t3, t4 = (grid(tbl) for tbl in rendered.tables())
    inputs = report.inputs
    assert cell_text(t2[(2, 1)]) == "1001"  # 规章 × 本年制发件数, the first input
    assert cell_text(t2[(13, 1)]) == "12.3456"  # 行政事业性收费, 万元
    first_row = [inputs[f"t3.r1.c{c}"] for c in range(1, 7)]
    assert cell_text(t3[(3, 9)]) == str(sum(first_row))  # 一、本年新收 × 总计
    partly = sum(inputs[f"t3.r{r}.c1"] for r in range(3, 24))
    assert cell_text(t3[(26, 3)]) == str(partly)  # （七）总计 × 自然人
    assert cell_text(t4[(3, 4)]) == str(sum(inputs[f"t4.r1.c{c}"] for c in range(1, 5)))  # 复议 总计


def test_every_label_sits_in_its_cell(rendered):
    for tbl, table in zip(rendered.tables(), form.FORM_2021.tables):
        cells = grid(tbl)
        for label in table.labels:
            assert cell_text(cells[(label.row, label.col)]).replace("\n", "") == label.text
            for row in range(label.row + 1, label.row + label.rowspan):
                assert cell_text(cells[(row, label.col)]) == ""  # the merge continues, empty


def test_grouped_result_labels_break_after_their_number(rendered):
    cells = grid(rendered.tables()[1])
    assert cell_text(cells[(7, 1)]) == "（三）\n不予公开"
    assert cell_text(cells[(6, 1)]) == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"


# ---------------------------------------------------------------- styles and page


EXPECTED_FONTS = {
    "Normal": ("仿宋_GB2312", 32),
    "Title": ("方正小标宋简体", 44),
    "Heading1": ("黑体", 32),
    "Heading2": ("楷体_GB2312", 32),
    "Heading3": ("仿宋_GB2312", 32),
    "Heading4": ("仿宋_GB2312", 32),
    "Heading1Char": ("黑体", 32),
    "Heading2Char": ("楷体_GB2312", 32),
    "Heading3Char": ("仿宋_GB2312", 32),
    "Heading4Char": ("仿宋_GB2312", 32),
    "TableText": ("仿宋_GB2312", 18),
    "TableTextLeft": ("仿宋_GB2312", 18),
    "BodyKeepWithSignature": ("仿宋_GB2312", 32),
    "Signature": ("仿宋_GB2312", 32),
    "SignatureDate": ("仿宋_GB2312", 32),
    "Footer": ("宋体", 28),
    "PageNumberOdd": ("宋体", 28),
    "PageNumberEven": ("宋体", 28),
    "ReportTable": ("仿宋_GB2312", 18),
}


def test_each_style_names_its_fonts_explicitly(rendered):
    assert set(rendered.styles) == set(EXPECTED_FONTS)
    for style_id, (font, size) in EXPECTED_FONTS.items():
        style = rendered.styles[style_id]
        fonts = style.find("w:rPr/w:rFonts", NS)
        assert fonts.get(w("eastAsia")) == font, style_id
        latin = "宋体" if style_id in ("Footer", "PageNumberOdd", "PageNumberEven") else "Times New Roman"
        assert fonts.get(w("ascii")) == fonts.get(w("hAnsi")) == latin, style_id
        assert int(style.find("w:rPr/w:sz", NS).get(w("val"))) == size, style_id
        assert style.find("w:rPr/w:lang", NS).get(w("eastAsia")) == "zh-CN", style_id
    styles_xml = etree.tostring(rendered.parts["word/styles.xml"]).decode()
    assert "Theme" not in styles_xml
    defaults = rendered.parts["word/styles.xml"].find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:rFonts", NS).get(w("eastAsia")) == "仿宋_GB2312"


def test_no_direct_run_formatting_in_the_body(rendered):
    for rpr in rendered.body.iter(w("rPr")):
        assert [child.tag for child in rpr] == [w("rStyle")]


def test_body_paragraph_style(rendered):
    ppr = rendered.styles["Normal"].find(w("pPr"))
    spacing = ppr.find(w("spacing"))
    assert (spacing.get(w("before")), spacing.get(w("after")), spacing.get(w("lineRule"))) == ("0", "0", "exact")
    assert abs(int(spacing.get(w("line"))) / 20 - 28.95) < 0.1
    assert ppr.find(w("ind")).get(w("firstLineChars")) == "200"
    assert rendered.styles["Title"].find("w:pPr/w:jc", NS).get(w("val")) == "center"
    assert rendered.styles["SignatureDate"].find("w:pPr/w:ind", NS).get(w("rightChars")) == "400"


def test_page_setup(rendered):
    sect = rendered.body.find(w("sectPr"))
    size = sect.find(w("pgSz"))
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")
    margins = sect.find(w("pgMar"))
    mm = {side: round(int(margins.get(w(side))) * 25.4 / 1440) for side in ("top", "bottom", "left", "right")}
    assert mm == {"top": 37, "bottom": 35, "left": 28, "right": 26}
    grid_ = sect.find(w("docGrid"))
    assert grid_.get(w("type")) == "linesAndChars"
    assert int(grid_.get(w("linePitch"))) * 22 <= 16838 - 2098 - 1984
    pitch = 16 + int(grid_.get(w("charSpace"))) / 4096
    assert int(8844 / 20 / pitch) == 28
    settings = rendered.parts["word/settings.xml"]
    assert settings.find(w("evenAndOddHeaders")) is not None
    assert settings.find(w("themeFontLang")).get(w("eastAsia")) == "zh-CN"


def test_page_numbers_alternate_sides(rendered):
    rels = {
        r.get("Id"): r.get("Target") for r in rendered.parts["word/_rels/document.xml.rels"]
    }
    refs = {ref.get(w("type")): rels[ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")]
            for ref in rendered.body.find(w("sectPr")).findall(w("footerReference"))}
    assert set(refs) == {"default", "even"}
    for kind, style, jc, inset in (("default", "PageNumberOdd", "right", "right"), ("even", "PageNumberEven", "left", "left")):
        footer = rendered.parts["word/" + refs[kind]]
        p = footer.find(w("p"))
        assert paragraph_style(p) == style
        assert paragraph_text(p) == "— 1 —"
        assert "PAGE" in "".join(t.text for t in footer.iter(w("instrText")))
        ppr = rendered.styles[style].find(w("pPr"))
        assert ppr.find(w("jc")).get(w("val")) == jc
        assert int(ppr.find(w("ind")).get(w(inset))) == 280  # one 14 pt character


# ---------------------------------------------------------------- errors


def custom_template(tmp_path, old: str, new: str, part: str = "word/document.xml", **more: str):
    """The default template with ``old`` replaced by ``new`` in ``part``; ``more`` are further
    replacements in the body, ``{"{{ t4.r1.c1 }}": …}`` given as ``t4_r1_c1=…``."""
    replacements = {old: new, **{"{{ " + key.replace("_", ".") + " }}": value for key, value in more.items()}}
    source = zipfile.ZipFile(io.BytesIO(build_word_template()))
    path = tmp_path / "custom.docx"
    with zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                for before, after in replacements.items():
                    assert before.encode() in data
                    data = data.replace(before.encode(), after.encode(), 1)
            target.writestr(info, data)
    return path


def test_an_unknown_variable_in_a_custom_template_is_a_template_problem(tmp_path, report):
    path = custom_template(tmp_path, "{{ agency }}", "{{ agency }}{{ 机关简称 }}")
    with pytest.raises(TemplateProblem, match="没有对应的数据") as caught:
        render_docx(report, path)
    assert "机关简称" in str(caught.value)


def test_bad_template_syntax_is_a_template_problem(tmp_path, report):
    path = custom_template(tmp_path, "{{ agency }}", "{% if agency %}{{ agency }}")
    with pytest.raises(TemplateProblem, match="语法错误"):
        render_docx(report, path)


def test_the_default_body_is_filled_without_a_new_tree_and_a_column_loop_is_repaired(tmp_path, report):
    """No statement sits in a table of the default template, so its body needs no repair; a
    ``{%tc %}`` loop that adds a cell to a row gets docxtpl's repair: one more grid column."""
    from gaidocx.document.render import prepare_template

    assert prepare_template(None).filled[0].fixed_shape
    path = custom_template(
        tmp_path, "{{ t4.r1.c1 }}", "{%tc for i in range(4) %}", t4_r1_c3="{%tc endfor %}"
    )
    assert not prepare_template(path).filled[0].fixed_shape
    table_4 = Rendered(render_docx(report, path)).tables()[-1]
    widest = max(
        sum(int(c.findtext("w:tcPr/w:gridSpan[@w:val]", namespaces=NS) or 1) for c in row.findall(w("tc")))
        for row in table_4.findall(w("tr"))
    )
    columns = len(table_4.findall(f"{w('tblGrid')}/{w('gridCol')}"))
    assert widest == columns == 16
    figure = format_figure(report.figures()["t4.r1.c2"], form.FORM_2021.fields["t4.r1.c2"].kind)
    assert [paragraph_text(c) for c in table_4.findall(w("tr"))[-1].findall(w("tc"))][:4] == [figure] * 4


@pytest.mark.parametrize(
    ("old", "new", "more"),
    [
        # {%p if %} ends a paragraph early and {% endif %} closes inside another's text
        ("{{ title }}", "{%p if false %}", {"agency": "{{ agency }}{% endif %}"}),
        # |safe writes markup of its own: an element in an undeclared namespace
        ("{{ agency }}", "{{ '\\x3cx:y/\\x3e'|safe }}", {}),
    ],
    ids=["unbalanced-tags", "safe-markup"],
)
def test_a_template_whose_filling_breaks_the_xml_is_a_template_problem(tmp_path, report, old, new, more):
    """A user's template is parsed after every filling, even one whose tables no loop changes."""
    path = custom_template(tmp_path, old, new, **more)
    from gaidocx.document.render import prepare_template

    assert prepare_template(path).filled[0].fixed_shape
    with pytest.raises(TemplateProblem, match="文档结构无效"):
        render_docx(report, path)


def test_a_cell_written_by_safe_markup_is_repaired_as_docxtpl_repairs_it(tmp_path, report):
    path = custom_template(tmp_path, "{{ t4.r1.c1 }}", "{{ '\\x3c/w:t\\x3e\\x3c/w:r\\x3e\\x3c/w:p\\x3e\\x3c/w:tc\\x3e\\x3cw:tc\\x3e\\x3cw:p\\x3e\\x3cw:r\\x3e\\x3cw:t\\x3e'|safe }}")
    table_4 = Rendered(render_docx(report, path)).tables()[-1]
    assert len(table_4.findall(f"{w('tblGrid')}/{w('gridCol')}")) == 16


def test_a_missing_or_broken_template_is_a_template_problem(tmp_path, report):
    with pytest.raises(TemplateProblem, match="找不到"):
        render_docx(report, tmp_path / "absent.docx")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(TemplateProblem, match="不是有效的"):
        render_docx(report, broken)


def test_an_incomplete_report_is_refused(word_template):
    report = make_report()
    inputs = dict(report.inputs)
    del inputs["t3.r5.c2"]
    with pytest.raises(IncompleteReport, match="缺少"):
        render_docx(make_report(inputs=inputs), word_template)
    with pytest.raises(IncompleteReport, match="成文日期"):
        render_docx(make_report(signed_on=None), word_template)


def test_a_custom_template_cannot_run_commands(tmp_path, report):
    marker = tmp_path / "pwned"
    payload = "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    path = custom_template(tmp_path, "{{ agency }}", payload)
    with pytest.raises(TemplateProblem, match="报告数据以外的内容.*已被拒绝") as caught:
        render_docx(report, path)
    assert not marker.exists()
    assert "__init__" in str(caught.value)  # Jinja's own words, as a hint
    assert isinstance(caught.value.__cause__, SecurityError)


@pytest.mark.parametrize(
    "expression, problem, detail",
    [
        ("{{ 1/0 }}", "除以了零", "ZeroDivisionError"),
        ("{{ t3.r1.c1 + 1 }}", "不支持的运算", "TypeError"),
    ],
    ids=["division-by-zero", "markup-plus-int"],
)
def test_a_runtime_error_in_a_custom_template_is_a_template_problem(tmp_path, report, expression, problem, detail):
    path = custom_template(tmp_path, "{{ agency }}", "签名" + expression)
    with pytest.raises(TemplateProblem, match=problem) as caught:
        render_docx(report, path)
    message = str(caught.value)
    assert f"出错位置附近的文字：“签名{expression}”" in message
    assert message.endswith("）") and f"（详情：{detail}: " in message


def test_tags_in_a_custom_templates_core_properties_are_filled_with_plain_text(tmp_path):
    agency = "A&B<局>{{ x }}" + "长" * 300
    path = custom_template(
        tmp_path, "<dc:subject>", "<dc:subject>{{ title }}｜{{ date }}｜", part="docProps/core.xml"
    )
    core = Rendered(render_docx(make_report(agency=agency), path)).parts["docProps/core.xml"]
    subject = core.find(f"{DC}subject").text
    assert subject.startswith("A&B<局>{{ x }}长长") and subject.endswith("…")  # not A&amp;B, no line break
    assert len(subject) == PROPERTY_MAX_CHARS
    path = custom_template(tmp_path, "<dc:subject>", "<dc:subject>{{ 1/0 }}", part="docProps/core.xml")
    with pytest.raises(TemplateProblem, match="除以了零"):
        render_docx(make_report(), path)

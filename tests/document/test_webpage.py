"""The report as a web page (``render --html``): parsed back, then loaded in a real browser.

The unit tests parse the page with the standard library's HTML parser; the browser tests load
it in headless Chromium through selenium, read the rendered DOM back with JavaScript and run
axe-core on it.  They are skipped only where Chromium, chromedriver or selenium is missing.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import ROOT, SAMPLE_WORKBOOK, load_script, sample_report, varied_report

from gaidocx.cli import cli
from gaidocx.core import form
from gaidocx.core.form import FORM_2021, OPENING, TRIAL_FORM_2019, Label, Table
from gaidocx.core.narrative import parse_paragraph
from gaidocx.core.report import Report, format_figure
from gaidocx.document.build import figure_capacity
from gaidocx.core.report import IncompleteReport
from gaidocx.document.html import PASTE_END, PASTE_START, REPORT_ID, header_labels, render_article, render_html

script = load_script("make_html_screenshot")

HOSTILE = "<script>window.pwned=1</script> A&B &amp; \"q\" 'a' {{ x }} {% if %} <b>粗</b> ]]> <!-- c -->"


# ---------------------------------------------------------------- a small DOM from html.parser

_VOID = {"meta", "col", "br", "wbr", "img", "link", "input", "hr", "source"}


@dataclasses.dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def find(self, tag: str) -> Node | None:
        return next(self.iter(tag), None)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.declarations: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(page: str) -> _Builder:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder


def grid(table: Node) -> dict[tuple[int, int], tuple[Node, int, int]]:
    """Each cell's origin in the table grid, placed as browsers place rowspan/colspan cells:
    ``{(row, col): (cell, rowspan, colspan)}``."""
    placed: dict[tuple[int, int], tuple[Node, int, int]] = {}
    taken: set[tuple[int, int]] = set()
    for row, tr in enumerate(table.iter("tr")):
        col = 0
        for cell in (c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")):
            while (row, col) in taken:
                col += 1
            rowspan, colspan = int(cell.attrs.get("rowspan", 1)), int(cell.attrs.get("colspan", 1))
            placed[(row, col)] = (cell, rowspan, colspan)
            taken.update((row + r, col + c) for r in range(rowspan) for c in range(colspan))
            col += colspan
    return placed


def make_report(**changes) -> Report:
    """The varied report (a distinct figure in every cell) with headings of every level."""
    narratives = {
        OPENING: form.opening_skeleton(2024),
        "一": (
            "2024年，本机关全力推进政府信息公开工作。",
            "（一）主动公开。围绕中心，服务大局。",
            "（二）依申请公开",
            "1.规范管理。细化流程。",
            "（1）细化：分类办理。",
            "一、补充说明。如下。",
        ),
        "五": ("（一）存在的主要问题。人手不足。", "（二）改进情况。加强培训。"),
        "六": ("（一）信息处理费收取情况。本机关本年度发出收费通知0件，收费金额0元；实际收取信息处理费0元。",),
    }
    return dataclasses.replace(varied_report(), **{"narratives": narratives, **changes})


def printed(report: Report) -> dict[str, str]:
    fields = report.form.fields
    return {key: format_figure(value, fields[key].kind) for key, value in report.figures().items()}


# ---------------------------------------------------------------- the page


def test_a_self_contained_utf8_chinese_page():
    page = render_html(make_report())
    document = parse(page)
    assert document.declarations == ["DOCTYPE html"]
    html = document.root.find("html")
    assert html.attrs["lang"] == "zh-CN"
    assert html.find("meta").attrs == {"charset": "utf-8"}
    assert html.find("title").text() == form.title("策勒县人民政府办公室", 2024)
    # nothing to fetch: no scripts, links, images, frames, imports or url()s
    for tag in ("script", "link", "img", "iframe", "object", "embed", "svg", "base"):
        assert html.find(tag) is None, tag
    assert not re.search(r"\b(src|href)\s*=|url\(|@import", page)
    # print rules for A4 with the official margins
    css = html.find("style").text()
    assert "size: A4" in css and "margin: 37mm 26mm 35mm 28mm" in css and "@media print" in css


def test_the_report_is_one_element_holding_everything():
    report = make_report()
    document = parse(render_html(report))
    (article,) = [node for node in document.root.iter() if node.attrs.get("id") == REPORT_ID]
    assert article.tag == "article"
    body = document.root.find("main")
    assert [c for c in body.children if isinstance(c, Node)] == [article]
    text = article.text()
    for needle in (
        form.title(report.agency, report.year),
        *(section.title for section in report.form.sections),
        *(p for place in report.narratives for p in report.paragraphs(place)),
        "2025年1月23日",
    ):
        assert needle in text, needle
    # the article alone is what render_article gives, for pasting into a CMS; comments mark
    # its inner HTML for whoever copies it from a text editor
    assert render_article(report) in render_html(report)
    inner = render_article(report).split(PASTE_START, 1)[1].split(PASTE_END, 1)[0]
    assert render_article(report) == f'<article id="{REPORT_ID}">\n{PASTE_START}{inner}{PASTE_END}\n</article>'
    assert inner.count("<table") == 3 and "<h1" in inner and report.agency in inner


def test_paragraphs_lead_ins_and_headings_as_in_the_docx():
    report = make_report()
    article = parse(render_article(report)).root.find("article")
    blocks = [n for n in article.children if isinstance(n, Node) and n.tag != "table"]
    h1, *rest, signature, date = blocks
    assert h1.tag == "h1" and h1.text() == form.title(report.agency, report.year)
    assert (signature.text(), date.text()) == (report.agency, form.chinese_date(2025, 1, 23))
    assert "text-align:right" in signature.attrs["style"] and "text-align:right" in date.attrs["style"]
    expected = [*report.paragraphs(OPENING)]
    for section in report.form.sections:
        if section.table is None:
            expected += [section.title, *report.paragraphs(section.number)]
    assert [b.text() for b in rest] == expected
    levels = []
    for block, text in zip(rest, expected):
        parsed = parse_paragraph(text)
        if block.tag == "p":
            spans = [c for c in block.children if isinstance(c, Node)]
            if parsed.level:
                (span,) = spans
                assert span.text() == parsed.lead and span.attrs["class"] == f"level-{parsed.level}"
            else:
                assert spans == []
        else:
            levels.append(int(block.tag[1]))
            assert parsed.is_bare_heading or text in {s.title for s in report.form.sections}
    # a bare （二） heading is a level below its section; headings never skip a level
    assert [b.tag for b in rest if b.text() == "（二）依申请公开"] == ["h3"]
    for before, after in zip([2, *levels], levels):
        assert after <= before + 1
    # 黑体 section headings and lead-ins, 楷体 （一） lead-ins, inline so a CMS keeps them
    assert "黑体" in rest[len(report.paragraphs(OPENING))].attrs["style"]
    kai = next(n for n in article.iter("span") if n.attrs.get("class") == "level-2")
    assert "楷体" in kai.attrs["style"]


@pytest.mark.parametrize("form_", [FORM_2021, TRIAL_FORM_2019], ids=["2021", "trial-2019"])
def test_every_label_and_figure_sits_where_the_form_puts_it(form_):
    report = make_report(form=form_)
    if form_ is not FORM_2021:  # its rows are numbered differently: a distinct figure in each
        report = dataclasses.replace(report, inputs={f.key: i for i, f in enumerate(form_.inputs, start=7)})
    figures = printed(report)
    tables = parse(render_html(report)).root.find("article")
    html_tables = list(tables.iter("table"))
    assert len(html_tables) == len(form_.tables)
    for table, node in zip(form_.tables, html_tables):
        cells = grid(node)
        expected = {(c.row, c.col) for c in (*table.labels, *table.fields)}
        assert set(cells) == expected, table.number
        for label in table.labels:
            cell, rowspan, colspan = cells[(label.row, label.col)]
            assert (cell.tag, cell.text(), rowspan, colspan) == ("th", label.text, label.rowspan, label.colspan)
        for f in table.fields:
            cell, rowspan, colspan = cells[(f.row, f.col)]
            assert (cell.tag, cell.attrs["data-field"], rowspan, colspan) == ("td", f.key, 1, f.colspan)
            assert cell.text() == figures[f.key]
        caption = node.find("caption")
        section = next(s for s in form_.sections if s.table is table)
        assert caption is not None and caption.text() == section.title


def test_every_figure_is_tied_to_its_row_and_column_headers():
    report = make_report()
    for table, node in zip(FORM_2021.tables, parse(render_html(report)).root.find("article").iter("table")):
        by_id = {cell.attrs["id"]: cell for cell in node.iter("th")}
        cells = grid(node)
        origin = {id(cell): (r, c, rs, cs) for (r, c), (cell, rs, cs) in cells.items()}
        for f in table.fields:
            td = cells[(f.row, f.col)][0]
            heads = [by_id[i] for i in td.attrs["headers"].split()]
            above, left = [], []
            for head in heads:
                r, c, rs, cs = origin[id(head)]
                if r + rs <= f.row and c < f.col + f.colspan and f.col < c + cs:
                    above.append(head.text())
                elif c + cs <= f.col and r <= f.row < r + rs:
                    left.append(head.text())
                else:
                    pytest.fail(f"{f.key}: {head.text()} is neither above nor left of it")
            # the lowest column header is the field's column label; the row label is made of
            # the row headers (or, in table 四, of the column headers above the column label)
            assert above[-1] == f.col_label, (f.key, above)
            rest = f.row_label
            for text in sorted(left or above[:-1], key=len, reverse=True):
                rest = rest.replace(text, "")
            assert rest.strip(" （）") == "", (f.key, f.row_label, above, left)
        # header cells name their scope where it is unambiguous: tables 三 and 四's header rows
        for label in table.labels:
            th = cells[(label.row, label.col)][0]
            if label.row < table.header_rows and header_labels_include(table, label):
                assert th.attrs["scope"] == ("col" if label.colspan == 1 else "colgroup")
            elif not header_labels_include(table, label):  # table 三's corner note, table 二's 信息内容
                assert "scope" not in th.attrs
                assert label.text.startswith("（本列数据") or (label.text == form.CONTENT and label.col == 0)


def header_labels_include(table: Table, label: Label) -> bool:
    return any(label in header_labels(table, f) for f in table.fields)


def test_table_two_groups_restart_their_headers():
    """Each group of table 二 repeats 信息内容 | …: a figure is headed by its own group's row only."""
    table = FORM_2021.table("二")
    permit = next(f for f in table.fields if f.row_label == "行政许可")
    texts = [label.text for label in header_labels(table, permit)]
    assert texts == ["第二十条第（五）项", form.DECISIONS, "行政许可"]


def test_essential_styles_are_inline_for_pasting_into_a_cms():
    article = parse(render_article(make_report())).root.find("article")
    for table in article.iter("table"):
        assert table.attrs["border"] == "1" and "border-collapse:collapse" in table.attrs["style"]
        for cell in (*table.iter("th"), *table.iter("td")):
            style = cell.attrs["style"]
            assert "border:1px solid #000" in style and "vertical-align:middle" in style and "text-align:" in style
    assert "text-align:center" in article.find("h1").attrs["style"]


def test_user_text_is_escaped_everywhere():
    narratives = {OPENING: (HOSTILE,), "一": ("（一）" + HOSTILE + "。正文" + HOSTILE,), "五": (HOSTILE,), "六": (HOSTILE,)}
    report = make_report(agency=HOSTILE, narratives=narratives)
    page = render_html(report)
    assert "<script" not in page and "<b>" not in page and "<!-- c" not in page
    assert "{" not in render_article(report)  # braces as references: no CMS template syntax
    document = parse(page)
    assert document.root.find("script") is None and document.root.find("b") is None
    article = document.root.find("article")
    assert article.find("h1").text() == form.title(HOSTILE, 2024)
    texts = [p.text() for p in article.iter("p")]
    assert texts[0] == HOSTILE and texts[-2] == HOSTILE
    assert "（一）" + HOSTILE + "。正文" + HOSTILE in texts
    assert document.root.find("title").text() == form.title(HOSTILE, 2024)


def test_characters_html_cannot_hold_are_dropped():
    report = make_report(agency="某\x00机关\x0b", narratives={"六": ("信息处理费\x1f为0元。\ud800",)})
    page = render_html(report)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", page)
    assert "某机关2024年" in page and "信息处理费为0元。" in page


@pytest.mark.parametrize(
    "changes, missing",
    [
        ({"agency": " "}, "机关名称"),
        ({"year": None}, "报告年度"),
        ({"signed_on": None}, "成文日期"),
        ({"inputs": {}}, "表格数字"),
    ],
)
def test_an_incomplete_report_is_refused_in_chinese(changes, missing):
    with pytest.raises(IncompleteReport, match=missing):
        render_html(make_report(**changes))


def test_the_title_keeps_the_year_with_its_nian():
    h1 = parse(render_article(sample_report())).root.find("h1")
    (span,) = [c for c in h1.children if isinstance(c, Node)]
    assert span.text() == "2024年" and "nowrap" in span.attrs["style"]


# ---------------------------------------------------------------- the command


def test_render_html_writes_the_page_beside_the_docx(tmp_path):
    source = tmp_path / "sample.xlsx"
    source.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    result = CliRunner().invoke(cli, ["render", str(source), "--html"])
    assert result.exit_code == 0, result.output
    page = tmp_path / "策勒县人民政府办公室2024年政府信息公开工作年度报告.html"
    assert f"已生成：{page}" in result.output and page.with_suffix(".docx").is_file()
    assert page.read_text(encoding="utf-8") == render_html(sample_report())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_render_html_does_not_overwrite_without_force(tmp_path):
    output = tmp_path / "out.docx"
    page = tmp_path / "out.html"
    page.write_text("old", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(SAMPLE_WORKBOOK), "-o", str(output), "--html"])
    assert result.exit_code == 2 and "文件已存在" in result.output
    assert page.read_text(encoding="utf-8") == "old" and not output.exists()  # refused before any writing
    result = CliRunner().invoke(cli, ["render", str(SAMPLE_WORKBOOK), "-o", str(output), "--html", "--force"])
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------- the screenshot in docs/


def test_the_screenshot_was_made_from_the_current_page():
    assert script.content_digest(script.rendered_sample()) == script.DIGEST.read_text(encoding="ascii").strip(), (
        "the sample's page is different now: run python scripts/make_html_screenshot.py and commit docs/images"
    )
    assert script.SCREENSHOT.read_bytes().startswith(b"\x89PNG")


# ---------------------------------------------------------------- in a real browser

needs_browser = pytest.mark.skipif(script.browser_path() is None, reason="Chromium or chromedriver is not installed")


def axe_scripts() -> list[Path]:
    """axe-core builds available offline: $AXE_CORE_JS, the npm package in node_modules/,
    and the copy axe-selenium-python ships."""
    candidates = [Path(os.environ["AXE_CORE_JS"])] if os.environ.get("AXE_CORE_JS") else []
    candidates.append(ROOT / "node_modules" / "axe-core" / "axe.min.js")
    try:
        import axe_selenium_python
    except ImportError:
        pass
    else:
        candidates.append(Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js")
    return [path for path in dict.fromkeys(candidates) if path.is_file()]


#: Reads every table back from the rendered DOM: each cell with its grid position, as the
#: browser laid it out (rowSpan/colSpan as parsed), its text and whether its figure fits.
READ_TABLES = """
return [...document.querySelectorAll('#gaidocx-report table')].map(table => {
  const taken = new Set(); const cells = [];
  [...table.rows].forEach((tr, row) => {
    let col = 0;
    for (const cell of tr.cells) {
      while (taken.has(row + ',' + col)) col++;
      for (let r = 0; r < cell.rowSpan; r++) for (let c = 0; c < cell.colSpan; c++) taken.add((row + r) + ',' + (col + c));
      const box = cell.getBoundingClientRect();
      cells.push({tag: cell.tagName.toLowerCase(), text: cell.textContent, row, col, rowspan: cell.rowSpan,
                  colspan: cell.colSpan, field: cell.dataset.field || null, headers: cell.getAttribute('headers'),
                  fits: cell.scrollWidth <= cell.clientWidth, width: box.width, height: box.height,
                  border: getComputedStyle(cell).borderTopWidth, align: getComputedStyle(cell).textAlign});
      col += cell.colSpan;
    }
  });
  return {caption: table.caption ? table.caption.textContent : null, cells};
});
"""


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("selenium")
    if script.browser_path() is None:
        pytest.skip("Chromium or chromedriver is not installed")
    with script.browser() as driver:
        yield driver


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    """The varied report, with hostile text in the agency and every narrative."""
    narratives = {OPENING: (HOSTILE,), "一": ("（一）主动公开。" + HOSTILE,), "五": (HOSTILE,), "六": (HOSTILE,)}
    report = make_report(agency="策勒县" + HOSTILE, narratives=narratives)
    path = tmp_path_factory.mktemp("html") / "报告.html"
    path.write_text(render_html(report), encoding="utf-8")
    return report, path


@needs_browser
def test_the_browser_shows_every_figure_and_merge(browser, hostile_page):
    report, path = hostile_page
    browser.get(path.as_uri())
    figures = printed(report)
    tables = browser.execute_script(READ_TABLES)
    assert len(tables) == len(report.form.tables)
    for table, read in zip(report.form.tables, tables):
        section = next(s for s in report.form.sections if s.table is table)
        assert read["caption"] == section.title
        cells = {(c["row"], c["col"]): c for c in read["cells"]}
        assert len(cells) == len(table.labels) + len(table.fields)
        for label in table.labels:
            cell = cells[(label.row, label.col)]
            assert (cell["tag"], cell["text"], cell["rowspan"], cell["colspan"]) == (
                "th", label.text, label.rowspan, label.colspan
            )
        for f in table.fields:
            cell = cells[(f.row, f.col)]
            assert (cell["tag"], cell["field"], cell["text"], cell["colspan"]) == ("td", f.key, figures[f.key], f.colspan)
            assert cell["fits"], f"{f.key}: {cell['text']} does not fit in {cell['width']}px"
            assert cell["headers"] and cell["border"] == "1px" and cell["align"] == "center"
        for cell in read["cells"]:
            assert cell["width"] > 0 and cell["height"] > 0 and cell["fits"], cell


@needs_browser
def test_figures_as_wide_as_the_docx_holds_fit_on_one_line(browser, hostile_page):
    """Each figure cell holds as many digits as the .docx's does (8 in tables 二 and 三, 6 in 四)."""
    report, path = hostile_page
    browser.get(path.as_uri())
    capacity = {key: figure_capacity(f) for key, f in report.form.fields.items()}
    overflowing = browser.execute_script(
        "const capacity = arguments[0]; const out = [];"
        "for (const td of document.querySelectorAll('#gaidocx-report td[data-field]')) {"
        "  td.textContent = '9'.repeat(Math.min(capacity[td.dataset.field], 12));"
        "  const text = document.createRange(); text.selectNodeContents(td);"
        "  if (td.scrollWidth > td.clientWidth || text.getClientRects().length !== 1) out.push(td.dataset.field);"
        "}"
        "return out;",
        capacity,
    )
    assert overflowing == []


@needs_browser
def test_hostile_text_is_only_text_in_the_browser(browser, hostile_page):
    report, path = hostile_page
    browser.get(path.as_uri())
    assert browser.execute_script("return window.pwned") is None
    assert browser.execute_script("return document.scripts.length") == 0
    assert browser.title == form.title(report.agency, 2024)
    texts = browser.execute_script("return [...document.querySelectorAll('#gaidocx-report p')].map(p => p.textContent)")
    assert texts[0] == HOSTILE and texts[-2] == report.agency
    assert "（一）主动公开。" + HOSTILE in texts


@needs_browser
def test_the_pasted_article_keeps_borders_and_alignment(browser, hostile_page, tmp_path):
    """What a CMS gets: the article's inner HTML in a page without our stylesheet."""
    report, path = hostile_page
    browser.get(path.as_uri())
    inner = browser.execute_script(f"return document.getElementById('{REPORT_ID}').innerHTML")
    bare = tmp_path / "cms.html"
    bare.write_text(f'<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>CMS</title><body>{inner}</body></html>', encoding="utf-8")
    browser.get(bare.as_uri())
    tables = browser.execute_script(READ_TABLES.replace("#gaidocx-report ", ""))
    assert len(tables) == 3
    for read in tables:
        for cell in read["cells"]:
            assert cell["border"] == "1px" and cell["align"] in ("center", "left"), cell
    heading = browser.execute_script("return getComputedStyle(document.querySelector('h1')).textAlign")
    assert heading == "center"


@needs_browser
def test_print_is_a4_with_page_numbers(browser, hostile_page):
    pdfplumber = pytest.importorskip("pdfplumber")
    report, path = hostile_page
    browser.get(path.as_uri())
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False})
    with pdfplumber.open(io.BytesIO(base64.b64decode(pdf["data"]))) as document:
        pages = document.pages
        assert len(pages) >= 3
        for number, page in enumerate(pages, start=1):
            assert (round(page.width), round(page.height)) == (595, 842)  # A4 in points
            assert f"— {number} —" in (page.extract_text() or "")
        # table 三 is kept on one page
        # (Chromium's PDF maps some CJK glyphs to Kangxi radicals: 人 reads back as ⼈; these do not)
        with_table_three = [p for p in pages if "勾稽关系" in (p.extract_text() or "")]
        assert len(with_table_three) == 1 and "结转下年度继续办理" in with_table_three[0].extract_text()


@needs_browser
def axe_version(path: Path | None) -> str:
    """``axe-core-4.14.1``: the version the script declares (for test ids)."""
    if path is None:
        return "none"
    found = re.search(r'version="(\d+\.\d+\.\d+)"', path.read_text(encoding="utf-8"))
    return f"axe-core-{found.group(1) if found else 'unknown'}"


@pytest.mark.parametrize("axe_js", axe_scripts() or [None], ids=axe_version)
def test_axe_finds_no_accessibility_violation(browser, hostile_page, axe_js):
    if axe_js is None:
        pytest.skip("no axe-core (pip install axe-selenium-python, or npm install axe-core)")
    report, path = hostile_page
    browser.get(path.as_uri())
    browser.execute_script(axe_js.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done({version: axe.version, violations: r.violations,"
        " passes: r.passes.map(p => p.id)}), e => done({error: String(e)}));"
    )
    assert "error" not in result, result
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['html'][:120]}" for v in result["violations"]
    ]
    assert problems == [], f"axe-core {result['version']}:\n" + "\n".join(problems)
    # the table rules really ran on the page
    assert {"th-has-data-cells", "td-headers-attr"} <= set(result["passes"])

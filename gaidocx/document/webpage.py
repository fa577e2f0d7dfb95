"""The report as one self-contained, accessible HTML page, for publishing on a website.

Government sites publish the annual report in their 政府信息公开专栏, usually by pasting it into
the site's CMS editor.  The page written here serves both ways:

* opened on its own, it is a complete UTF-8 page (``lang="zh-CN"``) that needs nothing else:
  the stylesheet is inline, with the .docx's typography intent (仿宋 body, 黑体 一、 headings,
  楷体 （一） lead-ins) and print rules for A4 with the GB/T 9704 margins;
* the whole report sits in one element, ``<article id="gaidocx-report">``, whose inner HTML can
  be pasted into a CMS's source-code mode.  What the report cannot do without when the page's
  stylesheet is left behind (cell borders, centring, alignment, the heading fonts) is written
  inline on the elements as well.

The three tables are generated from ``report.form``: every label is a ``<th>`` with the
official ``rowspan``/``colspan``, every figure a ``<td>`` whose ``headers`` name every header
cell above it and to its left (WCAG technique H43: tables 三 and 四 have three header levels,
and table 二 repeats a header row in each of its four groups, so ``scope`` alone would be
ambiguous).  Each table has a ``<caption>`` holding its section heading.

All user text is escaped; braces are written as character references, so text such as
``{{ x }}`` stays text even in a CMS whose pages are templates.  No office library is used.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from gaidocx.core import form
from gaidocx.core.form import OPENING, Field, Label, Table
from gaidocx.core.narrative import NOT_XML, parse_paragraph
from gaidocx.core.report import KIND_META, CheckedReport
from gaidocx.document.layout import COLUMN_WIDTHS, SUB_NUMBER, figure_margin, label_left_aligned
from gaidocx.document.variables import kept_paragraph, printed_figures

#: The element whose inner HTML is the report, for pasting into a CMS.
REPORT_ID = "gaidocx-report"
#: Comments around that inner HTML, so that it can be found in a text editor.
PASTE_START = "<!-- 报告正文开始：在网站后台编辑器的“源代码”模式中粘贴从这里到“报告正文结束”的全部内容 -->"
PASTE_END = "<!-- 报告正文结束 -->"

# Font stacks: the names Word documents use, the names Windows and macOS ship, then the free
# fonts gaidocx's fonts.conf substitutes on Linux (Noto CJK, AR PL UKai), then a generic family.
FANGSONG = '"仿宋_GB2312", "仿宋", FangSong, "FangSong_GB2312", STFangsong, "Noto Serif CJK SC", serif'
KAITI = '"楷体_GB2312", "楷体", KaiTi, "KaiTi_GB2312", STKaiti, "AR PL UKai CN", serif'
HEITI = '"黑体", SimHei, STHeiti, "Noto Sans CJK SC", sans-serif'
#: The title's 方正小标宋 is a heavy Song face; without it, a bold Song face of the machine
#: (the ``gaidocx-title`` face below) is closer than a regular one.
TITLE_FONT = '"方正小标宋简体", "方正小标宋_GBK", FZXiaoBiaoSong-B05S, "gaidocx-title", "宋体", SimSun, serif'
PAGE_NUMBER_FONT = '"宋体", SimSun, "Noto Serif CJK SC", serif'
FIGURE_FONT = '"Times New Roman", "Liberation Serif", ' + FANGSONG

#: Fonts of the heading levels 1–4 (一、 （一） 1. （1）), as in the .docx.
LEVEL_FONTS = {1: HEITI, 2: KAITI, 3: FANGSONG, 4: FANGSONG}

# Inline styles: what must survive being pasted into a CMS without the page's stylesheet.
# (Single quotes inside, since they sit in double-quoted attributes.)
_TABLE_STYLE = "border-collapse:collapse;width:100%;table-layout:fixed;margin:0 auto;"
_CELL_STYLE = "border:1px solid #000;vertical-align:middle;font-weight:normal;"
#: Left/right padding of label cells (figure cells: as in the .docx, ``figure_margin``).
_LABEL_PADDING = "padding:0 1.5pt;"
_CAPTION_STYLE = "caption-side:top;text-align:left;"
_INDENT = "text-indent:2em;"

_CSS = f"""
@font-face {{
  font-family: "gaidocx-title";
  src: local("Noto Serif CJK SC Bold"), local("NotoSerifCJKsc-Bold"), local("Source Han Serif SC Bold"),
    local("SourceHanSerifSC-Bold"), local("华文中宋"), local("STZhongsong");
}}
html {{ background: #ececec; }}
body {{ margin: 0; color: #000; }}
#{REPORT_ID} {{
  box-sizing: border-box; max-width: 210mm; margin: 1.5em auto; padding: 37mm 26mm 35mm 28mm;
  background: #fff; box-shadow: 0 0 6px rgba(0, 0, 0, .25);
  font-family: {FANGSONG}; font-size: 16pt; line-height: 28.95pt;
}}
#{REPORT_ID} h1 {{
  margin: 0 0 28.95pt; font-family: {TITLE_FONT}; font-size: 22pt; font-weight: normal;
  line-height: 34.95pt; text-align: center; text-wrap: balance;
}}
#{REPORT_ID} h2, #{REPORT_ID} h3, #{REPORT_ID} h4, #{REPORT_ID} h5, #{REPORT_ID} p {{
  margin: 0; font-size: 16pt; font-weight: normal; line-height: 28.95pt; text-indent: 2em;
}}
#{REPORT_ID} p {{ text-align: justify; }}
#{REPORT_ID} .level-1 {{ font-family: {HEITI}; }}
#{REPORT_ID} .level-2 {{ font-family: {KAITI}; }}
#{REPORT_ID} .level-3, #{REPORT_ID} .level-4 {{ font-family: {FANGSONG}; }}
#{REPORT_ID} .gaidocx-signature {{ margin-top: 28.95pt; padding-right: 2em; text-align: right; text-indent: 0; }}
#{REPORT_ID} .gaidocx-date {{ padding-right: 4em; text-align: right; text-indent: 0; }}
#{REPORT_ID} table {{ font-size: 9pt; line-height: 12pt; }}
#{REPORT_ID} caption {{ caption-side: top; text-align: left; }}
#{REPORT_ID} th, #{REPORT_ID} td {{ box-sizing: border-box; height: 16pt; overflow-wrap: anywhere; }}
#{REPORT_ID} td {{ font-family: {FIGURE_FONT}; white-space: nowrap; }}
@media screen and (max-width: 210mm) {{
  #{REPORT_ID} {{ margin: 0; padding: 1em; box-shadow: none; overflow-x: auto; }}
  #{REPORT_ID} table {{ table-layout: auto; }}
}}
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
@page :right {{
  @bottom-right {{ content: "— " counter(page) " —"; font-family: {PAGE_NUMBER_FONT}; font-size: 14pt; padding-right: 1em; }}
}}
@page :left {{
  @bottom-left {{ content: "— " counter(page) " —"; font-family: {PAGE_NUMBER_FONT}; font-size: 14pt; padding-left: 1em; }}
}}
@media print {{
  html {{ background: none; }}
  #{REPORT_ID} {{ max-width: none; margin: 0; padding: 0; box-shadow: none; }}
  #{REPORT_ID} h1, #{REPORT_ID} h2, #{REPORT_ID} h3, #{REPORT_ID} h4, #{REPORT_ID} h5 {{ break-after: avoid; }}
  #{REPORT_ID} tr, #{REPORT_ID} tbody {{ break-inside: avoid; }}
  #{REPORT_ID} table.gaidocx-whole {{ break-inside: avoid; }}
  #{REPORT_ID} .gaidocx-keep, #{REPORT_ID} .gaidocx-signature {{ break-after: avoid; }}
}}
"""


def escape(text: str) -> str:
    """User text as HTML character data: markup, quotes and braces as references; characters
    HTML cannot hold (C0 controls, lone surrogates) dropped."""
    text = html.escape(NOT_XML.sub("", text), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def table_key(table: Table) -> int:
    """The table's section number in digits (二 → 2), for ASCII ids that CMS editors keep."""
    return next(i for i in range(1, 11) if form.top_number(i) == f"{table.number}、")


def cell_id(table: Table, label: Label) -> str:
    """The ``id`` of a label's header cell, unique in the page."""
    return f"gaidocx-t{table_key(table)}-r{label.row}c{label.col}"


def header_labels(table: Table, f: Field) -> tuple[Label, ...]:
    """Every label that heads the figure ``f``: column headers above it and row headers to its left.

    Column headers are the labels above the field that share one of its grid columns, from the
    last full-width label above it on (table 二 starts each of its groups with one and repeats
    its header row); row headers are the labels whose rows include the field's, left of it.
    """
    block = max((label.row for label in table.labels if label.colspan == table.columns and label.row < f.row), default=0)
    columns = range(f.col, f.col + f.colspan)
    above = [
        label
        for label in table.labels
        if block <= label.row and label.row + label.rowspan <= f.row
        and any(label.col <= c < label.col + label.colspan for c in columns)
    ]
    left = [
        label
        for label in table.labels
        if label.row <= f.row < label.row + label.rowspan and label.col + label.colspan <= f.col
    ]
    return (*sorted(above, key=lambda label: label.row), *sorted(left, key=lambda label: label.col))


def _rows(table: Table) -> Iterator[tuple[int, list[Label | Field]]]:
    """Each grid row's cells as HTML writes them: only the cells that start in that row."""
    for row in range(table.rows):
        cells: list[Label | Field] = [c for c in (*table.labels, *table.fields) if c.row == row]
        yield row, sorted(cells, key=lambda c: c.col)


def _span(cell: Label | Field) -> str:
    rowspan = getattr(cell, "rowspan", 1)
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")


def _label_cell(table: Table, label: Label) -> str:
    align = "left" if label_left_aligned(table, label) else "center"
    if label.row < table.header_rows:  # (table 三's corner holds a note and heads nothing)
        heads = any(label in header_labels(table, f) for f in table.fields)
        scope = "" if not heads else ' scope="col"' if label.colspan == 1 else ' scope="colgroup"'
    elif _heads_row(table, label):
        scope = ' scope="row"'
    else:  # table 二's group headings and 信息内容: ``headers`` on the figures tie them
        scope = ""
    return (
        f'<th id="{cell_id(table, label)}"{_span(label)}{scope} style="{_CELL_STYLE}{_LABEL_PADDING}text-align:{align};">'
        f"{_label_text(label)}</th>"
    )


def _label_text(label: Label) -> str:
    """A tall label in a narrow column (table 三's （三）不予公开) breaks after its （三）, if at all,
    as in the .docx: not inside its name."""
    prefix = SUB_NUMBER.match(label.text)
    if label.rowspan == 1 or label.colspan > 1 or prefix is None or prefix.end() == len(label.text):
        return escape(label.text)
    rest = label.text[prefix.end() :]
    return f'{escape(prefix.group())}<wbr><span style="white-space:nowrap;">{escape(rest)}</span>'


def _heads_row(table: Table, label: Label) -> bool:
    """Whether figures lie right of ``label`` in its rows (it is a row header)."""
    return any(
        label.row <= f.row < label.row + label.rowspan and f.col >= label.col + label.colspan for f in table.fields
    )


def _figure_cell(table: Table, f: Field, value: str) -> str:
    headers = " ".join(cell_id(table, label) for label in header_labels(table, f))
    return (
        f'<td headers="{headers}"{_span(f)} data-field="{f.key}"'
        f' style="{_CELL_STYLE}padding:0 {figure_margin(table) / 20:g}pt;text-align:center;">'
        f"{escape(value)}</td>"
    )


def render_table(table: Table, heading: str, figures: dict[str, str]) -> str:
    """One official table: ``figures`` are the printed values by field key."""
    widths = COLUMN_WIDTHS[table.number]
    whole = sum(widths)
    cols = "".join(f'<col style="width:{width * 100 / whole:.2f}%;">' for width in widths)
    groups = {label.row for label in table.labels if label.colspan == table.columns and label.row >= table.header_rows}
    parts = [
        f'<table id="gaidocx-table-{table_key(table)}" border="1"'
        f' class="gaidocx-table{"" if groups else " gaidocx-whole"}" style="{_TABLE_STYLE}">',
        f'<caption style="{_CAPTION_STYLE}"><h2 class="level-1" style="{_heading_style(1)}">{escape(heading)}</h2></caption>',
        f"<colgroup>{cols}</colgroup>",
    ]
    if table.header_rows:
        parts.append("<thead>")
    for row, cells in _rows(table):
        if row == table.header_rows and table.header_rows:
            parts.append("</thead><tbody>")
        elif row in groups or (row == 0 and not table.header_rows):
            parts.append("" if row == 0 else "</tbody>")
            parts.append("<tbody>")
        html_cells = (
            _label_cell(table, cell) if isinstance(cell, Label) else _figure_cell(table, cell, figures[cell.key])
            for cell in cells
        )
        parts.append("<tr>" + "".join(html_cells) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _heading_style(level: int) -> str:
    return f"font-family:{LEVEL_FONTS[level]};font-weight:normal;{_INDENT}".replace('"', "'")


class _Outline:
    """Heading elements for narrative headings, never skipping a level (h2 … h5)."""

    def __init__(self) -> None:
        self.last = 2  # section headings are h2

    def section(self) -> None:
        self.last = 2

    def tag(self, level: int) -> str:
        number = min(level + 1, self.last + 1, 5)
        self.last = number
        return f"h{number}"


def _paragraph(text: str, outline: _Outline, keep: bool) -> str:
    parsed = parse_paragraph(text)
    keep_class = " gaidocx-keep" if keep else ""
    if parsed.is_bare_heading:
        tag = outline.tag(parsed.level)
        return (
            f'<{tag} class="level-{parsed.level}{keep_class}" style="{_heading_style(parsed.level)}">'
            f"{escape(text)}</{tag}>"
        )
    classes = f' class="{keep_class.strip()}"' if keep else ""
    lead = ""
    if parsed.level:
        style = f"font-family:{LEVEL_FONTS[parsed.level]};".replace('"', "'")
        lead = f'<span class="level-{parsed.level}" style="{style}">{escape(parsed.lead)}</span>'
    return f'<p{classes} style="{_INDENT}">{lead}{escape(parsed.body)}</p>'


def _title(agency: str, year: int) -> str:
    """The title, the year never parted from its 年 when the line wraps (the stylesheet
    balances the lines)."""
    text = form.title(agency, year)
    year_text = f"{year}{form.TITLE_SUFFIX[0]}"
    start = text.find(year_text, len(agency))
    if start < 0:
        return escape(text)
    end = start + len(year_text)
    return f'{escape(text[:start])}<span style="white-space:nowrap;">{escape(year_text)}</span>{escape(text[end:])}'


def render_article(checked: CheckedReport) -> str:
    """The report element, ``<article id="gaidocx-report">…</article>``: its inner HTML is what
    a CMS editor takes in source-code mode."""
    report = checked.report
    figures = printed_figures(checked)
    year: int = report.year  # type: ignore[assignment]  # a checked report has one
    signed = report.signed_on
    assert signed is not None
    outline = _Outline()
    kept = kept_paragraph(checked)
    body = [f'<h1 style="text-align:center;">{_title(report.agency, year)}</h1>']
    body += [_paragraph(text, outline, False) for text in checked.paragraphs[OPENING]]
    for section in report.form.sections:
        outline.section()
        if section.table is not None:
            body.append(render_table(section.table, section.title, figures))
            continue
        body.append(f'<h2 class="level-1" style="{_heading_style(1)}">{escape(section.title)}</h2>')
        texts = checked.paragraphs[section.number]
        body += [_paragraph(text, outline, (section.number, index) == kept) for index, text in enumerate(texts)]
    date = form.chinese_date(signed.year, signed.month, signed.day)
    body.append(
        f'<p class="gaidocx-signature" style="text-align:right;text-indent:0;padding-right:2em;">{escape(report.agency)}</p>'
    )
    body.append(f'<p class="gaidocx-date" style="text-align:right;text-indent:0;padding-right:4em;">{escape(date)}</p>')
    return f'<article id="{REPORT_ID}">\n{PASTE_START}\n' + "\n".join(body) + f"\n{PASTE_END}\n</article>"


def render_html(checked: CheckedReport) -> str:
    """The whole page: one self-contained UTF-8 HTML document.  ``<meta name="report-kind">``
    records the report's kind (本机关 or 本行政区域), which ``gaidocx audit`` reads."""
    article = render_article(checked)
    title = escape(form.title(checked.report.agency, checked.report.year))  # type: ignore[arg-type]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="gaidocx">\n'
        f'<meta name="{KIND_META}" content="{escape(checked.report.kind)}">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{article}\n</main>\n</body>\n</html>\n"
    )

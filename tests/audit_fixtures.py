"""Published reports made by hand, the way Word, WPS and website CMSs make them (not by gaidocx).

Every builder works from the official grid (``Table.labels`` and ``Table.fields``)
and a text for each figure, so a test can print anything in any cell: ``/``, a
blank, a wrong total, a unit.  Options reproduce what real publishers do.
"""

from __future__ import annotations

import html
import io
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import docx
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from gaidocx.core.form import FORM_2021, Form, Table, title
from gaidocx.core.report import Report, format_figure

#: How merged cells are written: real merges, the text repeated in each covered cell, or the text
#: only in the first cell with the others left empty.
REAL, REPEATED, LOST = "real", "repeated", "lost"


def printed_figures(report: Report) -> dict[str, str]:
    """Every figure as a report prints it, totals included."""
    form = report.form
    return {key: format_figure(value, form.fields[key].kind) for key, value in report.figures().items() if value is not None}


def trial_figures(report: Report) -> dict[str, str]:
    """The figures of a 2021 report laid out in the trial table 三 (（六）其他处理 as one row)."""
    from gaidocx.audit.findings import HYBRID_FORM, convert_figures

    values = convert_figures(report.figures(), report.form, HYBRID_FORM)
    return {key: format_figure(v, HYBRID_FORM.fields[key].kind) for key, v in values.items() if v is not None}


@dataclass
class Layout:
    """How one hand-made report is laid out."""

    #: the form whose tables are printed (HYBRID_FORM for the 23-row table 三)
    form: Form = FORM_2021
    merges: str = REAL
    #: label text as printed (e.g. ``1、`` for ``1.``)
    label: Callable[[str], str] = lambda text: text
    #: table number -> grid rows after which the table is split into a new table
    splits: Mapping[str, Sequence[int]] = field(default_factory=dict)
    #: table number -> grid rows after which an empty row is inserted
    empty_rows: Mapping[str, Sequence[int]] = field(default_factory=dict)
    #: section headings as printed, by section number
    headings: Mapping[str, str] = field(default_factory=dict)
    #: section numbers left out
    skip_sections: Sequence[str] = ()
    title_lines: Sequence[str] | None = None
    opening: str | None = None
    signature: bool = True
    date: str = "2025年1月20日"
    #: extra paragraphs, by section number, printed after the heading (before a table)
    extra: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class GridCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


def grid(table: Table, figures: Mapping[str, str], label: Callable[[str], str]) -> list[GridCell]:
    cells = [GridCell(label(lab.text), lab.row, lab.col, lab.rowspan, lab.colspan, True) for lab in table.labels]
    cells += [GridCell(figures.get(f.key, ""), f.row, f.col, 1, f.colspan) for f in table.fields]
    return cells


def _narratives(report: Report, number: str) -> list[str]:
    return list(report.paragraphs(number))


def _document_plan(report: Report, layout: Layout):
    """(kind, payload) items: ("title", lines) ("p", text) ("h", text) ("table", Table)."""
    agency, year = report.agency, report.year
    lines = layout.title_lines if layout.title_lines is not None else (f"{agency}{year}年", "政府信息公开工作年度报告")
    yield "title", list(lines)
    opening = layout.opening
    if opening is None:
        opening = (
            "本报告依据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求编制。"
            f"本报告中所列数据统计期限为{year}年1月1日至{year}年12月31日。"
        )
    yield "p", opening
    for section in layout.form.sections:
        if section.number in layout.skip_sections:
            continue
        yield "h", layout.headings.get(section.number, section.title)
        for text in layout.extra.get(section.number, ()):
            yield "p", text
        if section.table is not None:
            yield "table", section.table
        else:
            for text in _narratives(report, section.number):
                yield "p", text
    if layout.signature:
        yield "p", agency
    if layout.date:
        yield "p", layout.date


# ---------------------------------------------------------------- .docx with python-docx


def _set_font(run, east_asia: str, size: float) -> None:
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def _docx_table(document, table: Table, figures: Mapping[str, str], layout: Layout, font: str):
    cells = grid(table, figures, layout.label)
    rows = list(range(table.rows))
    splits = set(layout.splits.get(table.number, ()))
    empties = set(layout.empty_rows.get(table.number, ()))
    # one python-docx table per piece; a merge never crosses a split in these fixtures
    pieces: list[list[int]] = [[]]
    for r in rows:
        pieces[-1].append(r)
        if r in splits:
            pieces.append([])
    for index, piece in enumerate(pieces):
        if index:
            paragraph = document.add_paragraph()
            paragraph.add_run().add_break(WD_BREAK.PAGE)
        out_rows = []
        for r in piece:
            out_rows.append(r)
            if r in empties:
                out_rows.append(None)
        t = document.add_table(rows=len(out_rows), cols=table.columns)
        t.style = "Table Grid"
        for c, column in enumerate(t.columns):
            column.width = Cm(min(1.2 + (c % 3) * 0.4, 15.5 / table.columns))  # within an A4 page
        position = {r: i for i, r in enumerate(out_rows) if r is not None}
        # python-docx's table.cell() walks the whole table on every call: take the cells once
        at = [row.cells for row in t.rows]
        for cell in cells:
            covered = [r for r in range(cell.row, cell.row + cell.rowspan) if r in position]
            if not covered:
                continue
            top, bottom = position[covered[0]], position[covered[-1]]
            left, right = cell.col, cell.col + cell.colspan - 1
            if layout.merges == REAL:
                target = at[top][left]
                if (top, left) != (bottom, right):
                    target = target.merge(at[bottom][right])
                _write(target, cell.text, font)
            else:
                for i in range(top, bottom + 1):
                    for j in range(left, right + 1):
                        first = (i, j) == (top, left)
                        text = cell.text if (layout.merges == REPEATED or first) else ""
                        _write(at[i][j], text, font)


def _write(cell, text: str, font: str) -> None:
    paragraph = cell.paragraphs[0]
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    paragraph.add_run(text)


def make_docx(report: Report, figures: Mapping[str, str], layout: Layout | None = None, font: str = "宋体") -> bytes:
    """A report as a person makes it in Word: python-docx, default styles, own fonts and widths."""
    layout = layout or Layout()
    document = docx.Document()
    # the tables' font comes from the Normal style, as in most documents typed in Word
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    for kind, payload in _document_plan(report, layout):
        if kind == "title":
            paragraph = document.add_paragraph()
            for index, line in enumerate(payload):
                run = paragraph.add_run(line)
                _set_font(run, "方正小标宋简体", 22)
                if index < len(payload) - 1:
                    run.add_break()
        elif kind == "table":
            _docx_table(document, payload, figures, layout, font)
        else:
            paragraph = document.add_paragraph()
            _set_font(paragraph.add_run(payload), "黑体" if kind == "h" else "仿宋_GB2312", 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- HTML as CMSs write it


def _cms_cell(text: str, rowspan: int, colspan: int) -> str:
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    inner = html.escape(text) if text else "&nbsp;"
    # what Word-pasted CMS content looks like: <p> and <span> inside every cell, &nbsp; padding
    return (
        f'<td{spans} style="border:1px solid #000;" valign="center">'
        f'<p class="MsoNormal" align="center" style="text-align:center;">'
        f'<span style="font-family:宋体;font-size:10.5pt;">{inner}</span></p></td>'
    )


def _html_table(table: Table, figures: Mapping[str, str], layout: Layout) -> str:
    cells = grid(table, figures, layout.label)
    splits = set(layout.splits.get(table.number, ()))
    empties = set(layout.empty_rows.get(table.number, ()))
    by_row: dict[int, list[GridCell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="600"><tbody>']
    if layout.merges == REAL:
        # an empty row inside a rowspan would need the span widened: publishers' empty rows sit between groups
        empties = {r for r in empties if not any(c.row <= r < c.row + c.rowspan - 1 for c in cells)}
        for r in range(table.rows):
            row = sorted(by_row.get(r, []), key=lambda c: c.col)
            out.append("<tr>" + "".join(_cms_cell(c.text, c.rowspan, c.colspan) for c in row) + "</tr>")
            if r in empties:
                out.append("<tr>" + "".join(_cms_cell("", 1, 1) for _ in range(table.columns)) + "</tr>")
            if r in splits:
                out.append('</tbody></table><p>&nbsp;</p><table border="1"><tbody>')
    else:
        text_at: dict[tuple[int, int], str] = {}
        for cell in cells:
            for i in range(cell.row, cell.row + cell.rowspan):
                for j in range(cell.col, cell.col + cell.colspan):
                    first = (i, j) == (cell.row, cell.col)
                    text_at[(i, j)] = cell.text if (layout.merges == REPEATED or first) else ""
        for r in range(table.rows):
            out.append("<tr>" + "".join(_cms_cell(text_at.get((r, c), ""), 1, 1) for c in range(table.columns)) + "</tr>")
            if r in empties:
                out.append("<tr>" + "".join(_cms_cell("", 1, 1) for _ in range(table.columns)) + "</tr>")
            if r in splits:
                out.append('</tbody></table><p>&nbsp;</p><table border="1"><tbody>')
    out.append("</tbody></table>")
    return "".join(out)


def make_html(
    report: Report,
    figures: Mapping[str, str],
    layout: Layout | None = None,
    *,
    charset: str = "utf-8",
    meta: str = "charset",
) -> bytes:
    """A report page as a government site's CMS serves it, in ``charset`` and declared by ``meta``."""
    layout = layout or Layout()
    declare = (
        f'<meta charset="{charset}">'
        if meta == "charset"
        else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    )
    body = []
    for kind, payload in _document_plan(report, layout):
        if kind == "title":
            body.append('<div class="title"><h1>' + "<br>".join(html.escape(x) for x in payload) + "</h1></div>")
        elif kind == "table":
            body.append(_html_table(payload, figures, layout))
        elif kind == "h":
            body.append(f'<p style="text-indent:2em;"><strong><span style="font-family:黑体;">{html.escape(payload)}</span></strong></p>')
        else:
            body.append(f'<p style="text-indent:2em;">&nbsp;&nbsp;<span style="font-family:仿宋_GB2312;">{html.escape(payload)}</span></p>')
    page = (
        f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"><html><head>{declare}'
        f"<title>{html.escape(title(report.agency, report.year))}</title>"
        '<script>var nav = "<p>一、总体情况</p>";</script><style>p{margin:0}</style></head><body>'
        '<div class="nav"><a href="/">首页</a> &gt; <a href="#">政府信息公开</a> &gt; 年度报告</div>'
        # the CMS's layout table around the article
        '<table width="100%"><tr><td class="sidebar"><ul><li>机构概况</li><li>政策文件</li></ul></td>'
        '<td class="content"><div id="zoom">' + "".join(body) + "</div></td></tr></table>"
        '<div class="footer">主办单位：某某县人民政府办公室　网站标识码：1234567890</div></body></html>'
    )
    return page.encode(charset)


# ---------------------------------------------------------------- label variants seen in published reports


def sloppy_label(text: str) -> str:
    """What real reports print: 1、 for 1., half-width brackets, spaces, 规范性文件, truncated heads, typos."""
    replacements = {
        "行政规范性文件": "规范性文件",
        "现行有效件数": "现行有效件",
        "其他法律行政法规禁止公开": "其他法律行政止公开",
        "法人或其他组织": "法人或其它组织",
    }
    for old, new in replacements.items():
        text = text.replace(old, new)
    for number in range(1, 10):
        text = text.replace(f"{number}.", f"{number}、")
    text = text.replace("（", "(").replace("）", ")")
    if len(text) >= 4 and text[0] in "一二三四" and text[1] == "、":
        text = text[:2] + " " + text[2:4] + " " + text[4:]
    return text


# ---------------------------------------------------------------- hostile files (issue 17; benchmarks/hostile_audit.py)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx_with_body(body: str | bytes, *, stored: bool = False) -> bytes:
    """A minimal .docx whose document body is ``body`` (WordprocessingML, ``w:`` prefix); ``stored``
    leaves it uncompressed, so that it passes the archive's compression-ratio check."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'.encode()
    document = head + (body.encode() if isinstance(body, str) else body) + b"</w:body></w:document>"
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
    return stream.getvalue()


def numbering_in_a_cell(repeats: int = 3000) -> bytes:
    """A table cell of ``a1.`` × 3000: every "1." once started a suffix matched against every label."""
    return f"<html><body><p>某某局2024年政府信息公开工作年度报告</p><table><tr><td>{'a1.' * repeats}</td><td>1</td></tr></table></body></html>".encode()


def long_note_in_a_cell() -> bytes:
    """A realistic 说明 note (8 KB, numbered 1. 2. …) written into a cell under the table."""
    note = "".join(f"{i}.本表数据统计口径为本机关本年度收到和处理的政府信息公开申请，含上年结转。" for i in range(1, 90))
    return f"<html><body><table><tr><td>（一）予以公开</td><td>{note}</td></tr></table></body></html>".encode()


def empty_paragraphs(megabytes: int = 60) -> bytes:
    """60 MB of ``<w:p/>`` in a file of about 100 KB."""
    return docx_with_body(b"<w:p/>" * (megabytes * 1024 * 1024 // 6))


def nested_smart_tags(depth: int = 240, runs: int = 100_000, *, stored: bool = False) -> bytes:
    """240 nested smartTags around 100 000 runs."""
    inner = "<w:r><w:t>一</w:t></w:r>" * runs
    return docx_with_body(f"<w:p>{'<w:smartTag>' * depth}{inner}{'</w:smartTag>' * depth}</w:p>", stored=stored)


def many_tables(count: int = 10_000) -> bytes:
    """10 000 small tables."""
    def cell(text: str) -> str:
        return f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    tables = "".join(
        f"<w:tbl><w:tr>{cell(f'（一）予以公开{i}')}{cell(f'自然人{i}')}{cell(f'商业企业{i}')}{cell('1')}</w:tr></w:tbl>"
        for i in range(count)
    )
    return docx_with_body("<w:p><w:r><w:t>某某局2024年政府信息公开工作年度报告</w:t></w:r></w:p>" + tables)


def huge_spans(cells: int = 20_000) -> bytes:
    """A 4.8 MB page whose cells span 10⁹ columns and rows."""
    row = f'<tr><td colspan="1000000000" rowspan="1000000000">{"一" * 70}</td></tr>'
    return ("<html><body><table>" + row * cells + "</table></body></html>").encode()


def table_3_printed_twice() -> bytes:
    """The sample's page with 表三 printed a second time, one figure of the copy wrong."""
    from support import sample_report

    report = sample_report()
    figures = printed_figures(report)
    page = make_html(report, figures).decode()
    start = page.index("<table", page.index("三、收到和处理政府信息公开申请情况"))
    end = page.index("</table>", start) + len("</table>")
    key = FORM_2021.table("三").inputs[0].key
    wrong = make_html(report, {**figures, key: str(int(figures.get(key, "0")) + 7)}).decode()
    wrong_start = wrong.index("<table", wrong.index("三、收到和处理政府信息公开申请情况"))
    copy = wrong[wrong_start : wrong.index("</table>", wrong_start) + len("</table>")]
    return (page[:end] + "<p>附表</p>" + copy + page[end:]).encode()


def pdf_named_html() -> bytes:
    """A PDF renamed .html (its first bytes are ``%PDF-1.6``)."""
    return b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png_named_html() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def our_docx() -> bytes:
    from support import sample_report

    from gaidocx.document.render import render_docx

    return render_docx(sample_report())


# ---------------------------------------------------------------- PDFs written byte by byte (hostile and image-only)


def pdf_file(pages: Sequence[bytes], xobjects: Sequence[bytes] = (), extra: Sequence[bytes] = ()) -> bytes:
    """A PDF whose pages have the content streams ``pages``; form XObjects ``/X0`` … drawn from them
    (``xobjects``, each may draw the next as ``/X<n+1>``), and further objects appended as given."""
    first_page = 3
    first_content = first_page + len(pages)
    first_xobject = first_content + len(pages)
    names = b" ".join(b"/X%d %d 0 R" % (i, first_xobject + i) for i in range(len(xobjects)))
    resources = b"<< /XObject << " + names + b" >> >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(pages))) + b"] /Count %d >>" % len(pages),
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources %s >>" % (first_content + i, resources)
        for i in range(len(pages))
    ]
    objects += [_pdf_stream(content) for content in pages]
    objects += [
        _pdf_stream(content, b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources " + resources) for content in xobjects
    ]
    return _pdf_document([*objects, *extra])


def _pdf_document(objects: Sequence[bytes]) -> bytes:
    """Objects numbered from 1 (the first the catalog), with their cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _pdf_stream(content: bytes, attributes: bytes = b"", *, deflated: bool = False) -> bytes:
    if deflated:
        attributes += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(content), attributes) + content + b"\nendstream"


def pdf_bomb(megabytes: int = 256) -> bytes:
    """One page whose content stream inflates to 256 MB of spaces (about 250 KB in the file)."""
    squeezer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    deflated = b"".join(squeezer.compress(chunk) for _ in range(megabytes)) + squeezer.flush()
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
    return _pdf_document(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, _pdf_stream(deflated, deflated=True)]
    )


def pdf_many_pages(count: int = 10_000) -> bytes:
    return pdf_file([b"0 0 10 10 re f"] * count)


def pdf_reused_form(draws: int = 50_000, rectangles: int = 10) -> bytes:
    """One page drawing a form of 10 rectangles 50 000 times: 500 000 objects from 500 KB."""
    return pdf_file([b"q /X0 Do Q\n" * draws], [b"0 0 1 1 re f\n" * rectangles])


def pdf_form_chain(depth: int = 8, fan: int = 10) -> bytes:
    """Forms each drawing the next ten times, eight deep: 10⁸ drawings, no object at all."""
    forms = [b"/X%d Do\n" % (level + 1) * fan for level in range(depth - 1)] + [b""]
    return pdf_file([b"/X0 Do\n" * fan], forms)


def pdf_image_only() -> bytes:
    """A scanned page: an image, no text layer."""
    image = _pdf_stream(b"\x80", b" /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8")
    pdf = pdf_file([b"q 595 0 0 842 0 0 cm /Im Do Q"], extra=[image])
    return pdf.replace(b"/Resources << /XObject <<  >> >>", b"/Resources << /XObject << /Im 5 0 R >> >>")


def pdf_with_password() -> bytes:
    """A PDF that opens only with a password (the standard security handler)."""
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"
    pages = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
    document = _pdf_document([*pages, page, _pdf_stream(b"BT ET"), encrypt])
    identifier = b"<0123456789abcdef0123456789abcdef>"
    return document.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt 5 0 R /ID [" + identifier * 2 + b"] >>")


def pdf_nested_too_deep(depth: int = 5000) -> bytes:
    """A page box nested 5 000 arrays deep."""
    return pdf_file([b"BT ET"]).replace(b"/MediaBox [0 0 595 842]", b"/MediaBox " + b"[" * depth + b"]" * depth)


def pdf_drawing_itself() -> bytes:
    """A form that draws itself."""
    return pdf_file([b"/X0 Do"], [b"/X0 Do"])


def pdf_busy_pages(pages: int = 20, pairs: int = 24_000) -> bytes:
    """Pages of nothing but ``q Q`` (save and restore the graphics state), each just within a page's
    bound: parsed, they draw nothing and take all the time."""
    return pdf_file([b"q Q " * pairs] * pages)


def pdf_many_characters(count: int = 40_000) -> bytes:
    """One page showing 40 000 characters with a single operator."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    content = b"BT /F1 1 Tf 0 0 Td (" + b"A" * count + b") Tj ET"
    return _pdf_document(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, _pdf_stream(content), font]
    )


def pdf_long_xref(entries: int = 1_000_000) -> bytes:
    """A cross-reference table of a million entries (20 MB)."""
    head = pdf_file([b"BT ET"]).partition(b"xref\n")[0]
    table = b"xref\n0 %d\n0000000000 65535 f \n" % (entries + 1) + b"0000000009 00000 n \n" * entries
    return head + table + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (entries + 1, len(head))


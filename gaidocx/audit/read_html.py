"""Reading a report page saved from a website (.html/.htm), in whatever charset it declares.

CMS pages put the report in layout tables, write every cell as ``<td>`` (headers
too), wrap cell text in ``<p>`` and ``<span>``, pad with ``&nbsp;`` and are often
encoded in GB2312/GBK.  A table holding another table is layout: its content is
read as blocks; only innermost tables are data tables.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import lxml.html
from lxml import etree

from gaidocx.audit.source import Fragment, Source, UnreadableFile, bounded_source, grid_rows, read_bounded
from gaidocx.audit.tables import clean
from gaidocx.core.report import KIND_META

#: A saved report page is a few hundred KB with a few thousand elements; these are far beyond any.
MAX_FILE = 16 * 1024 * 1024
MAX_ELEMENTS = 300_000
#: Cells of one table once spans are placed on the grid (a report's widest table has 15 columns).
MAX_COLUMNS = 64
MAX_GRID = 100_000
#: What other files begin with: a PDF, an image or an Office file renamed .html is not a page.
_NOT_A_PAGE = (
    (b"%PDF-", "PDF 文件，请把扩展名改为 .pdf 再核对"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"PK\x03\x04", "压缩包（可能是 .docx 或 .xlsx 文件）"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件（.doc、.xls 或 .wps）"),
)
_SNIFF = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_CHARSET = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: GB2312 pages routinely hold GBK characters, GBK pages GB18030 ones: read them all as GB18030.
_CHINESE = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "hz-gb-2312"}
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
    "footer", "blockquote", "center", "pre", "dd", "dt", "dl", "form", "main", "nav", "aside", "figure",
    "figcaption", "address", "hr", "table", "tr", "td", "th", "tbody", "thead", "tfoot", "caption", "body",
}
_SKIP = {"script", "style", "noscript", "head", "title", "template", "iframe", "object", "select", "button"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def decode(data: bytes) -> str:
    """The page's text: the BOM, else the declared charset, else UTF-8, else GB18030."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    head = data[:_SNIFF]
    declared = _META_CHARSET.search(head) or _XML_CHARSET.search(head)
    name = declared.group(1).decode("ascii", "replace").lower() if declared else ""
    if name in _CHINESE:
        name = "gb18030"
    try:
        codecs.lookup(name)
    except LookupError:
        name = ""
    if name and name not in ("utf-8", "utf8"):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            pass  # the declaration is wrong: try the usual suspects
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode(name or "utf-8", errors="replace")


def read_html(path: Path) -> Source:
    data = read_bounded(path, MAX_FILE, "{name} 过大（{mb} MB），不像是年度报告的网页。")
    _check_page(data, path.name)
    text = decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str carrying an encoding declaration
    text = _NOT_XML.sub("", text)  # nor control characters
    if not text.strip():
        raise UnreadableFile(f"{path.name} 是空文件。")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableFile(f"{path.name} 不是可以读取的网页（{exc}）。") from exc
    walker = _Walker(path.name)
    body = root.find("body")
    walker.visit(body if body is not None else root)
    walker.flush()
    return Source(path.name, bounded_source(path.name, walker.blocks).blocks, kind=_kind(root))


def _check_page(data: bytes, name: str) -> None:
    """Refuse what is not a web page, and a page too big to be a report, before parsing it."""
    start = data.lstrip()[:8]
    for magic, what in _NOT_A_PAGE:
        if start.startswith(magic):
            raise UnreadableFile(f"{name} 不是网页：它其实是{what}。")
    if b"\x00" in data[:_SNIFF] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(f"{name} 不是网页：文件内容是二进制数据，不是文字。")
    elements = data.count(b"<")
    if elements > MAX_ELEMENTS:
        raise UnreadableFile(f"{name} 有约 {elements} 个网页元素，远超任何年度报告的网页，已拒绝读取。")


def _kind(root: etree._Element) -> str | None:
    """The report's kind from ``<meta name="report-kind" content="…">`` (gaidocx's pages have it)."""
    for meta in root.iter("meta"):
        if str(meta.get("name", "")).strip().lower() == KIND_META:
            return clean(str(meta.get("content", ""))) or None
    return None


def _tag(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


class _Walker:
    def __init__(self, name: str) -> None:
        self.name = name
        #: grid cells covered by the page's tables so far
        self.covered = 0
        self.blocks: list[str | Fragment] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = clean("".join(self.buffer))
        if text:
            self.blocks.append(text)
        self.buffer = []

    def visit(self, element: etree._Element) -> None:
        tag = _tag(element)
        if tag in _SKIP or not tag:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table" and not _has_table(element):
            self.flush()
            caption = element.find("caption")
            if caption is not None and clean(caption.text_content()):
                self.blocks.append(clean(caption.text_content()))
            self.blocks.append(Fragment(grid_rows(self.table_rows(element))))
            return
        block = tag in _BLOCKS
        if block:
            self.flush()
        self.buffer.append(element.text or "")
        for child in element:
            self.visit(child)
            if block and _tag(child) in _BLOCKS:
                self.flush()
            self.buffer.append(child.tail or "")
        if block:
            self.flush()

    def table_rows(self, table: etree._Element) -> list[list[tuple[str, int, int]]]:
        """Each row's cells as ``(text, colspan, rowspan)``; refused when the page's tables cover too big a grid."""
        rows = list(_rows_of(table))
        result = []
        for index, row in enumerate(rows):
            cells = []
            for cell in row:
                if _tag(cell) not in ("td", "th"):
                    continue
                colspan, rowspan = _span(cell, "colspan", MAX_COLUMNS), _span(cell, "rowspan", len(rows) - index)
                self.covered += colspan * rowspan
                if self.covered > MAX_GRID:
                    raise UnreadableFile(
                        f"{self.name} 中的表格过大（合并单元格共覆盖超过 {MAX_GRID} 格），不像是年度报告，已拒绝读取。"
                    )
                cells.append((_cell_text(cell), colspan, rowspan))
            result.append(cells)
        return result


def _has_table(element: etree._Element) -> bool:
    return any(True for _ in element.iterdescendants("table"))


def _rows_of(table: etree._Element):
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child if _tag(row) == "tr")


def _span(cell: etree._Element, name: str, most: int) -> int:
    """A cell's colspan or rowspan, at most ``most`` (as browsers clip a rowspan at the table's end)."""
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or 1), most))
    except ValueError:
        return 1


def _cell_text(cell: etree._Element) -> str:
    pieces: list[str] = []

    def walk(element: etree._Element) -> None:
        tag = _tag(element)
        if tag in _SKIP:
            return
        if tag == "br" or tag in _BLOCKS:
            pieces.append(" ")
        pieces.append(element.text or "")
        for child in element:
            walk(child)
            pieces.append(child.tail or "")

    walk(cell)
    return clean("".join(pieces))



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

from gaidocx.audit.read_docx import UnreadableFile
from gaidocx.audit.tables import Fragment, Source, clean, grid_rows

#: A saved report page is a few hundred KB; this is far beyond any.
MAX_FILE = 32 * 1024 * 1024
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
_MAX_SPAN = 100
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
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise UnreadableFile(f"{path.name} 过大（{size // 1024 // 1024} MB），不像是年度报告的网页。")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件 {path.name}（{exc.strerror or exc}）。") from exc
    text = decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str carrying an encoding declaration
    text = _NOT_XML.sub("", text)  # nor control characters
    if not text.strip():
        raise UnreadableFile(f"{path.name} 是空文件。")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableFile(f"{path.name} 不是可以读取的网页（{exc}）。") from exc
    walker = _Walker()
    body = root.find("body")
    walker.visit(body if body is not None else root)
    walker.flush()
    return Source(path.name, tuple(walker.blocks))


def _tag(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


class _Walker:
    def __init__(self) -> None:
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
            self.blocks.append(Fragment(grid_rows(_table_rows(element))))
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


def _has_table(element: etree._Element) -> bool:
    return any(True for _ in element.iterdescendants("table"))


def _rows_of(table: etree._Element):
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child if _tag(row) == "tr")


def _span(cell: etree._Element, name: str) -> int:
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or 1), _MAX_SPAN))
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


def _table_rows(table: etree._Element):
    for row in _rows_of(table):
        yield [
            (_cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan"))
            for cell in row
            if _tag(cell) in ("td", "th")
        ]

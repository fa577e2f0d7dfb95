"""Reading a .docx written by Word, WPS or gaidocx: body paragraphs and tables in order.

Tables keep their real merges: ``w:gridSpan`` widens a cell, a ``w:vMerge``
continuation repeats the text of the cell it continues, ``w:gridBefore`` shifts
a row.  Content controls (``w:sdt``) and custom XML wrappers are looked through.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from lxml import etree

from gaidocx.audit.tables import Cell, Fragment, Row, Source, clean

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_MAIN_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
#: A report's document.xml is well under 1 MB; this leaves room for pasted images' markup.
MAX_PART = 64 * 1024 * 1024
_WRAPPERS = {f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml", f"{{{W}}}smartTag"}


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says so in Chinese."""


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _member(archive: zipfile.ZipFile, name: str, label: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_PART:
        raise UnreadableFile(f"{label} 中的 {name} 过大（{info.file_size // 1024 // 1024} MB），不像是年度报告。")
    return archive.read(name)


def _main_part(archive: zipfile.ZipFile, label: str) -> str:
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        rels = etree.fromstring(_member(archive, "_rels/.rels", label), _parser())
        for rel in rels:
            if rel.get("Type") in (_MAIN, _MAIN_STRICT):
                target = rel.get("Target", "").lstrip("/")
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise UnreadableFile(f"{label} 不是 Word 文档（.docx）：找不到正文部分。")


def read_docx(path: Path) -> Source:
    label = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            part = _main_part(archive, label)
            root = etree.fromstring(_member(archive, part, label), _parser())
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
            raise UnreadableFile(f"无法读取文件 {label}（{exc.strerror or exc}）。") from exc
        raise UnreadableFile(f"{label} 不是有效的 Word 文档（.docx），可能已损坏；旧的 .doc 格式请先用 Word 或 WPS 另存为 .docx。") from exc
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"{label} 的正文已损坏，无法读取（{exc}）。") from exc
    body = root.find(_w("body"))
    if body is None:
        raise UnreadableFile(f"{label} 不是 Word 文档（.docx）：没有正文。")
    return Source(label, tuple(_blocks(body)))


def _children(element: etree._Element):
    """Block-level children, looking through content controls and custom XML."""
    for child in element:
        if child.tag in _WRAPPERS:
            yield from _children(child)
        else:
            yield child


def _blocks(body: etree._Element):
    for child in _children(body):
        if child.tag == _w("p"):
            yield from _paragraph_lines(child)
        elif child.tag == _w("tbl"):
            if next(child.iterdescendants(_w("tbl")), None) is not None:
                # a layout table (a web page pasted into Word): its cells hold the report
                for tr in _children(child):
                    for tc in _children(tr) if tr.tag == _w("tr") else ():
                        if tc.tag == _w("tc"):
                            yield from _blocks(tc)
            else:
                yield Fragment(_rows(child))


def _paragraph_lines(paragraph: etree._Element) -> list[str]:
    """A paragraph's text; a line break inside it starts a new line, as readers see it."""
    lines = [""]
    for node in paragraph.iter(_w("t"), _w("tab"), _w("br"), _w("cr"), _w("delText"), _w("instrText")):
        if _in_fallback(node) or _in_deleted(node):
            continue
        if node.tag == _w("t"):
            lines[-1] += node.text or ""
        elif node.tag == _w("tab"):
            lines[-1] += " "
        elif node.tag in (_w("br"), _w("cr")):
            lines.append("")
    return lines


def _in_fallback(node: etree._Element) -> bool:
    return any(
        etree.QName(a).localname in ("Fallback", "txbxContent") for a in node.iterancestors()
    )


def _in_deleted(node: etree._Element) -> bool:
    return any(a.tag == _w("del") for a in node.iterancestors())


def _cell_text(cell: etree._Element) -> str:
    """Every paragraph of the cell (a cell may hold several: a long label written in two lines)."""
    return clean(" ".join(line for paragraph in cell.iter(_w("p")) for line in _paragraph_lines(paragraph)))


def _int(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return max(0, min(int(element.get(_w("val"), default)), 200))
    except ValueError:
        return default


def _rows(table: etree._Element) -> tuple[Row, ...]:
    rows: list[Row] = []
    above: dict[int, Cell] = {}  # grid column -> the cell last seen starting there
    for tr in _children(table):
        if tr.tag != _w("tr"):
            continue
        props = tr.find(_w("trPr"))
        col = _int(props.find(_w("gridBefore")) if props is not None else None, 0)
        row: list[Cell] = []
        for tc in _children(tr):
            if tc.tag != _w("tc"):
                continue
            tc_props = tc.find(_w("tcPr"))
            span = max(1, _int(tc_props.find(_w("gridSpan")) if tc_props is not None else None, 1))
            merge = tc_props.find(_w("vMerge")) if tc_props is not None else None
            if merge is not None and merge.get(_w("val"), "continue") == "continue" and col in above:
                cell = Cell(above[col].text, col, span)
            else:
                cell = Cell(_cell_text(tc), col, span)
            row.append(cell)
            above[col] = cell
            col += span
        rows.append(tuple(row))
    return tuple(rows)

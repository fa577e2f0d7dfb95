"""Reading a .docx written by Word, WPS or gaidocx: body paragraphs and tables in order.

Tables keep their real merges: ``w:gridSpan`` widens a cell, a ``w:vMerge``
continuation repeats the text of the cell it continues, ``w:gridBefore`` shifts
a row.  Content controls (``w:sdt``) and custom XML wrappers are looked through.

The file passes ``gaidocx.archive``'s guard first (size, members, zip bombs,
DOCTYPE); the body is then bounded in elements before it is parsed and in depth
while it is walked, and the walk is linear in the elements.  gaidocx records the
report's kind in the custom document property ``报告类型``; it is read when present.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from gaidocx.archive import MB, ArchiveError, Limits, open_archive, read_file
from gaidocx.audit.source import Cell, Fragment, Row, Source, UnreadableFile, bounded_source
from gaidocx.audit.tables import clean
from gaidocx.core.report import KIND_PROPERTY

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_MAIN_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_CUSTOM_PROPERTIES = "docProps/custom.xml"
_WRAPPERS = {f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml", f"{{{W}}}smartTag"}

#: A published report's document.xml is well under 2 MB and 100 000 elements, nested some 15
#: deep; pictures are separate members, never inflated here.
LIMITS = Limits(
    file=64 * MB,
    members=2000,
    total=512 * MB,
    part=16 * MB,
    large_part=64 * MB,
    large=lambda member: not member.lower().endswith((".xml", ".rels", ".vml")),
    what="Word 文档",
    normal="（几十 KB 到几 MB）",
)
MAX_ELEMENTS = 400_000
MAX_DEPTH = 64


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _TBL, _TR, _TC, _T, _TAB, _BR, _CR, _DEL = (_w(t) for t in ("p", "tbl", "tr", "tc", "t", "tab", "br", "cr", "del"))
#: Subtrees whose text a reader does not see in the body: a fallback copy, text boxes, deletions.
_HIDDEN_LOCAL = ("Fallback", "txbxContent")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _main_part(xml: dict[str, bytes], label: str) -> str:
    if "_rels/.rels" in xml:
        rels = etree.fromstring(xml["_rels/.rels"], _parser())
        for rel in rels:
            if rel.get("Type") in (_MAIN, _MAIN_STRICT):
                target = rel.get("Target", "").lstrip("/")
                if target in xml:
                    return target
    if "word/document.xml" in xml:
        return "word/document.xml"
    raise UnreadableFile(f"{label} 不是 Word 文档（.docx）：找不到正文部分。")


def read_docx(path: Path) -> Source:
    label = path.name
    try:
        archive = open_archive(read_file(path, LIMITS), label, LIMITS)
    except ArchiveError as exc:
        advice = "旧的 .doc 格式请先用 Word 或 WPS 另存为 .docx。" if exc.kind in ("ole", "not zip", "damaged") else ""
        raise UnreadableFile(f"{exc}{advice}") from exc
    try:
        part = _main_part(archive.xml, label)
        content = archive.xml[part]
        elements = content.count(b"<")  # at least the number of elements
        if elements > MAX_ELEMENTS:
            raise UnreadableFile(
                f"{label} 的正文有约 {elements} 个 XML 元素，远超任何年度报告（约 10 万个以内），"
                "可能粘贴了大量空段落或是恶意构造的文件，已拒绝读取。"
            )
        root = etree.fromstring(content, _parser())
        kind = _kind(archive.xml.get(_CUSTOM_PROPERTIES))
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"{label} 的正文已损坏，无法读取（{exc}）。") from exc
    body = root.find(_w("body"))
    if body is None:
        raise UnreadableFile(f"{label} 不是 Word 文档（.docx）：没有正文。")
    source = bounded_source(label, _Walk(label).blocks(body, 1))
    return Source(source.name, source.blocks, kind=kind)


def _kind(custom: bytes | None) -> str | None:
    """The value of the custom property ``报告类型``, if the document has one."""
    if custom is None:
        return None
    for prop in etree.fromstring(custom, _parser()):
        if prop.get("name") == KIND_PROPERTY:
            return clean("".join(prop.itertext())) or None
    return None


class _Walk:
    """One pass over the body, refusing nesting deeper than ``MAX_DEPTH``."""

    def __init__(self, label: str) -> None:
        self.label = label

    def deeper(self, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise UnreadableFile(f"{self.label} 的正文嵌套超过 {MAX_DEPTH} 层，正常的 Word 文档不会这样，已拒绝读取。")
        return depth + 1

    def children(self, element: etree._Element, depth: int):
        """Block-level children, looking through content controls and custom XML."""
        for child in element:
            if child.tag in _WRAPPERS:
                yield from self.children(child, self.deeper(depth))
            else:
                yield child, depth

    def blocks(self, body: etree._Element, depth: int):
        for child, level in self.children(body, depth):
            if child.tag == _P:
                yield from self.lines(child, level)
            elif child.tag == _TBL:
                if next(child.iterdescendants(_TBL), None) is not None:
                    # a layout table (a web page pasted into Word): its cells hold the report
                    for tr, row_level in self.children(child, self.deeper(level)):
                        for tc, cell_level in self.children(tr, self.deeper(row_level)) if tr.tag == _TR else ():
                            if tc.tag == _TC:
                                yield from self.blocks(tc, self.deeper(cell_level))
                else:
                    yield Fragment(self.rows(child, level))

    def lines(self, paragraph: etree._Element, depth: int) -> list[str]:
        """A paragraph's text; a line break inside it starts a new line, as readers see it."""
        lines = [""]
        self._text(paragraph, lines, depth)
        return lines

    def _text(self, element: etree._Element, lines: list[str], depth: int) -> None:
        for node in element:
            tag = node.tag
            if not isinstance(tag, str) or tag == _DEL or etree.QName(tag).localname in _HIDDEN_LOCAL:
                continue
            if tag == _T:
                lines[-1] += node.text or ""
            elif tag == _TAB:
                lines[-1] += " "
            elif tag in (_BR, _CR):
                lines.append("")
            elif len(node):
                self._text(node, lines, self.deeper(depth))

    def cell_text(self, cell: etree._Element, depth: int) -> str:
        """Every paragraph of the cell (a cell may hold several: a long label written in two lines)."""
        lines: list[str] = []
        for child, level in self.children(cell, depth):
            if child.tag == _P:
                lines.extend(self.lines(child, level))
        return clean(" ".join(lines))

    def rows(self, table: etree._Element, depth: int) -> tuple[Row, ...]:
        rows: list[Row] = []
        above: dict[int, Cell] = {}  # grid column -> the cell last seen starting there
        depth = self.deeper(depth)
        for tr, level in self.children(table, depth):
            if tr.tag != _TR:
                continue
            props = tr.find(_w("trPr"))
            col = _int(props.find(_w("gridBefore")) if props is not None else None, 0)
            row: list[Cell] = []
            for tc, cell_level in self.children(tr, self.deeper(level)):
                if tc.tag != _TC:
                    continue
                tc_props = tc.find(_w("tcPr"))
                span = max(1, _int(tc_props.find(_w("gridSpan")) if tc_props is not None else None, 1))
                merge = tc_props.find(_w("vMerge")) if tc_props is not None else None
                if merge is not None and merge.get(_w("val"), "continue") == "continue" and col in above:
                    cell = Cell(above[col].text, col, span)
                else:
                    cell = Cell(self.cell_text(tc, self.deeper(cell_level)), col, span)
                row.append(cell)
                above[col] = cell
                col += span
            rows.append(tuple(row))
        return tuple(rows)


def _int(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return max(0, min(int(element.get(_w("val"), default)), 200))
    except ValueError:
        return default

"""What a workbook must be before its cells are read: a plain, transitional .xlsx of sane size.

The archive itself (sizes, ratios, damage, DOCTYPE) is ``gaidocx.archive``'s
business; here come the checks only a workbook needs: the kind of file (a Word
document, a macro workbook, a Strict Open XML workbook), and how many cells,
rows and other elements it holds, counted before the cell reader builds anything.
Also here: the sheets' members, to name a sheet in a message.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree
from xml.parsers import expat

from gaidocx.archive import DAMAGED, MB, Archive, ArchiveError, Limits, bounded_read, check_xml, open_archive
from gaidocx.workbook.coordinates import range_boundaries

# Limits well above any real fill-in workbook.  The template is about 20 KB; a filled
# sheet stays under 200 KB with fewer than 2 000 cells.  Only the narrative text can be
# large: 86 cells at Excel's 32 767-character limit take 8.4 MB of UTF-8 shared strings
# as Excel, WPS and LibreOffice save them, or 22.5 MB of inline ``&#NNNNN;`` strings in
# the text sheet as openpyxl (``fill_workbook``) saves them.
MAX_PART = 4 * MB  # any member that is neither a worksheet nor the shared strings
MAX_TEXT_PART = 24 * MB  # xl/worksheets/*.xml and xl/sharedStrings.xml
MAX_TOTAL = 32 * MB
MAX_MEMBERS = 1000  # the template has 13


def _text_part(member: str) -> bool:
    lower = member.lower()
    return lower == "xl/sharedstrings.xml" or (
        lower.startswith("xl/worksheets/") and lower.endswith(".xml") and "/" not in lower[len("xl/worksheets/") :]
    )


LIMITS = Limits(
    file=MAX_TOTAL + 1 * MB,
    members=MAX_MEMBERS,
    total=MAX_TOTAL,
    part=MAX_PART,
    large_part=MAX_TEXT_PART,
    large=_text_part,
    what="填报表",
    normal="（几十 KB）",
)

#: In the whole workbook, what a reader builds objects for.  A real workbook has
#: some 900 cells (merged ones included) in 160 rows, 1 000 pieces of text, 600 other
#: elements (settings) and 4 000 elements in all; the worst that these limits let
#: through takes some 3 s and 120 MB.
MAX_CELLS = 50_000
MAX_ROWS = 50_000
MAX_TEXT = 50_000
MAX_SETTINGS = 10_000
MAX_ELEMENTS = 300_000
#: A tree of a part holds every attribute: 2 million of them in a 23 MB sheet took 240 MB.
MAX_ATTRIBUTES = 200_000
_EXCEL_ROWS, _EXCEL_COLS = 1_048_576, 16_384

_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_STRICT = b"http://purl.oclc.org/ooxml/"


class GuardError(Exception):
    """The workbook is refused; ``str(e)`` is a Chinese message without advice; ``kind`` as ``ArchiveError``'s."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def open_workbook_archive(data: bytes, name: str) -> Archive:
    """The checked archive of a workbook; raises ``ArchiveError`` or ``GuardError``."""
    try:
        archive = open_archive(data, name, LIMITS)
    except ArchiveError as exc:
        member = getattr(exc, "member", None)
        if member and exc.kind in ("bomb", "oversized"):
            title = _sheet_title(member, _harmless_parts(data, name))
            if title != f"“{member}”":
                raise ArchiveError(str(exc).replace(f"“{member}”", title, 1), exc.kind) from exc
        raise
    _check_kind(archive)
    _check_elements(archive.xml, name)
    return archive


def _harmless_parts(data: bytes, name: str) -> dict[str, bytes]:
    """The parts naming the sheets, for a message, read only if they are themselves harmless."""
    parts = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in _WORKBOOK_PARTS:
                try:
                    info = archive.getinfo(member)
                    if info.file_size <= MAX_PART and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                        content = bounded_read(archive, info, name)
                        check_xml(content, member, name)
                        parts[member] = content
                except (KeyError, ArchiveError, *DAMAGED):
                    continue  # the message is the same without the sheet's title
    except DAMAGED:
        pass
    return parts


def _check_kind(archive: Archive) -> None:
    name, names = archive.name, archive.names
    if "word/document.xml" in names:
        raise GuardError(f"“{name}”其实是 Word 文档（.docx），只是扩展名改成了 .xlsx。", "kind")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise GuardError(
            f"“{name}”含有宏（VBA 代码，通常是 .xlsm 文件）。为安全起见，本工具不读取带宏的文件："
            "请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx，不是“启用宏的工作簿”）再试。",
            "macro",
        )
    if "xl/workbook.xml" not in names:
        raise GuardError(f"“{name}”是压缩包，但不是 Excel 工作簿（.xlsx）。", "not workbook")
    if _STRICT in archive.xml["xl/workbook.xml"][:4096]:
        raise GuardError(
            f"“{name}”是“Strict Open XML 电子表格”格式，本工具（和很多软件一样）只能读取普通的 Excel 工作簿。"
            "请在 Excel 中打开它，“另存为”时保存类型选“Excel 工作簿（*.xlsx）”（不要选“Strict Open XML 电子表格”）再试。",
            "strict",
        )


class _TooMany(Exception):
    """Raised from the expat handler at the first excess: no need to read further."""


#: What is counted: (limit for the whole workbook, unit, how many a real workbook has).
_COUNTED = {
    "cells": (MAX_CELLS, "个单元格", "2000 个"),
    "rows": (MAX_ROWS, "行", "500 行"),
    "text": (MAX_TEXT, "个文字片段", "5000 个"),
    "settings": (MAX_SETTINGS, "个格式、数据验证等设置", "5000 个"),
    "elements": (MAX_ELEMENTS, "个 XML 元素", "1 万个"),
    "attributes": (MAX_ATTRIBUTES, "个 XML 属性", "2 万个"),
}
#: Elements of a cell's or the shared strings' text: strings, rich-text runs and their fonts.
_TEXT = frozenset(
    ("si", "is", "t", "r", "rPr", "rPh", "phoneticPr", "b", "i", "u", "strike", "sz", "color", "rFont")
    + ("family", "charset", "scheme", "vertAlign", "outline", "shadow", "condense", "extend")
)


def _check_elements(parts: dict[str, bytes], name: str) -> None:
    """Count what a reader builds objects for, before anything is built.

    A few MB of ``<row/>`` or one ``<mergeCell ref="A1:XFD1048576"/>`` kept
    openpyxl busy for minutes; the cell reader reads neither, but the limits
    stand for any program that opens the file after us.  Over the whole
    workbook this counts, with expat, stopping at the first excess: cells
    (``<c>``, and every cell of a merged or hyperlinked area); rows; text inside
    cells and shared strings; settings (every other element: styles,
    validations, formats…); and all elements.
    """
    # Every count is at most the number of elements, which the number of "<" bounds from above,
    # except the cells of merged and hyperlinked areas: when both are well within every limit,
    # as in any real workbook, no count can exceed its limit.  (Areas are looked at only among
    # few elements: a sheet of a million merges is refused by its count first.)
    fewest = min(limit for limit, _, _ in _COUNTED.values())
    tags = sum(content.count(b"<") for content in parts.values())
    few_attributes = sum(content.count(b"=") for content in parts.values()) <= MAX_ATTRIBUTES  # one "=" each
    if few_attributes and tags <= fewest and tags + _areas(parts) <= _COUNTED["cells"][0]:
        return
    quick = {member: _quick_count(content) for member, content in parts.items()}
    for what in ("cells", "rows", "elements"):
        if sum(counts[what] for counts in quick.values()) > _COUNTED[what][0]:
            _refuse_count(name, what, quick, parts)
    elements = sum(counts["elements"] for counts in quick.values())
    if few_attributes and elements <= fewest and elements + _areas(parts) <= _COUNTED["cells"][0]:
        return
    totals = dict.fromkeys(_COUNTED, 0)
    counts: dict[str, dict[str, int]] = {}
    for member, content in parts.items():
        counts[member] = dict.fromkeys(_COUNTED, 0)
        excess = _count(content, counts[member], totals)
        if excess:
            _refuse_count(name, excess, counts, parts)


#: A merged or hyperlinked area's start tag, in any namespace prefix; then its attributes, one
#: at a time (a value may hold ">" or "ref="), and the tag's end.
_AREA_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:mergeCell|hyperlink)\b")
_ATTRIBUTE = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TAG_END = re.compile(rb"\s*/?>")


def _areas(parts: dict[str, bytes]) -> int:
    """The cells of every merged and hyperlinked area."""
    return sum(_area(_attribute_text(ref)) for content in parts.values() for ref in _area_refs(content))


def _attribute_text(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    if "&" in text:  # a character reference, which no spreadsheet program writes in a range
        import html

        text = html.unescape(text)
    return text


def _area_refs(content: bytes) -> list[bytes]:
    """The ``ref`` of every merged or hyperlinked area in ``content``, in one pass over it.

    The search starts at the first tag that can hold one (a sheet keeps its areas after
    its cells), and stops at a start tag that is not well-formed: the reader refuses
    such a part, and reading on from there could take each tag as far as the part goes."""
    found = [at for at in (content.find(b"mergeCell"), content.find(b"hyperlink")) if at >= 0]
    refs: list[bytes] = []
    position = max(content.rfind(b"<", 0, min(found)), 0) if found else len(content)
    while tag := _AREA_TAG.search(content, position):
        position = tag.end()
        while attribute := _ATTRIBUTE.match(content, position):
            name, double, single = attribute.groups()
            if name == b"ref":
                refs.append(double if double is not None else single)
            position = attribute.end()
        if not _TAG_END.match(content, position):
            break
    return refs


def _quick_count(content: bytes) -> dict[str, int]:
    """Cells, rows and elements counted in the bytes, at C speed: a first pass that refuses
    the plain cases (thousands of pasted rows) at once.  Exact when, as from every
    spreadsheet program, no comment or CDATA section holds markup."""
    cells = content.count(b"<c ") + content.count(b"<c>")
    rows = content.count(b"<row ") + content.count(b"<row>")
    return {"cells": cells, "rows": rows, "elements": content.count(b"<") - content.count(b"</") - content.count(b"<?")}


def _refuse_count(name: str, excess: str, counts: dict[str, dict[str, int]], parts: dict[str, bytes]) -> None:
    limit, unit, normal = _COUNTED[excess]
    most = max(counts, key=lambda m: counts[m][excess])
    raise GuardError(
        f"“{name}”中的{_sheet_title(most, parts)}等处共有超过 {limit} {unit}，远超正常的填报表（不到 {normal}），"
        "可能粘贴了大量无关内容，或是恶意构造的文件，已拒绝读取。",
        "oversized",
    )


def _count(content: bytes, own: dict[str, int], totals: dict[str, int]) -> str | None:
    """Add one member's counts to ``own`` and ``totals``; the first thing over its limit, if any."""
    depth = 0
    text_from: int | None = None  # depth of the <c> or <sst> whose content is being read

    def add(what: str, number: int = 1) -> None:
        own[what] += number
        totals[what] += number
        if totals[what] > _COUNTED[what][0]:
            raise _TooMany(what)

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth, text_from
        depth += 1
        add("elements")
        add("attributes", len(attributes))
        local = tag.rpartition(" ")[2]
        if text_from is not None and local in ("v", "f"):
            return  # a cell's value or formula: part of the cell
        if text_from is not None and local in _TEXT:
            add("text")
        elif local == "c":
            add("cells")
            text_from = depth if text_from is None else text_from
        elif local == "sst" and depth == 1:
            text_from = depth
        elif local == "row":
            add("rows")
        elif local in ("mergeCell", "hyperlink"):
            add("cells", _area(attributes.get("ref", "")))
        else:  # anywhere, even inside a cell: openpyxl's worksheet reader finds elements at any depth
            add("settings")

    def end(_: str) -> None:
        nonlocal depth, text_from
        if depth == text_from:
            text_from = None
        depth -= 1

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        try:
            parser.Parse(content, True)
        except (expat.ExpatError, ValueError, LookupError):  # ValueError, LookupError: unusable encodings
            # openpyxl fails on such a sheet too; other parsers may read more of it
            tags = content.count(b"<")
            add("elements", tags)
            add("settings", tags)
    except _TooMany as excess:
        return excess.args[0]
    return None


def _area(ref: str) -> int:
    """Cells in an A1 range; a whole row or column counts as Excel's full extent."""
    if ":" not in ref:
        return 1
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return 0  # openpyxl refuses it too
    width = (max_col or _EXCEL_COLS) - (min_col or 1) + 1
    height = (max_row or _EXCEL_ROWS) - (min_row or 1) + 1
    return max(width, 0) * max(height, 0)


def sheet_members(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet title → its member (``xl/worksheets/sheet3.xml``), as the workbook part says."""
    try:
        workbook, relations = (ElementTree.fromstring(parts[part]) for part in _WORKBOOK_PARTS)
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for relation in relations:
        target = relation.get("Target", "")
        path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        targets[relation.get("Id")] = posixpath.normpath(path)
    members = {}
    for sheet in workbook.iter():
        if sheet.tag.rpartition("}")[2] != "sheet":
            continue
        relation = next((v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id"), None)
        if relation in targets and sheet.get("name") is not None:
            members[sheet.get("name")] = targets[relation]
    return members


def _sheet_title(member: str, parts: dict[str, bytes]) -> str:
    """``工作表“表四”（xl/worksheets/sheet5.xml）`` when the workbook says so; else the member's name."""
    title = next((t for t, m in sheet_members(parts).items() if m == member), None)
    return f"工作表“{title}”（{member}）" if title is not None else f"“{member}”"

"""A small, strict reader of a workbook's cells, in place of openpyxl on the read path.

The fill-in workbook is always our own template, already checked by the archive
guard, which holds every XML part in memory.  This reads what the workbook reader
needs and nothing else: the sheets' names and parts, the shared strings, which
cell styles are date formats, and each sheet's cells with their formulas and
cached results.  Values come out as openpyxl gives them with ``data_only=False``
(numbers as ``int`` or ``float``, date-formatted numbers as ``datetime``, formulas
as ``"=…"`` text with shared formulas expanded), so that the reader and its
messages do not change; ``tests/workbook/test_cells.py`` holds openpyxl as the oracle.

Parsing is ElementTree's C parser (expat), which refuses a document type
declaration here too (the archive guard already refused any; this is a second
defence).  Any malformed part raises ``CellsError``.  Addresses are ``coordinates``'
business and serial dates ``dates``'.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator
from xml.etree import ElementTree
from xml.parsers import expat

from gaidocx.workbook.coordinates import column_index_from_string, column_letter, coordinate_from_string, position
from gaidocx.workbook.dates import (
    BUILTIN_DATE_FORMATS,
    MAC_EPOCH,
    WINDOWS_EPOCH,
    from_excel,
    from_iso,
    is_date_format,
    is_duration_format,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_M = "{" + MAIN + "}"
#: The qualified names read, made once rather than for every element compared.
_SHEET = _M + "sheet"
_WORKBOOK_PR = _M + "workbookPr"
_T = _M + "t"
_R = _M + "r"
_SI = _M + "si"
_NUM_FMTS = _M + "numFmts"
_NUM_FMT = _M + "numFmt"
_CELL_XFS = _M + "cellXfs"
_XF = _M + "xf"
_SHEET_DATA = _M + "sheetData"
_ROW = _M + "row"
_C = _M + "c"
_V = _M + "v"
_F = _M + "f"
_IS = _M + "is"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class CellsError(Exception):
    """A part cannot be read as a workbook's part (malformed XML, a bad reference, a DOCTYPE)."""


# ---------------------------------------------------------------- cells


class Cell:
    """One cell as the reader uses it: ``value`` and ``data_type`` as openpyxl gives them.

    ``cached`` is a formula's ``(t attribute, <v> text or None)``; ``serial`` the
    text of a date-formatted number out of the date range (the value is then
    ``"#VALUE!"`` of type ``"e"``, as openpyxl makes it).
    """

    __slots__ = ("row", "column", "value", "data_type", "style", "cached", "serial")

    def __init__(self, row: int, column: int, value: object = None, data_type: str = "n", style: int = 0) -> None:
        self.row, self.column, self.value, self.data_type, self.style = row, column, value, data_type, style
        self.cached: tuple[str, str | None] | None = None
        self.serial: str | None = None

    @property
    def coordinate(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    def __repr__(self) -> str:
        return f"<Cell {self.coordinate} {self.data_type} {self.value!r}>"


class Sheet:
    def __init__(self, title: str, cells: dict[tuple[int, int], Cell]) -> None:
        self.title = title
        self.cells = cells
        self.max_row = max((r for r, _ in cells), default=1)
        self.max_column = max((c for _, c in cells), default=1)

    def cell(self, row: int, column: int) -> Cell:
        return self.cells.get((row, column)) or Cell(row, column)

    def __getitem__(self, address: str) -> Cell:
        column, row = coordinate_from_string(address)
        return self.cell(row, column_index_from_string(column))

    def iter_rows(
        self,
        min_row: int | None = None,
        max_row: int | None = None,
        min_col: int | None = None,
        max_col: int | None = None,
        values_only: bool = False,
    ) -> Iterator[tuple]:
        """Rows of cells (or their values) in the bounds, as openpyxl's: missing bounds are the sheet's."""
        columns = range(min_col or 1, (max_col or self.max_column) + 1)
        for row in range(min_row or 1, (max_row or self.max_row) + 1):
            cells = tuple(self.cell(row, column) for column in columns)
            yield tuple(c.value for c in cells) if values_only else cells

    def cached_values(self) -> dict[str, tuple[str, str | None]]:
        """Each formula cell: coordinate → (type attribute, the cached ``<v>`` text or ``None``)."""
        return {c.coordinate: c.cached for c in self.cells.values() if c.cached is not None}


class Book:
    def __init__(self, sheets: list[Sheet], date1904: bool) -> None:
        self.worksheets = sheets
        self.sheetnames = [s.title for s in sheets]
        self.epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        self._by_name = {s.title: s for s in sheets}

    def __getitem__(self, name: str) -> Sheet:
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name


# ---------------------------------------------------------------- parsing


class Forbidden(CellsError):
    pass


#: openpyxl writes each non-ASCII character as a reference (``&#22522;``), and expat hands each
#: one to the tree builder as a string of its own until the text is joined: 2.8 million of them
#: (every narrative cell full) held 270 MB.  Above this many, text is buffered by expat instead.
_MANY_REFERENCES = 50_000


def _tree(content: bytes) -> ElementTree.Element:
    """The part as an element tree, built by the C parser: a workbook has about 1 500
    elements, and one Python call per element was most of the time of reading it.

    That plain C builder is used when no ``<!`` (a declaration, a comment, a CDATA section)
    can be in the part and its text comes in few pieces: UTF-8 without those two bytes
    (UTF-16, with or without a byte-order mark, has a NUL among its first bytes) and with
    few character references.  Any other part is read by ``_careful_tree``."""
    plain = (
        b"<!" not in content
        and b"\x00" not in content[:4]
        and not content.startswith((b"\xff\xfe", b"\xfe\xff"))
        and content.count(b"&#") <= _MANY_REFERENCES
    )
    try:
        if not plain:
            return _careful_tree(content)
        parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder())
        parser.feed(content)
        return parser.close()
    except CellsError:
        raise
    except (ElementTree.ParseError, expat.ExpatError, ValueError, LookupError) as exc:
        raise CellsError(str(exc)) from exc


def _careful_tree(content: bytes) -> ElementTree.Element:
    """The same tree through expat's own interface: a document type declaration is refused
    as soon as it starts, and text is handed over in buffered runs, not reference by reference."""
    builder = ElementTree.TreeBuilder()
    names: dict[str, str] = {}

    def qualified(name: str) -> str:  # expat's "namespace}local" → ElementTree's "{namespace}local"
        if name not in names:
            names[name] = "{" + name if "}" in name else name
        return names[name]

    def refuse(*_: object) -> None:
        raise Forbidden("a document type declaration")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = refuse
    parser.StartElementHandler = lambda name, attributes: builder.start(
        qualified(name), {qualified(key): value for key, value in attributes.items()}
    )
    parser.EndElementHandler = lambda name: builder.end(qualified(name))
    parser.CharacterDataHandler = builder.data
    parser.Parse(content, True)
    return builder.close()


def _sheet_parts(parts: dict[str, bytes]) -> tuple[list[tuple[str, str | None]], bool]:
    """(title, member) of every sheet in workbook order, and whether dates count from 1904."""
    workbook = _tree(parts["xl/workbook.xml"])
    relations = _tree(parts["xl/_rels/workbook.xml.rels"]) if "xl/_rels/workbook.xml.rels" in parts else ()
    targets = {}
    for relation in relations:
        target = relation.get("Target", "")
        path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        targets[relation.get("Id")] = posixpath.normpath(path)
    sheets, date1904 = [], False
    for node in workbook.iter():
        if node.tag == _SHEET:
            name = node.get("name")
            if name is None:
                raise CellsError("a sheet without a name")
            sheets.append((name, targets.get(node.get(_RELATIONSHIP_ID))))
        elif node.tag == _WORKBOOK_PR:
            date1904 = node.get("date1904", "").lower() in ("1", "true")
    return sheets, date1904


def _rich_text(node: ElementTree.Element) -> str:
    """A string item's text: its ``<t>`` and its rich-text runs' ``<t>``, phonetic guides left out."""
    pieces = []
    for child in node:
        if child.tag == _T:
            pieces.append(child.text or "")
        elif child.tag == _R:
            pieces.extend(t.text or "" for t in child if t.tag == _T)
    return "".join(pieces)


def _shared_strings(content: bytes | None) -> list[str]:
    """Each ``<si>``'s text, with the ``_x005F_`` escape read."""
    if content is None:
        return []
    return [_rich_text(item).replace("x005F_", "") for item in _tree(content) if item.tag == _SI]


@functools.lru_cache(maxsize=2)  # a batch's workbooks mostly share their styles byte for byte (a part holds at most 4 MB)
def _date_styles(content: bytes | None) -> tuple[frozenset[int], frozenset[int]]:
    """The indices of the cell formats (``cellXfs``) that are dates, and of those that are durations."""
    if content is None:
        return frozenset(), frozenset()
    root = _tree(content)
    custom: dict[int, str] = {}
    dates, durations = set(), set()
    for node in root:
        if node.tag == _NUM_FMTS:
            for code in node:
                if code.tag == _NUM_FMT and code.get("numFmtId", "").isdigit():
                    custom[int(code.get("numFmtId"))] = code.get("formatCode", "")
    for node in root:
        if node.tag != _CELL_XFS:
            continue
        for index, xf in enumerate(x for x in node if x.tag == _XF):
            number = xf.get("numFmtId", "0")
            identifier = int(number) if number.isdigit() else 0
            code = custom.get(identifier, BUILTIN_DATE_FORMATS.get(identifier))
            if is_date_format(code):
                dates.add(index)
            if is_duration_format(code):
                durations.add(index)
    return frozenset(dates), frozenset(durations)


def _number(text: str) -> int | float:
    """Numbers as openpyxl casts them: an ``int`` unless the text has a point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


_REFERENCE = re.compile(r"(?<![\w.$])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(!])")


def _shift(formula: str, rows: int, columns: int) -> str:
    """A shared formula's text moved by ``rows`` and ``columns``: relative references shift, absolute stay.

    Text in double quotes is left alone; sheet names before ``!`` are not references.
    """

    def move(match: re.Match) -> str:
        column_fixed, letters, row_fixed, row = match.groups()
        try:
            column = column_index_from_string(letters)
        except ValueError:
            return match[0]
        if not column_fixed:
            column += columns
        number = int(row) if row_fixed else int(row) + rows
        if column < 1 or number < 1:
            return "#REF!"
        return f"{column_fixed}{column_letter(column)}{row_fixed}{number}"

    pieces = formula.split('"')
    for index in range(0, len(pieces), 2):  # outside quotes
        pieces[index] = _REFERENCE.sub(move, pieces[index])
    return '"'.join(pieces)


def _worksheet(title: str, content: bytes, shared: list[str], dates: frozenset[int], durations: frozenset[int], epoch) -> Sheet:
    """The cells of ``<sheetData>``, read as openpyxl reads them."""
    cells: dict[tuple[int, int], Cell] = {}
    formulas: dict[str, tuple[str, int, int]] = {}  # si → (master text, row, column)
    row_number = 0
    for data in _tree(content):
        if data.tag != _SHEET_DATA:
            continue
        for row in data:
            if row.tag != _ROW:
                continue
            r = row.get("r")
            if r is None:
                row_number += 1
            else:
                number = float(r)
                if not number.is_integer():
                    raise CellsError(f"{r} is not a valid row number")
                row_number = int(number)
            column_number = 0
            for element in row:
                if element.tag != _C:
                    continue
                coordinate = element.get("r")
                if coordinate:
                    row_at, column_number = position(coordinate)
                else:
                    column_number += 1
                    row_at = row_number
                cells[(row_at, column_number)] = _cell(element, row_at, column_number, formulas, shared, dates, durations, epoch)
    return Sheet(title, cells)


def _cell(element, row: int, column: int, formulas, shared, dates, durations, epoch) -> Cell:
    kind = element.get("t", "n")
    style_text = element.get("s")
    style = int(style_text) if style_text else 0
    cached = element.findtext(_V) or None
    value: object = None if kind == "inlineStr" else cached
    data_type = kind
    result = Cell(row, column, None, kind, style)
    formula = element.find(_F)
    if formula is not None:
        data_type = "f"
        text = formula.text or ""
        value = "=" + text
        if formula.get("t") == "shared":
            index = formula.get("si")
            if index in formulas:
                master, master_row, master_column = formulas[index]
                value = "=" + _shift(master, row - master_row, column - master_column)
            elif value != "=":
                formulas[index] = (text, row, column)
        result.cached = (kind, cached)
    elif value is not None:
        if kind == "n":
            value = _number(value)
            if style in dates:
                data_type = "d"
                try:
                    value = from_excel(value, epoch, duration=style in durations)
                except (OverflowError, ValueError):
                    result.serial = str(value)
                    data_type, value = "e", "#VALUE!"
        elif kind == "s":
            value = shared[int(value)]
        elif kind == "b":
            value = bool(int(value))
        elif kind == "str":
            data_type = "s"
        elif kind == "d":
            value = from_iso(value)
    elif kind == "inlineStr":
        inline = element.find(_IS)
        if inline is not None:
            data_type = "s"
            value = _rich_text(inline)
    result.value, result.data_type = value, data_type
    return result


def load(parts: dict[str, bytes]) -> Book:
    """The workbook in ``parts`` (member → XML, as ``Archive.xml``); raises ``CellsError``.

    Every sheet is read; a sheet whose part is not a worksheet (a chart sheet) has no cells.
    """
    try:
        sheets, date1904 = _sheet_parts(parts)
        shared = _shared_strings(parts.get("xl/sharedStrings.xml"))
        dates, durations = _date_styles(parts.get("xl/styles.xml"))
        epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        read = []
        for title, member in sheets:
            if member is None or member not in parts:
                raise CellsError(f"the part of sheet {title} is missing")
            if not member.startswith("xl/worksheets/"):
                read.append(Sheet(title, {}))
                continue
            read.append(_worksheet(title, parts[member], shared, dates, durations, epoch))
    except CellsError:
        raise
    except (KeyError, IndexError, ValueError, OverflowError, TypeError) as exc:
        raise CellsError(f"{type(exc).__name__}: {exc}") from exc
    return Book(read, date1904)

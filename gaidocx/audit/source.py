"""What a reader found in a published file: paragraphs and table fragments in document order.

Readers (``read_pdf``, ``read_docx``, ``read_html``) turn a file into a ``Source``:
body paragraphs and table fragments in document order, each table a list of rows
of ``Cell`` at their grid columns, vertical merges repeated into every row they
cover.  ``bounded_source`` holds every reader to the same bounds.

Pure: no office library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says so in Chinese."""


#: What a reader may hand over, far above any report (three tables, split into a dozen fragments
#: at most, some 600 cells, a few hundred paragraphs): beyond this the file is refused, so that
#: matching labels stays within a second or two.
MAX_TABLES = 100
MAX_CELLS = 20_000
MAX_PARAGRAPHS = 20_000
MAX_CHARACTERS = 2_000_000


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a published table: its text and the grid columns it covers."""

    text: str
    col: int
    span: int = 1

    @property
    def end(self) -> int:
        return self.col + self.span


Row = tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Fragment:
    """One table as found in the file; a published table may come in several."""

    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Source:
    """What a reader found: paragraphs (``str``) and tables (``Fragment``) in document order."""

    name: str
    blocks: tuple[str | Fragment, ...]
    #: the report's kind (本机关 or 本行政区域) when the file records it (our .docx and pages do)
    kind: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    def texts(self) -> Iterable[str]:
        """Every piece of text, paragraphs and cells alike (for recognising a format)."""
        for block in self.blocks:
            if isinstance(block, str):
                yield block
            else:
                for row in block.rows:
                    yield from (cell.text for cell in row)


def bounded_source(name: str, blocks: Iterable[str | Fragment]) -> Source:
    """The ``Source`` of ``blocks`` (empty paragraphs dropped), or ``UnreadableFile`` past the bounds."""
    kept: list[str | Fragment] = []
    tables = cells = paragraphs = characters = 0
    for block in blocks:
        if isinstance(block, str):
            if not block:
                continue
            paragraphs += 1
            characters += len(block)
        else:
            tables += 1
            cells += sum(len(row) for row in block.rows)
            characters += sum(len(cell.text) for row in block.rows for cell in row)
        kept.append(block)
        for count, limit, what in (
            (tables, MAX_TABLES, "个表格"),
            (cells, MAX_CELLS, "个表格单元格"),
            (paragraphs, MAX_PARAGRAPHS, "个段落"),
            (characters, MAX_CHARACTERS, "个字"),
        ):
            if count > limit:
                raise UnreadableFile(f"{name} 有超过 {limit} {what}，远超任何年度报告，不像是年度报告，已拒绝读取。")
    return Source(name, tuple(kept))


def grid_rows(rows: Iterable[Iterable[tuple[str, int, int]]]) -> tuple[Row, ...]:
    """Rows of ``(text, colspan, rowspan)`` as an HTML table writes them, placed on the grid.

    A cell spanning rows is repeated, with its text, in every row it covers.
    """
    placed: list[list[Cell]] = []
    pending: dict[int, tuple[Cell, int]] = {}  # column -> (cell, rows still to cover)

    def carry(row: list[Cell], col: int) -> int:
        """Cells spanning down from rows above, at ``col`` and after it; the next free column."""
        while col in pending:
            cell, left = pending.pop(col)
            row.append(Cell(cell.text, col, cell.span))
            if left > 1:
                pending[col] = (cell, left - 1)
            col += cell.span
        return col

    for raw in rows:
        row: list[Cell] = []
        col = 0
        for text, colspan, rowspan in raw:
            col = carry(row, col)
            cell = Cell(text, col, max(1, colspan))
            row.append(cell)
            if rowspan > 1:
                pending[col] = (cell, rowspan - 1)
            col += cell.span
        col = carry(row, col)
        # spans further right (a short row) still take their place
        for later in sorted(c for c in pending if c > col):
            if later in pending:
                carry(row, later)
        placed.append(row)
    return tuple(tuple(r) for r in placed)


def read_bounded(path: Path, most: int, too_big: str) -> bytes:
    """A published file's bytes, refused before reading when larger than ``most`` bytes
    (``too_big`` says so, with ``{name}`` and ``{mb}``), or when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > most:
            raise UnreadableFile(too_big.format(name=path.name, mb=size // 1024 // 1024))
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件 {path.name}（{exc.strerror or exc}）。") from exc

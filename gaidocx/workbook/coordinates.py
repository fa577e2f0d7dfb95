"""Cell addresses as Excel writes them: ``B12``, ``$A$1:C3``, column letters up to ``XFD``.

The same few hundred cells are named in every workbook of the template, so each
parsing is remembered.  Results match openpyxl's functions of the same names, which
``tests/workbook/test_cells.py`` holds as the oracle.
"""

from __future__ import annotations

import functools
import re

_COORDINATE = re.compile(r"^[$]?([A-Za-z]{1,3})[$]?(\d+)$")
_RANGE = re.compile(r"^[$]?([A-Za-z]{1,3})?[$]?(\d+)?(:[$]?([A-Za-z]{1,3})?[$]?(\d+)?)?$")


#: Every workbook of the template names the same few hundred cells: remember their parsing.
_remembered = functools.lru_cache(maxsize=4096)


@_remembered
def column_index_from_string(column: str) -> int:
    """``"A"`` → 1, ``"XFD"`` → 16 384."""
    if not 1 <= len(column) <= 3 or not column.isascii() or not column.isalpha():
        raise ValueError(f"{column} is not a column letter")
    index = 0
    for letter in column.upper():
        index = index * 26 + ord(letter) - 64
    if index > 16_384:
        raise ValueError(f"{column} is beyond the last column")
    return index


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@_remembered
def coordinate_from_string(coordinate: str) -> tuple[str, int]:
    """``"B12"`` → ``("B", 12)``."""
    match = _COORDINATE.match(coordinate)
    if not match or int(match[2]) == 0:
        raise ValueError(f"Invalid cell coordinates ({coordinate})")
    return match[1].upper(), int(match[2])


@_remembered
def position(coordinate: str) -> tuple[int, int]:
    """``"B12"`` → ``(12, 2)``."""
    letters, row = coordinate_from_string(coordinate)
    return row, column_index_from_string(letters)


def range_boundaries(text: str) -> tuple[int | None, int | None, int | None, int | None]:
    """``"A1:C3"`` → ``(1, 1, 3, 3)``; whole rows or columns leave ``None``, as openpyxl's function."""
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"{text} is not a valid coordinate or range")
    min_col, min_row, separator, max_col, max_row = match.groups()
    if separator:
        cols, rows = (min_col, max_col), (min_row, max_row)
        if not (all(cols + rows) or (all(cols) and not any(rows)) or (all(rows) and not any(cols))):
            raise ValueError(f"{text} is not a valid coordinate or range")
    first_col = column_index_from_string(min_col) if min_col is not None else None
    first_row = int(min_row) if min_row is not None else None
    last_col = column_index_from_string(max_col) if max_col is not None else first_col
    last_row = int(max_row) if max_row is not None else first_row
    return first_col, first_row, last_col, last_row

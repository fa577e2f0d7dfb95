"""What the command prints, made safe and laid out for an 80-column console.

File names and cell text come from users' files: a name holding a terminal escape
(``ESC[2K``, an OSC title sequence, a carriage return) would rewrite a line or the
window's title, and a right-to-left override would disguise a name.  ``printable``
shows every such character as an escape instead.  ``table`` lays a batch's results
out in columns measured in terminal columns (a CJK character takes two), wrapping a
long cell under its own column.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from gaidocx.click_zh import display_width, wrap

#: What a console may be assumed to show without wrapping.
WIDTH = 80
#: The widest the file-name column gets; longer names are cut in the middle.
_NAME_COLUMNS = 24
_GAP = "  "


def printable(text: str) -> str:
    """``text`` with control and format characters (except line breaks) shown as ``\\x1b``, ``\\u202e``."""
    if text.isprintable() or all(c == "\n" or c.isprintable() for c in text):
        return text
    return "".join(c if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf") else _escaped(c) for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def table(rows: Sequence[tuple[str, str, str]], heading: tuple[str, str, str], width: int = WIDTH) -> list[str]:
    """Lines of a three-column table (result, file, what to know); the last column wraps under itself."""
    rows = [tuple(printable(cell) for cell in row) for row in rows]
    first = max(display_width(row[0]) for row in (heading, *rows))
    second = min(max(display_width(row[1]) for row in (heading, *rows)), _NAME_COLUMNS)
    indent = first + second + 2 * len(_GAP)
    lines = []
    for status, name, detail in (heading, *rows):
        lead = _padded(status, first) + _GAP + _padded(_cut(name, second), second) + _GAP
        text = wrap(detail, width, lead, " " * indent) if detail else lead.rstrip()
        lines.extend(text.splitlines())
    return lines


def _padded(text: str, columns: int) -> str:
    return text + " " * (columns - display_width(text))


def _cut(name: str, columns: int) -> str:
    """A name that fits ``columns``: its start and its last characters kept (they tell the kind)."""
    if display_width(name) <= columns:
        return name
    head, end = name[:-8], name[-8:]
    while head and display_width(head) + 1 + display_width(end) > columns:
        head = head[:-1]
    return f"{head}…{end}"

"""Page geometry and table-layout rules of the report, shared by the Word template and the web page.

Lengths are in twips (1/1440 inch) and font sizes in half-points, as WordprocessingML
writes them; the page converts what it needs (``figure_margin(table) / 20`` points).
The rules follow GB/T 9704-2012 as described in ``official-format.md`` §7.
"""

from __future__ import annotations

import math
import re
import unicodedata

from gaidocx.core.form import FORM_2021, Field, Form, Label, Table

# ---------------------------------------------------------------- page geometry (twips, 1/1440 inch)

PAGE_WIDTH = 11906  # A4 210 mm
PAGE_HEIGHT = 16838  # A4 297 mm
MARGIN_TOP = 2098  # 37 mm
MARGIN_BOTTOM = 1984  # 35 mm
MARGIN_LEFT = 1588  # 28 mm
MARGIN_RIGHT = 1474  # 26 mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8844 = 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 12756 = 225 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
#: 225 mm / 22 lines = 28.99 pt; Word needs the pitch rounded down to fit 22 lines.
LINE_PITCH = TEXT_HEIGHT // LINES_PER_PAGE  # 579 twips = 28.95 pt
BODY_SIZE = 32  # half-points: 3号, 16 pt
#: Letter spacing of body text in twentieths of a point: 16 pt − 0.4 pt = 15.6 pt a character
#: puts 28 on the 442.2 pt line (437 pt) and never 29 (452 pt).  This, not the character grid,
#: sets the 28 characters: LibreOffice cannot lay out a grid pitch narrower than the font (it
#: gives each character two cells, 14 a line), so paragraphs do not snap to the grid, and Word,
#: WPS and LibreOffice all break lines at the same 28 characters.  The grid stays in the page
#: setup (Word shows 22 lines × 28 characters) for text a user adds in other styles.
BODY_TRACKING = -8
#: docGrid charSpace: the grid pitch minus the default font size, in 1/4096 pt, rounded
#: down so that 28 characters fit.
CHAR_SPACE = math.floor((TEXT_WIDTH / CHARS_PER_LINE / 20 - BODY_SIZE / 2) * 4096)  # -849
HEADER_DISTANCE = 851  # 15 mm; the template has no header content
#: Puts the page number's dashes 7 mm below the text block (GB/T 9704 §7.5), measured.
FOOTER_DISTANCE = 1361  # 24 mm from the page edge to the bottom of the footer line

TITLE_SIZE = 44  # 2号, 22 pt
TITLE_CHARS_PER_LINE = TEXT_WIDTH // (TITLE_SIZE * 10)  # 20
PAGE_NUMBER_SIZE = 28  # 4号, 14 pt, digits and dashes in 宋体 too (“半角宋体阿拉伯数字”)
TABLE_SIZE = 18  # 小五, 9 pt: table 四 has 15 columns on a portrait page
TABLE_LINE = 240  # exact 12 pt lines in tables
TABLE_CELL_MARGIN = 30  # left/right cell padding
#: Left/right padding of table 四's value cells, narrower than its label cells' so that a
#: figure of 6 digits (540 twips at 9 pt) fits on one line while 结果维持 still wraps 2 + 2.
TABLE_FOUR_FIGURE_MARGIN = 15
TABLE_ROW_MIN = 320  # 16 pt minimum row height


#: Column widths in twips, each table exactly as wide as the text block.
#: Table 三: a narrow first column (“三、本年度办理结果” two characters a line), the
#: （三）不予公开 column four characters wide (set as （三）/不予公开), the item column ten,
#: and value columns that hold 8 digits at 9 pt while 社会公益组织 wraps 4 + 2; so the
#: whole table fits on one page.
#: Table 四: 15 equal columns; labels wrap two characters a line (结果维持 as 2 + 2) and, with
#: TABLE_FOUR_FIGURE_MARGIN, value cells hold 6 digits at 9 pt.
COLUMN_WIDTHS: dict[str, tuple[int, ...]] = {
    "二": (2211,) * 4,
    "三": (480, 800, 1964) + (800,) * 7,
    "四": (590,) * 9 + (589,) * 6,
}

#: A Times New Roman digit is half an em wide.
DIGIT_WIDTH = TABLE_SIZE * 10 // 2


def figure_margin(table: Table) -> int:
    """Left/right padding of the table's value cells."""
    return TABLE_FOUR_FIGURE_MARGIN if table.number == "四" else TABLE_CELL_MARGIN


def figure_capacity(f: Field, form: Form = FORM_2021) -> int:
    """How many digits fit on one line in the field's cell of the shipped template
    (tables 二 and 三: at least 8, every figure the checks accept; table 四: 6)."""
    table = form.table_of(f.key)
    widths = COLUMN_WIDTHS[table.number]
    return (sum(widths[f.col : f.col + f.colspan]) - 2 * figure_margin(table)) // DIGIT_WIDTH


def label_left_aligned(table: Table, label: Label) -> bool:
    """Table 三's long body labels read better left-aligned; its tall 三、 column stays centred."""
    tall_first_column = label.col == 0 and label.rowspan > 1
    return table.number == "三" and label.row >= table.header_rows and not tall_first_column


SUB_NUMBER = re.compile(r"（[一二三四五六七八九十]+）")


def text_width(text: str) -> float:
    """Width in characters: CJK and full-width forms 1, others one half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def break_rows(table: Table) -> set[int]:
    """Rows a page may break before, so that a long table fills the page it starts on
    instead of leaving it mostly blank, while every group reads whole:

    - after the repeated header rows and the first body row below them;
    - where no merged cell spans the break, except the tall first column (表三's
      三、本年度办理结果), which may break once the rows above the break are tall enough
      for its whole label (LibreOffice, like Word, sets the label in the part of the merged
      cell on the first page; a shorter part would cut the label in two);
    - in a table of full-width groups (表二's 第二十条第（五）项), only before a group.
    """
    blocked: set[int] = set()
    widths = COLUMN_WIDTHS[table.number]
    for label in table.labels:
        if label.rowspan < 2:
            continue
        inside = range(label.row + 1, label.row + label.rowspan)
        if label.col > 0:
            blocked.update(inside)
            continue
        chars = (sum(widths[: label.colspan]) - 2 * TABLE_CELL_MARGIN) // (TABLE_SIZE * 10)
        label_height = math.ceil(text_width(label.text) / max(chars, 1)) * TABLE_LINE
        rows_needed = math.ceil(label_height / TABLE_ROW_MIN)
        blocked.update(row for row in inside if row < label.row + rows_needed)
    rows = {row for row in range(table.header_rows + 1, table.rows) if row not in blocked}
    group_starts = {label.row for label in table.labels if label.colspan == table.columns and label.row >= table.header_rows}
    return rows & group_starts if group_starts else rows


def rows_kept_with_next(table: Table) -> set[int]:
    """Rows whose paragraphs keep with the next row: every row but those before a break row."""
    breaks = break_rows(table)
    return {row for row in range(table.rows - 1) if row + 1 not in breaks}


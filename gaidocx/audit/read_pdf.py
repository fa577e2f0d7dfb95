"""Reading a published PDF (exported from Word or WPS, or by ``render --pdf``) with pdfplumber.

Each page gives its ruled tables (pdfplumber's grid: a merged cell is ``None``
in the cells it covers) and its lines of text outside them; lines become
paragraphs again (a new one starts at an indented line or after a short line),
page numbers are dropped, and tables and paragraphs follow in reading order.
What page breaks do to a table is undone here: a row cut at the break (a label
such as “（四）无” | “法提供”) is joined again; a header repeated on the next page
or a label column left empty is left to the table reader, which matches rows by
their own labels.  A one-column "table" (a text frame's border) is read as text.

Bounded like every input: the file's size, pages, objects per page and in all,
characters, inflated stream sizes (pdfminer inflates a stream whole, so its
decoders are bounded before it runs), operators parsed, forms drawn and time: the
bounds are held here, pdfminer reports to them through the one adapter that
touches its internals, gaidocx.audit.pdfminer_bounds.  A PDF without a text layer
(scanned pages) is refused with what to use instead.
"""

from __future__ import annotations

import functools
import itertools
import re
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from gaidocx.audit.source import Fragment, Source, UnreadableFile, bounded_source, grid_rows, read_bounded
from gaidocx.audit.tables import best_match
from gaidocx.core.form import FORM_2021, TRIAL_FORM_2019

#: A published report is 3–40 pages of a few MB at most (pictures of seals included).
MAX_FILE = 64 * 1024 * 1024
MAX_PAGES = 100
#: Objects listed in the cross-reference table: a report has a few thousand.
MAX_XREF_ENTRIES = 200_000
#: Characters, ruling lines and rectangles: a dense table page has some 3 000.
MAX_OBJECTS_PER_PAGE = 30_000
MAX_OBJECTS = 300_000
#: One stream inflated (a content stream is tens of KB; an embedded font a few MB), and all together.
MAX_STREAM = 32 * 1024 * 1024
MAX_INFLATED = 128 * 1024 * 1024
#: Forms (XObjects) drawn: Word and WPS draw a picture or a seal a few times per page.
MAX_DRAWN_FORMS = 400
#: Operators and operands parsed from content streams: a dense page has some 2 000–3 000 (a line
#: of text about ten, a ruling line six); the bound on all keeps the worst file under 2 s.
MAX_TOKENS_PER_PAGE = 50_000
MAX_TOKENS = 250_000
#: Seconds for the whole file; a 40-page report takes 3–4 s.
TIME_BUDGET = 30.0
#: Fewer characters than this on every page: scanned images, no text layer.
_FEWEST_CHARACTERS = 20

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z.%])[ \t]+(?=[{_CJK}])")
_PAGE_NUMBER = re.compile(r"^[-—－–\s]*\d{1,3}[-—－–\s]*$|^第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$")


class _TooMuch(Exception):
    """A bound was passed; the message says which, in Chinese."""


# ---------------------------------------------------------------- bounds


@dataclass
class _Budget:
    """What pdfminer has done for one file, held against the bounds (a ``pdfminer_bounds.Counter``)."""

    name: str
    deadline: float
    max_stream: int = MAX_STREAM
    inflated_in_all: int = 0
    objects: int = 0
    forms: int = 0
    tokens: int = 0
    page: int = 0
    page_tokens: int = 0
    page_objects: int = 0

    def new_page(self, number: int) -> None:
        self.page, self.page_tokens, self.page_objects = number, 0, 0

    def parsed(self) -> None:
        """One more operator or operand of a content stream (no operator draws anything by itself:
        ``q Q`` repeated by the million takes minutes)."""
        self.tokens += 1
        self.page_tokens += 1
        if self.page_tokens > MAX_TOKENS_PER_PAGE or self.tokens > MAX_TOKENS:
            raise _TooMuch(f"{self.name} 的页面内容过长（超过 {MAX_TOKENS_PER_PAGE if self.page_tokens > MAX_TOKENS_PER_PAGE else MAX_TOKENS} 个绘制指令），远超任何年度报告，已拒绝读取。")
        if not self.tokens % 4096:
            self.check_time()

    def drawn(self) -> None:
        self.page_objects += 1
        self.objects += 1
        if self.page_objects > MAX_OBJECTS_PER_PAGE or self.objects > MAX_OBJECTS:
            where = f"第 {self.page} 页有超过 {MAX_OBJECTS_PER_PAGE}" if self.page_objects > MAX_OBJECTS_PER_PAGE else f"有超过 {MAX_OBJECTS}"
            raise _TooMuch(f"{self.name} {where} 个文字和图形对象，远超任何年度报告，已拒绝读取。")
        if not self.page_objects % 256:
            self.check_time()

    def form_drawn(self) -> None:
        # a form drawn inside itself, or a chain of forms each drawing the next many times
        self.forms += 1
        if self.forms > MAX_DRAWN_FORMS:
            raise _TooMuch(f"{self.name} 重复绘制图形超过 {MAX_DRAWN_FORMS} 次，远超任何年度报告，已拒绝读取。")
        self.check_time()

    def inflated(self, size: int) -> None:
        self.inflated_in_all += size
        if size > MAX_STREAM or self.inflated_in_all > MAX_INFLATED:
            raise _TooMuch(
                f"{self.name} 中的数据解压后超过 {MAX_STREAM // 1024 // 1024 if size > MAX_STREAM else MAX_INFLATED // 1024 // 1024} MB，"
                "远超任何年度报告，可能是恶意构造的“压缩炸弹”文件，已拒绝读取。"
            )

    def refused(self, compression: str) -> NoReturn:
        # LZW and run-length can expand many times over and are decoded in pure Python;
        # Word and WPS never write them for text or ruling lines
        raise _TooMuch(f"{self.name} 使用了年度报告不会用到的 {compression} 压缩方式，已拒绝读取。")

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _TooMuch(f"{self.name} 读取超过 {TIME_BUDGET:.0f} 秒仍未完成，远超任何年度报告，已停止读取。")


# ---------------------------------------------------------------- reading


def read_pdf(path: Path) -> Source:
    """The paragraphs and tables of a text PDF, in reading order."""
    name = path.name
    data = read_bounded(path, MAX_FILE, "{name} 有 {mb} MB，远大于任何年度报告的 PDF，已拒绝读取。")
    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile(f"{name} 不是 PDF 文件（文件开头没有 PDF 标记），可能只是扩展名改成了 .pdf。")
    # every entry of a cross-reference table ends " n" or " f"; pdfminer holds each in a dict
    entries = data.count(b" n") + data.count(b" f")
    if entries > MAX_XREF_ENTRIES:
        raise UnreadableFile(f"{name} 的对象目录有约 {entries} 项，远超任何年度报告（几千项），已拒绝读取。")
    del data
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    import gaidocx.audit.pdfminer_bounds as pdfminer_bounds

    budget = _Budget(name, time.monotonic() + TIME_BUDGET)
    pages: list[_Page] = []
    try:
        # the stream is closed here: pdfplumber's own close() would first build every page
        with pdfminer_bounds.bounded(budget), path.open("rb") as stream:
            pdf = pdfplumber.open(stream)
            bounded_pages = list(itertools.islice(pdfminer_bounds.pages(pdf), MAX_PAGES + 1))
            if len(bounded_pages) > MAX_PAGES:
                raise _TooMuch(f"{name} 超过 {MAX_PAGES} 页，远超任何年度报告，已拒绝读取。")
            for page in bounded_pages:
                pages.append(_read_page(page))
                page.close()
                budget.check_time()
    except _TooMuch as exc:
        raise UnreadableFile(str(exc)) from exc
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises anything on a damaged file
        cause = exc.args[0] if exc.args else exc  # pdfplumber wraps pdfminer's exception
        if isinstance(cause, PDFPasswordIncorrect) or isinstance(exc, PDFPasswordIncorrect):
            raise UnreadableFile(f"{name} 设置了打开密码，无法读取。请使用没有密码的版本。") from exc
        if isinstance(exc, RecursionError):
            raise UnreadableFile(f"{name} 的结构嵌套过深，正常的 PDF 不会这样，已拒绝读取。") from exc
        raise UnreadableFile(f"{name} 不是有效的 PDF 文件，可能已损坏（{type(exc).__name__}）。") from exc
    if not pages:
        raise UnreadableFile(f"{name} 没有页面。")
    if all(page.characters < _FEWEST_CHARACTERS for page in pages):
        raise UnreadableFile(
            f"{name} 没有文字层（可能是扫描件或由图片生成的 PDF），无法读出其中的文字和数字。"
            "请核对该报告的网页版或 Word 版，或向发布机关索取可以复制文字的 PDF。"
        )
    return bounded_source(name, _blocks(pages))


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    height: float


@dataclass
class _Cell:
    text: str
    colspan: int
    rowspan: int
    x0: float
    x1: float


@dataclass
class _Table:
    rows: list[list[_Cell]]
    top: float
    bottom: float
    at_top: bool  # begins at the top of its page (no line of text above it)
    at_bottom: bool

    def fragment(self) -> Fragment:
        return Fragment(grid_rows([(cell.text, cell.colspan, cell.rowspan) for cell in row] for row in self.rows))


@dataclass
class _Page:
    items: list[_Line | _Table]
    left: float
    right: float
    characters: int


def _read_page(page) -> _Page:
    tables = [t for t in page.find_tables() if _columns(t) > 1]
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = [
        _Line(_tidy(line["text"]), line["x0"], line["x1"], line["top"], line["bottom"] - line["top"])
        for line in text_page.extract_text_lines(strip=True, return_chars=False)
        if line["text"].strip() and not _PAGE_NUMBER.match(line["text"].strip())
    ]
    characters = len(page.chars)
    items: list[_Line | _Table] = list(lines)
    tops = [line.top for line in lines]
    for table in tables:
        _, top, _, bottom = table.bbox
        rows = _table_rows(table)
        items.append(_Table(rows, top, bottom, not any(t < top for t in tops), not any(t > bottom for t in tops)))
    items.sort(key=lambda item: item.top)
    left = min((line.x0 for line in lines), default=0.0)
    right = max((line.x1 for line in lines), default=float(page.width))
    return _Page(items, left, right, characters)


def _columns(table) -> int:
    return len({round(cell[0], 1) for cell in table.cells})


def _join(pieces: Sequence[str]) -> str:
    """Lines of one cell or paragraph as one text: a space only between words of Latin letters
    (a figure wrapped in a narrow cell is one number again)."""
    text = ""
    for piece in pieces:
        piece = piece.strip()
        if text and piece and re.match(r"[A-Za-z]", piece[0]) and re.search(r"[A-Za-z,.;:]$", text):
            text += " "
        text += piece
    return text


def _tidy(text: str) -> str:
    """The gap a PDF leaves between Chinese and Latin letters or digits (“2024 年”) is no space."""
    return _SPACE_BETWEEN.sub("", text)


def _table_rows(table) -> list[list[_Cell]]:
    """Each row's cells with their spans measured on the table's grid."""
    xs = sorted({round(cell[0], 1) for cell in table.cells})
    tops = sorted({round(cell[1], 1) for cell in table.cells})
    rows = []
    for row, extracted in zip(table.rows, table.extract()):
        cells = []
        for bbox, text in zip(row.cells, extracted):
            if bbox is None:
                continue
            x0, top, x1, bottom = bbox
            colspan = max(1, sum(1 for x in xs if x0 - 0.5 <= x < x1 - 0.5))
            rowspan = max(1, sum(1 for t in tops if top - 0.5 <= t < bottom - 0.5))
            cells.append(_Cell(_tidy(_join((text or "").split("\n"))), colspan, rowspan, x0, x1))
        rows.append(cells)
    return rows


def _blocks(pages: Sequence[_Page]) -> Iterator[str | Fragment]:
    """Paragraphs and tables in reading order; a table row cut at a page break joined again."""
    paragraph: list[_Line] = []
    previous: _Line | None = None
    pending: _Table | None = None  # the last table, held back in case the next page continues its last row
    # the text's margins: a last page holding only the signature says nothing about them
    written = [page for page in pages if any(isinstance(item, _Line) for item in page.items)]
    left = min((page.left for page in written), default=0.0)
    right = max((page.right for page in written), default=0.0)
    height = statistics.median([item.height for page in pages for item in page.items if isinstance(item, _Line)] or [12.0])

    def close_paragraph() -> Iterator[str]:
        if paragraph:
            yield _join([line.text for line in paragraph])
            paragraph.clear()

    for page in pages:
        for item in page.items:
            if isinstance(item, _Table):
                yield from close_paragraph()
                previous = None
                if pending is not None:
                    if pending.at_bottom and item.at_top:
                        _rejoin_cut_row(pending, item)
                    yield pending.fragment()
                pending = item
                continue
            if pending is not None:
                yield pending.fragment()
                pending = None
            if paragraph and _starts_paragraph(item, previous, left, right, height):
                yield from close_paragraph()
            paragraph.append(item)
            previous = item
    yield from close_paragraph()
    if pending is not None:
        yield pending.fragment()


#: A line beginning like a heading or a numbered item (一、 （一） 1.) begins a paragraph.
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．](?!\d))")
_ENDS_SENTENCE = "。！？；：）)”」"


def _starts_paragraph(line: _Line, previous: _Line | None, left: float, right: float, height: float) -> bool:
    """An indented or numbered line starts a paragraph; so does the line after one that ends a
    sentence short of the right margin (by more than Word's line breaking leaves), or after a short
    heading."""
    if line.x0 > left + 0.8 * height or _NUMBERED.match(line.text):
        return True
    if previous is None:
        return True
    short_by = right - previous.x1
    return (short_by > 1.5 * height and previous.text[-1:] in _ENDS_SENTENCE) or short_by > 6 * height


_FIGURE = re.compile(r"^[\s0-9.,，]*\d[\s0-9.,，]*$")


def _rejoin_cut_row(before: _Table, after: _Table) -> None:
    """A table continued on the next page whose first row holds no figure, is not a header
    repeated, has text only below label cells of the same width, and completes their labels is
    the rest of a row cut at the page break (“（四）无” | “法提供”): its texts are appended to the
    texts above them, by position on the page, and the row is dropped."""
    if not before.rows or not after.rows:
        return
    first, last = after.rows[0], before.rows[-1]
    texts = [cell.text for cell in first if cell.text]
    header = {tuple(cell.text for cell in row if cell.text) for row in before.rows[:4]}
    if not texts or any(_FIGURE.match(text) for text in texts) or tuple(texts) in header:
        return
    # each text right below a cell of the same width: a sub-heading row spanning the table is no cut row
    pairs = []
    for rest in first:
        if rest.text:
            above = next((c for c in last if abs(c.x0 - rest.x0) <= 2 and abs(c.x1 - rest.x1) <= 2), None)
            if above is None or _FIGURE.match(above.text):
                return  # a figure is never cut: this row is a row of its own
            pairs.append((above, rest))
    # a header row alone at the foot of a page is followed by the next header row, not by its rest:
    # the texts joined must read as an official label better than the text before the break
    labels = _official_labels()
    if not all(best_match(_join([a.text, r.text]), labels)[1] > best_match(a.text, labels)[1] for a, r in pairs):
        return
    for above, rest in pairs:
        above.text = _join([above.text, rest.text])
    after.rows.pop(0)


@functools.lru_cache(maxsize=1)
def _official_labels() -> frozenset[str]:
    return frozenset(label.text for form in (FORM_2021, TRIAL_FORM_2019) for table in form.tables for label in table.labels)

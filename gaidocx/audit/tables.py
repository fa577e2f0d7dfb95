"""Published tables as grids of text, mapped onto the official form.

Readers turn a file into a ``Source`` (``gaidocx.audit.source``).  This module finds the three official tables among the fragments by their labels and
reads every figure at its official place, tolerant of what real publishers do:
labels with spaces, full- or half-width punctuation, ``1、`` for ``1.``,
truncated or slightly mistyped labels, merges written as repeated cells or lost,
tables split over several fragments, extra empty rows and columns.

Pure: no office library.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from gaidocx.audit.source import Cell, Fragment, Row
from gaidocx.core.form import Field, Form, Kind, Table

# ---------------------------------------------------------------- text


_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
_DIGIT_COMMA = re.compile(r"(?<=\d)、")
_NUMERALS = "一二三四五六七八九十"
_PREFIX = re.compile(rf"^(?:[{_NUMERALS}]+[、.,]|\([{_NUMERALS}]+\)|\(\d{{1,2}}\)|\d{{1,2}}[.,](?!\d))")
_INNER_PREFIX = re.compile(rf"(?:\([{_NUMERALS}]+\)|(?<![\d.])\d{{1,2}}\.(?!\d))")


def clean(text: str) -> str:
    """Text as printed, with invisible characters and runs of whitespace reduced."""
    text = _INVISIBLE.sub("", text).replace("\xa0", " ").replace("\u3000", " ")
    return _SPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """A label reduced for comparison: half-width, no whitespace or quotes, ``1、`` as ``1.``."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    text = _SPACE.sub("", text).translate(_QUOTES)
    text = text.replace("〔", "[").replace("〕", "]").replace("。", "").replace("：", ":")
    return _DIGIT_COMMA.sub(".", text).lower()


def core(text: str) -> str:
    """The normalised label without its numbering (``（一）``, ``一、``, ``1.``)."""
    return _PREFIX.sub("", normalise(text), count=1)


#: A printed text longer than this (twice the longest official label or heading) can match none:
#: a note of several KB numbered 1. 2. … is not compared suffix by suffix (that was quadratic).
LONGEST_MATCHED = 80


@functools.lru_cache(maxsize=65536)
def _tails(text: str) -> tuple[str, ...]:
    """The label, and what follows each numbering inside it (``（三）不予公开1.属于国家秘密``);
    only the tails short enough to match a label."""
    norm = normalise(text)
    head = _PREFIX.sub("", norm, count=1)
    tails = [head] if len(head) <= LONGEST_MATCHED else []
    start = max(1, len(norm) - LONGEST_MATCHED - 4)  # a numbering is at most 4 characters
    tails.extend(norm[m.end():] for m in _INNER_PREFIX.finditer(norm, start) if len(norm) - m.end() <= LONGEST_MATCHED)
    return tuple(t for t in tails if t)


@functools.lru_cache(maxsize=1024)
def _matcher(wanted: str) -> difflib.SequenceMatcher:
    """A matcher against an official label, its index built once (most of difflib's cost)."""
    return difflib.SequenceMatcher(None, "", wanted, autojunk=False)


_REMARK = re.compile(r"\([^()]*\)$")

#: Below this a label is not taken to be the official one.
THRESHOLD = 0.75


@functools.lru_cache(maxsize=65536)
def similarity(found: str, official: str) -> float:
    """How well a printed label matches an official one, 0…1; truncation and typos score high."""
    full = core(official)
    # a remark in brackets is often left out: （二）部分公开（区分处理的，……）
    wanted_forms = {full, _REMARK.sub("", full) or full}
    best = 0.0
    for tail in _tails(found):
        for wanted in wanted_forms:
            if tail == wanted:
                return 1.0
            if len(tail) >= max(2, 0.6 * len(wanted)) and (wanted.startswith(tail) or wanted.endswith(tail)):
                best = max(best, 0.9)
            elif 2 * min(len(tail), len(wanted)) / (len(tail) + len(wanted)) > best:
                matcher = _matcher(wanted)
                matcher.set_seq1(tail)
                if matcher.quick_ratio() > best:
                    best = max(best, matcher.ratio())
    return best


#: Two labels scoring within this of each other are both close: the choice is said, never silent.
_CLOSE = 0.05


def closest_two(found: str, candidates: Iterable[str]) -> tuple[tuple[str | None, float], tuple[str | None, float]]:
    """The two candidates ``found`` is most like, with their scores, best first (an exact match
    has no runner-up worth naming)."""
    candidates = tuple(candidates)
    exact = best_match(found, candidates)
    if exact[1] == 1.0:
        return exact, (None, 0.0)
    ranked = sorted(((similarity(found, c), c) for c in candidates), reverse=True)[:2]
    ranked += [(0.0, None)] * (2 - len(ranked))
    return (ranked[0][1], ranked[0][0]), (ranked[1][1], ranked[1][0])


def best_match(found: str, candidates: Iterable[str]) -> tuple[str | None, float]:
    """The official label ``found`` stands for, if any scores at least ``THRESHOLD``."""
    best, score = None, 0.0
    for candidate in candidates:
        s = similarity(found, candidate)
        if s > score:
            best, score = candidate, s
            if s == 1.0:
                break  # nothing scores higher
    return (best, score) if score >= THRESHOLD else (None, score)


# ---------------------------------------------------------------- figures


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_WITH_UNIT = re.compile(rf"({_NUMBER.pattern})\s*([^\d\s]+)")
#: Digits beyond any count or amount: longer text is not a figure.
_LONGEST = 20
_PUBLISHED_FEE_DECIMALS = 6  # real reports print the fee to the fen (spec §3)


@dataclass(frozen=True, slots=True)
class Figure:
    """A printed figure: the text found and what it is worth (``None`` when blank or not a number)."""

    text: str
    value: int | Decimal | None
    problem: str = ""  # why the text is not a figure

    @property
    def blank(self) -> bool:
        return not self.text


def read_figure(text: str, kind: Kind) -> Figure:
    """The one place printed text becomes a number."""
    shown = clean(text)
    plain = unicodedata.normalize("NFKC", shown).replace(" ", "")
    if not plain:
        return Figure("", None)
    if len(plain) <= _LONGEST and _NUMBER.fullmatch(plain):
        try:
            number = Decimal(plain.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return Figure(shown, None, "不是数字。")
        if kind is Kind.COUNT and number == number.to_integral_value():
            return Figure(shown, int(number))
        return Figure(shown, number)
    with_unit = _WITH_UNIT.fullmatch(plain)
    if with_unit and len(plain) <= _LONGEST:
        amount, unit = Decimal(with_unit[1].replace(",", "")), with_unit[2]
        if unit == "元" and kind is Kind.FEE:
            converted = format(Decimal(amount / 10000).normalize(), "f")
            return Figure(shown, None, f"数字带了单位：表头的单位是万元，{amount} 元应为 {converted} 万元。")
        return Figure(shown, None, "数字带了单位：单位应写在表头中，单元格只写数字。")
    if plain in {"/", "\\", "-", "--", "—", "——", "─", "无", "空", "N/A", "n/a", "×", "*"}:
        return Figure(shown, None, "不是数字：没有发生的应填 0。")
    return Figure(shown, None, "应为数字。")


def fee_decimals_ok(value: int | Decimal) -> bool:
    exponent = Decimal(value).as_tuple().exponent
    return not isinstance(exponent, int) or -exponent <= _PUBLISHED_FEE_DECIMALS


# ---------------------------------------------------------------- tables


def _label_texts(table: Table) -> set[str]:
    return {label.text for label in table.labels}


@functools.lru_cache(maxsize=8)
def _distinctive(forms: tuple[Form, ...]) -> dict[str, set[str]]:
    """Per table number, labels that no other table has (``总计`` and ``其他`` are everywhere)."""
    texts: dict[str, set[str]] = {}
    for form in forms:
        for table in form.tables:
            texts.setdefault(table.number, set()).update(_label_texts(table))
    result = {}
    for number, own in texts.items():
        others = {core(t) for n, ts in texts.items() if n != number for t in ts}
        result[number] = {t for t in own if core(t) not in others}
    return result


@functools.lru_cache(maxsize=8)
def _distinctive_exact(forms: tuple[Form, ...]) -> dict[str, str]:
    """Each distinctive label, reduced as ``core`` reduces it, and its table's number."""
    return {core(text): number for number, texts in _distinctive(forms).items() for text in texts}


def identify(fragment: Fragment, forms: Sequence[Form]) -> str | None:
    """Which table (二, 三 or 四) a fragment belongs to, by the official labels in it: labels
    printed exactly decide at once; otherwise every label is matched tolerantly."""
    texts = {cell.text for row in fragment.rows for cell in row if cell.text and not _looks_numeric(cell.text)}
    exact: dict[str, int] = {}
    for text in texts:
        number = _distinctive_exact(tuple(forms)).get(core(text))
        if number is not None:
            exact[number] = exact.get(number, 0) + 1
    if len(exact) == 1 and max(exact.values()) >= 2:
        return next(iter(exact))
    labels = _distinctive(tuple(forms))
    scores = {number: sum(1 for text in texts if best_match(text, own)[1] >= 0.8) for number, own in labels.items()}
    number, score = max(scores.items(), key=lambda item: item[1], default=(None, 0))
    return number if score else None


def _looks_numeric(text: str) -> bool:
    return bool(_NUMBER.fullmatch(unicodedata.normalize("NFKC", text).replace(" ", "")))


def drop_empty_columns(rows: Sequence[Row]) -> tuple[Row, ...]:
    """Grid columns that hold no text in any row (spacer cells, trailing empties) are removed."""
    used = sorted({c for row in rows for cell in row if clean(cell.text) for c in range(cell.col, cell.end)})
    index = {c: i for i, c in enumerate(used)}
    result = []
    for row in rows:
        cells = []
        for cell in row:
            covered = [index[c] for c in range(cell.col, cell.end) if c in index]
            if covered:
                cells.append(Cell(cell.text, covered[0], len(covered)))
        result.append(tuple(cells))
    return tuple(result)


@dataclass(frozen=True, slots=True)
class _Line:
    """A row split into its labels (left of the figures) and its value region."""

    labels: tuple[str, ...]
    values: tuple[Cell, ...]
    start: int  # first grid column of the value region

    def value(self, index: int, span: int = 1) -> str:
        """The text at value columns ``index`` … ``index + span - 1``: merged or repeated, it reads as one."""
        wanted = range(self.start + index, self.start + index + span)
        covering: list[Cell] = []
        for cell in self.values:
            if any(c in wanted for c in range(cell.col, cell.end)) and cell not in covering:
                covering.append(cell)
        texts = [clean(c.text) for c in covering]
        filled = [t for t in texts if t]
        if not filled:
            return ""
        return filled[0]


def _lines(
    rows: Sequence[Row], value_columns: int, label_texts: Collection[str], heading_texts: Collection[str]
) -> list[_Line]:
    """Each row split where its figures start.

    The figures follow the row's labels (the rightmost cell that reads as one of the table's row
    labels), and end at the row's right edge.  When the row holds more cells than that, either
    merges were lost (empty cells after the label: align on the right) or the row was padded with
    empty cells at its end (align on the label).  A row without a recognisable label is aligned on
    the right.
    """
    lines = []
    for row in rows:
        if not row:
            continue
        end = max(cell.end for cell in row)
        label_end = None
        for cell in row:
            text = clean(cell.text)
            if not text:
                continue
            if _looks_numeric(text):
                break
            numbered = bool(_PREFIX.match(normalise(text)))
            if not numbered and best_match(text, heading_texts)[0] is not None:
                break  # a column heading (总计 and 其他 are row labels too, but numbered ones)
            if best_match(text, label_texts)[0] is not None:
                label_end = cell.end
        if label_end is None:
            start = end - value_columns
        elif end - label_end <= value_columns:
            start = label_end
        else:
            right = end - value_columns
            gap = [c for c in row if c.col >= label_end and c.end <= right and clean(c.text)]
            start = label_end if gap else right
        start = max(start, 0)
        labels: list[str] = []
        values = []
        for cell in row:
            if cell.col >= start:
                values.append(cell)
            else:
                text = clean(cell.text)
                if text and (not labels or labels[-1] != text):
                    labels.append(text)
        lines.append(_Line(tuple(labels), tuple(values), start))
    return lines


def _specific(f: Field) -> str:
    """The most specific label of a field's row (``1.属于国家秘密`` of ``（三）不予公开 1.属于国家秘密``)."""
    return f.row_label.rsplit(" ", 1)[-1]


def _label_columns(table: Table) -> int:
    return min(f.col for f in table.fields)


@dataclass
class TableReading:
    """The figures of one table as printed, keyed by the field keys of ``table``."""

    table: Table
    figures: dict[str, Figure] = field(default_factory=dict)
    missing_rows: list[str] = field(default_factory=list)
    unknown_rows: list[str] = field(default_factory=list)
    #: (label as printed, official label) where the two differ beyond spacing, punctuation and numbering
    renamed: list[tuple[str, str]] = field(default_factory=list)
    #: column headings not found, and headings found but not over their official columns
    absent_heads: list[str] = field(default_factory=list)
    misplaced_heads: list[str] = field(default_factory=list)
    #: rows printed more than once (the table printed twice), and each figure whose copy differs:
    #: (field key, the copy's text)
    repeated_rows: list[str] = field(default_factory=list)
    #: (label as printed, the official label it was read as, another official label as close)
    ambiguous: list[tuple[str, str, str]] = field(default_factory=list)
    differing_copies: list[tuple[str, str]] = field(default_factory=list)


def read_table(table: Table, rows: Sequence[Row]) -> TableReading:
    """Every field of ``table`` read from the published ``rows`` (labels matched tolerantly)."""
    rows = drop_empty_columns(rows)
    label_cols = _label_columns(table)
    value_columns = table.columns - label_cols
    row_label_texts = {label.text for label in table.labels if label.col < label_cols}
    heading_texts = {label.text for label in table.labels if label.col >= label_cols}
    lines = _lines(rows, value_columns, row_label_texts, heading_texts)
    reading = TableReading(table)
    body_rows: dict[int, list[Field]] = {}
    for f in table.fields:
        body_rows.setdefault(f.row, []).append(f)
    headings = _label_texts(table)
    found: dict[int, _Line] = {}
    copies: dict[int, list[_Line]] = {}
    if label_cols == 0:
        # table 四: the figures are the first row below the headings that holds no heading
        (row, fields), = body_rows.items()
        for line in lines:
            texts = [clean(c.text) for c in line.values]
            if not any(texts) or any(best_match(t, headings)[1] >= 0.8 for t in texts if t):
                continue
            if row in found:
                copies.setdefault(row, []).append(line)
            else:
                found[row] = line
    else:
        specific = {_specific(fields[0]): row for row, fields in body_rows.items()}
        for line in lines:
            if not line.labels:
                continue
            (label, score), (second, second_score) = closest_two(line.labels[-1], specific)
            if score < THRESHOLD:
                label = None
            elif score < 1.0 and second is not None and second_score >= THRESHOLD and score - second_score < _CLOSE:
                reading.ambiguous.append((line.labels[-1], label, second))
            if label is None:
                if any(clean(c.text) and _looks_numeric(c.text) for c in line.values) and not any(
                    best_match(t, headings)[0] for t in line.labels
                ):
                    reading.unknown_rows.append(" ".join(line.labels))
                continue
            row = specific[label]
            if row not in found:
                found[row] = line
                if core(line.labels[-1]) != core(label):
                    reading.renamed.append((line.labels[-1], label))
            else:
                copies.setdefault(row, []).append(line)
    _check_heads(table, lines, label_cols, reading)
    for row, fields in body_rows.items():
        line = found.get(row)
        if line is None:
            reading.missing_rows.append(fields[0].row_label)
            continue
        for f in fields:
            reading.figures[f.key] = read_figure(line.value(f.col - label_cols, f.colspan), f.kind)
        _compare_copies(fields, copies.get(row, ()), label_cols, reading)
    return reading


def _compare_copies(fields: Sequence[Field], copies: Sequence[_Line], label_cols: int, reading: TableReading) -> None:
    """A row printed again (the table printed twice) must say the same: each differing figure is kept.
    A copy without figures (a label cut at a page break) is no copy."""
    for line in copies:
        again = {f.key: read_figure(line.value(f.col - label_cols, f.colspan), f.kind) for f in fields}
        if not any(figure.text for figure in again.values()):
            continue
        if fields[0].row_label not in reading.repeated_rows:
            reading.repeated_rows.append(fields[0].row_label)
        for key, figure in again.items():
            first = reading.figures[key]
            if (figure.value, figure.text if figure.value is None else "") != (first.value, first.text if first.value is None else ""):
                reading.differing_copies.append((key, figure.text))


def _check_heads(table: Table, lines: Sequence[_Line], label_cols: int, reading: TableReading) -> None:
    """Each column heading should stand over its official columns: otherwise the figures may be shifted."""
    official: dict[str, set[int]] = {}
    for label in table.labels:
        if label.col >= label_cols:
            official.setdefault(label.text, set()).add(label.col - label_cols)
    seen: dict[str, set[int]] = {text: set() for text in official}
    for line in lines:
        for cell in line.values:
            text = clean(cell.text)
            if not text or _looks_numeric(text):
                continue
            head, score = best_match(text, official)
            if head is not None and score >= 0.8:
                seen[head].add(cell.col - line.start)
    for head, places in official.items():
        if not seen[head]:
            reading.absent_heads.append(head)
        elif not places <= seen[head]:
            reading.misplaced_heads.append(head)


"""The official 2021 annual-report form (国办公开办函〔2021〕30号), defined once.

Every official label, merge and arithmetic rule lives here.  The Excel template,
the workbook reader, the checks and the Word template are all generated from
these objects, so a label is never typed a second time anywhere else.

Tables are described as grids in the official orientation: ``Label`` objects
are the static (possibly merged) cells and ``Field`` objects are the value
cells.  Grid coordinates are 0-based and identical in the workbook and in the
Word document.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

FORMAT_NAME = "国办公开办函〔2021〕30号"
FIRST_YEAR = 2021
#: Report years 2019–2020 used the trial format; earlier years used unrelated formats.
TRIAL_FORMAT_NAME = "国办公开办函〔2019〕60号"
TRIAL_FORMAT_FIRST_YEAR = 2019
TITLE_SUFFIX = "年政府信息公开工作年度报告"

#: Phrases that only the 2019 trial format (国办公开办函〔2019〕60号) uses.
TRIAL_FORMAT_MARKERS = (
    "本年新制作数量",
    "对外公开总数量",
    "其他对外管理服务事项",
    "第二十条第（九）项",
    "政府集中采购",
    "上一年项目数量",
)

#: 报告类型: an agency's own report (due 31 January) or the whole-area report of a people's
#: government, whose tables sum its departments' (due 31 March).
OWN_REPORT = "本机关"
AREA_REPORT = "本行政区域"
REPORT_KINDS = (OWN_REPORT, AREA_REPORT)

TOTAL = "总计"
CONTENT = "信息内容"
DECISIONS = "本年处理决定数量"

_NUMERALS = "一二三四五六七八九十"


def top_number(index: int) -> str:
    """``一、`` style prefix for the 1-based ``index``."""
    return f"{_NUMERALS[index - 1]}、"


def sub_number(index: int) -> str:
    """``（一）`` style prefix for the 1-based ``index``."""
    return f"（{_NUMERALS[index - 1]}）"


def item_number(index: int) -> str:
    """``1.`` style prefix, as printed in the official tables."""
    return f"{index}."


class Kind(enum.Enum):
    """What a value cell may hold."""

    COUNT = "count"  # a non-negative whole number (件)
    FEE = "fee"  # 万元, non-negative, at most 6 decimals: to the fen (1 分 = 0.000001 万元)


#: Published reports give the 行政事业性收费 amount in 万元 to the fen, e.g. 24252.311082.
FEE_DECIMALS = 6
#: Above this a figure is certainly a typing slip (no agency handles 10⁸ cases).
MAX_VALUE = 99_999_999


@dataclass(frozen=True, slots=True)
class Label:
    """A static cell of an official table, spanning ``rowspan`` × ``colspan`` grid cells."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True, slots=True)
class Field:
    """A value cell.  ``parts`` is non-empty for totals, which are computed, never typed."""

    key: str
    row: int
    col: int
    row_label: str
    col_label: str
    colspan: int = 1
    kind: Kind = Kind.COUNT
    parts: tuple[str, ...] = ()
    #: Above this a figure is unusual enough to double-check (and too wide for the cell).
    warn_above: int | None = None

    @property
    def is_total(self) -> bool:
        return bool(self.parts)

    @property
    def labels(self) -> str:
        """Row and column labels, as users read them in messages."""
        return " × ".join(text for text in (self.row_label, self.col_label) if text)


@dataclass(frozen=True, slots=True)
class Balance:
    """An arithmetic rule between entered figures: ``sum(left) == sum(right)``."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    rule: str  # the rule in the official wording
    column: str  # the column it applies to, for messages


@dataclass(frozen=True, slots=True)
class Table:
    """One official table: its grid, static labels and value fields."""

    number: str  # 二, 三 or 四: the section it belongs to
    rows: int
    columns: int
    header_rows: int  # rows repeated at the top of each page
    labels: tuple[Label, ...]
    fields: tuple[Field, ...]
    balances: tuple[Balance, ...] = ()

    @property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.is_total)

    @property
    def totals(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_total)


@dataclass(frozen=True, slots=True)
class Section:
    """One of the six sections.  Narrative sections carry a customary skeleton."""

    number: str  # 一 … 六
    title: str
    table: Table | None = None
    skeleton: tuple[str, ...] = ()
    required: bool = False


# ---------------------------------------------------------------- table 二


def _table_2() -> Table:
    groups = (
        ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), ("规章", "行政规范性文件"), Kind.COUNT),
        ("第二十条第（五）项", (DECISIONS,), ("行政许可",), Kind.COUNT),
        ("第二十条第（六）项", (DECISIONS,), ("行政处罚", "行政强制"), Kind.COUNT),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("行政事业性收费",), Kind.FEE),
    )
    columns = 4
    labels: list[Label] = []
    fields: list[Field] = []
    row = 0
    item = 0
    for clause, heads, items, kind in groups:
        labels.append(Label(clause, row, 0, colspan=columns))
        row += 1
        labels.append(Label(CONTENT, row, 0))
        span = (columns - 1) // len(heads)
        for index, head in enumerate(heads):
            labels.append(Label(head, row, 1 + index * span, colspan=span))
        row += 1
        for name in items:
            item += 1
            labels.append(Label(name, row, 0))
            for index, head in enumerate(heads):
                fields.append(
                    Field(f"t2.r{item}.c{index + 1}", row, 1 + index * span, name, head, span, kind)
                )
            row += 1
    return Table("二", row, columns, 0, tuple(labels), tuple(fields))


# ---------------------------------------------------------------- table 三

_T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_T3_APPLICANTS = "申请人情况"
_T3_NATURAL = "自然人"
_T3_LEGAL = "法人或其他组织"
_T3_LEGAL_KINDS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")

_T3_RESULTS = (
    ("予以公开", ()),
    ("部分公开（区分处理的，只计这一情形，不计其他情形）", ()),
    (
        "不予公开",
        (
            "属于国家秘密",
            "其他法律行政法规禁止公开",
            "危及“三安全一稳定”",
            "保护第三方合法权益",
            "属于三类内部事务信息",
            "属于四类过程性信息",
            "属于行政执法案卷",
            "属于行政查询事项",
        ),
    ),
    ("无法提供", ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")),
    (
        "不予处理",
        (
            "信访举报投诉类申请",
            "重复申请",
            "要求提供公开出版物",
            "无正当理由大量反复申请",
            "要求行政机关确认或重新出具已获取信息",
        ),
    ),
    (
        "其他处理",
        (
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "其他",
        ),
    ),
)
_T3_TOP = ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "本年度办理结果", "结转下年度继续办理")


def _table_3(results_spec: tuple[tuple[str, tuple[str, ...]], ...] = _T3_RESULTS) -> Table:
    header = 3
    label_cols = 3
    value_cols = (_T3_NATURAL, *_T3_LEGAL_KINDS, TOTAL)
    columns = label_cols + len(value_cols)
    labels = [
        Label(_T3_CORNER, 0, 0, rowspan=header, colspan=label_cols),
        Label(_T3_APPLICANTS, 0, label_cols, colspan=len(value_cols)),
        Label(_T3_NATURAL, 1, label_cols, rowspan=2),
        Label(_T3_LEGAL, 1, label_cols + 1, colspan=len(_T3_LEGAL_KINDS)),
        Label(TOTAL, 1, columns - 1, rowspan=2),
        *(Label(kind, 2, label_cols + 1 + i) for i, kind in enumerate(_T3_LEGAL_KINDS)),
    ]

    # Body rows as (row label for messages, label cells), numbered 1..25.
    body: list[str] = []
    row = header

    def add_row(row_label: str) -> None:
        nonlocal row
        body.append(row_label)
        row += 1

    for top_index, top in enumerate(_T3_TOP, start=1):
        top_text = top_number(top_index) + top
        if top_index != 3:
            labels.append(Label(top_text, row, 0, colspan=label_cols))
            add_row(top_text)
            continue
        results_start = row
        results = (*results_spec, (TOTAL, ()))
        for sub_index, (name, items) in enumerate(results, start=1):
            sub_text = sub_number(sub_index) + name
            if not items:
                labels.append(Label(sub_text, row, 1, colspan=2))
                add_row(sub_text)
                continue
            labels.append(Label(sub_text, row, 1, rowspan=len(items)))
            for item_index, item in enumerate(items, start=1):
                item_text = item_number(item_index) + item
                labels.append(Label(item_text, row, 2))
                add_row(f"{sub_text} {item_text}")
        labels.append(Label(top_text, results_start, 0, rowspan=row - results_start))

    def key(body_row: int, col: int) -> str:
        return f"t3.r{body_row}.c{col}"

    total_row = body.index(sub_number(len(results_spec) + 1) + TOTAL) + 1
    results_rows = range(3, total_row)
    total_col = len(value_cols)
    fields = []
    for body_row, row_label in enumerate(body, start=1):
        for col, col_label in enumerate(value_cols, start=1):
            if col == total_col:
                parts = tuple(key(body_row, c) for c in range(1, total_col))
            elif body_row == total_row:
                parts = tuple(key(r, col) for r in results_rows)
            else:
                parts = ()
            fields.append(
                Field(key(body_row, col), header + body_row - 1, label_cols + col - 1, row_label, col_label, parts=parts)
            )
    balances = tuple(
        Balance((key(1, col), key(2, col)), (key(total_row, col), key(len(body), col)), _T3_CORNER, col_label)
        for col, col_label in enumerate(value_cols, start=1)
    )
    return Table("三", header + len(body), columns, header, tuple(labels), tuple(fields), balances)


# ---------------------------------------------------------------- table 四

_T4_REVIEW = "行政复议"
_T4_LITIGATION = "行政诉讼"
_T4_SUITS = ("未经复议直接起诉", "复议后起诉")
_T4_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结")
#: No agency has ten thousand reconsideration or litigation cases a year; and four results of
#: four digits keep every total within the five digits a cell of the 15-column table holds.
_T4_WARN_ABOVE = 9_999


def _table_4() -> Table:
    group = (*_T4_RESULTS, TOTAL)
    width = len(group)
    labels = [
        Label(_T4_REVIEW, 0, 0, colspan=width),
        Label(_T4_LITIGATION, 0, width, colspan=width * len(_T4_SUITS)),
        *(Label(text, 1, i, rowspan=2) for i, text in enumerate(group)),
    ]
    groups = [(_T4_REVIEW, 0)]
    for index, suit in enumerate(_T4_SUITS, start=1):
        labels.append(Label(suit, 1, index * width, colspan=width))
        labels.extend(Label(text, 2, index * width + i) for i, text in enumerate(group))
        groups.append((f"{_T4_LITIGATION}（{suit}）", index * width))
    value_row = 3
    fields = []
    for name, start in groups:
        keys = [f"t4.r1.c{start + i + 1}" for i in range(width)]
        for i, text in enumerate(group):
            parts = tuple(keys[:-1]) if text == TOTAL else ()
            fields.append(Field(keys[i], value_row, start + i, name, text, parts=parts, warn_above=_T4_WARN_ABOVE))
    return Table("四", value_row + 1, width * (1 + len(_T4_SUITS)), value_row, tuple(labels), tuple(fields))


#: The key of the opening paragraph(s), stored beside the narrative sections.
OPENING = "opening"
OPENING_SKELETON = (
    "本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
    f"（{FORMAT_NAME}）要求编制。本报告中所列数据统计期限为{{year}}年1月1日至{{year}}年12月31日。",
)
YEAR_PLACEHOLDER = "____"



@dataclass(frozen=True, slots=True)
class Form:
    """One version of the official form, as a value: checks, layouts, builders and readers take it.

    ``fields`` indexes every value cell of every table by key.
    """

    name: str  # the document that fixed it, e.g. 国办公开办函〔2021〕30号
    first_year: int
    sections: tuple[Section, ...]
    #: phrases that only this form uses, for recognising a report written in it
    markers: tuple[str, ...] = ()
    fields: Mapping[str, Field] = field(init=False, repr=False, compare=False)
    #: the keys of the entered figures, in table order
    input_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: (total, its parts), each after the totals it is made of: summing in this order computes all
    total_order: tuple[tuple[str, tuple[str, ...]], ...] = field(init=False, repr=False, compare=False)
    #: each field → the entered figures it is made of (itself, if entered)
    inputs_of: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _table_of: Mapping[str, Table] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = {f.key: f for t in self.tables for f in t.fields}
        inputs_of: dict[str, frozenset[str]] = {key: frozenset((key,)) for key, f in fields.items() if not f.is_total}
        order = []

        def visit(key: str) -> frozenset[str]:
            if key not in inputs_of:
                inputs_of[key] = frozenset().union(*(visit(part) for part in fields[key].parts))
                order.append((key, fields[key].parts))
            return inputs_of[key]

        for key in fields:
            visit(key)
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "input_keys", tuple(key for key, f in fields.items() if not f.is_total))
        object.__setattr__(self, "total_order", tuple(order))
        object.__setattr__(self, "inputs_of", inputs_of)
        object.__setattr__(self, "_table_of", {f.key: t for t in self.tables for f in t.fields})
        object.__setattr__(self, "_hash", hash((self.name, self.first_year, self.sections, self.markers)))

    def __hash__(self) -> int:
        """Computed once: a form keys caches read for every cell of every workbook, and hashing
        its nested sections anew each time cost more than reading the workbook."""
        return self._hash

    def __reduce__(self) -> tuple:
        """Pickled as what defines it: another process computes the rest, the hash included
        (string hashes differ between processes)."""
        return (Form, (self.name, self.first_year, self.sections, self.markers))

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(s.table for s in self.sections if s.table is not None)

    @property
    def narrative_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.table is None)

    @property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields.values() if not f.is_total)

    def table(self, number: str) -> Table:
        """The table of section ``number`` (二, 三 or 四)."""
        return next(t for t in self.tables if t.number == number)

    def table_of(self, key: str) -> Table:
        """The table holding the value cell ``key``."""
        return self._table_of[key]


def _sections(table_2: Table | None, table_3: Table) -> tuple[Section, ...]:
    return (
        Section(
            "一",
            top_number(1) + "总体情况",
            skeleton=tuple(
                sub_number(i) + name + "。"
                for i, name in enumerate(("主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"), start=1)
            ),
        ),
        Section("二", top_number(2) + "主动公开政府信息情况", table=table_2),
        Section("三", top_number(3) + "收到和处理政府信息公开申请情况", table=table_3),
        Section("四", top_number(4) + "政府信息公开行政复议、行政诉讼情况", table=_table_4()),
        Section(
            "五",
            top_number(5) + "存在的主要问题及改进情况",
            skeleton=(sub_number(1) + "存在的主要问题。", sub_number(2) + "改进情况。"),
        ),
        Section(
            "六",
            top_number(6) + "其他需要报告的事项",
            skeleton=(
                sub_number(1) + "信息处理费收取情况。依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），"
                "本机关本年度发出收费通知0件，收费金额0元；实际收取信息处理费0元。",
                sub_number(2) + "落实上级年度政务公开工作要点情况。",
                sub_number(3) + "人大代表建议和政协提案办理结果公开情况。",
                sub_number(4) + "年度政务公开工作创新情况。",
            ),
            required=True,
        ),
    )


#: The form in force for report years 2021 onward.
FORM_2021 = Form(FORMAT_NAME, FIRST_YEAR, _sections(_table_2(), _table_3()))

#: As much of the 2019 trial form as recognising it needs: its table 三 has one （六）其他处理 row
#: (23 body rows); its table 二 has no counterpart in the 2021 form and is left out.
TRIAL_FORM_2019 = Form(
    TRIAL_FORMAT_NAME,
    TRIAL_FORMAT_FIRST_YEAR,
    _sections(None, _table_3((*_T3_RESULTS[:-1], (_T3_RESULTS[-1][0], ())))),
    markers=TRIAL_FORMAT_MARKERS,
)

#: Section 六 must report the information-processing fee (国办函〔2020〕109号).
FEE_REPORT_PHRASE = "信息处理费"


def title(agency: str, year: int) -> str:
    return f"{agency}{year}{TITLE_SUFFIX}"


def opening_skeleton(year: int | None) -> tuple[str, ...]:
    """The customary opening; the year is left as a visible blank when unknown."""
    shown = str(year) if year else YEAR_PLACEHOLDER
    return tuple(text.format(year=shown) for text in OPENING_SKELETON)


def chinese_date(year: int, month: int, day: int) -> str:
    """Dates in Arabic numerals without padding, as in ``2025年1月23日``."""
    return f"{year}年{month}月{day}日"

"""Auditing a published report: what a reader found, mapped onto the form and checked.

Pure: no office library.  ``audit_source`` takes a ``Source`` (paragraphs and
table fragments) and returns an ``Audit``: the report as the official form holds
it, every printed figure, and every problem, each naming the table, the row and
column labels and the text found.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from gaidocx.audit.tables import (
    Figure,
    Fragment,
    Row,
    Source,
    TableReading,
    clean,
    core,
    fee_decimals_ok,
    identify,
    normalise,
    read_table,
    similarity,
)
from gaidocx.core.checks import (
    AGENCY,
    SIGNED_ON,
    YEAR,
    Problem,
    WithProblems,
    check_report,
    error,
    paragraph_place,
    section_place,
    warning,
)
from gaidocx.core.form import (
    FIRST_YEAR,
    FORM_2021,
    FORMAT_NAME,
    OPENING,
    TITLE_SUFFIX,
    TRIAL_FORM_2019,
    TRIAL_FORMAT_MARKERS,
    TRIAL_FORMAT_NAME,
    Field,
    Form,
    Kind,
    Table,
    title,
)
from gaidocx.core.report import Number, Report

#: Places of the audit's own problems, beside the checks' places: the document's title, a table as a whole.
TITLE = "title"


def table_place(number: str) -> str:
    return f"table.{number}"


@dataclass(frozen=True)
class Audit(WithProblems):
    """One published report, read back and checked."""

    name: str
    #: the report as the 2021 form holds it (figures that the published layout lacks are ``None``)
    report: Report
    #: the form the tables were printed in: FORM_2021, or FORM_2021 with the trial table 三
    layout: Form
    #: every figure as printed, totals included, keyed by ``layout``'s field keys
    printed: Mapping[str, Figure]
    problems: list[Problem]
    #: the trial-format phrase found, if the report is in the 2019 trial format
    trial_marker: str | None = None
    #: read from the fill-in workbook: places are named as ``check`` names them (表三!D7)
    workbook: bool = False

    def figures(self) -> dict[str, Number | None]:
        """Every figure of the 2021 form as printed (totals as printed, not recomputed)."""
        return convert_figures({k: f.value for k, f in self.printed.items()}, self.layout, FORM_2021)

    def describe(self, place: str) -> str:
        """A place as a reader of the published report finds it."""
        if self.workbook:
            from gaidocx.workbook.layout import describe

            return describe(place)
        fields = self.layout.fields
        if place in fields:
            f = fields[place]
            table = self.layout.table_of(place)
            figure = self.printed.get(place)
            if figure is None:
                found = "（表中没有这一行）"
            elif not figure.text:
                found = "（表中为空白）"
            else:
                text = figure.text if len(figure.text) <= 20 else figure.text[:20] + "……"
                found = f"（表中为“{text}”）"
            return f"表{table.number}“{f.row_label}”×“{f.col_label}”{found}"
        if place in (AGENCY, YEAR, TITLE):
            return "标题"
        if place == SIGNED_ON:
            return "落款日期"
        if place.startswith("table."):
            return f"表{place.removeprefix('table.')}"
        for section in self.layout.sections:
            if place == section_place(section.number):
                return f"“{section.title}”部分"
            if place.startswith(paragraph_place(section.number, 0)[:-1]):
                index = int(place.rsplit("#", 1)[1])
                return f"“{section.title}”第 {index + 1} 段"
        if place.startswith(paragraph_place(OPENING, 0)[:-1]):
            return f"开头第 {int(place.rsplit('#', 1)[1]) + 1} 段"
        return place


def format_audit_problem(audit: Audit, problem: Problem) -> str:
    where = "、".join(audit.describe(place) for place in problem.places)
    text = f"{where}：{problem.message}" if where else problem.message
    return f"{problem.severity.value}  {text}"


# ---------------------------------------------------------------- layouts


def with_trial_table_3(form: Form = FORM_2021) -> Form:
    """The 2021 form whose table 三 has the trial format's single （六）其他处理 row (23 rows)."""
    trial = TRIAL_FORM_2019.table("三")
    sections = tuple(dataclasses.replace(s, table=trial) if s.number == "三" else s for s in form.sections)
    return dataclasses.replace(form, sections=sections)


HYBRID_FORM = with_trial_table_3()


def _field_by_labels(form: Form) -> dict[tuple[str, str, str], Field]:
    return {(form.table_of(f.key).number, f.row_label, f.col_label): f for f in form.fields.values()}


def convert_figures(
    values: Mapping[str, Number | None], source: Form, target: Form, *, totals: bool = True
) -> dict[str, Number | None]:
    """Figures keyed by ``source``'s fields re-keyed by ``target``'s, matched by table and labels.

    A row that ``target`` has as one (（六）其他处理) but ``source`` as several sums them;
    a row that ``source`` lacks is ``None``.
    """
    by_labels = _field_by_labels(source)
    result: dict[str, Number | None] = {}
    for f in target.fields.values():
        if f.is_total and not totals:
            continue
        number = target.table_of(f.key).number
        same = by_labels.get((number, f.row_label, f.col_label))
        if same is not None:
            result[f.key] = values.get(same.key)
            continue
        parts = [
            g.key
            for (n, row, col), g in by_labels.items()
            if n == number and col == f.col_label and row.startswith(f.row_label + " ")
        ]
        part_values = [values.get(k) for k in parts]
        result[f.key] = None if not parts or any(v is None for v in part_values) else sum(part_values)
    return result


def convert_report(report: Report, target: Form) -> Report:
    if report.form == target:
        return report
    inputs = convert_figures(report.figures(), report.form, target, totals=False)
    return dataclasses.replace(report, inputs=inputs, form=target)


# ---------------------------------------------------------------- the document


_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CHINESE_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0", "O": "0"}
_PERIOD = re.compile(r"(\d{4})年1月1日[至到\-—~～]+(\d{4})年12月31日")
_TITLE_WORDS = "政府信息公开工作年度报告"
_TITLE_AGENCY_FIRST = re.compile(rf"^(?:关于)?(?P<agency>.*?)(?:关于)?(?P<year>\d{{4}})年度?(?P<rest>.*{_TITLE_WORDS[-4:]})$")
_TITLE_YEAR_FIRST = re.compile(rf"^(?P<year>\d{{4}})年度?(?P<agency>.+?)(?P<rest>{_TITLE_WORDS})$")
#: A section heading is a short line.
_HEADING_SLACK = 8
_SIGNATURE_LONGEST = 50
#: Lines of a saved web page searched for the title, and the longest title.
_TITLE_SEARCH = 60
_TITLE_LONGEST = 80
#: Lines after the signature date (a web page's footer) searched back over.
_FOOTER_LINES = 12


def _chinese_date(text: str) -> datetime.date | None:
    """``2025年1月23日`` or ``二〇二五年一月二十三日`` as a whole line."""
    plain = clean(text).replace(" ", "")
    plain = _digits(plain)
    match = _DATE.fullmatch(plain)
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None


def _digits(text: str) -> str:
    """Chinese numerals of a date (年 digit by digit; 月 and 日 with 十) as Arabic digits."""
    if not re.search("[〇○零一二三四五六七八九十]", text):
        return text

    def number(match: re.Match[str]) -> str:
        value = match.group(0)
        if "十" in value:
            tens, _, ones = value.partition("十")
            return str((int(_CHINESE_DIGITS.get(tens, "1")) if tens else 1) * 10 + (int(_CHINESE_DIGITS[ones]) if ones else 0))
        return "".join(_CHINESE_DIGITS.get(c, c) for c in value)

    return re.sub("[〇○零一二三四五六七八九十]+", number, text)


@dataclass
class _Text:
    agency: str = ""
    year: int | None = None
    signed_on: datetime.date | None = None
    narratives: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: the section each table fragment follows, by block index
    sections_at: dict[int, str] = dataclasses.field(default_factory=dict)


def _parse_title(text: str) -> re.Match[str] | None:
    match = _TITLE_AGENCY_FIRST.fullmatch(text)
    if match and not match["agency"]:
        match = _TITLE_YEAR_FIRST.fullmatch(text) or match
    return match


def _find_title(paragraphs: list[tuple[int, str]]) -> tuple[re.Match[str] | None, int, int]:
    """The title (maybe over two or three lines): its match, first paragraph and line count.

    A saved web page has the site's navigation first: the title is looked for among the first lines,
    one-line titles before titles over several lines.
    """
    head = [clean(text).replace(" ", "") for _, text in paragraphs[:_TITLE_SEARCH]]
    for count in (1, 2, 3):
        for start in range(len(head) - count + 1):
            joined = "".join(head[start : start + count])
            if len(joined) <= _TITLE_LONGEST and (match := _parse_title(joined)):
                return match, start, count
    return None, 0, 0


def _read_text(source: Source, form: Form, problems: list[Problem], reported: set[str]) -> _Text:
    result = _Text()
    paragraphs = [(i, clean(b)) for i, b in enumerate(source.blocks) if isinstance(b, str) and clean(b)]
    match, start, used = _find_title(paragraphs)
    if match:
        heading = match.group(0)
        result.agency, result.year = match["agency"], int(match["year"])
        expected = title(result.agency, result.year)
        if normalise(heading) != normalise(expected):
            problems.append(warning(f"标题为“{heading}”，官方格式的标题应为“{expected}”。", TITLE))
        if not result.agency:
            problems.append(error(f"标题“{heading}”中没有机关名称。", AGENCY))
            reported.add(AGENCY)
    else:
        found = f"开头为“{paragraphs[0][1][:40]}”" if paragraphs else "文件中没有文字"
        problems.append(
            error(f"没有找到标题（应为“机关名称＋年度＋{TITLE_SUFFIX}”，{found}），无法确定机关名称和年度。", TITLE)
        )
        reported.update((AGENCY, YEAR))
    body = paragraphs[start + used :]

    # section headings, in document order; a repeated heading (a table caption) counts once
    marks: list[tuple[int, str]] = []  # (position in body, section number)
    for position, (_, text) in enumerate(body):
        if text.startswith(("（", "(")):
            continue
        for section in form.sections:
            if len(normalise(text)) <= len(normalise(section.title)) + _HEADING_SLACK and similarity(text, section.title) >= 0.8:
                if section.number not in (n for _, n in marks):
                    marks.append((position, section.number))
                    # without a number of its own the heading may be numbered automatically (Word lists)
                    numbered = core(text) != normalise(text)
                    if core(text) != core(section.title) or (numbered and normalise(text) != normalise(section.title)):
                        problems.append(
                            warning(f"标题写作“{text}”，官方格式为“{section.title}”。", section_place(section.number))
                        )
                break
    numbers = [s.number for s in form.sections]
    found_numbers = [n for _, n in marks]
    for section in form.sections:
        if section.number not in found_numbers:
            problems.append(error(f"没有找到“{section.title}”这一部分的标题。", section_place(section.number)))
    if found_numbers != sorted(found_numbers, key=numbers.index):
        shown = "、".join(next(s.title for s in form.sections if s.number == n) for n in found_numbers)
        problems.append(error(f"六个部分的顺序与官方格式不同：现为 {shown}。"))

    # signature and date: the last lines
    tail = len(body)
    first_heading = marks[0][0] if marks else len(body)
    last_heading = max((p for p, _ in marks), default=-1)
    for line in range(tail - 1, max(last_heading, tail - 1 - _FOOTER_LINES), -1):
        date = _chinese_date(body[line][1])
        if date is not None:
            result.signed_on = date
            tail = line
            if tail > last_heading + 1:
                candidate = body[tail - 1][1]
                if len(candidate) <= _SIGNATURE_LONGEST and "。" not in candidate:
                    tail -= 1
                    if result.agency and similarity(candidate, result.agency) < 0.9:
                        problems.append(
                            warning(f"落款的机关“{candidate}”与标题中的机关“{result.agency}”不一致。", AGENCY)
                        )
            break
    if result.signed_on is None:
        problems.append(warning("没有找到落款的成文日期（如 2025年1月23日）。", SIGNED_ON))
        reported.add(SIGNED_ON)

    narrative = {s.number for s in form.narrative_sections}
    result.narratives[OPENING] = tuple(text for _, text in body[:first_heading])
    for index, (position, number) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else tail
        if number in narrative:
            result.narratives[number] = tuple(text for _, text in body[position + 1 : max(position + 1, end)])

    # the year printed in the opening's statistics period
    period = _PERIOD.search(_digits("".join(result.narratives[OPENING]).replace(" ", "")))
    if period and result.year is not None and {int(period[1]), int(period[2])} != {result.year}:
        problems.append(
            error(
                f"标题中的年度是 {result.year} 年，但开头写的统计期限是 {period[1]}年1月1日至{period[2]}年12月31日。",
                YEAR,
            )
        )
    if result.year is None and period and period[1] == period[2]:
        result.year = int(period[1])

    # which section each table follows, for fragments that carry no recognisable label
    block_section: dict[int, str] = {}
    current = ""
    mark_blocks = {body[p][0]: n for p, n in marks}
    for index, block in enumerate(source.blocks):
        if index in mark_blocks:
            current = mark_blocks[index]
        if isinstance(block, Fragment):
            block_section[index] = current
    result.sections_at = block_section
    return result


# ---------------------------------------------------------------- tables


def _gather(source: Source, sections_at: Mapping[int, str], forms: tuple[Form, ...]) -> dict[str, list[Row]]:
    """Every fragment's rows under the table it belongs to; unlabelled fragments follow their neighbour."""
    tables: dict[str, list[Row]] = {}
    previous: str | None = None
    table_numbers = {t.number for form in forms for t in form.tables}
    for index, block in enumerate(source.blocks):
        if not isinstance(block, Fragment) or not any(clean(c.text) for row in block.rows for c in row):
            continue
        number = identify(block, forms)
        if number is None:
            section = sections_at.get(index, "")
            number = section if section in table_numbers else previous
        if number is None:
            continue
        tables.setdefault(number, []).extend(block.rows)
        previous = number
    return tables


def _trial_marker(source: Source) -> str | None:
    """A phrase of the trial format's tables (in the text, 政府集中采购 may be just that)."""
    markers = {normalise(m): m for m in TRIAL_FORMAT_MARKERS}
    cells = (cell.text for block in source.blocks if isinstance(block, Fragment) for row in block.rows for cell in row)
    for text in cells:
        plain = normalise(text)
        for key, marker in markers.items():
            if key in plain:
                return marker
    return None


def audit_source(
    source: Source,
    *,
    previous: Report | None = None,
    today: datetime.date | None = None,
) -> Audit:
    """Read ``source`` onto the official form and check it as ``check`` checks a workbook."""
    problems: list[Problem] = []
    reported: set[str] = set()
    marker = _trial_marker(source)
    text = _read_text(source, FORM_2021, problems, reported)
    if marker:
        year = text.year
        if year is not None and year < FIRST_YEAR:
            problems.append(
                warning(
                    f"本报告使用 2019 年试行格式（{TRIAL_FORMAT_NAME}，文中有“{marker}”），{year} 年度报告适用这一格式；"
                    f"本工具按 {FORMAT_NAME} 核对，只核对表三、表四。",
                    TITLE,
                )
            )
        else:
            shown = f"{year} 年度报告" if year else "2021 年度起的报告"
            problems.append(
                error(
                    f"本报告使用的是 2019 年试行格式（{TRIAL_FORMAT_NAME}，文中有“{marker}”）；"
                    f"{shown}应使用 {FORMAT_NAME} 规定的格式。",
                    TITLE,
                )
            )

    rows = _gather(source, text.sections_at, (FORM_2021, HYBRID_FORM))
    readings: dict[str, TableReading] = {}
    layout = FORM_2021
    for table in FORM_2021.tables:
        if marker and table.number == "二":
            reported.update(f.key for f in table.fields)  # the trial table 二 has no 2021 counterpart
            continue
        if table.number not in rows:
            problems.append(error(f"没有找到表{table.number}（“{_section_title(table)}”的表格）。", table_place(table.number)))
            reported.update(f.key for f in table.fields)
            continue
        reading = read_table(table, rows[table.number])
        if table.number == "三":
            trial = read_table(HYBRID_FORM.table("三"), rows["三"])
            if len(trial.missing_rows) < len(reading.missing_rows):
                reading, layout = trial, HYBRID_FORM
                problems.append(
                    error(
                        "表三的“（六）其他处理”只有一行（共 23 行，是 2019 年试行格式的表格）：官方格式把它分为 3 行，"
                        "共 25 行。这 3 行的数字无法分开，其余数字照常核对。",
                        table_place("三"),
                    )
                )
        readings[table.number] = reading
        for row_label in reading.missing_rows:
            problems.append(error(f"表{table.number}中没有找到“{row_label}”这一行。", table_place(table.number)))
            reported.update(f.key for f in table.fields if f.row_label == row_label)
        for printed_label, official_label in reading.renamed:
            problems.append(
                warning(f"表{table.number}的行标签“{printed_label}”与官方格式“{official_label}”不同。", table_place(table.number))
            )
        for head in reading.misplaced_heads:
            problems.append(
                warning(
                    f"表{table.number}的列标题“{head}”不在官方格式的位置上：数字按官方格式的列读取，可能错位，请核对。",
                    table_place(table.number),
                )
            )
        if reading.absent_heads:
            shown = "、".join(f"“{head}”" for head in reading.absent_heads)
            problems.append(warning(f"表{table.number}中没有找到列标题{shown}。", table_place(table.number)))
        for key, copy in reading.differing_copies:
            problems.append(
                error(f"表{table.number}印了不止一次，另一份中这一格印为“{copy or '空白'}”，两份不一致。", key)
            )
        if reading.repeated_rows and not reading.differing_copies:
            problems.append(
                warning(f"表{table.number}印了不止一次（有 {len(reading.repeated_rows)} 行重复出现），各份数字相同。", table_place(table.number))
            )
        for row_label in reading.unknown_rows:
            problems.append(warning(f"表{table.number}中有一行“{row_label}”不是官方格式中的行，其中的数字未核对。", table_place(table.number)))

    printed: dict[str, Figure] = {}
    for reading in readings.values():
        printed.update(reading.figures)
    inputs: dict[str, Number | None] = {}
    for key, figure in printed.items():
        f = layout.fields[key]
        if figure.problem:
            problems.append(error(figure.problem, key))
            reported.add(key)
        elif f.kind is Kind.FEE and figure.value is not None and figure.value >= 0 and fee_decimals_ok(figure.value):
            reported.add(key)  # published fees go to the fen (6 decimals); the workbook's limit is 4
        if not f.is_total:
            inputs[key] = figure.value
    problems.extend(_check_printed_totals(layout, printed))

    report = Report(
        agency=text.agency,
        year=text.year,
        signed_on=text.signed_on,
        narratives=text.narratives,
        inputs=inputs,
        form=layout,
    )
    last_year = convert_report(previous, layout) if previous is not None else None
    for problem in check_report(report, previous=last_year, today=today, reported=reported):
        if marker and problem.places == (YEAR,) and text.year is not None and text.year < FIRST_YEAR:
            continue  # said above: the trial format is right for its year
        problems.append(problem)
    official = dataclasses.replace(
        report, inputs=convert_figures(inputs, layout, FORM_2021, totals=False), form=FORM_2021
    )
    return Audit(source.name, official, layout, printed, problems, marker)


def _section_title(table: Table) -> str:
    return next(s.title for s in FORM_2021.sections if s.table is not None and s.table.number == table.number)


def _check_printed_totals(form: Form, printed: Mapping[str, Figure]) -> list[Problem]:
    """A published total is printed, not computed: compare it with the sum of its printed parts."""
    problems = []
    for key, f in form.fields.items():
        if not f.is_total or key not in printed:
            continue
        figure = printed[key]
        parts = [printed.get(part) for part in f.parts]
        if figure.blank:
            problems.append(error("合计（总计）是空白：应印出合计数。", key))
            continue
        if figure.value is None or any(p is None or p.value is None for p in parts):
            continue  # the non-number is reported already; the sum cannot be formed
        total = sum(p.value for p in parts)
        if total != figure.value:
            problems.append(error(f"合计印为 {figure.text}，但各项之和为 {total}。", key))
    return problems

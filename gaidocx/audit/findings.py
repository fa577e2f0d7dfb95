"""Auditing a published report: what a reader found, mapped onto the form and checked.

Pure: no office library.  ``audit_source`` takes a ``Source`` (paragraphs and
table fragments) and returns an ``Audit``: the report as the official form holds
it, every printed figure, and every problem, each naming the table, the row and
column labels and the text found.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from gaidocx.audit.outline import TITLE, area_of, read_outline, states_fee
from gaidocx.audit.source import Fragment, Row, Source
from gaidocx.audit.tables import Figure, TableReading, clean, fee_decimals_ok, identify, normalise, read_table
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
    AREA_REPORT,
    FEE_REPORT_PHRASE,
    FIRST_YEAR,
    FORM_2021,
    FORMAT_NAME,
    OPENING,
    OWN_REPORT,
    REPORT_KINDS,
    TRIAL_FORM_2019,
    TRIAL_FORMAT_MARKERS,
    TRIAL_FORMAT_NAME,
    Field,
    Form,
    Kind,
    Table,
)
from gaidocx.core.report import Number, Report


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
    #: how the report's kind was found when it was not recorded in the file nor given (said to the user)
    kind_note: str = ""

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


    def table(self, problem: Problem) -> str:
        """The table (二, 三, 四) or the part of the document (a section's number, 标题, 开头, 落款, 全文) a problem is in."""
        for place in problem.places:
            if place in self.layout.fields:
                return self.layout.table_of(place).number
            if place.startswith("table."):
                return place.removeprefix("table.")
            for section in self.layout.sections:
                if place == section_place(section.number) or place.startswith(paragraph_place(section.number, 0)[:-1]):
                    return section.number
            if place.startswith(paragraph_place(OPENING, 0)[:-1]):
                return "开头"
            if place in (AGENCY, YEAR, TITLE):
                return "标题"
            if place == SIGNED_ON:
                return "落款"
        return "全文"  # the document as a whole (the order of its sections, its parts)


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


def report_kind(recorded: str | None, agency: str, given: str | None) -> tuple[str, str]:
    """The report's kind and, when inferred from the title, what was inferred (to say so).
    Given (``--kind``) wins, then what the file records (our .docx and pages, the workbook)."""
    if given:
        return given, ""
    if recorded in REPORT_KINDS:
        return recorded, ""
    area = area_of(agency)
    if area:
        return AREA_REPORT, (
            f"报告类型：按标题推断为“{AREA_REPORT}”（“{agency}”是{area}的人民政府），成文日期按 3月31日 的期限核对；"
            f"如果是{OWN_REPORT}的报告，请加 --kind {OWN_REPORT}。"
        )
    return OWN_REPORT, ""


def audit_source(
    source: Source,
    *,
    previous: Report | None = None,
    today: datetime.date | None = None,
    kind: str | None = None,
) -> Audit:
    """Read ``source`` onto the official form and check it as ``check`` checks a workbook;
    ``kind`` (本机关 or 本行政区域) overrides what the file records or its title suggests."""
    problems: list[Problem] = []
    reported: set[str] = set()
    marker = _trial_marker(source)
    text = read_outline(source, FORM_2021, problems, reported)
    if marker:
        problems.append(_trial_format(marker, text.year))

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
                if not marker:  # a trial-format report is said to be one once, above
                    problems.append(
                        error(
                            "表三的“（六）其他处理”只有一行（共 23 行，是 2019 年试行格式的表格）：官方格式把它分为 3 行，"
                            "共 25 行。这 3 行的数字无法分开，其余数字照常核对。",
                            table_place("三"),
                        )
                    )
        readings[table.number] = reading
        problems.extend(_table_problems(table, reading, reported))

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

    kind, kind_note = report_kind(source.kind, text.agency, kind)
    report = Report(
        agency=text.agency,
        year=text.year,
        signed_on=text.signed_on,
        narratives=text.narratives,
        inputs=inputs,
        kind=kind,
        form=layout,
    )
    last_year = convert_report(previous, layout) if previous is not None else None
    problems.extend(_published_checks(report, last_year, today, reported, trial=bool(marker)))
    official = dataclasses.replace(
        report, inputs=convert_figures(inputs, layout, FORM_2021, totals=False), form=FORM_2021
    )
    return Audit(source.name, official, layout, printed, problems, marker, kind_note=kind_note)


def _trial_format(marker: str, year: int | None) -> Problem:
    """The one problem a report in the 2019 trial format gets for its format."""
    if year is not None and year < FIRST_YEAR:
        return warning(
            f"本报告使用 2019 年试行格式（{TRIAL_FORMAT_NAME}，文中有“{marker}”），{year} 年度报告适用这一格式；"
            f"本工具按 {FORMAT_NAME} 核对，只核对表三、表四。",
            TITLE,
        )
    shown = f"{year} 年度报告" if year else "2021 年度起的报告"
    return error(
        f"本报告使用的是 2019 年试行格式（{TRIAL_FORMAT_NAME}，文中有“{marker}”）；{shown}应使用 {FORMAT_NAME} 规定的格式。",
        TITLE,
    )


def _published_checks(
    report: Report, previous: Report | None, today: datetime.date | None, reported: set[str], *, trial: bool
) -> list[Problem]:
    """``check``'s checks, less what a published text settles: the trial format is right for
    its years (said once already), and section 六 may state the fee without naming it."""
    fee_section = next(s for s in report.form.sections if s.required)
    problems = []
    for problem in check_report(report, previous=previous, today=today, reported=reported):
        if trial and problem.places == (YEAR,) and report.year is not None and report.year < FIRST_YEAR:
            continue
        if (
            problem.places == (section_place(fee_section.number),)
            and FEE_REPORT_PHRASE in problem.message
            and states_fee(report.paragraphs(fee_section.number))
        ):
            continue
        problems.append(problem)
    return problems


def _table_problems(table: Table, reading: TableReading, reported: set[str]) -> list[Problem]:
    """What reading one table found: rows missing, renamed or unknown, headings out of place, copies."""
    problems = []
    place = table_place(table.number)
    for row_label in reading.missing_rows:
        problems.append(error(f"表{table.number}中没有找到“{row_label}”这一行。", place))
        reported.update(f.key for f in table.fields if f.row_label == row_label)
    for printed_label, official_label in reading.renamed:
        problems.append(warning(f"表{table.number}的行标签“{printed_label}”与官方格式“{official_label}”不同。", place))
    for printed_label, first, second in reading.ambiguous:
        problems.append(
            warning(
                f"表{table.number}的行标签“{printed_label}”与“{first}”和“{second}”都相近，按“{first}”读取，请核对。", place
            )
        )
    for head in reading.misplaced_heads:
        problems.append(
            warning(f"表{table.number}的列标题“{head}”不在官方格式的位置上：数字按官方格式的列读取，可能错位，请核对。", place)
        )
    if reading.absent_heads:
        shown = "、".join(f"“{head}”" for head in reading.absent_heads)
        problems.append(warning(f"表{table.number}中没有找到列标题{shown}。", place))
    for key, copy in reading.differing_copies:
        problems.append(error(f"表{table.number}印了不止一次，另一份中这一格印为“{copy or '空白'}”，两份不一致。", key))
    if reading.repeated_rows and not reading.differing_copies:
        problems.append(warning(f"表{table.number}印了不止一次（有 {len(reading.repeated_rows)} 行重复出现），各份数字相同。", place))
    for row_label in reading.unknown_rows:
        problems.append(warning(f"表{table.number}中有一行“{row_label}”不是官方格式中的行，其中的数字未核对。", place))
    return problems


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

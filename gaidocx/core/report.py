"""The report as entered: metadata, narrative paragraphs and figures.

A ``Report`` may be incomplete (a blank cell is ``None``): the checks say what
is missing, and only a report without errors is rendered.  Totals are never
stored; they are computed from the form's rules, so they cannot disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from gaidocx.core.form import FORM_2021, OPENING, OWN_REPORT, Form, Kind
from gaidocx.core.narrative import split_paragraphs

Number = int | Decimal

#: The report's metadata places: checks name them, the workbook and the data file label them.
AGENCY = "agency"
YEAR = "year"
SIGNED_ON = "signed_on"
REPORT_KIND = "kind"
#: The report's metadata by place, as the fill-in workbook, the data file and messages label it.
METADATA_LABELS = {AGENCY: "机关名称", YEAR: "年度", SIGNED_ON: "成文日期", REPORT_KIND: "报告类型"}
#: How a published report records its kind, written by render and read by audit: a .docx custom
#: document property named by the label, a page's ``<meta name="report-kind">``.
KIND_PROPERTY = METADATA_LABELS[REPORT_KIND]
KIND_META = "report-kind"


@dataclass(frozen=True, slots=True)
class Report:
    """One agency's report for one year, as entered."""

    agency: str = ""
    year: int | None = None
    signed_on: datetime.date | None = None
    #: text entries keyed by ``OPENING`` or a narrative section number (一, 五, 六);
    #: one entry per input slot, blank slots kept so that positions name cells
    narratives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: entered figures keyed by field key; totals are not stored here
    inputs: Mapping[str, Number | None] = field(default_factory=dict)
    #: 报告类型: OWN_REPORT or AREA_REPORT (form.REPORT_KINDS)
    kind: str = OWN_REPORT
    #: the form the figures are keyed by
    form: Form = FORM_2021

    def figures(self) -> dict[str, Number | None]:
        """Every field's value, totals computed; ``None`` where something is missing."""
        values: dict[str, Number | None] = {key: self.inputs.get(key) for key in self.form.input_keys}
        for key, parts in self.form.total_order:
            terms = [values[part] for part in parts]
            values[key] = None if any(term is None for term in terms) else sum(terms)  # type: ignore[arg-type]
        return values

    def paragraphs(self, section: str) -> tuple[str, ...]:
        """The section's paragraphs: line breaks inside an entry start a new one."""
        return tuple(p for entry in self.narratives.get(section, ()) for p in split_paragraphs(entry))


class IncompleteReport(ValueError):
    """The report lacks something a document needs (run the checks first)."""


def require_complete(report: Report, what: str) -> dict[str, Number]:
    """Every figure of a report that has all a published ``what`` (文档, 网页) needs; otherwise
    ``IncompleteReport`` saying, in Chinese, what is missing."""
    missing = [name for name, absent in (
        ("机关名称", not report.agency.strip()),
        ("报告年度", report.year is None),
        ("成文日期", report.signed_on is None),
    ) if absent]
    figures = report.figures()
    blank = [key for key, value in figures.items() if value is None]
    if blank:
        shown = "、".join(report.form.fields[key].labels for key in blank[:3])
        more = f"等 {len(blank)} 个数字" if len(blank) > 3 else ""
        missing.append(f"表格数字（{shown}{more}）")
    if missing:
        raise IncompleteReport(f"报告还不完整，无法生成{what}：缺少{'；'.join(missing)}。请先运行检查并补全。")
    return figures  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class CheckedReport:
    """A report the checks passed, with what every renderer needs computed once: all figures
    known (totals included) and each text place split into paragraphs.  Renderers take this
    value and never re-check or re-split."""

    report: Report
    #: every field's value, totals computed; none missing
    figures: Mapping[str, Number]
    #: ``OPENING`` and each narrative section number → its paragraphs
    paragraphs: Mapping[str, tuple[str, ...]]


def checked_report(report: Report, what: str = "文档") -> CheckedReport:
    """The report with its figures and paragraphs computed once; ``IncompleteReport`` when it
    lacks something a published ``what`` needs (the checks report the same as errors)."""
    places = (OPENING, *(section.number for section in report.form.narrative_sections))
    return CheckedReport(report, require_complete(report, what), {place: report.paragraphs(place) for place in places})


def format_figure(value: Number, kind: Kind) -> str:
    """A figure as printed in the report: whole numbers plainly; the fee with exactly the digits
    entered (``1.50`` stays ``1.50``, ``24252.311082`` keeps its six decimals), never in
    exponent form.  Excel keeps no trailing zeros in a number cell, so what the reader
    gives is what the user saw."""
    if kind is Kind.FEE:
        return format(Decimal(value), "f")
    return str(int(value))



def report_from_dict(data: Mapping, form: Form = FORM_2021) -> Report:
    """A report from plain JSON-style data (how the shipped sample is stored)."""
    figures = data.get("figures", {})
    return Report(
        agency=data.get("agency", ""),
        kind=data.get("kind", OWN_REPORT),
        year=data.get("year"),
        signed_on=datetime.date.fromisoformat(data["signed_on"]) if data.get("signed_on") else None,
        narratives={place: tuple(entries) for place, entries in data.get("narratives", {}).items()},
        inputs={
            key: None if figures.get(key) is None else _number(figures[key], f.kind)
            for key, f in form.fields.items()
            if not f.is_total
        },
        form=form,
    )


def _number(value: int | float | str, kind: Kind) -> Number:
    return Decimal(str(value)) if kind is Kind.FEE else int(value)

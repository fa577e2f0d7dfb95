"""What a report's documents are made of, computed once from a ``CheckedReport``: the Word
template's variables, and the rules the .docx and the web page share (figures as printed,
the paragraph kept with the signature).

User text reaches the document literally: it is escaped here, once, and handed to Jinja
as ``Markup`` so that neither Jinja's autoescape nor docxtpl's post-processing (which
rewrites ``{_{`` to ``{{`` and turns tab, newline, bell and form-feed characters into
runs) can alter it.  Braces are written as character references, so text such as
``{{ x }}`` is never template syntax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from gaidocx.core import form
from gaidocx.core.form import FORM_2021, OPENING
from gaidocx.core.narrative import NOT_XML, parse_paragraph
from gaidocx.core.report import CheckedReport, format_figure
from gaidocx.document.layout import TITLE_CHARS_PER_LINE, text_width

#: The narrative places and the template variable holding each one's paragraphs.
NARRATIVE_CONTEXT = {
    OPENING: "opening",
    **{section.number: f"section{index}" for index, section in enumerate(FORM_2021.sections, start=1) if section.table is None},
}
#: The variables a template can use (see ``gaidocx.document.word_template``).
CONTEXT_NAMES = ("title", "title_text", "agency", "date", *NARRATIVE_CONTEXT.values(), "t2", "t3", "t4")

_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "{": "&#123;",
    "}": "&#125;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
}
_ESCAPE = re.compile("[&<>\"'{}\t\n\r]")
#: A line break inside the run that holds a ``{{ }}`` tag.
_LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')


def printed_figures(checked: CheckedReport) -> dict[str, str]:
    """Every figure as the report prints it, by field key."""
    fields = checked.report.form.fields
    return {key: format_figure(value, fields[key].kind) for key, value in checked.figures.items()}


def kept_paragraph(checked: CheckedReport) -> tuple[str, int]:
    """The place and index of the paragraph kept on the signature's page (the last one of the
    last narrative section), so that the signature never stands alone on a page."""
    last_section = next(s.number for s in reversed(checked.report.form.sections) if s.table is None)
    return last_section, len(checked.paragraphs[last_section]) - 1


def clean_text(text: str) -> str:
    """``text`` without the characters XML cannot hold at all."""
    return NOT_XML.sub("", text)


def literal(text: str) -> Markup:
    """``text`` as XML character data that docxtpl and Jinja pass through unchanged."""
    return Markup(_ESCAPE.sub(lambda m: _ESCAPES[m.group()], clean_text(text)))


def title_markup(agency: str, year: int) -> Markup:
    """The title; too long for one line, it breaks after the year, as published reports do:
    ``{机关}{年度}年`` / ``政府信息公开工作年度报告``."""
    text = form.title(agency, year)
    head = f"{agency}{year}{form.TITLE_SUFFIX[0]}"
    if text_width(text) <= TITLE_CHARS_PER_LINE or not text.startswith(head):
        return literal(text)
    return literal(head) + _LINE_BREAK + literal(text[len(head) :])


def _paragraph(text: str, keep: bool) -> dict[str, Any]:
    parsed = parse_paragraph(text)
    return {
        "level": parsed.level,
        "bare": parsed.is_bare_heading,
        "keep": keep,
        "text": literal(text),
        "lead": literal(parsed.lead),
        "body": literal(parsed.body),
    }


def _nest(values: Mapping[str, Markup]) -> dict[str, Any]:
    """``{"t3.r5.c2": v}`` → ``{"t3": {"r5": {"c2": v}}}``, so the tag is the key itself."""
    tree: dict[str, Any] = {}
    for key, value in values.items():
        *path, last = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return tree


def build_context(checked: CheckedReport) -> dict[str, Any]:
    """The Word template's variables (``CONTEXT_NAMES``), every text escaped as ``Markup``."""
    report = checked.report
    year: int = report.year  # type: ignore[assignment]  # a checked report has one
    signed = report.signed_on
    assert signed is not None  # a checked report has one
    context: dict[str, Any] = {
        "title": title_markup(report.agency, year),
        "title_text": literal(form.title(report.agency, year)),
        "agency": literal(report.agency),
        "date": literal(form.chinese_date(signed.year, signed.month, signed.day)),
    }
    kept = kept_paragraph(checked)
    for place, name in NARRATIVE_CONTEXT.items():
        context[name] = [_paragraph(text, (place, index) == kept) for index, text in enumerate(checked.paragraphs[place])]
    context.update(_nest({key: literal(text) for key, text in printed_figures(checked).items()}))
    return context


def plain_context(value: Any) -> Any:
    """Context values as plain text (for document properties): ``Markup`` unescaped, containers walked."""
    if isinstance(value, Markup):
        return value.unescape()
    if isinstance(value, Mapping):
        return {key: plain_context(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_context(item) for item in value]
    return value

"""Narrative paragraphs and their heading lead-ins.

Official reports write sub-headings inline: ``（一）主动公开。围绕中心……``.  The
lead-in ``（一）主动公开。`` is set in its heading level's font and the rest as
body text, so the paragraph has to be split where the lead-in ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEVELS = (
    (1, re.compile(r"[一二三四五六七八九十]+、")),
    (2, re.compile(r"[（(][一二三四五六七八九十]+[）)]")),
    (3, re.compile(r"\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"[（(]\d{1,2}[）)]")),
)
_LEAD_IN_END = "。：:"
#: A lead-in longer than this is a numbered sentence, not a heading.
_LEAD_IN_MAX = 40


@dataclass(frozen=True, slots=True)
class Paragraph:
    """``level`` 0 is body text; 1–4 are 一、 （一） 1. （1） headings."""

    level: int
    lead: str
    body: str

    @property
    def is_bare_heading(self) -> bool:
        """A heading with nothing after it: usually a skeleton line left unfilled."""
        return self.level > 0 and not self.body.strip()


def parse_paragraph(text: str) -> Paragraph:
    for level, prefix in _LEVELS:
        match = prefix.match(text)
        if not match:
            continue
        head = text[: _LEAD_IN_MAX + 1]
        ends = [head.find(mark, match.end()) for mark in _LEAD_IN_END]
        ends = [end for end in ends if end >= 0]
        if ends:
            cut = min(ends) + 1
            return Paragraph(level, text[:cut], text[cut:])
        if len(text) <= _LEAD_IN_MAX:
            return Paragraph(level, text, "")
        return Paragraph(0, "", text)
    return Paragraph(0, "", text)


#: Characters XML 1.0 forbids (\t \n \r are allowed): they cannot travel into a .docx.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def split_paragraphs(text: str) -> list[str]:
    """Line breaks inside one cell separate paragraphs; blank lines are dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.strip() for line in lines if line.strip()]


def headings_without_body(paragraphs: list[str] | tuple[str, ...]) -> list[int]:
    """Indexes of the headings that head nothing: a bare heading (``（三）政府信息管理。``)
    followed by body text or by a lower heading (``1.…``) is a heading with its body, as
    published reports write them on a line of their own; one followed by a heading of
    the same or a higher level, or by nothing, is a skeleton line left unfilled."""
    parsed = [parse_paragraph(text) for text in paragraphs]
    empty = []
    for index, paragraph in enumerate(parsed):
        if not paragraph.is_bare_heading:
            continue
        following = parsed[index + 1] if index + 1 < len(parsed) else None
        if following is None or (following.level and following.level <= paragraph.level):
            empty.append(index)
    return empty

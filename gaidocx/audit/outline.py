"""The text of a published report: its title, section headings, signature and paragraphs.

Pure: no office library.  ``read_outline`` finds, among a ``Source``'s
paragraphs, the title (agency and year), the six section headings in the
official wording or in a wording real reports use (accepted with a warning
naming the official one), the signature and its date, and the paragraphs of
each narrative section; and says which section each table follows.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass

from gaidocx.audit.source import Fragment, Source
from gaidocx.audit.tables import clean, core, normalise, similarity
from gaidocx.core.checks import AGENCY, SIGNED_ON, YEAR, Problem, error, section_place, warning
from gaidocx.core.form import OPENING, TITLE_SUFFIX, Form, title

#: Places of the audit's own problems, beside the checks' places: the document's title.
TITLE = "title"


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
class Outline:
    agency: str = ""
    year: int | None = None
    signed_on: datetime.date | None = None
    narratives: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: the section each table fragment follows, by block index
    sections_at: dict[int, str] = dataclasses.field(default_factory=dict)


#: Section headings as real reports word them besides the official wording (spec §10): the 2019
#: trial format's and the 2008 regulation's wordings and common variants, without their numbers.
OTHER_WORDINGS = {
    "一": ("总体情况概述", "政府信息公开工作总体情况"),
    "二": ("主动公开政府信息的情况", "主动公开政府信息情况统计"),
    "三": ("收到和处理政府信息公开申请的情况", "依申请公开政府信息情况", "政府信息公开申请办理情况"),
    "四": (
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "因政府信息公开申请行政复议、提起行政诉讼的情况",
        "政府信息公开行政复议、行政诉讼情况统计",
        "政府信息公开行政复议、行政诉讼的情况",
    ),
    "五": (
        "政府信息公开工作存在的主要问题及改进情况",
        "存在的主要问题及整改措施",
        "存在的主要问题及改进措施",
        "存在的问题及改进措施",
        "存在的主要问题和改进情况",
        "政府信息公开工作存在的问题及改进措施",
    ),
    "六": ("其他需要报告的事项情况", "其他需要报告的情况"),
}


def _heading(text: str, form: Form):
    """The section ``text`` is the heading of, in the official wording or another one; else ``None``.
    Another wording must be numbered as its section (一、…) or match closely."""
    size = len(normalise(text))
    for section in form.sections:
        if size <= len(normalise(section.title)) + _HEADING_SLACK and similarity(text, section.title) >= 0.8:
            return section
    own = core(text)
    for section in form.sections:
        number = normalise(section.title)[: len(normalise(section.title)) - len(core(section.title))]
        for wording in OTHER_WORDINGS.get(section.number, ()):
            if size <= len(wording) + _HEADING_SLACK and similarity(own, wording) >= (0.8 if normalise(text).startswith(number) else 0.95):
                return section
    return None


_AREA = re.compile(r"(?P<area>.+?(?:省|自治区|市|自治州|州|盟|地区|县|自治县|区|旗|自治旗|林区|特区))(?:人民政府)?")


def area_of(agency: str) -> str | None:
    """The area whose people's government ``agency`` is (``某某县`` of ``某某县人民政府``), or
    ``None`` for an office, a department or a township."""
    match = _AREA.fullmatch(normalise(agency))
    return match["area"] if match else None


#: How section 六 states the processing fee besides naming it (spec §10): 未收取…费用, 未发生收费, 无.
_FEE_STATED = re.compile(r"收费|费用|处理费|收取|^无[。.]?$")


def states_fee(paragraphs: tuple[str, ...]) -> bool:
    return any(_FEE_STATED.search(normalise(text)) for text in paragraphs)


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


def read_outline(source: Source, form: Form, problems: list[Problem], reported: set[str]) -> Outline:
    result = Outline()
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
        section = _heading(text, form)
        if section is not None and section.number not in (n for _, n in marks):
            marks.append((position, section.number))
            # without a number of its own the heading may be numbered automatically (Word lists)
            numbered = core(text) != normalise(text)
            if core(text) != core(section.title) or (numbered and normalise(text) != normalise(section.title)):
                problems.append(warning(f"标题写作“{text}”，官方格式为“{section.title}”。", section_place(section.number)))
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



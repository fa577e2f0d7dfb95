"""The report's text against its own tables.

Evaluators mark down reports whose text says one figure and whose table another.
Only sentences that *plainly* state a figure a table holds are compared: applications
received this year, carried over and carried forward (table 三), 行政复议 and 行政诉讼
counts (table 四), and 规章 / 行政规范性文件 issued, repealed and in force (table 二),
including statements that there were none (“全年未收到政府信息公开申请”).  Figures the
tables do not hold (websites, articles, meetings, 主动公开 counts, other years, totals
“累计” since some year) are never read: a warning here must be worth the reader's time.

Pure: no office library.  Text is matched after NFKC normalisation, so full-width
digits and punctuation read like ASCII ones.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from gaidocx.core.form import OPENING
from gaidocx.core.narrative import parse_paragraph, split_paragraphs
from gaidocx.core.report import Number, Report

#: Characters of text read (for figures, and per year for repeated text): a real report has
#: 5 000–30 000; the bound keeps a hostile file (86 cells of 32 767 characters) from taking
#: minutes and gigabytes.
MAX_COMPARED = 200_000

# ---------------------------------------------------------------- numbers

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_NUMBER = "[零〇一二两三四五六七八九十百千]+"
#: A count as written: Arabic (NFKC makes full-width digits ASCII) or Chinese numerals.
NUMBER = rf"(?P<n>\d{{1,8}}|{_CHINESE_NUMBER})"


def parse_number(text: str) -> int | None:
    """``12`` → 12, ``十二`` → 12, ``一百零五`` → 105, ``两`` → 2; ``None`` for anything else."""
    if text.isdigit():
        return int(text)
    if text in ("零", "〇"):
        return 0
    total, digit = 0, None
    for index, ch in enumerate(text):
        if ch in ("零", "〇") and index and text[index - 1] in _UNITS:
            continue  # 一百零五: the zero only marks a skipped place
        if ch in _DIGITS:
            if digit is not None:
                return None  # 一二: two digits in a row are not a number
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


# ---------------------------------------------------------------- claims

#: What a table holds, as the text might state it.
RECEIVED = "received"
HANDLED = "handled"
CARRIED_IN = "carried_in"
CARRIED_OUT = "carried_out"
REVIEW = "review"
LITIGATION = "litigation"
RULES_ISSUED, RULES_REPEALED, RULES_IN_FORCE = "rules_issued", "rules_repealed", "rules_in_force"
DOCS_ISSUED, DOCS_REPEALED, DOCS_IN_FORCE = "docs_issued", "docs_repealed", "docs_in_force"

#: Each claim's table cells: the sum of the listed fields is the figure.  The first
#: alternative is the one messages name; the others are readings the text may mean too
#: (“收到申请 12 件” may count the applications carried over).
_CELLS: dict[str, tuple[tuple[str, ...], ...]] = {
    RECEIVED: (("t3.r1.c7",), ("t3.r1.c7", "t3.r2.c7")),
    HANDLED: (("t3.r24.c7",), ("t3.r1.c7",), ("t3.r1.c7", "t3.r2.c7")),
    CARRIED_IN: (("t3.r2.c7",),),
    CARRIED_OUT: (("t3.r25.c7",),),
    REVIEW: (("t4.r1.c5",),),
    LITIGATION: (("t4.r1.c10", "t4.r1.c15"),),
    RULES_ISSUED: (("t2.r1.c1",),),
    RULES_REPEALED: (("t2.r1.c2",),),
    RULES_IN_FORCE: (("t2.r1.c3",),),
    DOCS_ISSUED: (("t2.r2.c1",),),
    DOCS_REPEALED: (("t2.r2.c2",),),
    DOCS_IN_FORCE: (("t2.r2.c3",),),
}


@dataclass(frozen=True, slots=True)
class Claim:
    """A figure a paragraph states: ``what`` (a key of ``_CELLS``) is ``value``; ``quote`` is the words."""

    what: str
    value: int
    quote: str


_UNIT = "(?:件|宗|起|份|例|个(?!工作日|月|小时|部门|单位)|条)"
_AMOUNT = rf"(?:共计|共|合计|总计|总数为|总数|数量为|数量|计|为|达到|达)?{NUMBER}{_UNIT}"
#: Zero without a unit: “为零”, “为0”.
_ZERO = r"(?:数量)?(?:均)?为(?P<n>零|0)(?!\d)"
_END = r"(?=$|[,;:。!?、)(]|和|及|与|或|均|也|等)"

#: Applications for disclosure (政府信息公开申请, 依申请公开).
_APPLICATIONS = r"(?:政府信息公开|信息公开|依申请公开)(?:的)?(?:申请事项|申请件|申请|事项)?"


def _either(words: tuple[str, ...]) -> str:
    return f"(?:{'|'.join(words)})"


#: Words a pattern cannot match without (one of them): a sentence lacking them is not searched.
_RECEIVE_WORDS = ("新收", "收到", "受理", "接收", "接到", "接受", "新受理")
_HANDLE_WORDS = ("办结", "办理", "答复", "处理")
_NO_WORDS = ("未", "没有", "无")
_CARRIED_IN_WORDS = ("结转", "未办结", "遗留")
_CARRIED_OUT_WORDS = ("转",)
_CASE_WORDS = ("行政复议", "行政诉讼")
_REGULATION_WORDS = ("规章",)
_DOCUMENT_WORDS = ("规范性文件",)
_RECEIVE = _either(_RECEIVE_WORDS)
_HANDLE = _either(_HANDLE_WORDS)
_NO = _either(_NO_WORDS)
#: This year's and other years' words for the count of the year in question.
_PREFIX = r"(?:本年度|本年|全年|当年|今年|年内|(?:\d{4})年度?)?(?:共|共计|累计|总计|合计)?"

_LAST_YEAR_CARRIED = r"(?:上一?年度?结转|结转上一?年度?|上一?年度?(?:未办结|遗留)(?:转入本年度?)?)"
_NEXT_YEAR = r"(?:下一?年度?|次年度?|{next}年度?)"
_CARRY_OUT = rf"(?:结转|转入|转)(?:至|到|入)?{_NEXT_YEAR}(?:继续)?(?:办理)?"

_REGULATIONS = r"(?:政府)?规章(?!制度)"
_DOCUMENTS = r"(?<!党内)(?<!党的)(?:行政)?规范性文件"
_ISSUE = r"(?:新制发|新出台|新制定|制定出台|制定印发|制发|制定|印发|出台)"
_REPEAL = r"(?:宣布废止|废止)"
_IN_FORCE = r"现行有效"

#: Context that makes a 行政复议 / 行政诉讼 figure this report's: about 政府信息公开.
_DISCLOSURE = r"(?:政府信息公开|信息公开|依申请公开)(?:申请|答复|工作|事项|行为)?(?:方面|领域|相关|类)?"
_CASE = _either(_CASE_WORDS)
_CASE_SUFFIX = r"(?:案件|申请|案)?"


@functools.lru_cache(maxsize=8)
def _patterns(next_year: int) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(what, words, pattern); ``what`` may be ``"case"`` (review or litigation, by the word
    found); the pattern matches only a text that holds one of ``words``.  Each pattern is
    compiled when a text first needs it (``_compiled``): most reports need a few of them,
    and compiling all took longer than checking a report."""
    carry_out = _CARRY_OUT.replace("{next}", str(next_year))
    p = [
        # 收到政府信息公开申请3件 / 共受理依申请公开12件 / 本年新收政府信息公开申请数量为3件
        (RECEIVED, _RECEIVE_WORDS, rf"{_PREFIX}{_RECEIVE}(?:了)?(?:各类|群众的?|公民的?|社会公众的?|的)?{_APPLICATIONS}{_AMOUNT}"),
        (RECEIVED, _RECEIVE_WORDS, rf"{_PREFIX}{_RECEIVE}(?:了)?{NUMBER}{_UNIT}(?:的)?{_APPLICATIONS}"),
        # 依申请公开方面，全年共收到申请3件 (the sentence is about applications for disclosure)
        (RECEIVED, _RECEIVE_WORDS, rf"(?:依申请公开|政府信息公开申请)[^。;!?]{{0,20}}?{_PREFIX}{_RECEIVE}(?:了)?申请{_AMOUNT}"),
        (RECEIVED, _RECEIVE_WORDS, rf"{_PREFIX}{_RECEIVE}(?:了)?(?:各类|群众的?|公民的?|社会公众的?|的)?{_APPLICATIONS}{_ZERO}"),
        # 全年未收到政府信息公开申请 / 无依申请公开事项
        (RECEIVED, _NO_WORDS, rf"{_NO}(?:收到|受理|接到|接收|发生|产生)?(?:过|任何)?(?P<n>){_APPLICATIONS}(?:的情况|情况)?{_END}"),
        # 办结政府信息公开申请12件
        (HANDLED, _HANDLE_WORDS, rf"{_PREFIX}{_HANDLE}(?:了)?(?:各类|的)?{_APPLICATIONS}{_AMOUNT}"),
        # 上年结转1件 / 上年度结转政府信息公开申请数量为0
        (CARRIED_IN, _CARRIED_IN_WORDS, rf"{_LAST_YEAR_CARRIED}(?:的)?(?:至本年度?|到本年度?)?(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?{_AMOUNT}"),
        (CARRIED_IN, _CARRIED_IN_WORDS, rf"{_LAST_YEAR_CARRIED}(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?{_ZERO}"),
        (CARRIED_IN, _CARRIED_IN_WORDS, rf"{_NO}(?:上一?年度?结转|结转上一?年度?)(?P<n>)(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?(?:事项)?{_END}"),
        # 结转下年度继续办理2件 / 2件结转下年度继续办理
        (CARRIED_OUT, _CARRIED_OUT_WORDS, rf"{carry_out}(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?{_AMOUNT}"),
        (CARRIED_OUT, _CARRIED_OUT_WORDS, rf"{carry_out}(?:的)?(?:政府信息公开|依申请公开)?(?:申请)?{_ZERO}"),
        (CARRIED_OUT, _CARRIED_OUT_WORDS, rf"(?<![\d.零〇一二两三四五六七八九十百千]){NUMBER}{_UNIT}(?:申请)?(?:已|需|将)?{carry_out}"),
        # 因政府信息公开被申请行政复议2件 / 政府信息公开行政复议、行政诉讼均为0
        ("case", _CASE_WORDS, rf"{_DISCLOSURE}(?:的|引起的|引发的|产生的|而引起的|而|被)?(?:被)?(?:申请|提起)?(?P<kind>{_CASE}){_CASE_SUFFIX}{_AMOUNT}"),
        ("case", _CASE_WORDS, rf"{_DISCLOSURE}(?:的|引起的|引发的|产生的|而引起的|而|被)?(?:被)?(?:申请|提起)?(?P<kind>{_CASE}){_CASE_SUFFIX}{_ZERO}"),
        # 未发生（因政府信息公开引起的）行政复议、行政诉讼 / 无行政复议
        ("case", _CASE_WORDS, rf"{_NO}(?:发生|出现|收到|产生|涉及)?(?:过|任何)?(?:因|涉及)?(?:{_DISCLOSURE})?(?:引起|引发|产生)?(?:的)?(?:被)?(?:申请|提起)?(?P<n>)(?P<kind>{_CASE}){_CASE_SUFFIX}(?:的情况|情况)?{_END}"),
        # 规章 and 行政规范性文件: issued, repealed, in force
        (RULES_ISSUED, _REGULATION_WORDS, rf"{_PREFIX}{_ISSUE}(?:了)?(?:各类)?{_REGULATIONS}{_AMOUNT}"),
        (RULES_ISSUED, _REGULATION_WORDS, rf"{_REGULATIONS}(?:本年)?{_ISSUE}(?:件数)?{_AMOUNT}"),
        (RULES_REPEALED, _REGULATION_WORDS, rf"{_REPEAL}(?:了)?{_REGULATIONS}{_AMOUNT}"),
        (RULES_REPEALED, _REGULATION_WORDS, rf"{_REGULATIONS}(?:本年)?{_REPEAL}(?:件数)?{_AMOUNT}"),
        (RULES_IN_FORCE, _REGULATION_WORDS, rf"{_IN_FORCE}(?:的)?{_REGULATIONS}{_AMOUNT}"),
        (RULES_IN_FORCE, _REGULATION_WORDS, rf"{_REGULATIONS}{_IN_FORCE}(?:件数)?{_AMOUNT}"),
        (DOCS_ISSUED, _DOCUMENT_WORDS, rf"{_PREFIX}{_ISSUE}(?:了)?(?:各类)?{_DOCUMENTS}{_AMOUNT}"),
        (DOCS_ISSUED, _DOCUMENT_WORDS, rf"{_PREFIX}{_ISSUE}(?:了)?{NUMBER}{_UNIT}{_DOCUMENTS}"),
        (DOCS_ISSUED, _DOCUMENT_WORDS, rf"{_DOCUMENTS}(?:本年)?{_ISSUE}(?:件数)?{_AMOUNT}"),
        (DOCS_REPEALED, _DOCUMENT_WORDS, rf"{_REPEAL}(?:了)?{_DOCUMENTS}{_AMOUNT}"),
        (DOCS_REPEALED, _DOCUMENT_WORDS, rf"{_REPEAL}(?:了)?{NUMBER}{_UNIT}{_DOCUMENTS}"),
        (DOCS_REPEALED, _DOCUMENT_WORDS, rf"{_DOCUMENTS}(?:本年)?{_REPEAL}(?:件数)?{_AMOUNT}"),
        (DOCS_IN_FORCE, _DOCUMENT_WORDS, rf"{_IN_FORCE}(?:的)?{_DOCUMENTS}{_AMOUNT}"),
        (DOCS_IN_FORCE, _DOCUMENT_WORDS, rf"{_DOCUMENTS}{_IN_FORCE}(?:的)?(?:件数)?{_AMOUNT}"),
    ]
    return tuple(p)


_compiled = functools.lru_cache(maxsize=256)(re.compile)


#: A clause that talks about another year, a comparison or a running total is not this year's figure.
_OTHER_TIME = re.compile(r"去年|同比|环比|较上|比上|较去|比去|历年|以来|截至|截止|累计|(?<!结转)上一?年(?!度?结转|度?未办结|度?遗留)")
_YEAR = re.compile(r"(\d{4})年")
#: 现行有效 is a count at the year's end: “截至年底” is its own time, not another.  (This pattern
#: and the three of cases below are kept as text and compiled when a text first needs them.)
_OTHER_TIME_IN_FORCE = _OTHER_TIME.pattern.replace("|截至|截止", "")
#: Clauses end at these (NFKC has made ，；：！？ ASCII).
_CLAUSE_END = re.compile(r"[,;:。!?]")
#: A second kind of case after a zero statement: “未发生行政复议、行政诉讼”.
_SECOND_ZERO = rf"(?:、|和|及|或|与|以及)(?:被)?(?:申请|提起)?(?P<kind>{_CASE}){_CASE_SUFFIX}(?:的情况|情况)?{_END}"
#: A second count after a first: “被申请行政复议2件、提起行政诉讼1件”.
_SECOND_COUNT = rf"(?:、|,|和|及|与|以及)(?:被)?(?:申请|提起)?(?P<kind>{_CASE}){_CASE_SUFFIX}{_AMOUNT}"
#: “（政府信息公开）行政复议、行政诉讼均为0”: zero for both kinds.
_BOTH_ZERO = (
    rf"(?:{_DISCLOSURE})(?:的|引起的|引发的)?(?:被)?(?:申请)?(?P<first>{_CASE})(?:、|和|及|与)(?:被)?(?:提起)?(?P<second>{_CASE})"
    rf"{_CASE_SUFFIX}(?:数量)?(?:均|都)(?:为|是)?(?P<n>零|0)(?!\d)(?:件|起)?"
)


_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"})


def _quote(text: str) -> str:
    """Matched text as quoted to the user: the full-width punctuation NFKC took away."""
    return text.strip().translate(_FULL_WIDTH)


def _case(kind: str) -> str:
    return REVIEW if kind == "行政复议" else LITIGATION


#: Sentences end at these; a statement never spans two.
_SENTENCE_END = re.compile(r"[。;!?]")
#: Every pattern needs one of these words: other sentences are not read at all.
_ANCHORS = ("公开", "结转", "复议", "诉讼", "规范性文件", "规章")


def claims(text: str, year: int | None) -> list[Claim]:
    """The figures ``text`` plainly states that the tables hold, in order of appearance."""
    if not text or text.isspace():
        return []
    paragraph = parse_paragraph(unicodedata.normalize("NFKC", text).strip())
    # “（二）依申请公开。全年共收到申请3件”: the lead-in is the body's subject
    text = f"{paragraph.lead.rstrip('。:')},{paragraph.body}" if paragraph.lead else paragraph.body
    found: list[Claim] = []
    start = 0
    for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[start:end]
        start = end
        if any(anchor in sentence for anchor in _ANCHORS):
            found.extend(_sentence_claims(sentence, year))
    return found


def _sentence_claims(text: str, year: int | None) -> list[Claim]:
    found: list[tuple[int, Claim]] = []
    used = bytearray(len(text))
    #: clause boundaries: the clause holding position i is text[bounds[k-1] : bounds[k]]
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(text)), len(text) + 1]
    years = {year, (year or 0) + 1}  # “结转至2025年办理”

    def free(start: int, end: int, what: str = "") -> bool:
        """Not read already, and about this year's figure (the clauses the match lies in)."""
        if any(used[start:end]):
            return False  # one statement, one claim (the first pattern that reads it)
        first = bisect.bisect_right(bounds, start) - 1
        last = bisect.bisect_left(bounds, end)
        clause = text[bounds[first] : bounds[last]]
        other_time = _compiled(_OTHER_TIME_IN_FORCE) if what in (DOCS_IN_FORCE, RULES_IN_FORCE) else _OTHER_TIME
        return not other_time.search(clause) and all(int(y) in years for y in _YEAR.findall(clause))

    def take(start: int, end: int) -> None:
        used[start:end] = b"\x01" * (end - start)

    for match in _compiled(_BOTH_ZERO).finditer(text) if any(word in text for word in _CASE_WORDS) else ():
        if free(match.start(), match.end()):
            take(match.start(), match.end())
            for kind in (match["first"], match["second"]):
                found.append((match.start(), Claim(_case(kind), 0, _quote(match.group()))))
    patterns = _patterns((year or 0) + 1)
    present = {words for words in {words for _, words, _ in patterns} if any(word in text for word in words)}
    for what, words, pattern in patterns:
        if words not in present:
            continue  # a regular expression tries every position; a word search is far cheaper
        for match in _compiled(pattern).finditer(text):
            if not free(match.start(), match.end(), what):
                continue
            value = parse_number(match["n"]) if match["n"] else 0
            if value is None:
                continue
            end = match.end()
            if what != "case":
                found.append((match.start(), Claim(what, value, _quote(match.group()))))
            else:
                found.append((match.start(), Claim(_case(match["kind"]), value, _quote(match.group()))))
                follower = _compiled(_SECOND_COUNT if match["n"] else _SECOND_ZERO).match(text, end)
                if follower is not None:
                    second = parse_number(follower["n"]) if match["n"] else 0
                    if second is not None and follower["kind"] != match["kind"]:
                        quote = text[match.start() : follower.end()]
                        found.append((follower.start(), Claim(_case(follower["kind"]), second, _quote(quote))))
                        end = follower.end()
            take(match.start(), end)
    found.sort(key=lambda item: item[0])
    return [claim for _, claim in found]


# ---------------------------------------------------------------- against the tables


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A paragraph (``place``) states ``claim`` but the table (``fields``) holds ``table_value``."""

    place: str
    claim: Claim
    fields: tuple[str, ...]
    table_value: Number


def mismatches(report: Report, place_of, skip: frozenset[str] = frozenset()) -> list[Mismatch]:
    """Every plain statement in ``report``'s text that its tables contradict.

    ``place_of(section, index)`` names a text entry; fields in ``skip`` (already
    reported as wrong or unreadable) are not compared.
    """
    figures = report.figures()
    sections = [OPENING, *(s.number for s in report.form.narrative_sections)]
    results: list[Mismatch] = []
    room = MAX_COMPARED
    for section in sections:
        for index, entry in enumerate(report.narratives.get(section, ())):
            if room <= 0:
                return results
            entry, room = entry[:room], room - len(entry)
            seen = set()
            for claim in claims(entry, report.year):
                if (claim.what, claim.value) in seen:
                    continue  # the same statement twice in one paragraph: one warning
                seen.add((claim.what, claim.value))
                readings = []
                for keys in _CELLS[claim.what]:
                    values = [figures.get(key) for key in keys]
                    if any(k in skip or k not in figures for k in keys) or any(v is None for v in values):
                        break  # the figure is not known: nothing to compare
                    readings.append((keys, sum(values)))
                else:
                    if readings and all(value != claim.value for _, value in readings):
                        keys, value = readings[0]
                        results.append(Mismatch(place_of(section, index), claim, keys, value))
    return results


# ---------------------------------------------------------------- text repeated from last year

#: Characters in a row that count as repeated text: the unit Chinese plagiarism checkers
#: (e.g. CNKI's “连续 13 个字符相同”) use, long enough that set phrases such as
#: “政府信息公开工作” (8) do not count.
SHINGLE = 13


@dataclass(frozen=True, slots=True)
class Overlap:
    """Share of this year's text (characters) found in last year's, overall and by section."""

    share: float
    sections: dict[str, float]


def text_overlap(report: Report, previous: Report) -> Overlap:
    """How much of ``report``'s text repeats ``previous``'s.

    Compared: the narrative sections (一, 五, 六), letters and digits only (punctuation and
    spaces do not count).  Left out: the opening (a prescribed formula), heading lead-ins
    (``（一）主动公开。`` repeats by design) and text the template pre-fills.  A character
    counts as repeated when it lies in a run of ``SHINGLE`` characters that last year's
    text contains too.
    """
    sections = [s.number for s in report.form.narrative_sections]
    skeleton = {_letters(parse_paragraph(text).body or text) for s in report.form.narrative_sections for text in s.skeleton}
    last_runs: set[str] = set()
    for text in _bounded((t for section in sections for t in _texts(previous, section, skeleton))):
        last_runs.update(text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1))
    this_year = _bounded(((section, t) for section in sections for t in _texts(report, section, skeleton)), keyed=True)
    shares: dict[str, float] = {}
    repeated_total = length_total = 0
    for section in sections:
        repeated = length = 0
        for text in (t for s, t in this_year if s == section):
            covered = [False] * len(text)
            for i in range(len(text) - SHINGLE + 1):
                if text[i : i + SHINGLE] in last_runs:
                    covered[i : i + SHINGLE] = [True] * SHINGLE
            repeated += sum(covered)
            length += len(text)
        if length:
            shares[section] = repeated / length
        repeated_total += repeated
        length_total += length
    return Overlap(repeated_total / length_total if length_total else 0.0, shares)


def _bounded(texts, keyed: bool = False) -> list:
    """The texts in order, cut off after ``MAX_COMPARED`` characters in all."""
    kept, room = [], MAX_COMPARED
    for item in texts:
        text = item[1] if keyed else item
        if room <= 0:
            break
        text = text[:room]
        room -= len(text)
        kept.append((item[0], text) if keyed else text)
    return kept


def _texts(report: Report, section: str, skeleton: set[str]) -> Iterator[str]:
    """The section's paragraph bodies as compared (lazily: only what ``_bounded`` keeps is read)."""
    for entry in report.narratives.get(section, ()):
        for paragraph in split_paragraphs(entry[: 2 * MAX_COMPARED]):
            body = _letters(parse_paragraph(paragraph).body)
            if body and body not in skeleton:
                yield body


def _letters(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())

"""A cell's value as the reader takes it: a number (or why not), text as typed, a brief quote.

The one place a cell value becomes a number, so that a figure typed as text, with a
unit or as an error value reads the same everywhere and every message quotes it alike.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from gaidocx.core.form import Kind, chinese_date
from gaidocx.core.report import Number, format_figure

#: Digits beyond any count or amount (the checks' limit has 8): longer text is a slip, not a number.
_LONGEST_NUMBER = 20
#: Text in a figure cell longer than this is not looked at as a number at all.
_LONGEST_TEXT = 200
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_NUMBER_WITH_UNIT = re.compile(rf"({_NUMBER.pattern})\s*(\D+)")
#: Excel's error values, as a cell shows them.
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")




def to_number(value: object) -> tuple[Number | None, str]:
    """The one place a cell value becomes a number.

    ``(number, "")`` for a number, ``(number, warning)`` for numeric text,
    ``(None, "")`` for a blank and ``(None, error)`` for anything else.
    """
    if value is None:
        return None, ""
    if isinstance(value, bool):
        return None, f"应填写数字，现为逻辑值 {str(value).upper()}。"
    if isinstance(value, int):
        return value, ""
    if isinstance(value, float | Decimal):
        number = Decimal(str(value))
        return (canonical(number), "") if number.is_finite() else (None, f"应填写数字，现为“{brief(value)}”。")
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        return None, f"应填写数字，现为日期或时间“{brief(value)}”：请把单元格格式改为“常规”，再重新填写数字。"
    if not isinstance(value, str):
        return None, f"应填写数字，现为“{brief(value)}”。"
    if len(value) > _LONGEST_TEXT:  # normalised below: never a whole paragraph
        head = value[:_LONGEST_TEXT].strip().lstrip("+-")
        if head and all(c.isdigit() or c in ",." for c in head):
            return None, f"数字过长（“{brief(value)}”，{len(value.strip())} 位），请核对。"
        return None, f"应填写数字，现为一段 {len(value)} 个字符的文字“{brief(value)}”；没有发生的请填 0。"
    plain = unicodedata.normalize("NFKC", value).strip()
    if not plain:
        return None, ""
    if plain in ERROR_CODES:
        return None, f"单元格是错误值 {plain}，请改为直接填写数字。"
    unsigned = plain.lstrip("+-")
    if len(unsigned) > _LONGEST_NUMBER and unsigned[:1].isdigit():
        return None, f"数字过长（“{brief(value)}”，{len(unsigned)} 位），请核对。"
    if _NUMBER.fullmatch(plain):
        number = canonical(Decimal(plain.replace(",", "")))
        return number, (
            f"这里填的是文字“{brief(value)}”，已按数字 {number} 读取。"
            "建议把单元格格式改为“常规”后重新输入数字：以文字保存的数字不计入合计公式。"
        )
    with_unit = _NUMBER_WITH_UNIT.fullmatch(plain)
    if with_unit:
        amount, unit = Decimal(with_unit[1].replace(",", "")), with_unit[2]
        if unit == "元":
            return None, (
                f"只填数字，不要带单位（现为“{brief(value)}”）。金额的单位是万元（1 元 = 0.0001 万元），"
                f"{amount} 元应填 {format_figure(amount / 10000, Kind.FEE)}。"
            )
        return None, f"只填数字，不要带单位（现为“{brief(value)}”）：单位已写在表头中，这里应填 {amount}。"
    return None, f"应填写数字，现为文字“{brief(value)}”；没有发生的请填 0。"


def canonical(number: Decimal) -> Decimal:
    """A number as a number cell would hold it: no trailing zeros (“1.50” is 1.5, as the
    shipped data schema requires), no exponent (“100.0” is 100) and never a negative zero."""
    return Decimal(int(number)) if number == number.to_integral_value() else number.normalize()


def as_text(value: object) -> str:
    """A text cell's value as typed: numbers without a spurious ``.0``, dates the Chinese way."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return chinese(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def chinese(date: datetime.date) -> str:
    return chinese_date(date.year, date.month, date.day)


def brief(value: object, width: int = 20) -> str:
    """A cell value as every message quotes it: at most ``width`` characters (it may be a
    whole paragraph, or one string of millions shared by every cell), on one line."""
    if value is None:
        return "空白"
    text = getattr(value, "text", value)
    if not isinstance(text, str):
        text = str(text)
        if len(text) > 1000:
            text = text[:1000]
    head = " ".join(text[: width + 1].split())
    return head if len(text) <= width and len(head) <= width else f"{head[:width]}……"


def normalise_formula(formula: object, sheet: str) -> str:
    """Formulas as Excel, WPS and LibreOffice variously write them: no ``=``, ``$``, spaces or own-sheet prefix."""
    text = str(getattr(formula, "text", formula)).lstrip("=").replace("$", "").replace(" ", "")
    for prefix in (f"'{sheet}'!", f"{sheet}!"):
        text = text.replace(prefix, "")
    return text.upper()

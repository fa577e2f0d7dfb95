"""Dates as a workbook stores them: serial numbers counted from an epoch, shown as dates by
their number format.  A number is a date when its cell's format is one (built in, or a
custom code with y, m, d, h or s outside quotes); it is read as openpyxl reads it.
"""

from __future__ import annotations

import datetime
import re

WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
MAC_EPOCH = datetime.datetime(1904, 1, 1)
_SECONDS_PER_DAY = 86_400


#: Number formats built into Excel that openpyxl reads as dates (ids 14–22, 45–47); 46 is a duration.
BUILTIN_DATE_FORMATS = {
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
}
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def is_date_format(code: str | None) -> bool:
    """A date or time format: y, m, d, h or s in the first section, outside quotes and brackets."""
    if code is None:
        return False
    return _DATE_LETTER.search(_LITERALS.sub("", code.split(";")[0])) is not None


def is_duration_format(code: str | None) -> bool:
    return code is not None and _DURATION.search(code.split(";")[0]) is not None


def from_excel(
    value: float, epoch: datetime.datetime = WINDOWS_EPOCH, duration: bool = False
) -> datetime.datetime | datetime.time | datetime.timedelta:
    """An Excel serial as openpyxl reads it; raises ``OverflowError`` or ``ValueError`` out of range.

    Serials below 60 in the 1900 system are a day later than counted, because
    Excel (after Lotus 1-2-3) counts a 29 February 1900 that never was.
    """
    if duration:
        delta = datetime.timedelta(days=value)
        if delta.microseconds:
            delta = datetime.timedelta(seconds=delta.total_seconds() // 1, microseconds=round(delta.microseconds, -3))
        return delta
    day, fraction = divmod(value, 1)
    difference = datetime.timedelta(milliseconds=round(fraction * _SECONDS_PER_DAY * 1000))
    if 0 <= value < 1 and difference.days == 0:
        microseconds = difference.microseconds
        minutes, seconds = divmod(difference.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return datetime.time(hours, minutes, seconds, microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + datetime.timedelta(days=day) + difference


def from_iso(text: str) -> datetime.datetime | datetime.date | datetime.time:
    """A ``t="d"`` cell's ISO 8601 text."""
    for parse in (datetime.datetime.fromisoformat, datetime.time.fromisoformat):
        try:
            return parse(text.rstrip("Z"))
        except ValueError:
            continue
    raise ValueError(f"{text} is not an ISO 8601 date")

"""Birth dates as typed: ISO, Indonesian day-first forms, spreadsheet serial numbers and
datetime exports; a possible day/month swap is offered as a candidate, not assumed."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from typing import Any

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY2 = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
PLACEHOLDERS = frozenset({(1, 1), (7, 1), (12, 31), (6, 30)})


@dataclass(frozen=True, slots=True)
class ParsedDate:
    raw: str
    date: dt.date | None
    swapped: dt.date | None = None  # the day/month swap, when it is also a real date

    @property
    def is_placeholder(self) -> bool:
        """1 January, 1 July, 30 June, 31 December: common stand-ins for unknown birth dates."""
        return self.date is not None and (self.date.month, self.date.day) in PLACEHOLDERS


def _make(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


EARLIEST = dt.date(1880, 1, 1)
_TODAY: list[Any] = [None, 0.0]  # today's date, and until when (monotonic clock) it is taken as known


def current_date() -> dt.date:
    """Today, asked of the clock at most once a second: a file's distinct dates and NIKs are
    parsed by the hundred thousand, each against today."""
    now = time.monotonic()
    if now >= _TODAY[1]:
        _TODAY[0], _TODAY[1] = dt.date.today(), now + 1  # noqa: DTZ011 - calendar dates, no time zone involved
    day: dt.date = _TODAY[0]
    return day


def parse_date(raw: object, *, today: dt.date | None = None) -> ParsedDate:
    """Parse a birth date; never raises. A date in the future or before 1880 is rejected."""
    today = today or current_date()
    if raw is None:
        return ParsedDate("", None)
    if isinstance(raw, dt.datetime):
        return _bounded(str(raw), raw.date(), None, today)
    if isinstance(raw, dt.date):
        return _bounded(str(raw), raw, None, today)
    text = str(raw).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit() and text[5:7].isdigit() and text[8:].isdigit():
        # YYYY-MM-DD, the registry's own form: skip the guessing below
        return _ymd(text, int(text[:4]), int(text[5:7]), int(text[8:]), today)
    if not text or text.lower() in {"nan", "none", "null", "-"}:
        return ParsedDate(text, None)
    if re.fullmatch(r"\d{4,5}(?:\.0+)?", text):
        serial = int(float(text))
        if 1 < serial < 80000:
            return _bounded(text, EXCEL_EPOCH + dt.timedelta(days=serial), None, today)
    if re.fullmatch(r"\d{8}", text):
        # 19800512 or 12051980
        iso = _make(int(text[:4]), int(text[4:6]), int(text[6:]))
        if iso and 1880 <= iso.year:
            return _bounded(text, iso, None, today)
        return _dmy(text, int(text[:2]), int(text[2:4]), int(text[4:]), today)
    m = _ISO.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return _ymd(text, y, mo, d, today)
    m = _DMY.match(text)
    if m:
        d, mo, y = (int(g) for g in m.groups())
        return _dmy(text, d, mo, y, today)
    m = _DMY2.match(text)
    if m:
        d, mo, y2 = (int(g) for g in m.groups())
        y = 2000 + y2 if 2000 + y2 <= today.year else 1900 + y2
        return _dmy(text, d, mo, y, today)
    return ParsedDate(text, None)


def _ymd(text: str, y: int, mo: int, d: int, today: dt.date) -> ParsedDate:
    date = _make(y, mo, d)
    swapped = _make(y, d, mo) if d <= 12 and d != mo else None
    if date is None and swapped is not None:
        return _bounded(text, swapped, None, today)
    return _bounded(text, date, swapped, today)


def _dmy(text: str, d: int, mo: int, y: int, today: dt.date) -> ParsedDate:
    date = _make(y, mo, d)
    swapped = _make(y, d, mo) if d <= 12 and mo <= 12 and d != mo else None
    if date is None:
        # "12/25/1980": month first, as an English-locale spreadsheet writes it
        date, swapped = _make(y, d, mo), None
    return _bounded(text, date, swapped, today)


def _bounded(text: str, date: dt.date | None, swapped: dt.date | None, today: dt.date) -> ParsedDate:
    def ok(x: dt.date | None) -> dt.date | None:
        return x if x is not None and EARLIEST <= x <= today else None

    return ParsedDate(text, ok(date), ok(swapped))

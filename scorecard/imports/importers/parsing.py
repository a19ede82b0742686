"""Value parsers shared by the import schemas.

Each takes a cleaned cell (``str``, or ``datetime``/``date`` from an Excel
date cell) and returns the Python value, or raises ``ValueError`` with a
reason an analyst can act on (it ends up as ``row N, <column>: <reason>``).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

# Exports state wall-clock time in Beijing (core.months.LOCAL_TZ, the domain's months and hours).
from scorecard.core.months import LOCAL_TZ
from scorecard.core.numbers import half_up

_fromisoformat = dt.datetime.fromisoformat
_DATETIME_RE = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?)?"
)
_DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+0{1,2}:00(?::00(?:\.0+)?)?)?")
_MONTH_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})月?(?:[-/.]0?1(?:[ T]+0{1,2}:00(?::00)?)?)?")


# A work-order time outside these years is a typo or a placeholder (0001-01-01, 9999-12-31);
# at the edges it cannot even be converted to UTC for storage (OverflowError).
MIN_YEAR, MAX_YEAR = 1900, 2100


def parse_datetime(value) -> dt.datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` or ``YYYY/MM/DD ...`` or an Excel date cell → aware (Asia/Shanghai)."""
    result = _parse_datetime(value)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError(f"“{_show(_date_text(value) if not isinstance(value, str) else value)}”"
                         f"不是有效的时间（年份应在 {MIN_YEAR}–{MAX_YEAR} 之间）")
    return result


def copy_text(raw, value: dt.datetime):
    """What a COPY into PostgreSQL may send for ``value``, parsed by ``parse_datetime`` from the cell ``raw``:
    the cell itself with its offset when it is the canonical export format, else ``value``.

    psycopg turns an aware datetime into text at about 1 µs (four a work order: 4 s of a
    1M-order import's 36, measured), while the cell already is that text. Only the fast
    path's results qualify — a fixed +08:00 (never LOCAL_TZ, whose 1986–1991 summer time the
    fast path leaves to zoneinfo) from ``YYYY-MM-DD HH:MM:SS`` or ``YYYY-MM-DD HH:MM``, the
    forms PostgreSQL reads the same way in every DateStyle."""
    if type(raw) is str and value.tzinfo is not LOCAL_TZ and raw[13:14] == ":" and (
            len(raw) == 16 or (len(raw) == 19 and raw[16] == ":")):
        return raw + "+08:00"
    return value


def parse_date_only(value, *, end_of_day: bool = False) -> dt.datetime | None:
    """A date without a time (受理日期, 办结日期 columns, or an Excel date cell) as a moment, or None if
    ``value`` is not a date alone. The start of the day, or with ``end_of_day`` 23:59:59 — for the
    times that end a step (派单, 接单, 办结) the latest the date allows, so that a missing time never
    makes a complaint look handled sooner than it may have been."""
    if type(value) is dt.date:  # an Excel date cell without a time
        day = value
    elif isinstance(value, str) and (m := _DATE_ONLY_RE.fullmatch(value)):
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    else:
        return None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    return dt.datetime.combine(day, dt.time(23, 59, 59) if end_of_day else dt.time(0, 0), tzinfo=LOCAL_TZ)


_DATE_ONLY_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def _parse_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None) if value.tzinfo is None else None
        if naive is None:
            return value
        return naive.replace(tzinfo=LOCAL_TZ)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=LOCAL_TZ)
    text = value
    # Fast path for the canonical export format: one C call. China has kept
    # UTC+8 all year since 1992 (DST 1986-1991), so a fixed offset is exact
    # there; earlier dates take the zoneinfo path below.
    if len(text) in (16, 19) and text[4] == "-" and text[10] == " " and text[:4] >= "1992":
        try:
            return _fromisoformat(text + "+08:00")
        except ValueError:
            pass
    m = _DATETIME_RE.fullmatch(text)
    if not m or m.group(4) is None:
        raise ValueError(f"“{_show(text)}”不是有效的时间（应为 YYYY-MM-DD HH:MM[:SS]）")
    y, mo, d, h, mi, s, frac = m.groups()
    try:
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0),
                           int((frac or "0").ljust(6, "0")), tzinfo=LOCAL_TZ)
    except ValueError:
        raise ValueError(f"“{_show(text)}”不是有效的时间（日期或时刻超出范围）") from None


def parse_date(value) -> dt.date:
    """``YYYY-MM-DD`` / ``YYYY/MM/DD`` or an Excel date cell → date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.fullmatch(value)
    if not m:
        raise ValueError(f"“{_show(value)}”不是有效的日期（应为 YYYY-MM-DD）")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"“{_show(value)}”不是有效的日期（超出范围）") from None


def parse_month(value) -> dt.date:
    """``YYYY-MM`` (also ``YYYY/MM``, ``YYYY年MM月`` or an Excel date cell) → first day of the month."""
    if isinstance(value, (dt.date, dt.datetime)):
        return dt.date(value.year, value.month, 1)
    m = _MONTH_RE.fullmatch(value)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"“{_show(value)}”不是有效的月份（应为 YYYY-MM）")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def parse_int(value, *, minimum: int | None = 0, maximum: int = 2_147_483_647) -> int:
    text = _number_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{_show(value)}”不是整数") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"“{_show(value)}”不是整数")
    result = int(number)
    if minimum is not None and result < minimum:
        raise ValueError(f"{result} 不能小于 {minimum}")
    if result > maximum:
        raise ValueError(f"{result} 超出范围")
    return result


def parse_decimal(value, *, max_digits: int, places: int) -> Decimal:
    text = _number_text(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{_show(value)}”不是数字") from None
    if not number.is_finite():
        raise ValueError(f"“{_show(value)}”不是数字")
    # Check the magnitude first: quantize() itself fails (InvalidOperation) on 1e309.
    if number and number.adjusted() >= max_digits - places:
        raise ValueError(f"“{_show(value)}”超出范围（最多 {max_digits - places} 位整数）")
    number = half_up(number, places)
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise ValueError(f"{number} 超出范围（最多 {max_digits - places} 位整数）")
    return number


def parse_text(value, *, max_length: int) -> str:
    text = value if isinstance(value, str) else _date_text(value)
    if len(text) > max_length:
        raise ValueError(f"长度 {len(text)} 超过上限 {max_length}")
    return text


def _number_text(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"“{_date_text(value)}”不是数字")
    # Thousands separators and a trailing % are how spreadsheets show numbers.
    return value.replace(",", "").replace("，", "").removesuffix("%").strip()


def _date_text(value) -> str:
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)


def _show(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"

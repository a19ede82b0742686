"""Working days: chinese-calendar (including 调休 make-up days) plus the
admin's WorkingDayOverride rows, materialised into WorkCalendar."""
import datetime as dt
from functools import lru_cache

import chinese_calendar

FIRST_YEAR = 2004  # chinese-calendar's first year
LAST_YEAR = 2035   # beyond chinese-calendar's data the weekday rule applies until an override says otherwise


@lru_cache(maxsize=None)
def _library_is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Years the library has no official schedule for yet: Monday to Friday.
        return day.weekday() < 5


@lru_cache(maxsize=None)
def library_covers(year: int) -> bool:
    """Whether chinese-calendar has the official schedule of ``year`` (it raises
    NotImplementedError outside its range, which moves with each release)."""
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    return _library_is_working_day(day)


def calendar_rows(overrides: dict[dt.date, bool], first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR):
    """Yield (date, is_working_day, seq) for every day of the range."""
    day, end, seq = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), 0
    one = dt.timedelta(days=1)
    while day <= end:
        working = is_working_day(day, overrides)
        seq += working
        yield day, working, seq
        day += one


def deadline(accepted_local: dt.datetime, working_days: int, overrides: dict[dt.date, bool] | None = None) -> dt.datetime:
    """The SLA deadline of domain.md, computed in Python (used for explanations
    and to cross-check the SQL version in tests).

    Accepted on a working day: the same clock time on the Nth working day after
    it. Accepted on a non-working day: 24:00 of the Nth working day after it.
    """
    day, n = accepted_local.date(), 0
    while n < working_days:
        day += dt.timedelta(days=1)
        n += is_working_day(day, overrides)
    if is_working_day(accepted_local.date(), overrides):
        return dt.datetime.combine(day, accepted_local.timetz())
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, tzinfo=accepted_local.tzinfo))

"""Months as the product counts them: calendar months in Asia/Shanghai.

A month is represented by the date of its first day. Filters use half-open
[start, end) ranges of aware datetimes so that they hit the accepted_at
indexes (a ``__month`` lookup would not).
"""
import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def parse_month(value) -> dt.date:
    """'2018-03' (or a date, or an aware datetime read in local time) → date(2018, 3, 1).

    ValueError naming the value otherwise.
    """
    if isinstance(value, dt.datetime):
        value = value.astimezone(local_tz()).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    m = _MONTH_RE.match(value.strip()) if isinstance(value, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise ValueError(_("月份格式应为 YYYY-MM，例如 2018-03（收到 %(value)s）") % {"value": repr(value)})
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    start = dt.datetime.combine(month, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(shift(month, 1), dt.time(0), tzinfo=tz)
    return start, end


def last_day(month: dt.date) -> dt.date:
    return shift(month, 1) - dt.timedelta(days=1)


def label(month: dt.date) -> str:
    return month.strftime("%Y-%m")

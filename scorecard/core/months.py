"""Months as the product counts them: calendar months in Asia/Shanghai.

The one home of the date maths of months (issue #12): parsing a month, the default month of
a page or a job, the month before, a month's bounds. A month is represented by the date of
its first day. Filters use half-open [start, end) ranges of aware datetimes so that they hit
the accepted_at indexes (a ``__month`` lookup would not).
"""
import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

# The domain's months and hours are Beijing time, and so is the wall-clock time the exports
# state, whatever TIME_ZONE a deployment runs with (settings.TIME_ZONE is Asia/Shanghai too).
# A constant rather than settings.TIME_ZONE: the demo generator uses this module without Django.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

YEARS = (1900, 2100)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value) -> dt.date:
    """'2018-03' (or a date, or an aware datetime read in local time) → date(2018, 3, 1).

    ValueError naming the value otherwise.
    """
    if isinstance(value, dt.datetime):
        value = value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    m = _MONTH_RE.match(value.strip()) if isinstance(value, str) else None
    # 1900–2100: the years a complaint can have; a year 10000 would overflow the date maths (issue #15).
    if not m or not 1 <= int(m.group(2)) <= 12 or not YEARS[0] <= int(m.group(1)) <= YEARS[1]:
        raise ValueError(_("月份格式应为 YYYY-MM（1900 至 2100 年），例如 2018-03（收到 %(value)s）") % {"value": repr(value)})
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def today() -> dt.date:
    """Today's date in Asia/Shanghai (not the server's clock zone)."""
    return dt.datetime.now(LOCAL_TZ).date()


def current_month(day: dt.date | None = None) -> dt.date:
    """The month of ``day`` (default: today in Asia/Shanghai)."""
    return (day or today()).replace(day=1)


def previous_month(day: dt.date | None = None) -> dt.date:
    """The month before the month of ``day`` (default: today in Asia/Shanghai): the last complete
    month, the one a monthly notice reports on (the beat job, the notices page, the demo's end)."""
    return shift(current_month(day), -1)


def default_month(latest: dt.date | None, *, day: dt.date | None = None) -> dt.date:
    """The month a page or read-out opens on without ``?month=``: ``latest``, the latest month
    with data (the caller looks it up), else the last complete month.

    Before issue #12 the scorecard pages and the API fell back to the current month (by the
    server's clock) and the analysis page to the previous one; with no data at all every page
    is empty either way, and no test pinned either. The previous month is kept: it is the
    month the cycle reports on, the month the notices page and the beat job default to.
    """
    return latest or previous_month(day)


def shift(month: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (negative: before) ``month``'s."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of ``month`` as aware datetimes: local midnight of its first day and of the next month's."""
    start = dt.datetime.combine(month, dt.time(0), tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(shift(month, 1), dt.time(0), tzinfo=LOCAL_TZ)
    return start, end


def last_day(month: dt.date) -> dt.date:
    return shift(month, 1) - dt.timedelta(days=1)


def label(month: dt.date) -> str:
    """'2018-03'."""
    return month.strftime("%Y-%m")


def no_data_message(month: dt.date) -> str:
    """What a page or the API says for a month without any data (issue #17), rather than showing
    its figures: they would be a ranking of perfect scores that nobody earned."""
    return _("该月没有数据：%(month)s 没有导入任何投诉工单，也没有已发布的考核结果。请选择其他月份。") % {
        "month": label(month)}

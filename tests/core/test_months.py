"""scorecard.core.months: the one home of the date maths of months (issue #12)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from scorecard.core.months import (
    LOCAL_TZ, bounds, current_month, default_month, label, last_day, parse_month, previous_month, shift, today,
)

UTC = dt.timezone.utc


def test_it_is_beijing_time_as_the_settings_say():
    assert LOCAL_TZ == ZoneInfo("Asia/Shanghai")
    assert settings.TIME_ZONE == LOCAL_TZ.key  # one zone: a page and a read-out never disagree on a month


@pytest.mark.parametrize("value, expected", [
    ("2018-03", dt.date(2018, 3, 1)),
    ("2018-3", dt.date(2018, 3, 1)),
    (" 2018-12 ", dt.date(2018, 12, 1)),
    (dt.date(2018, 3, 31), dt.date(2018, 3, 1)),
    (dt.datetime(2018, 3, 31, 23, 59), dt.date(2018, 3, 1)),  # naive: its own date
])
def test_it_parses_a_month(value, expected):
    assert parse_month(value) == expected


def test_it_reads_an_aware_datetime_in_local_time():
    # 2018-03-31 16:00 UTC is 2018-04-01 00:00 in Beijing: April.
    assert parse_month(dt.datetime(2018, 3, 31, 16, 0, tzinfo=UTC)) == dt.date(2018, 4, 1)
    assert parse_month(dt.datetime(2018, 3, 31, 15, 59, 59, tzinfo=UTC)) == dt.date(2018, 3, 1)


@pytest.mark.parametrize("value", ["2018-13", "2018-00", "2018/03", "201803", "18-03", "1899-12", "", "2018-03-01",
                                   None, 201803])
def test_it_refuses_a_malformed_month_naming_it(value):
    with pytest.raises(ValueError) as err:
        parse_month(value)
    message = str(err.value)
    assert "YYYY-MM" in message and repr(value) in message


@pytest.mark.parametrize("month, n, expected", [
    (dt.date(2018, 12, 1), 1, dt.date(2019, 1, 1)),
    (dt.date(2019, 1, 1), -1, dt.date(2018, 12, 1)),
    (dt.date(2018, 3, 1), -12, dt.date(2017, 3, 1)),
    (dt.date(2018, 3, 1), 0, dt.date(2018, 3, 1)),
    (dt.date(2018, 3, 1), 22, dt.date(2020, 1, 1)),
])
def test_it_shifts_across_years(month, n, expected):
    assert shift(month, n) == expected


def test_it_takes_the_previous_month_of_a_day():
    assert previous_month(dt.date(2019, 1, 15)) == dt.date(2018, 12, 1)  # January → December
    assert previous_month(dt.date(2018, 3, 31)) == dt.date(2018, 2, 1)
    assert previous_month(dt.date(2018, 3, 1)) == dt.date(2018, 2, 1)


def test_it_takes_today_and_this_month_in_beijing():
    before = dt.datetime.now(LOCAL_TZ).date()
    day = today()
    assert before <= day <= dt.datetime.now(LOCAL_TZ).date()
    assert current_month() in (before.replace(day=1), day.replace(day=1))
    assert current_month(dt.date(2018, 3, 31)) == dt.date(2018, 3, 1)
    assert previous_month() == shift(current_month(), -1)


def test_it_defaults_to_the_latest_month_with_data_else_the_last_complete_one():
    assert default_month(dt.date(2018, 3, 1), day=dt.date(2026, 12, 2)) == dt.date(2018, 3, 1)
    assert default_month(None, day=dt.date(2026, 12, 2)) == dt.date(2026, 11, 1)
    assert default_month(None, day=dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)
    assert default_month(None) == previous_month()


def test_it_bounds_a_month_at_beijing_midnight():
    start, end = bounds(dt.date(2018, 3, 1))
    assert (start.tzinfo, end.tzinfo) == (LOCAL_TZ, LOCAL_TZ)
    assert start == dt.datetime(2018, 2, 28, 16, 0, tzinfo=UTC)  # 2018-03-01 00:00 in Beijing
    assert end == dt.datetime(2018, 3, 31, 16, 0, tzinfo=UTC)    # 2018-04-01 00:00 in Beijing
    # Half-open: the last microsecond of March is in, Beijing midnight of April 1st is not.
    assert start <= dt.datetime(2018, 3, 31, 23, 59, 59, 999999, tzinfo=LOCAL_TZ) < end
    assert not dt.datetime(2018, 4, 1, 0, 0, tzinfo=LOCAL_TZ) < end


def test_it_bounds_december_up_to_the_first_of_january():
    start, end = bounds(dt.date(2018, 12, 1))
    assert (start, end) == (dt.datetime(2018, 12, 1, tzinfo=LOCAL_TZ), dt.datetime(2019, 1, 1, tzinfo=LOCAL_TZ))
    assert end - start == dt.timedelta(days=31)


def test_it_gives_the_last_day_and_the_label():
    assert last_day(dt.date(2018, 2, 1)) == dt.date(2018, 2, 28)
    assert last_day(dt.date(2020, 2, 1)) == dt.date(2020, 2, 29)
    assert last_day(dt.date(2018, 12, 1)) == dt.date(2018, 12, 31)
    assert label(dt.date(2018, 3, 1)) == "2018-03"
    assert parse_month(label(dt.date(2018, 3, 1))) == dt.date(2018, 3, 1)


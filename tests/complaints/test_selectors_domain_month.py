"""domain.md's published month, rebuilt by the project's generator and pinned through `complaint_profile --json`."""
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db.models import Count, Q

from scorecard.complaints import selectors
from scorecard.complaints.models import WorkOrder

from .conftest import SH, local


def profile(*args) -> dict:
    out = io.StringIO()
    call_command("complaint_profile", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


# --- the published month --------------------------------------------------------------------------

@pytest.fixture
def march(profile_month, db):
    return profile("--month", "2018-03")


def test_totals_and_changes(march):
    assert march["month"] == "2018-03"
    assert march["unit"] is None
    assert march["total"] == 1245
    assert march["previous_month_total"] == 1157
    assert march["mom_change_pct"] == 7.61  # 88 / 1157 = 7.6058 %
    assert march["last_year_total"] == 1083
    assert march["yoy_change_pct"] == 14.96  # 162 / 1083 = 14.9584 %


def test_category_shares(march):
    assert march["categories"] == [
        {"name": "供电质量", "count": 562, "share": 45.14},
        {"name": "营业", "count": 290, "share": 23.29},
        {"name": "服务", "count": 287, "share": 23.05},
        {"name": "停送电", "count": 59, "share": 4.74},
        {"name": "电网建设", "count": 47, "share": 3.78},
    ]
    assert sum(c["count"] for c in march["categories"]) == march["total"]


def test_subcategory_shares(march):
    subs = {s["name"]: s for s in march["subcategories"]}
    assert subs["频繁停电"] == {"category": "供电质量", "name": "频繁停电", "count": 486, "share": 39.04}
    assert subs["服务不规范"] == {"category": "服务", "name": "服务不规范", "count": 215, "share": 17.27}
    assert subs["电压质量长时间异常"] == {"category": "供电质量", "name": "电压质量长时间异常", "count": 75, "share": 6.02}
    # Ordered by count, largest first; only sub-categories that occurred.
    counts = [s["count"] for s in march["subcategories"]]
    assert counts == sorted(counts, reverse=True) and min(counts) > 0
    assert sum(counts) == 1245


def test_voltage_customers(march):
    assert march["voltage_customers"] == {"过电压": 31, "低电压": 27}


def test_hotspots(march, profile_month):
    hot = march["hotspots"]
    assert len(hot["multi_customer_districts"]) == 39
    assert len(hot["consecutive_month_districts"]) == 33
    assert len(hot["same_month_last_year_districts"]) == 4
    # The very 台区 the generator put there, listed by code ascending.
    assert hot["multi_customer_districts"] == profile_month.multi
    assert hot["consecutive_month_districts"] == profile_month.consecutive
    assert hot["same_month_last_year_districts"] == profile_month.same_month_last_year
    for codes in hot.values():
        assert codes == sorted(codes)


def test_hourly_profile_and_peaks(march):
    hourly = march["hourly"]
    assert len(hourly) == 24 and sum(hourly) == 1245
    assert march["peak_hours"][:3] == [19, 11, 17]
    assert hourly[19] > hourly[11] > hourly[17] > max(hourly[h] for h in range(24) if h not in (19, 11, 17))
    # Fewest at night: every hour from 0 to 5 is below every daytime hour.
    assert max(hourly[0:6]) < min(hourly[7:23])
    assert march["peak_hours"] == sorted(range(24), key=lambda h: (-hourly[h], h))


def test_json_is_utf8_and_shares_are_numbers(profile_month, db):
    out = io.StringIO()
    call_command("complaint_profile", "--month", "2018-03", "--json", stdout=out)
    text = out.getvalue()
    assert '"供电质量"' in text and "\\u" not in text
    assert '"share": 45.14' in text and '"share": 1.2}' in text  # numbers, not strings


def test_readable_table(profile_month, db):
    out = io.StringIO()
    call_command("complaint_profile", "--month", "2018-03", stdout=out)
    text = out.getvalue()
    assert "投诉总量 1245" in text
    assert "45.14%" in text and "过电压 31 户，低电压 27 户" in text
    assert "多客户 39 个，连续两月 33 个，去年同月 4 个" in text
    assert "高峰时段：19时、11时、17时" in text


def test_traps_would_change_the_figures(profile_month, db):
    """The data set carries the traps of a real export: reading a definition wrongly moves a figure."""
    start, end = selectors.month_window("2018-03").start, selectors.month_window("2018-03").end
    month = Q(accepted_at__gte=start, accepted_at__lt=end)
    everything = WorkOrder.objects.filter(month)
    complaints = everything.filter(is_complaint=True)

    def multi(qs, field="customer_id"):
        return qs.values("district_id").annotate(n=Count(field, distinct=True)).filter(n__gte=2).count()

    # Counting every business type, not just 投诉.
    assert everything.count() > 1245
    assert multi(everything.exclude(district=None)) > 39
    over = everything.filter(detail__name="过电压").values("customer_id").distinct().count()
    assert over == 32
    assert everything.filter(category__name="供电质量").count() > 562
    # Letting "no 台区" be a 台区, counting complaints instead of customers, or a NULL customer as one.
    assert multi(complaints) == 40
    assert multi(complaints.exclude(district=None), "pk") > 39
    assert complaints.filter(district_id="TQPM00001").exists()
    lone = (complaints.exclude(district=None).values("district_id")
            .annotate(orders=Count("pk"), customers=Count("customer_id", distinct=True))
            .filter(orders=2, customers=1, district__orders__customer__isnull=True))
    assert lone.exists()
    # Month boundaries in UTC rather than Asia/Shanghai.
    utc = Q(accepted_at__gte=start + timedelta(hours=8), accepted_at__lt=end + timedelta(hours=8))
    assert WorkOrder.objects.filter(utc, is_complaint=True).count() != 1245

    def districts(q):
        return set(WorkOrder.objects.filter(q, is_complaint=True).exclude(district=None)
                   .values_list("district_id", flat=True))

    this = districts(month)
    feb = selectors.month_window("2018-02")
    ly = selectors.month_window("2017-03")
    assert len(this & districts(feb.q())) == 33
    # Any order type last month; a neighbouring month either side; the month before last.
    assert len(this & set(WorkOrder.objects.filter(feb.q()).values_list("district_id", flat=True))) > 33
    assert len(this & districts(selectors.month_window("2018-04").q())) > 0
    assert len(this & districts(selectors.month_window("2018-01").q())) > 0
    # Last year: any order type, the neighbouring months, two years back, UTC boundaries.
    assert len(this & districts(ly.q())) == 4
    assert len(this & set(WorkOrder.objects.filter(ly.q()).values_list("district_id", flat=True))) > 4
    for other in ("2017-02", "2017-04", "2016-03"):
        assert len(this & districts(selectors.month_window(other).q())) > 0
    ly_utc = Q(accepted_at__gte=ly.start + timedelta(hours=8), accepted_at__lt=ly.end + timedelta(hours=8))
    assert len(this & districts(ly_utc)) != 4
    # Hours in UTC instead of local time would move the peaks.
    assert march_peaks_in_utc(complaints) != [19, 11, 17]


def march_peaks_in_utc(qs):
    hourly = [0] * 24
    for when in qs.values_list("accepted_at", flat=True):
        hourly[when.astimezone(SH).hour - 8] += 1  # what a UTC hour would give
    return sorted(range(24), key=lambda h: (-hourly[h], h))[:3]


def test_the_month_after_and_two_years_before_are_not_this_month(profile_month, db):
    april = profile("--month", "2018-04")
    assert april["total"] == 4 + 2  # the traps only: this month's figures did not leak
    assert april["previous_month_total"] == 1245
    two_years = profile("--month", "2016-03")
    assert two_years["total"] == 2
    assert two_years["previous_month_total"] == 0 and two_years["mom_change_pct"] is None
    assert two_years["last_year_total"] == 0 and two_years["yoy_change_pct"] is None



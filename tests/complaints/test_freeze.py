"""A published month's complaint profile comes from its freeze: later data never moves it.

Real rows on the database under test (SQLite and PostgreSQL): freeze March 2018, then import
new March orders, move one to another category, delete one, add orders to February (M−1),
January (the 90 repeat-demand days) and March 2017 (M−12) — every read-out of March stays as
it was for the province, a city, a county and a station; live=True shows the new data;
late_rows / profile_changes name exactly what moved; a re-freeze (correction) takes it in.
"""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.complaints import selectors
from scorecard.complaints.freeze import freeze_month, unfreeze_month
from scorecard.complaints.models import Customer, FrozenComplaint, ProfileFreeze, WorkOrder

from .conftest import local

MARCH = date(2018, 3, 1)


@pytest.fixture
def march(small):
    """March 2018 with February, January and March 2017 around it, in both cities."""
    d = small.districts  # 0-2: city 甲 (0 has no station), 3-5: city 乙
    o = small.order
    small.march = [
        o(local(2018, 3, 2, 19, 5), customer="A1", district=d[0]),
        o(local(2018, 3, 9, 19, 30), customer="A1", district=d[0]),
        o(local(2018, 3, 3, 11), customer="A2", district=d[0], sub="电压质量长时间异常", detail="过电压"),
        o(local(2018, 3, 4, 17), customer="A3", district=d[1], sub="服务不规范"),
        o(local(2018, 3, 4, 18), customer="A5", district=d[1], sub="服务不规范"),
        o(local(2018, 3, 5, 19), customer="A4", district=d[1], btype="咨询"),  # not a complaint
        o(local(2018, 3, 6, 8), customer="B1", district=d[3]),
        o(local(2018, 3, 7, 9), customer="B3", district=d[4], sub="电压质量长时间异常", detail="低电压"),
        o(local(2018, 3, 31, 23, 59), customer="B4", district=d[5], sub="施工影响"),
    ]
    o(local(2018, 2, 4, 11), customer="A3", district=d[1], sub="服务不规范")
    o(local(2018, 2, 6, 8), customer="B1", district=d[3])
    o(local(2018, 2, 7, 8), customer="B2", district=d[3])
    o(local(2018, 1, 10, 8), customer="A1", district=d[0])  # repeat demand: 90 days
    o(local(2017, 3, 10, 8), customer="B3", district=d[4])  # same month last year
    o(local(2017, 12, 1, 8), customer="Z9", district=d[2])  # outside every window of March
    Customer.objects.filter(customer_no="B1").update(sensitive=True, sensitive_note="多次来电")
    return small


def units(small):
    return [None, small.cities[0], small.cities[1], small.counties[0], small.counties[1], small.stations[0],
            small.stations[1]]


def read_outs(month, small, **kw) -> dict:
    """Every read-out of ``month`` the product shows, per unit."""
    out = {}
    for unit in units(small):
        key = unit.name if unit else "province"
        out[key] = {
            "profile": selectors.complaint_profile(month, unit, **kw),
            "hotspots": selectors.hotspot_districts(month, unit, **kw),
            "hourly": selectors.hourly_profile(month, unit, **kw),
            "voltage": selectors.voltage_customers(month, unit, **kw),
            "categories": selectors.category_breakdown(month, unit, **kw),
            "regional": selectors.regional_demands(month, unit, **kw),
            "hot_topics": selectors.hot_topics(month, unit, **kw),
            "repeat": list(selectors.repeat_demands(month, unit, **kw)),
            "sensitive": list(selectors.sensitive_customers(month, unit, **kw)),
        }
        # The profile's codes come from their own statement (no names): the same 台区 as the page's rows.
        assert out[key]["profile"]["hotspots"] == {
            k: [r["code"] for r in rows] for k, rows in out[key]["hotspots"].items()}, key
    return out


def late_data(small):
    """What arrives after the freeze: new March orders, a moved category, a deleted order, and orders in
    every earlier window March reads (February, January, March 2017)."""
    d = small.districts
    new = [small.order(local(2018, 3, 20, 19), customer="N1", district=d[2]),
           small.order(local(2018, 3, 21, 11), customer="N2", district=d[2], sub="电压质量长时间异常", detail="低电压")]
    changed = small.march[3]
    changed.subcategory = small.subcategory("频繁停电")
    changed.category = changed.subcategory.category
    changed.save()
    gone = small.march[8]
    gone_no = gone.order_no
    gone.delete()
    small.order(local(2018, 2, 20, 8), customer="N3", district=d[5])  # M−1: a new consecutive 台区
    small.order(local(2018, 2, 21, 8), customer="N3", district=d[1])
    small.order(local(2018, 1, 15, 8), customer="A2", district=d[0])  # 90 days: A2 becomes a repeat
    small.order(local(2017, 3, 15, 8), customer="N4", district=d[0])  # M−12: a new last-year 台区
    return {"new": sorted(o.order_no for o in new), "changed": [changed.order_no], "gone": [gone_no]}


def test_freeze_copies_exactly_the_windows(march):
    n = freeze_month(month=MARCH)
    # March's 8 complaints (not the 咨询), February's 3, January's 1, March 2017's 1; not December 2017.
    assert n == 13 == FrozenComplaint.objects.filter(freeze_month=MARCH).count()
    assert ProfileFreeze.objects.get(month=MARCH).rows == 13 and selectors.is_frozen("2018-03")
    assert not FrozenComplaint.objects.filter(order_no=WorkOrder.objects.get(customer_id="Z9").order_no).exists()
    assert not FrozenComplaint.objects.filter(is_complaint=False).exists()
    row = FrozenComplaint.objects.get(order_no=march.march[2].order_no)
    live = march.march[2]
    assert (row.work_order_id, row.accepted_at, row.category_id, row.subcategory_id, row.detail_id, row.customer_id,
            row.city_id, row.county_id, row.station_id, row.district_id, row.feeder_id) == (
        live.pk, live.accepted_at, live.category_id, live.subcategory_id, live.detail_id, live.customer_id,
        live.city_id, live.county_id, live.station_id, live.district_id, live.feeder_id)
    # Re-freezing replaces the freeze; unfreezing drops it.
    assert freeze_month(month="2018-03") == 13 == FrozenComplaint.objects.count()
    assert unfreeze_month(month=MARCH) == 13 and not selectors.is_frozen(MARCH)
    assert not FrozenComplaint.objects.exists()


def test_frozen_figures_equal_the_live_ones_at_freeze_time(march):
    before = read_outs(MARCH, march)
    freeze_month(month=MARCH)
    assert read_outs(MARCH, march) == before
    p = before["province"]["profile"]
    assert p["total"] == 8 and p["previous_month_total"] == 3 and p["last_year_total"] == 1
    assert p["voltage_customers"] == {"过电压": 1, "低电压": 1}
    assert before["province"]["repeat"][0]["customer_id"] == "A1"


def test_late_data_moves_no_figure_of_a_frozen_month(march):
    freeze_month(month=MARCH)
    frozen = read_outs(MARCH, march)
    late = late_data(march)
    assert read_outs(MARCH, march) == frozen  # province, cities, counties, stations: every read-out
    assert selectors.totals(MARCH)["total"] == 8

    live = read_outs(MARCH, march, live=True)
    p = live["province"]["profile"]
    assert p["total"] == 9 and p["previous_month_total"] == 5 and p["last_year_total"] == 2
    assert p["voltage_customers"] == {"过电压": 1, "低电压": 2}
    assert live["province"]["hotspots"] != frozen["province"]["hotspots"]
    # 90 days ending at March's end: A2 (January + March) and N3 (February twice) are new repeats.
    assert {r["customer_id"] for r in live["province"]["repeat"]} == {"A1", "A2", "A3", "B1", "N3"}
    assert {r["customer_id"] for r in frozen["province"]["repeat"]} == {"A1", "A3", "B1"}

    rows = selectors.late_rows(MARCH)
    assert rows["frozen"] and rows["month"] == "2018-03"
    assert {k: rows[k] for k in ("new", "changed", "gone")} == {
        "new": {"count": 2, "orders": late["new"]},
        "changed": {"count": 1, "orders": late["changed"]},
        "gone": {"count": 1, "orders": late["gone"]},
    }

    assert selectors.profile_changes(MARCH)[0] == {"figure": "受理投诉总数", "published": 8, "current": 9}


def test_profile_changes_are_exactly_the_moved_figures(march):
    freeze_month(month=MARCH)
    late_data(march)
    changes = {c["figure"]: (c["published"], c["current"]) for c in selectors.profile_changes(MARCH)}
    # New: N1 频繁停电 (d2), N2 低电压 (d2); moved: A3's 服务不规范 → 频繁停电; gone: B4 施工影响 (d5).
    # February gains d5 and d1 complaints, March 2017 gains d0.
    assert changes == {
        "受理投诉总数": (8, 9),
        "上月投诉总数": (3, 5),
        "去年同月投诉总数": (1, 2),
        "一级分类·供电质量": (5, 8),
        "一级分类·服务": (2, 1),
        "一级分类·电网建设": (1, 0),
        "二级分类·供电质量/频繁停电": (3, 5),
        "二级分类·供电质量/电压质量长时间异常": (2, 3),
        "二级分类·服务/服务不规范": (2, 1),
        "二级分类·电网建设/施工影响": (1, 0),
        "低电压客户数": (1, 2),
        "多客户投诉台区数": (2, 3),
        "去年同月投诉台区数": (1, 2),
    }


def test_a_correction_refreeze_takes_the_late_data_in(march):
    freeze_month(month=MARCH)
    late_data(march)
    live = read_outs(MARCH, march, live=True)
    freeze_month(month=MARCH)  # the correction version
    assert read_outs(MARCH, march) == live
    assert selectors.profile_changes(MARCH) == []
    rows = selectors.late_rows(MARCH)
    assert [rows[k]["count"] for k in ("new", "changed", "gone")] == [0, 0, 0]


def test_a_deleted_order_stays_in_the_freeze(march):
    freeze_month(month=MARCH)
    order = march.march[0]
    order.delete()
    row = FrozenComplaint.objects.get(order_no=order.order_no)
    assert row.work_order_id is None
    assert selectors.complaint_profile(MARCH)["total"] == 8
    assert selectors.complaint_profile(MARCH, live=True)["total"] == 7


def test_an_unfrozen_month_stays_live(march):
    freeze_month(month=MARCH)
    april = selectors.complaint_profile("2018-04")
    february = selectors.complaint_profile("2018-02")
    late_data(march)
    march.order(local(2018, 4, 2, 10), customer="P1", district=march.districts[0])
    assert selectors.complaint_profile("2018-02")["total"] == february["total"] + 2
    assert selectors.complaint_profile("2018-04")["total"] == april["total"] + 1
    # April reads live March (its previous month), not March's freeze.
    assert selectors.complaint_profile("2018-04")["previous_month_total"] == 9
    assert selectors.late_rows("2018-02")["frozen"] is False and selectors.profile_changes("2018-02") == []


def test_the_frozen_source_uses_the_freeze_in_every_query(march):
    freeze_month(month=MARCH)
    with CaptureQueriesContext(connection) as ctx:
        selectors.profile_figures(MARCH, march.cities[0])
    table = WorkOrder._meta.db_table
    order_queries = [q["sql"] for q in ctx.captured_queries if table in q["sql"]]
    assert order_queries == []  # nothing reads the live work orders


def test_publish_freezes_the_profile(march):
    from scorecard.kpis import services

    analyst = User.objects.create_user("pub", password="pw-publish-1", role=User.Role.ANALYST)
    services.publish_month(month=MARCH, user=analyst)
    assert selectors.is_frozen(MARCH) and ProfileFreeze.objects.get(month=MARCH).rows == 13
    frozen = selectors.complaint_profile(MARCH)
    march.order(local(2018, 3, 22, 10), customer="P2", district=march.districts[0])
    assert selectors.complaint_profile(MARCH) == frozen
    assert selectors.late_rows(MARCH)["new"]["count"] == 1


# --- the drill-down order list of a frozen month ------------------------------------------------------

@pytest.fixture
def analyst(db, client):
    user = User.objects.create_user("ana", password="pw-analysis-1", role=User.Role.ANALYST)
    client.force_login(user)
    return user


def test_order_list_of_a_frozen_month_is_the_freeze_with_the_late_rows_apart(client, analyst, march):
    freeze_month(month=MARCH)
    late = late_data(march)
    service = march.subcategory("服务不规范")
    url = reverse("analysis:orders")

    resp = client.get(url, {"month": "2018-03"})
    shown = [r.record.order_no for r in resp.context["table"].paginated_rows]
    frozen_live = sorted(FrozenComplaint.objects.filter(
        freeze_month=MARCH, work_order__isnull=False, accepted_at__gte=local(2018, 3, 1),
        accepted_at__lt=local(2018, 4, 1)).values_list("order_no", flat=True))
    assert sorted(shown) == frozen_live and len(shown) == 7  # 8 frozen, one deleted since
    html = resp.content.decode()
    assert "本月已发布" in html and "显示补录工单" in html and "late=1" in html
    assert resp.context["late"] == {"new": 2, "changed": 1, "gone": 1, "total": 3}

    # The 服务不规范 bar said 2 (frozen): its list has the 2, though one has moved to 频繁停电 since.
    resp = client.get(url, {"month": "2018-03", "subcategory": service.pk})
    assert resp.context["table"].paginator.count == 2

    resp = client.get(url, {"month": "2018-03", "late": "1"})
    shown = sorted(r.record.order_no for r in resp.context["table"].paginated_rows)
    assert shown == sorted(late["new"] + late["changed"])
    assert "补录" in resp.content.decode() and resp.context["show_late"]


def test_order_list_of_an_unfrozen_month_has_no_late_note(client, analyst, march):
    resp = client.get(reverse("analysis:orders"), {"month": "2018-03"})
    assert resp.context["late"] is None and "本月已发布" not in resp.content.decode()
    assert resp.context["table"].paginator.count == 8

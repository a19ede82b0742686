"""A published month never moves (#18), down to each complaint: publication freezes every complaint's KPI
facts (办结, 及时, 重复, 回访, 接单, 办理时长) and where it was filed with its attribution, and the drill-down
of a published month aggregates those; a re-import of the work orders moves only the draft months."""
import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from scorecard.accounts.models import User
from scorecard.complaints.models import BusinessType, WorkOrder
from scorecard.grid.freeze import unfreeze_month
from scorecard.grid.models import OrgUnit
from scorecard.kpis import services
from scorecard.kpis.expressions import FACTS
from scorecard.kpis.models import SnapshotAttribution
from scorecard.kpis.selectors import drilldown

from tests.fixtures.factories import city, district, local, order

pytestmark = pytest.mark.django_db
OCT, NOV = dt.date(2024, 10, 1), dt.date(2024, 11, 1)
UNITS = ("cs", "a", "b", "s1")


@pytest.fixture
def world():
    cs = city("国网长沙供电公司")
    a = OrgUnit.objects.create(name="望城区供电公司", level="county", parent=cs)
    b = OrgUnit.objects.create(name="宁乡市供电公司", level="county", parent=cs)
    s1 = OrgUnit.objects.create(name="丁字供电所", level="station", parent=a)
    t1, t2 = district("T1", cs, customers=1000), district("T2", cs, customers=2000)
    t1.county, t1.station = a, s1
    t1.save()
    t2.county = b
    t2.save()

    def filed(code, customer, accepted, **kw):
        wo = order(accepted=accepted, city_unit=cs, customer=customer, district_obj=t1 if code == "T1" else t2, **kw)
        WorkOrder.objects.filter(pk=wo.pk).update(county=a if code == "T1" else b, station=s1 if code == "T1" else None)
        return wo

    orders = {
        # Closed the next day, acknowledged within the hour, 满意: on time, satisfied, acknowledged in time.
        "w1": filed("T1", "C1", "2024-10-08 10:00", closed="2024-10-09 10:00", acknowledged="2024-10-08 11:00",
                    satisfaction="满意"),
        "w2": filed("T1", "C2", "2024-10-15 10:00"),  # open, never acknowledged, C2's first
        "w3": filed("T2", "C3", "2024-10-10 10:00", closed="2024-10-10 18:00", satisfaction="不满意"),
        "w4": filed("T1", "C4", "2024-11-05 10:00", closed="2024-11-06 10:00", satisfaction="基本满意"),  # a draft
    }
    return {"cs": cs, "a": a, "b": b, "s1": s1, "orders": orders,
            "analyst": User.objects.create(username="an", role="analyst")}


def pages(world, month):
    """Every row of the drill-down of ``month`` at each level, every figure (the full dicts)."""
    out = {}
    for key in UNITS:
        page = drilldown(month=month, unit=world[key], viewer=world["analyst"])
        out[key] = {"children": [{**r, "name": str(r["name"])} for r in page["children"]],
                    "managers": page["managers"]}
    return out


def reimport(world):
    """A late re-import: w1 closed three weeks late, 不满意, its 接单时间 gone; w3 refiled under 望城/丁字; C2
    gets an earlier complaint (w2 becomes a repeat); the 投诉 SLA shrinks; w4 (November) reopened and made
    a repeat by C4's complaint of 10-31."""
    o = world["orders"]
    WorkOrder.objects.filter(pk=o["w1"].pk).update(closed_at=local("2024-10-30 10:00"), satisfaction="不满意",
                                                   acknowledged_at=None)
    WorkOrder.objects.filter(pk=o["w3"].pk).update(county=world["a"], station=world["s1"])
    order(accepted="2024-09-30 10:00", city_unit=world["cs"], customer="C2")
    BusinessType.objects.filter(name="投诉").update(sla_working_days=1)
    WorkOrder.objects.filter(pk=o["w4"].pk).update(closed_at=None, satisfaction="")
    order(accepted="2024-10-31 10:00", city_unit=world["cs"], customer="C4")


def by_name(page, unit):
    return {r["name"]: r for r in page[unit]["children"]}


def test_a_published_months_drill_down_is_its_frozen_facts_and_a_draft_moves(world):
    before, nov_before = pages(world, OCT), pages(world, NOV)
    services.publish_month(month=OCT, user=world["analyst"])
    assert pages(world, OCT) == before  # the frozen facts are what the drill-down showed just before
    page = drilldown(month=OCT, unit=world["a"], viewer=world["analyst"])
    assert page["master_data"] == "frozen" and page["facts_frozen"]

    reimport(world)
    assert pages(world, OCT) == before  # nothing of the re-import reaches the published month
    wangcheng = by_name(before, "cs")["望城区供电公司"]
    assert (wangcheng["complaints"], wangcheng["closed"], wangcheng["on_time_rate"], wangcheng["repeat_rate"],
            wangcheng["satisfaction_rate"], wangcheng["ack_rate"], wangcheng["avg_resolution_hours"]) == (
        2, 1, 50.0, 0.0, 100.0, 100.0, 24.0)
    assert by_name(before, "cs")["宁乡市供电公司"]["complaints"] == 1  # w3 stays where it was filed

    # The same re-import moves October's figures computed live (what a draft reads) …
    with transaction.atomic():
        services.reopen_for_correction(month=OCT)
        live = pages(world, OCT)
        transaction.set_rollback(True)
    assert live != before
    live_wc = by_name(live, "cs")["望城区供电公司"]
    # w1 late and 不满意 without 接单, w2 a repeat, w3 now 望城's (closed the same day, 不满意).
    assert (live_wc["complaints"], live_wc["on_time_rate"], live_wc["repeat_rate"], live_wc["satisfaction_rate"],
            live_wc["ack_rate"]) == (3, 33.33, 33.33, 0.0, None)
    assert "宁乡市供电公司" not in by_name(live, "cs") or by_name(live, "cs")["宁乡市供电公司"]["complaints"] == 0
    # … and November, a draft: w4 open and a repeat now.
    nov = by_name(pages(world, NOV), "a")["丁字供电所"]
    assert by_name(nov_before, "a")["丁字供电所"]["on_time_rate"] == 100.0
    assert (nov["on_time_rate"], nov["repeat_rate"], nov["satisfaction_rate"]) == (0.0, 100.0, None)


def test_publication_freezes_each_complaints_facts_in_one_statement(world):
    table = SnapshotAttribution._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        services.publish_month(month=OCT, user=world["analyst"])
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT") and table in q["sql"]]
    assert len(inserts) == 1
    o = world["orders"]
    rows = {r.work_order_id: r for r in SnapshotAttribution.objects.all()}
    assert set(rows) == {o["w1"].pk, o["w2"].pk, o["w3"].pk}
    w1, w2, w3 = rows[o["w1"].pk], rows[o["w2"].pk], rows[o["w3"].pk]
    assert [getattr(w1, f) for f in FACTS] == [False, True, True, True, True, True, True]
    assert w1.resolution_seconds == pytest.approx(86400)
    assert (w1.county_id, w1.station_id, w1.district_id) == (world["a"].pk, world["s1"].pk, "T1")
    assert [getattr(w2, f) for f in FACTS] == [False] * len(FACTS) and w2.resolution_seconds is None
    assert (w3.closed, w3.on_time, w3.satisfied, w3.callback, w3.county_id, w3.station_id) == (
        True, True, False, True, world["b"].pk, None)


def test_a_correction_freezes_the_facts_again(world):
    services.publish_month(month=OCT, user=world["analyst"])
    reimport(world)
    with transaction.atomic():  # as notices.services publishes a correction version
        services.reopen_for_correction(month=OCT)
        expected = pages(world, OCT)  # the month computed from current data
        services.publish_month(month=OCT, user=world["analyst"], correction=True)
    assert pages(world, OCT) == expected
    # The correction's own facts: C2's September complaint makes w2 a repeat; C4's of 10-31 is October's now.
    assert SnapshotAttribution.objects.get(work_order=world["orders"]["w2"]).repeat is True
    assert SnapshotAttribution.objects.filter(reporting_month__month=OCT).count() == 4
    WorkOrder.objects.filter(pk=world["orders"]["w2"].pk).update(closed_at=local("2024-10-16 10:00"))
    assert pages(world, OCT) == expected


def test_a_month_published_before_the_facts_were_frozen_is_computed_from_current_rows_and_says_so(world, client):
    services.publish_month(month=OCT, user=world["analyst"])
    # What the rows of a month published before this freeze look like (the migration adds them NULL).
    SnapshotAttribution.objects.update(**{f: None for f in FACTS}, resolution_seconds=None, county=None,
                                       station=None, district=None)
    reimport(world)
    page = drilldown(month=OCT, unit=world["cs"], viewer=world["analyst"])
    assert page["published"] and page["master_data"] == "facts_not_frozen" and not page["facts_frozen"]
    wangcheng = {str(r["name"]): r for r in page["children"]}["望城区供电公司"]
    # Today's behaviour for such a month: the frozen complaints and attributions, today's work-order facts.
    assert (wangcheng["complaints"], wangcheng["on_time_rate"], wangcheng["repeat_rate"]) == (3, 33.33, 33.33)
    client.force_login(world["analyst"])
    html = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10").content.decode()
    assert "facts-not-frozen" in html and "工单数据按当前计算" in html and "以下按当前工单计算" in html
    assert "均按发布时冻结的数据" not in html
    exported = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10&export=csv").content.decode("utf-8-sig")
    assert "办结、及时、回访、接单、重复投诉和所属单位按当前工单（发布时未冻结）" in exported

    # Published before both freezes: the master-data warning, and the facts' too.
    unfreeze_month(month=OCT)
    page = drilldown(month=OCT, unit=world["cs"], viewer=world["analyst"])
    assert page["master_data"] == "not_frozen" and not page["facts_frozen"]
    html = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10").content.decode()
    assert "master-not-frozen" in html and "facts-not-frozen" in html
    exported = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10&export=csv").content.decode("utf-8-sig")
    assert "按当前主数据（发布时未冻结）；办结、及时、回访、接单、重复投诉和所属单位按当前工单" in exported


def test_a_frozen_or_draft_page_has_no_facts_warning(world, client):
    client.force_login(world["analyst"])
    assert "facts-not-frozen" not in client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10").content.decode()
    services.publish_month(month=OCT, user=world["analyst"])
    html = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10").content.decode()
    assert "facts-not-frozen" not in html and "均按发布时冻结的数据" in html

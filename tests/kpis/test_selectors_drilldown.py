"""Drill-down below the city (#18): counties, stations, 台区 and 台区经理, figures by hand, scoping."""
import datetime as dt

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from scorecard.accounts.models import User
from scorecard.complaints.models import WorkOrder
from scorecard.grid.freeze import unfreeze_month
from scorecard.grid.models import Department, District, DistrictManagerAssignment as A, OrgUnit
from scorecard.kpis import services
from scorecard.kpis.selectors import drill_unit_for_viewer, drilldown

from tests.fixtures.factories import city, district, order

pytestmark = pytest.mark.django_db
OCT = dt.date(2024, 10, 1)


@pytest.fixture
def world():
    cs = city("国网长沙供电公司")
    a = OrgUnit.objects.create(name="望城区供电公司", level="county", parent=cs)
    b = OrgUnit.objects.create(name="宁乡市供电公司", level="county", parent=cs)
    s1 = OrgUnit.objects.create(name="丁字供电所", level="station", parent=a)
    s2 = OrgUnit.objects.create(name="乔口供电所", level="station", parent=a)
    t = {}
    for code, customers, county, station in [("T1", 400, a, s1), ("T2", 600, a, s1), ("T3", 1000, a, s2),
                                             ("T4", 2000, b, None)]:
        t[code] = district(code, cs, customers=customers)
        t[code].county, t[code].station = county, station
        t[code].save()
    A.objects.create(district=t["T1"], name="张伟", staff_no="GW001", valid_from=dt.date(2024, 1, 1))
    A.objects.create(district=t["T2"], name="张伟", staff_no="GW001", valid_from=dt.date(2024, 1, 1))
    # T3 changes hands on 10-20: October is 王芳's (the manager of the month's last day), not 李娜's.
    A.objects.create(district=t["T3"], name="李娜", staff_no="GW002", valid_from=dt.date(2024, 1, 1),
                     valid_to=dt.date(2024, 10, 20))
    A.objects.create(district=t["T3"], name="王芳", staff_no="GW003", valid_from=dt.date(2024, 10, 20))
    for code, customer, accepted, closed in [
        ("T1", "C1", "2024-10-08 10:00", "2024-10-09 10:00"),  # on time
        ("T1", "C1", "2024-10-15 10:00", None),                # a repeat (7 days after), still open
        ("T2", "C2", "2024-10-08 10:00", "2024-10-09 10:00"),
        ("T3", "C3", "2024-10-10 10:00", "2024-10-11 10:00"),
        ("T3", "C4", "2024-10-12 10:00", None),
        ("T4", "C5", "2024-10-08 10:00", "2024-10-09 10:00"),
    ]:
        wo = order(accepted=accepted, closed=closed, city_unit=cs, customer=customer, district_obj=t[code])
        WorkOrder.objects.filter(pk=wo.pk).update(county=t[code].county, station=t[code].station)
    users = {
        "analyst": User.objects.create(username="an", role="analyst"),
        "county_b": User.objects.create(username="nb", role="leader", org_unit=b),
        "city": User.objects.create(username="cl", role="leader", org_unit=cs),
    }
    return {"cs": cs, "a": a, "b": b, "s1": s1, "s2": s2, "users": users}


def figures(rows):
    return [(r["rank"], str(r["name"]), r["complaints"], r["customers"], r["per_10k"], r["repeat_rate"],
             r["on_time_rate"]) for r in rows]


def test_a_city_ranks_its_counties_and_managers(world):
    page = drilldown(month=OCT, unit=world["cs"], viewer=world["users"]["analyst"])
    # 宁乡: 1 complaint / 2000 customers = 5.00 per 10k, closed in time. 望城: 5 / 2000 = 25.00, C1's
    # second is the one repeat (1/5 = 20 %), 3 of 5 closed in time (60 %).
    assert figures(page["children"]) == [(1, "宁乡市供电公司", 1, 2000, 5.0, 0.0, 100.0),
                                         (2, "望城区供电公司", 5, 2000, 25.0, 20.0, 60.0)]
    # 张伟 has T1+T2 (3 complaints, 1000 customers); 王芳 T3 (2, 1000); nobody manages T4.
    assert figures(page["managers"]) == [(1, "王芳（GW003）", 2, 1000, 20.0, 0.0, 50.0),
                                         (2, "张伟（GW001）", 3, 1000, 30.0, 33.33, 66.67)]


def test_a_county_ranks_its_stations_and_a_station_lists_its_districts(world):
    analyst = world["users"]["analyst"]
    county = drilldown(month=OCT, unit=world["a"], viewer=analyst)
    assert figures(county["children"]) == [(1, "乔口供电所", 2, 1000, 20.0, 0.0, 50.0),
                                           (2, "丁字供电所", 3, 1000, 30.0, 33.33, 66.67)]
    station = drilldown(month=OCT, unit=world["s1"], viewer=analyst)
    assert figures(station["children"]) == [(1, "T2台区", 1, 600, 16.67, 0.0, 100.0),
                                            (2, "T1台区", 2, 400, 50.0, 50.0, 50.0)]
    assert {r["manager"] for r in station["children"]} == {"张伟（GW001）"}
    assert figures(station["managers"]) == [(1, "张伟（GW001）", 3, 1000, 30.0, 33.33, 66.67)]


def test_a_county_user_opens_only_their_county(world):
    user = world["users"]["county_b"]
    assert drill_unit_for_viewer(unit_id=world["b"].pk, viewer=user) == world["b"]
    for other in ("a", "s1", "cs"):
        with pytest.raises(Http404):
            drill_unit_for_viewer(unit_id=world[other].pk, viewer=user)
    city_leader = world["users"]["city"]
    assert drill_unit_for_viewer(unit_id=world["s1"].pk, viewer=city_leader) == world["s1"]


def test_reads_never_write(world):
    with CaptureQueriesContext(connection) as queries:
        drilldown(month=OCT, unit=world["cs"], viewer=world["users"]["analyst"])
        drilldown(month=OCT, unit=world["s1"], viewer=world["users"]["analyst"])
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_pages_link_down_and_refuse_another_county(world, client):
    client.force_login(world["users"]["analyst"])
    city_page = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10")
    assert city_page.status_code == 200
    html = city_page.content.decode()
    assert f"/scorecard/units/{world['a'].pk}/?month=2024-10" in html and "张伟（GW001）" in html
    station = client.get(f"/scorecard/units/{world['s1'].pk}/?month=2024-10").content.decode()
    assert "T1台区" in station and "50.00" in station
    client.force_login(world["users"]["county_b"])
    assert client.get(f"/scorecard/units/{world['a'].pk}/?month=2024-10").status_code == 404
    assert client.get(f"/scorecard/units/{world['b'].pk}/?month=2024-10").status_code == 200


# --- a published month never moves (#18): 用户数, units and 台区经理 frozen with the month ----------------

NOV = dt.date(2024, 11, 1)


def snapshot(world, month, viewer):
    """Every figure of the three drill-down levels of ``month``."""
    out = {}
    for key in ("cs", "a", "s1", "s2"):
        page = drilldown(month=month, unit=world[key], viewer=viewer)
        out[key] = (figures(page["children"]), [r["manager"] for r in page["children"]], figures(page["managers"]))
    return out


def change_master_data(world):
    """After publication: T1 gets ten times the customers and a new manager from 10-25, T2 moves to 乔口."""
    t1 = District.objects.get(code="T1")
    t1.customers = 4000
    t1.save()  # a save, as the districts import of one row does: the data version moves
    A.objects.filter(district_id="T1").update(valid_to=dt.date(2024, 10, 25))
    A.objects.create(district=t1, name="赵六", staff_no="GW009", valid_from=dt.date(2024, 10, 25))
    t2 = District.objects.get(code="T2")
    t2.station = world["s2"]
    t2.save()


def test_a_published_months_drill_down_never_moves_and_the_draft_month_does(world):
    analyst = world["users"]["analyst"]
    t1 = District.objects.get(code="T1")
    wo = order(accepted="2024-11-05 10:00", closed="2024-11-06 10:00", city_unit=world["cs"], customer="C9",
               district_obj=t1)
    WorkOrder.objects.filter(pk=wo.pk).update(county=t1.county, station=t1.station)
    before = snapshot(world, OCT, analyst)
    services.publish_month(month=OCT, user=analyst)
    assert drilldown(month=OCT, unit=world["cs"], viewer=analyst)["master_data"] == "frozen"
    assert snapshot(world, OCT, analyst) == before  # publication itself changes nothing

    change_master_data(world)
    assert snapshot(world, OCT, analyst) == before  # nor does anything after it

    # November is a draft: today's master data. 丁字 keeps only T1 (4000 customers), 乔口 has T2 and T3;
    # T1 is 赵六's on November's last day.
    nov = drilldown(month=NOV, unit=world["a"], viewer=analyst)
    assert nov["master_data"] == "live" and not nov["published"]
    assert figures(nov["children"]) == [(1, "乔口供电所", 0, 1600, 0.0, None, None),
                                        (2, "丁字供电所", 1, 4000, 2.5, 0.0, 100.0)]
    station = drilldown(month=NOV, unit=world["s1"], viewer=analyst)
    assert [(r["name"], r["manager"], r["customers"]) for r in station["children"]] == [
        ("T1台区", "赵六（GW009）", 4000)]
    assert figures(station["managers"]) == [(1, "赵六（GW009）", 1, 4000, 2.5, 0.0, 100.0)]


def test_a_correction_freezes_the_month_again_from_current_data(world):
    analyst = world["users"]["analyst"]
    services.publish_month(month=OCT, user=analyst)
    change_master_data(world)
    with transaction.atomic():  # as notices.services publishes a correction version
        services.reopen_for_correction(month=OCT)
        services.publish_month(month=OCT, user=analyst, correction=True)
    station = drilldown(month=OCT, unit=world["s1"], viewer=analyst)
    assert station["master_data"] == "frozen"
    # T1 has 4000 customers and, on October's last day, 赵六 (from 10-25). T2 is 乔口's now: its complaint
    # stays under 丁字, where its work order was filed, without 用户数 (ranked last).
    assert figures(station["children"]) == [(1, "T1台区", 2, 4000, 5.0, 50.0, 50.0),
                                            (2, "T2台区", 1, 0, None, 0.0, 100.0)]
    assert figures(station["managers"]) == [(1, "赵六（GW009）", 2, 4000, 5.0, 50.0, 50.0),
                                            (2, "张伟（GW001）", 1, 0, None, 0.0, 100.0)]  # T2's, as the 台区
    county = drilldown(month=OCT, unit=world["a"], viewer=analyst)
    assert [(r["name"], r["customers"]) for r in county["children"]] == [("丁字供电所", 4000), ("乔口供电所", 1600)]


def test_a_month_published_before_the_freeze_says_its_master_data_is_todays(world, client):
    analyst = world["users"]["analyst"]
    services.publish_month(month=OCT, user=analyst)
    unfreeze_month(month=OCT)  # what a month published before grid.freeze existed looks like
    change_master_data(world)
    page = drilldown(month=OCT, unit=world["s1"], viewer=analyst)
    assert page["master_data"] == "not_frozen" and page["published"]
    assert [r["customers"] for r in page["children"]] == [4000, 0]  # today's (T1, T2 moved), and the page says so
    client.force_login(analyst)
    html = client.get(f"/scorecard/units/{world['s1'].pk}/?month=2024-10").content.decode()
    assert "master-not-frozen" in html and "发布时的用户数、台区所属单位和台区经理没有留存" in html
    assert "主数据按当前计算" in html
    draft = client.get(f"/scorecard/units/{world['s1'].pk}/?month=2024-11").content.decode()
    assert "master-not-frozen" not in draft and "本月未发布：按当前数据计算。" in draft


def test_a_frozen_month_page_says_it_is_frozen(world, client):
    services.publish_month(month=OCT, user=world["users"]["analyst"])
    client.force_login(world["users"]["analyst"])
    html = client.get(f"/scorecard/units/{world['s1'].pk}/?month=2024-10").content.decode()
    assert "均按发布时冻结的数据" in html and "master-not-frozen" not in html and "按当前数据计算" not in html


# --- scoping by role: a department head their own company and department, a county user their county --------

def test_a_department_head_sees_their_own_company_and_only_their_departments_complaints(world, client):
    yj = Department.objects.get(code="yj")
    # Two of the six complaints name 运检 in the source export (rule 1): T1's first and T4's.
    t1_first = WorkOrder.objects.filter(district_id="T1").order_by("accepted_at").first()
    WorkOrder.objects.filter(pk__in=[t1_first.pk, WorkOrder.objects.get(district_id="T4").pk]).update(
        responsible_dept=yj)
    other = city("国网株洲供电公司")
    other_county = OrgUnit.objects.create(name="醴陵市供电公司", level="county", parent=other)
    head = User.objects.create(username="yj-cs", role="dept_head", org_unit=world["cs"], department=yj)

    page = drilldown(month=OCT, unit=world["cs"], viewer=head)
    assert page["department_only"]
    # 宁乡: T4's complaint / 2000; 望城: T1's first / 2000 (closed in time, not a repeat). 用户数 are the units'.
    assert figures(page["children"]) == [(1, "宁乡市供电公司", 1, 2000, 5.0, 0.0, 100.0),
                                         (1, "望城区供电公司", 1, 2000, 5.0, 0.0, 100.0)]
    assert figures(page["managers"]) == [(1, "王芳（GW003）", 0, 1000, 0.0, None, None),
                                         (2, "张伟（GW001）", 1, 1000, 10.0, 0.0, 100.0)]
    station = drilldown(month=OCT, unit=world["s1"], viewer=head)
    assert [(str(r["name"]), r["complaints"]) for r in station["children"]] == [("T2台区", 0), ("T1台区", 1)]
    # The analyst's figures of the same unit count every department.
    assert sum(r["complaints"] for r in drilldown(month=OCT, unit=world["cs"], viewer=world["users"]["analyst"])
               ["children"]) == 6

    assert drill_unit_for_viewer(unit_id=world["a"].pk, viewer=head) == world["a"]
    for unit in (other, other_county):
        with pytest.raises(Http404):
            drill_unit_for_viewer(unit_id=unit.pk, viewer=head)
    client.force_login(head)
    html = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10").content.decode()
    assert "仅统计归属本部门的投诉。" in html
    for unit in (other, other_county):
        for query in ("", "&export=csv", "&table=managers&export=xlsx"):
            assert client.get(f"/scorecard/units/{unit.pk}/?month=2024-10{query}").status_code == 404
    exported = client.get(f"/scorecard/units/{world['cs'].pk}/?month=2024-10&export=csv").content.decode("utf-8-sig")
    assert [line.split(",")[3] for line in exported.splitlines()[1:]] == ["1", "1"]  # 考核口径投诉量: 运检's only


def test_a_county_user_sees_their_county_and_its_figures_only(world, client):
    user = world["users"]["county_b"]
    page = drilldown(month=OCT, unit=world["b"], viewer=user)
    assert not page["department_only"]
    # 宁乡's one complaint and its 2000 customers (T4 has no station); nothing of 望城.
    assert figures(page["children"]) == [(1, "（未关联）", 1, 2000, 5.0, 0.0, 100.0)]
    assert figures(page["managers"]) == []  # nobody manages T4
    client.force_login(user)
    html = client.get(f"/scorecard/units/{world['b'].pk}/?month=2024-10").content.decode()
    assert "望城区供电公司" not in html and "张伟" not in html
    for other in ("cs", "a", "s1", "s2"):
        assert client.get(f"/scorecard/units/{world[other].pk}/?month=2024-10").status_code == 404


def test_a_published_months_department_list_is_its_snapshots_when_orders_move_after_it(world):
    """The department page lists the complaints the card counts: a later import that moves a work order to
    another month, city or county moves it out of a draft's list, never out of a published month's."""
    from scorecard.kpis.selectors import department_complaints_for_viewer, scorecard_for_month

    analyst, county_b = world["users"]["analyst"], world["users"]["county_b"]
    services.publish_month(month=OCT, user=analyst)
    dept = Department.objects.get(pk=WorkOrder.objects.values_list("frozen__department_id", flat=True).first())

    def listed(viewer, month=OCT):
        return sorted(o.order_no for o in department_complaints_for_viewer(month=month, city=world["cs"],
                                                                           department=dept, viewer=viewer))

    before, before_b = listed(analyst), listed(county_b)
    row = next(d for d in scorecard_for_month(OCT)["departments"] if d["department"] == dept.name)
    assert len(before) == row["accepted_complaints"] == 6 and len(before_b) == 1  # T4's complaint is 宁乡's

    # After publication a re-import files T4's order under 望城 and dates another in November; a third
    # goes to another city company.
    orders = WorkOrder.objects.order_by("pk")
    WorkOrder.objects.filter(pk=orders[5].pk).update(county=world["a"])
    WorkOrder.objects.filter(pk=orders[1].pk).update(accepted_at=dt.datetime(2024, 11, 2, 2, tzinfo=dt.timezone.utc))
    WorkOrder.objects.filter(pk=orders[2].pk).update(city=city("国网株洲供电公司"))
    assert listed(analyst) == before and listed(county_b) == before_b

    # November is a draft: it follows the orders as they are now (the one moved there is listed).
    assert listed(analyst, NOV) == [orders[1].order_no]

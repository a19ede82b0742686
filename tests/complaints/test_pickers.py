"""The searchable pickers (issue #14): the unit tree and 线路 endpoints, scoped and of constant cost, duplicate
station names told apart, 线路 chosen by name, and 「全部」 instead of 「---------」 on the selects."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.grid.models import Feeder, OrgUnit

from .conftest import local

pytestmark = pytest.mark.django_db


def units(client, user):
    client.force_login(user)
    resp = client.get(reverse("analysis:units"))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    return resp.json()["units"]


def province(cities: int, counties: int, stations: int) -> OrgUnit:
    """cities × counties × stations units below one province; every county has a 黄土供电所."""
    top = OrgUnit.objects.create(name="测试省公司", level="province")
    for c in range(cities):
        city = OrgUnit.objects.create(name=f"国网{c}市供电公司", level="city", parent=top)
        for k in range(counties):
            county = OrgUnit.objects.create(name=f"{c}市{k}县供电公司", level="county", parent=city)
            OrgUnit.objects.create(name="黄土供电所", level="station", parent=county)
            for s in range(stations - 1):
                OrgUnit.objects.create(name=f"{c}-{k}-{s}供电所", level="station", parent=county)
    return top


def test_the_tree_comes_in_order_with_depth_and_duplicates_told_apart(client, small):
    extra = OrgUnit.objects.create(name="乙镇供电所", level="station", parent=small.counties[0])  # a duplicate name
    analyst = User.objects.create_user("p-analyst", password="pw", role="analyst")
    rows = units(client, analyst)
    assert sorted((r["name"], r["depth"]) for r in rows) == sorted([
        ("国网甲市供电公司", 0), ("甲县供电公司", 1), ("乙镇供电所", 2), ("甲镇供电所", 2),
        ("国网乙市供电公司", 0), ("乙县供电公司", 1), ("乙镇供电所", 2)])
    # Tree order: every unit right below its city's, a county's stations after the county.
    position = {r["id"]: i for i, r in enumerate(rows)}
    for unit in OrgUnit.objects.exclude(level="province"):
        if unit.parent.level != "province":
            assert position[unit.pk] > position[unit.parent_id], unit
    by_id = {r["id"]: r for r in rows}
    assert by_id[extra.pk]["label"] == "乙镇供电所（甲县供电公司）"
    assert by_id[small.stations[1].pk]["label"] == "乙镇供电所（乙县供电公司）"
    assert by_id[small.stations[0].pk]["label"] == "甲镇供电所"  # unique: no suffix
    assert by_id[small.stations[0].pk]["ancestors"] == "国网甲市供电公司 › 甲县供电公司"
    assert by_id[small.cities[0].pk]["level_label"] == "地市公司"
    assert all(r["level"] != "province" for r in rows)


def test_the_endpoint_is_scoped(client, small):
    leader = User.objects.create_user("p-leader", password="pw", role="leader", org_unit=small.cities[0])
    county = User.objects.create_user("p-county", password="pw", role="leader", org_unit=small.counties[1])
    head = User.objects.create_user("p-head", password="pw", role="dept_head", org_unit=small.cities[1],
                                    department_id=1)
    assert {r["id"] for r in units(client, leader)} == {small.cities[0].pk, small.counties[0].pk, small.stations[0].pk}
    rows = units(client, county)
    assert {r["id"] for r in rows} == {small.counties[1].pk, small.stations[1].pk}
    assert rows[0]["depth"] == 0 and rows[0]["ancestors"] == "国网乙市供电公司"  # their own city's name only
    assert {r["id"] for r in units(client, head)} == {small.cities[1].pk, small.counties[1].pk, small.stations[1].pk}
    client.logout()
    assert client.get(reverse("analysis:units")).status_code == 302


def test_600_units_cost_the_same_queries_as_6(client, db):
    analyst = User.objects.create_user("p-analyst", password="pw", role="analyst")
    top = province(2, 1, 2)  # 2 cities + 2 counties + 4 stations = 8 units

    client.force_login(analyst)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            rows = client.get(reverse("analysis:units")).json()["units"]
        return len(rows), len(ctx)

    small_n, small_q = measure()
    for c in range(2, 14):  # 12 more cities × (1 + 7 counties + 42 stations) = 600 more units
        city = OrgUnit.objects.create(name=f"国网{c}市供电公司", level="city", parent=top)
        for k in range(7):
            county = OrgUnit.objects.create(name=f"{c}市{k}县供电公司", level="county", parent=city)
            for s in range(6):
                OrgUnit.objects.create(name="黄土供电所" if s == 0 else f"{c}-{k}-{s}供电所", level="station",
                                       parent=county)
    big_n, big_q = measure()
    assert (small_n, big_n) == (8, 608)
    assert big_q == small_q and big_q <= 8, big_q  # session (read, saved), user, the units, their ancestors' names


def test_duplicate_station_names_get_their_county(client, db):
    top = province(1, 2, 1)
    analyst = User.objects.create_user("p-analyst", password="pw", role="analyst")
    labels = sorted(r["label"] for r in units(client, analyst) if r["name"] == "黄土供电所")
    assert labels == ["黄土供电所（0市0县供电公司）", "黄土供电所（0市1县供电公司）"]
    assert top.pk


def test_the_order_list_renders_only_the_chosen_unit(client, small):
    analyst = User.objects.create_user("p-analyst", password="pw", role="analyst")
    client.force_login(analyst)
    html = client.get(reverse("analysis:orders"), {"unit": small.counties[0].pk}).content.decode()
    select = html.split('name="unit"')[1].split("</select>")[0]
    assert select.count("<option") == 2 and "甲县供电公司" in select and "乙县供电公司" not in select
    assert 'data-picker="unit"' in html and reverse("analysis:units") in html
    assert "tom-select/tom-select.complete.min.js" in html and "js/pickers.js" in html


def test_feeders_are_chosen_by_name_and_scoped(client, small):
    small.order(local(2018, 3, 6, 8), customer="B1", district=small.districts[3])
    analyst = User.objects.create_user("p-analyst", password="pw", role="analyst")
    leader = User.objects.create_user("p-leader", password="pw", role="leader", org_unit=small.cities[0])
    Feeder.objects.create(name="无主线")
    client.force_login(analyst)
    assert [f["name"] for f in client.get(reverse("analysis:feeders"), {"q": "01线"}).json()["feeders"]] == [
        "乙01线", "甲01线"]
    assert len(client.get(reverse("analysis:feeders")).json()["feeders"]) == 3
    client.force_login(leader)
    assert [f["name"] for f in client.get(reverse("analysis:feeders"), {"q": "01线"}).json()["feeders"]] == ["甲01线"]
    client.force_login(analyst)
    resp = client.get(reverse("analysis:orders"), {"feeder": "乙01线"})
    assert [r.record.customer_id for r in resp.context["table"].paginated_rows] == ["B1"]
    assert 'value="乙01线"' in resp.content.decode()
    resp = client.get(reverse("analysis:orders"), {"feeder": str(small.feeders[1].pk)})  # an id is no name
    assert list(resp.context["table"].paginated_rows) == [] and "feeder" in resp.context["filter"].errors


def test_rising_feeders_link_by_name(client, small):
    small.order(local(2018, 3, 6, 8), customer="B1", district=small.districts[3])
    analyst = User.objects.create_user("p-analyst", password="pw", role="analyst")
    client.force_login(analyst)
    html = client.get(reverse("analysis:profile"), {"month": "2018-03"}).content.decode()
    assert "feeder=%E4%B9%9901%E7%BA%BF" in html  # 乙01线, urlencoded


@pytest.mark.parametrize("url", ["analysis:orders", "analysis:profile", "kpis:incidents", "kpis:appeals"])
def test_no_select_shows_dashes(client, small, url):
    small.order(local(2018, 3, 5, 10))  # a month with data (a month without answers «该月没有数据»)
    analyst = User.objects.create_user("p-analyst", password="pw", role="analyst")
    client.force_login(analyst)
    html = client.get(reverse(url), {"month": "2018-03"}).content.decode()
    assert "---------" not in html
    assert "<select" in html

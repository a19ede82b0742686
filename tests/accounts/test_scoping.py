"""Scoping on the analysis pages and the drill-down list: what each role sees, with names
and phone numbers masked for all but analysts."""
import pytest
from django.test import Client

from scorecard.accounts import scoping
from scorecard.accounts.models import User
from scorecard.grid.models import OrgUnit
from tests.fixtures.factories import order

from tests.fixtures.world import PASSWORD

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client, **params) -> list[str]:
    resp = client.get("/analysis/orders/", {"month": "2024-07", **params})
    assert resp.status_code == 200
    return sorted(row.record.order_no for row in resp.context["table"].rows)


def test_masks():
    assert scoping.mask_name("张三丰") == "张**" and scoping.mask_name("张三") == "张*"
    assert scoping.mask_phone("13812341234") == "*******1234"
    assert scoping.mask_phone("123") == "***" and scoping.mask_name("") == ""
    # One character still shows a mask: the one definition of masking (issue #12; a copy gave "张").
    assert scoping.mask_name("张") == "张*"


def test_drill_down_by_role(world):
    assert listed(as_user(world.users["analyst"])) == ["O-A-YJ", "O-A-YX", "O-B-YJ"]
    assert listed(as_user(world.users["auditor"])) == ["O-A-YJ", "O-A-YX", "O-B-YJ"]
    assert listed(as_user(world.users["leader"])) == ["O-A-YJ", "O-A-YX"]  # their company
    head = as_user(world.users["dept_head"])
    assert listed(head) == ["O-A-YJ"]  # their city AND attributed to their department (运检)
    assert listed(head, types="all") == ["O-A-YJ"]  # other business types are not theirs either
    assert listed(head, customer="CB1") == []  # another city's customer: nothing, no panel
    assert head.get("/analysis/orders/", {"customer": "CB1"}).context["customer"] is None
    assert listed(head, district="TQB01") == []


def test_names_and_phones_in_full_for_analysts_only(world):
    page = as_user(world.users["analyst"]).get("/analysis/orders/", {"month": "2024-07"}).content.decode()
    assert "张三丰" in page and "13900001111" in page
    for role in ("dept_head", "leader", "auditor", "admin"):
        client = as_user(world.users[role])
        page = client.get("/analysis/orders/", {"month": "2024-07"}).content.decode()
        assert "张三丰" not in page and "13900001111" not in page and "张**" in page, role
        export = client.get("/analysis/orders/", {"month": "2024-07", "_export": "xlsx"})
        assert export.status_code == 200
        csv = client.get("/analysis/orders/", {"month": "2024-07", "_export": "csv"}).content.decode("utf-8-sig")
        assert "张三丰" not in csv and "13900001111" not in csv and "*******1111" in csv, role
        dept_page = client.get(f"/scorecard/unit/{world.a.pk}/yj/", {"month": "2024-07"}).content.decode()
        assert "张三丰" not in dept_page, role


def test_analysis_unit_picker_is_limited_to_the_scope(world):
    leader = as_user(world.users["leader"])
    resp = leader.get("/analysis/", {"month": "2024-07"})
    assert resp.context["unit"] == world.a  # opens on their company, not the province
    options = list(resp.context["form"].fields["unit"].queryset)
    assert world.a in options and world.b not in options and all(u.city_id == world.a.pk for u in options)
    assert resp.context["f"]["total"] == 2
    analyst = as_user(world.users["analyst"]).get("/analysis/", {"month": "2024-07"})
    assert analyst.context["unit"] is None and analyst.context["f"]["total"] == 3


def test_county_leader_sees_their_county_only(world):
    county = OrgUnit.objects.create(name="长沙县供电公司", level="county", parent=world.a)
    other = OrgUnit.objects.create(name="望城区供电公司", level="county", parent=world.a)
    order(accepted="2024-07-08 09:00", city_unit=world.a, order_no="O-COUNTY").__class__.objects.filter(
        order_no="O-COUNTY").update(county=county)
    leader = User.objects.create_user("county-leader", password=PASSWORD, role="leader", org_unit=county)
    client = as_user(leader)
    resp = client.get("/analysis/", {"month": "2024-07"})
    assert resp.context["unit"] == county and resp.context["f"]["total"] == 1
    assert client.get("/analysis/", {"month": "2024-07", "unit": world.a.pk}).status_code == 404
    assert client.get("/analysis/", {"month": "2024-07", "unit": other.pk}).status_code == 404
    assert listed(client) == ["O-COUNTY"]
    # The month's incidents are in other parts of the city (TQA01 has no county): none listed.
    assert len(client.get("/scorecard/incidents/", {"month": "2024-07"}).context["table"].rows) == 0


def test_a_scoped_role_without_a_unit_sees_nothing(world):
    # Leaders must have a unit (a database constraint); a department head at province level sees
    # their department everywhere, and a user whose scope is empty is refused outright.
    assert scoping.scope_for(world.users["leader"]).city_ids == frozenset([world.a.pk])
    empty = scoping.Scope(frozenset(), None, None)
    assert not scoping.unit_allowed(empty, None) and not scoping.unit_allowed(empty, world.a)
    assert scoping.default_unit(empty) is None

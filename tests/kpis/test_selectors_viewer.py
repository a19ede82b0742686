"""scorecard.kpis.selectors: the reads of the pages and the API scope themselves to the viewer (incidents,
appeals, the draft scorecard, the department page). The two-city world of the access tests: city A is the
users' unit, city B another."""
import pytest
from django.http import Http404
from django.utils import timezone

from scorecard.accounts import scoping
from scorecard.accounts.models import User
from scorecard.kpis import selectors
from scorecard.kpis.models import ReportingMonth
from tests.fixtures.world import MONTH, PASSWORD
from tests.fixtures.factories import dept


def _head(world, username, department, unit=None):
    return User.objects.create_user(username, password=PASSWORD, role="dept_head", org_unit=unit or world.a,
                                    department=dept(department))


def test_it_lists_a_department_head_only_the_incidents_of_their_city_and_department(world):
    def listed(user):
        return {i.pk for i in selectors.incident_list(month=MONTH, viewer=user)}

    assert listed(world.users["dept_head"]) == {world.incident_a.pk}
    assert listed(world.head_b) == {world.incident_b.pk}
    assert listed(world.users["leader"]) == {world.incident_a.pk}
    assert listed(world.users["analyst"]) == {world.incident_a.pk, world.incident_b.pk}
    assert listed(_head(world, "s-yx-a", "营销")) == set()  # the incident is 运检's


def test_it_404s_an_incident_of_another_unit_and_audits_it_as_out_of_scope(world):
    head = world.users["dept_head"]
    assert selectors.incident_for_viewer(pk=world.incident_a.pk, viewer=head) == world.incident_a
    with pytest.raises(scoping.ScopeDenied):
        selectors.incident_for_viewer(pk=world.incident_b.pk, viewer=head)
    with pytest.raises(scoping.ScopeDenied):
        selectors.incident_for_viewer(pk=world.incident_a.pk, viewer=_head(world, "s-yx-a2", "营销"))
    with pytest.raises(Http404) as missing:
        selectors.incident_for_viewer(pk=world.incident_b.pk + 1000, viewer=world.users["analyst"])
    assert not isinstance(missing.value, scoping.ScopeDenied)  # a plain 404: nothing was denied


def test_it_gives_the_order_numbers_an_incident_explains(world):
    links = selectors.linked_order_numbers([world.incident_a, world.incident_b.pk])
    assert links == {world.incident_a.pk: ["O-A-YJ"], world.incident_b.pk: ["O-B-YJ"]}
    trace = selectors.trace_for_month(MONTH)
    assert sorted(i["complaints"] for i in trace["incidents"] if i["complaints"]) == [["O-A-YJ"], ["O-B-YJ"]]


def test_it_lists_the_appeals_a_department_head_filed_or_would_receive_in_their_city_only(world):
    def listed(user, **kw):
        return {a.pk for a in selectors.appeal_list(viewer=user, **kw)}

    both = {world.appeal_a.pk, world.appeal_b.pk}
    assert listed(world.users["dept_head"]) == {world.appeal_a.pk}  # filed (from 运检)
    assert listed(_head(world, "s-tk-a", "调控")) == {world.appeal_a.pk}  # would move complaints to 调控
    assert listed(_head(world, "s-yx-a3", "营销")) == set()
    assert listed(world.head_b) == {world.appeal_b.pk}
    assert listed(world.users["leader"]) == {world.appeal_a.pk}
    assert listed(world.users["analyst"]) == both
    assert listed(world.users["analyst"], status="accepted") == set()
    assert listed(world.users["analyst"], status="no-such-status") == both  # an unknown status narrows nothing


def test_it_lists_a_province_level_department_head_their_departments_appeals_of_every_city(world):
    province_head = _head(world, "s-prov-yj", "运检", unit=world.a.parent)
    assert {a.pk for a in selectors.appeal_list(viewer=province_head)} == {world.appeal_a.pk, world.appeal_b.pk}


def test_it_404s_an_appeal_of_another_unit(world):
    head = world.users["dept_head"]
    assert selectors.appeal_for_viewer(pk=world.appeal_a.pk, viewer=head) == world.appeal_a
    assert selectors.appeal_for_viewer(pk=world.appeal_a.pk, viewer=_head(world, "s-tk-a2", "调控")) == world.appeal_a
    with pytest.raises(scoping.ScopeDenied):
        selectors.appeal_for_viewer(pk=world.appeal_b.pk, viewer=head)
    with pytest.raises(Http404):
        selectors.appeal_for_viewer(pk=world.appeal_b.pk + 1000, viewer=world.users["analyst"])


def _rows(card):
    return ({u["unit"] for u in card["units"]}, {(d["unit"], d["department"]) for d in card["departments"]})


def test_it_shows_a_department_head_only_their_own_rows_of_a_draft_scorecard(world):
    a, b = world.a.name, world.b.name
    card = selectors.scorecard_for_viewer(month=MONTH, viewer=world.users["dept_head"])
    assert card["published"] is False
    assert _rows(card) == ({a}, {(a, "运检")})
    units, depts = _rows(selectors.scorecard_for_viewer(month=MONTH, viewer=world.users["leader"]))
    assert units == {a} and {u for u, _d in depts} == {a} and len(depts) > 1
    units, depts = _rows(selectors.scorecard_for_viewer(month=MONTH, viewer=world.users["analyst"]))
    assert units == {a, b} and {u for u, _d in depts} == {a, b}
    assert "url" not in str(card)  # the API's read-out: no page links


def test_it_shows_everyone_every_row_of_a_published_scorecard(world):
    card = selectors.scorecard_for_month(MONTH)
    ReportingMonth.objects.update_or_create(month=MONTH, defaults={"published_at": timezone.now(), "scorecard": card})
    shown = selectors.scorecard_for_viewer(month=MONTH, viewer=world.users["dept_head"])
    assert shown["published"] is True
    assert _rows(shown) == _rows(card) and {world.a.name, world.b.name} <= _rows(shown)[0]


def test_it_links_the_department_rows_a_viewer_may_open_on_the_scorecard_page(world):
    card = selectors.scorecard_page(month=MONTH, viewer=world.users["leader"])
    assert set(card["department_names"]) == {d["department"] for d in card["departments"]}
    assert all(d["url"].startswith(f"/scorecard/unit/{world.a.pk}/") and d["url"].endswith("?month=2024-07")
               for d in card["departments"])
    card = selectors.scorecard_page(month=MONTH, viewer=world.users["analyst"])
    assert {d["unit"] for d in card["departments"] if "url" in d} == {world.a.name, world.b.name}


def test_it_404s_the_department_page_of_another_unit(world):
    head = world.users["dept_head"]
    assert selectors.responsible_unit_for_viewer(city_id=world.a.pk, dept_code=world.yj.code, viewer=head) == (
        world.a, world.yj)
    with pytest.raises(scoping.ScopeDenied):
        selectors.responsible_unit_for_viewer(city_id=world.b.pk, dept_code=world.yj.code, viewer=head)
    with pytest.raises(scoping.ScopeDenied):
        selectors.responsible_unit_for_viewer(city_id=world.a.pk, dept_code=world.yx.code, viewer=head)
    with pytest.raises(Http404):
        selectors.responsible_unit_for_viewer(city_id=world.a.pk, dept_code="no-such-dept", viewer=head)


def test_it_lists_a_department_page_only_the_complaints_of_the_viewers_subtree(world):
    listed = selectors.department_complaints_for_viewer(month=MONTH, city=world.a, department=world.yj,
                                                        viewer=world.users["dept_head"])
    assert [o.order_no for o in listed] == ["O-A-YJ"]

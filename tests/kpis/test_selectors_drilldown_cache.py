"""The drill-down's figures are cached per data version (core.freshness, as the scorecard and the
profile are): a second read does not count the work orders again, a data change invalidates it, and
viewers of different scopes never share an entry. Caching is off inside a transaction that may roll
back, so these tests commit."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard.accounts.models import User
from scorecard.complaints.models import WorkOrder
from scorecard.grid.models import Department, District
from scorecard.kpis import services
from scorecard.kpis.selectors import drill_figures, drilldown

from tests.fixtures.factories import order
from tests.kpis.test_selectors_drilldown import OCT, figures, world  # noqa: F401  (the hand-made county world)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def work_order_reads(queries) -> list[str]:
    table = WorkOrder._meta.db_table
    return [q["sql"] for q in queries if table in q["sql"]]


def test_a_second_read_is_served_from_the_cache_until_the_data_changes(world):  # noqa: F811
    analyst = world["users"]["analyst"]
    first = drilldown(month=OCT, unit=world["a"], viewer=analyst)
    with CaptureQueriesContext(connection) as queries:
        again = drilldown(month=OCT, unit=world["a"], viewer=analyst)
    assert figures(again["children"]) == figures(first["children"])
    assert figures(again["managers"]) == figures(first["managers"])
    assert work_order_reads(queries) == []  # not counted again
    assert len(queries) <= 4  # the data version, publication and freeze state, the cache marks

    # A new complaint in 乔口 (a save: the data version moves) is in the next read.
    t3 = District.objects.get(code="T3")
    wo = order(accepted="2024-10-20 10:00", city_unit=world["cs"], customer="C8", district_obj=t3)
    WorkOrder.objects.filter(pk=wo.pk).update(county=world["a"], station=world["s2"])
    WorkOrder.objects.get(pk=wo.pk).save()  # the bulk update above sends no signal; an import bumps itself
    changed = drilldown(month=OCT, unit=world["a"], viewer=analyst)
    assert {str(r["name"]): r["complaints"] for r in changed["children"]} == {"乔口供电所": 3, "丁字供电所": 3}

    # So is a change of master data: 丁字's T1 gets more customers.
    t1 = District.objects.get(code="T1")
    t1.customers = 1400
    t1.save()
    assert {str(r["name"]): r["customers"] for r in drilldown(month=OCT, unit=world["a"], viewer=analyst)
            ["children"]} == {"乔口供电所": 1000, "丁字供电所": 2000}


def test_a_department_head_never_reads_figures_counted_for_another_scope(world):  # noqa: F811
    yx, yj = Department.objects.get(code="yx"), Department.objects.get(code="yj")
    head = User.objects.create(username="yj-head", role="dept_head", org_unit=world["cs"], department=yj)
    everything = drilldown(month=OCT, unit=world["cs"], viewer=world["users"]["analyst"])  # cached for all
    assert sum(r["complaints"] for r in everything["children"]) == 6
    # Every complaint of the world is 营销's (服务态度, the default table): 运检 has none.
    assert sum(r["complaints"] for r in drilldown(month=OCT, unit=world["cs"], viewer=head)["children"]) == 0
    assert sum(r["complaints"] for r in drill_figures(month=OCT, unit=world["cs"], department_id=yx.pk)
               ["children"]) == 6


def test_the_warm_up_computes_every_citys_drill_down(world):  # noqa: F811
    services.warm_read_outs(months=[OCT])
    with CaptureQueriesContext(connection) as queries:
        page = drill_figures(month=OCT, unit=world["cs"])
    assert work_order_reads(queries) == [] and len(page["children"]) == 2

"""After a change of data the pages keep serving the previous version (「数据更新中」) until the
warm-up has computed the new one; without a pending warm-up they compute the current version.

Caching is off inside a transaction that may roll back, so these tests commit.
"""
import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from scorecard.accounts.models import User
from scorecard.complaints.models import WorkOrder
from scorecard.complaints.selectors import analysis_lists, customer_lists, profile_readout, shared_customer_lists
from scorecard.core import freshness
from scorecard.kpis import services
from scorecard.grid.models import Department
from scorecard.kpis.selectors import department_trend, scorecard_for_month

from tests.fixtures.factories import city, order
from tests.fixtures.readouts import dept_row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
NOV = dt.date(2024, 11, 1)
CS = "国网长沙供电公司"


def complaints() -> int:
    return dept_row(scorecard_for_month(NOV), CS, "营销")["complaints"]


def test_it_serves_the_previous_version_until_the_warm_up_is_done(client):
    cs = city(CS)
    order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    assert services.warm_read_outs(months=[NOV]) == freshness.current()  # version v0 warmed and ready
    assert complaints() == 1 and not freshness.updating()

    with transaction.atomic():  # a change of data that schedules a warm-up (as an import's re-trace does)
        order(accepted="2024-11-06 10:00", city_unit=cs, order_no="O-2", customer="C2")
        freshness.schedule_warm_up([NOV])
    assert cache.get(freshness.WARMING_KEY) == freshness.current()
    assert freshness.updating()
    assert complaints() == 1  # the previous version, not computed by this visitor

    client.force_login(User.objects.create_user("analyst", password="pw", role="analyst"))
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/scorecard/?month=2024-11").content.decode()
    assert "数据更新中" in html
    writes = [q["sql"] for q in ctx.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])
              and "django_session" not in q["sql"] and "last_login" not in q["sql"]]
    assert writes == []  # reads never write, also while updating

    services.warm_read_outs(months=[NOV])  # what the kpis.warm_read_outs task runs
    assert not freshness.updating()
    assert complaints() == 2
    assert "数据更新中" not in client.get("/scorecard/?month=2024-11").content.decode()


def test_the_warm_up_computes_the_department_trends_of_the_month_pages_open_on():
    cs = city(CS)
    order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    services.warm_read_outs(months=[NOV])
    dept = Department.objects.get(code="yx")
    with CaptureQueriesContext(connection) as ctx:
        trend = department_trend(city_id=cs.pk, department_id=dept.pk, end_month=NOV)
    assert trend[-1]["complaints"] == 1
    assert len(ctx.captured_queries) <= 2  # the data version and the cache marks: not computed here


def test_without_a_pending_warm_up_readers_compute_the_current_version():
    cs = city(CS)
    wo = order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    services.warm_read_outs(months=[NOV])
    assert complaints() == 1
    wo.delete()  # a single-row edit: no warm-up is sent
    assert not freshness.updating() and complaints() == 0


def test_a_warm_up_nobody_runs_stops_holding_back_the_new_figures():
    cs = city(CS)
    order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    services.warm_read_outs(months=[NOV])
    with transaction.atomic():
        order(accepted="2024-11-06 10:00", city_unit=cs, order_no="O-2", customer="C2")
        freshness.schedule_warm_up([NOV])
    assert complaints() == 1
    cache.delete(freshness.WARMING_KEY)  # what WARM_GRACE_SECONDS does when no worker took the task
    assert not freshness.updating() and complaints() == 2


def test_a_trace_schedules_the_warm_up_on_commit(django_capture_on_commit_callbacks):
    cs = city(CS)
    order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    services.warm_read_outs(months=[NOV])
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_month(month=NOV)
    assert cache.get(freshness.WARMING_KEY) == freshness.current() > cache.get(freshness.READY_KEY)


def work_order_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if WorkOrder._meta.db_table in q["sql"]]


def test_the_warm_up_computes_last_months_card_which_a_department_page_reads():
    cs = city(CS)
    order(accepted="2024-10-05 10:00", city_unit=cs, order_no="O-0", customer="C1")
    order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    services.warm_read_outs(months=[NOV])
    with CaptureQueriesContext(connection) as queries:
        october = scorecard_for_month(dt.date(2024, 10, 1))
    assert dept_row(october, CS, "营销")["complaints"] == 1
    assert work_order_reads(queries) == []  # computed by the warm-up, not by the page's first visitor


def test_the_warm_up_computes_the_analysis_pages_lists_for_the_province_and_every_city(client):
    cs = city(CS)
    for n, day in enumerate(["2024-11-05", "2024-11-06", "2024-11-07"]):
        order(accepted=f"{day} 10:00", city_unit=cs, order_no=f"O-{n}", customer="C1")
    services.warm_read_outs(months=[NOV])
    for unit in (None, cs):
        with CaptureQueriesContext(connection) as queries:
            window = profile_readout(NOV, unit)["window"]
            rising = analysis_lists(window, unit)
            customers = shared_customer_lists(window, unit)
        assert work_order_reads(queries) == []
        assert [(r["name"], r["current"]) for r in rising["regional_demands"]["units"]] == (
            [(CS, 3)] if unit is None else [])
        assert [(r["customer_id"], r["complaints"]) for r in customers["repeat_demands"]] == [("C1", 3)]

    client.force_login(User.objects.create_user("analyst", password="pw", role="analyst"))
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/analysis/?month=2024-11").content.decode()
    assert "C1" in html  # the repeat-demand list, served from the warmed rows
    # The first visitor after the warm-up computes no figure: the page asks only the latest month
    # (an index probe) and whether the month has data.
    assert [q for q in work_order_reads(queries) if "GROUP BY" in q or "COUNT(" in q] == []
    for sort in ("customer__name", "-last_at", "-customer__sensitive"):  # the warmed rows sort as a queryset did
        assert "C1" in client.get(f"/analysis/?month=2024-11&rp-sort={sort}").content.decode()


def test_a_department_heads_customer_lists_are_narrowed_from_the_shared_ones():
    cs = city(CS)
    for n in range(2):
        order(accepted=f"2024-11-0{n + 5} 10:00", city_unit=cs, order_no=f"Y-{n}", customer="C-yx")
        order(accepted=f"2024-11-0{n + 5} 11:00", city_unit=cs, order_no=f"J-{n}", customer="C-yj",
              category="供电质量", subcategory="频繁停电")
    services.warm_read_outs(months=[NOV])
    head = User.objects.create_user("head", password="pw", role="dept_head", org_unit=cs,
                                    department=Department.objects.get(code="yx"))
    analyst = User.objects.create_user("analyst", password="pw", role="analyst")
    window = profile_readout(NOV, cs)["window"]

    def customers(viewer):
        return sorted(r["customer_id"] for r in customer_lists(window, cs, viewer=viewer)["repeat_demands"])

    assert customers(analyst) == ["C-yj", "C-yx"]
    assert customers(head) == ["C-yx"]

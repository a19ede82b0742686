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

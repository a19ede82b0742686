"""Cached read-outs follow the data: one cheap read while nothing changed, fresh figures once anything did."""
import csv
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard.imports.services import import_file
from scorecard.kpis.selectors import scorecard_for_month

from tests.fixtures.factories import city, order
from tests.fixtures.readouts import dept_row

# Caching is off inside a transaction that may roll back, so these tests commit (and restore the seeded rows).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
NOV = dt.date(2024, 11, 1)


def test_cached_until_the_data_changes(tmp_path):
    cs = city("国网长沙供电公司")
    wo = order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    first = scorecard_for_month(NOV)
    assert dept_row(first, "国网长沙供电公司", "营销")["complaints"] == 1
    with CaptureQueriesContext(connection) as ctx:
        assert scorecard_for_month(NOV) == first
    assert len(ctx.captured_queries) <= 2  # published? + data version

    # A single-row save (admin, services) bumps the version through the model signal.
    wo.closed_at, wo.satisfaction = wo.accepted_at + dt.timedelta(hours=1), "满意"
    wo.save()
    assert dept_row(scorecard_for_month(NOV), "国网长沙供电公司", "营销")["closed"] == 1

    # A bulk import bumps it explicitly.
    path = tmp_path / "orders.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["工单编号", "受理时间", "业务类型", "一级分类", "二级分类", "客户编号", "地市单位"])
        w.writerow(["O-2", "2024-11-06 09:00", "投诉", "营业", "电费电价", "C2", "国网长沙供电公司"])
    assert import_file(kind="workorders", path=path).ok
    assert dept_row(scorecard_for_month(NOV), "国网长沙供电公司", "营销")["complaints"] == 2
    # A dry run changes nothing and keeps the cache.
    with CaptureQueriesContext(connection) as ctx:
        import_file(kind="workorders", path=path, dry_run=True)
        scorecard_for_month(NOV)
    assert not any("UPDATE \"kpis_dataversion\"" in q["sql"] for q in ctx.captured_queries)


def test_analysis_page_figures_follow_the_data(client):
    from scorecard.accounts.models import User

    cs = city("国网长沙供电公司")
    order(accepted="2024-11-05 10:00", city_unit=cs, order_no="O-1", customer="C1")
    client.force_login(User.objects.create_user("analyst", password="pw", role="analyst"))
    def total():  # the page's content is cached as HTML (freshness.fragment): read the figure off the page
        html = client.get("/analysis/?month=2024-11").content.decode()
        return int(re.search(r'id="fig-total".*?class="value">(\d+)<', html, re.S).group(1))

    assert total() == 1
    assert total() == 1  # served from the cache
    order(accepted="2024-11-06 10:00", city_unit=cs, order_no="O-2", customer="C2")
    assert total() == 2

"""No page issues a number of queries that grows with the rows it shows.

Each page is rendered on a province of one "block" of data and again after two more
blocks are added (three times the cities, 台区, complaints, incidents, appeals and
notices); the query count must be the same. A page that loops over rows with a query
per row (N+1) fails here, naming the page and both counts. Both the first (cold: read-out
cache empty) and the second (warm) rendering are counted.
"""
import datetime as dt
import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard.accounts.models import User
from scorecard.complaints.models import WorkOrder
from scorecard.kpis.attribution import attributed
from scorecard.kpis.models import Appeal, Incident
from scorecard.kpis.services import trace_month
from scorecard.notices.models import Notice
from tests.fixtures.factories import city, dept, district, order, reading

MONTH = "2024-10"
pytestmark = pytest.mark.django_db
_blocks = itertools.count(1)


def add_block():
    """A city company with three 台区 (two overloaded), nine complaints of nine customers over two
    months, an appeal per department head, and a failed notice for an older month."""
    n = next(_blocks)
    unit = city("国网长沙供电公司" if n == 1 else f"国网第{n}供电公司")
    for j in range(3):
        d = district(f"TQ{n:02d}{j}", unit, customers=900 + j)
        if j < 2:
            reading(d, MONTH, load=112)
        for k in range(3):
            order(accepted=f"2024-10-{3 + j + k:02d} {9 + k}:00", city_unit=unit, district_obj=d,
                  customer=f"C{n}{j}{k}", category="供电质量", subcategory="频繁停电", closed=f"2024-10-{20 + k} 09:00",
                  satisfaction="满意", order_no=f"GD{n:02d}{j}{k}")
            order(accepted=f"2024-09-{3 + j + k:02d} 11:00", city_unit=unit, district_obj=d, customer=f"C{n}{j}{k}",
                  order_no=f"GP{n:02d}{j}{k}")
    head = User.objects.get_or_create(username="qc-filer", defaults={"role": "dept_head", "org_unit": unit,
                                                                    "department": dept("营销")})[0]
    wo = order(accepted="2024-10-15 10:00", city_unit=unit, customer=f"CA{n}", order_no=f"GA{n:02d}")
    Appeal.objects.create(work_order=wo, month=dt.date(2024, 10, 1), city=unit, from_department=dept("营销"),
                          to_department=dept("发展"), reason="不属于本部门", filed_by=head)
    Notice.objects.create(month=dt.date(2023, n, 1), version=1, number=f"〔2023〕第{n}期", status="failed",
                          error="test")
    return unit


@pytest.fixture
def users():
    first = add_block()
    return {
        "analyst": User.objects.create_user("qc-analyst", password="pw-qc-1", role="analyst"),
        "leader": User.objects.create_user("qc-leader", password="pw-qc-2", role="leader", org_unit=first),
        "dept_head": User.objects.create_user("qc-head", password="pw-qc-3", role="dept_head", org_unit=first,
                                              department=dept("发展")),  # overloads without a project: 发展
        "auditor": User.objects.create_user("qc-auditor", password="pw-qc-4", role="auditor"),
    }


def pages(first_city):
    incident = Incident.objects.filter(city=first_city).order_by("pk").first()
    appeal = Appeal.objects.filter(city=first_city).first()
    repeat = (attributed(WorkOrder.objects.filter(city=first_city, order_no__startswith="GD"))
              .filter(attr_department_id=dept("发展").pk).order_by("order_no").first())
    return {
        "home": "/",
        "analysis": f"/analysis/?month={MONTH}",
        "analysis (city)": f"/analysis/?month={MONTH}&unit={first_city.pk}",
        "order list": f"/analysis/orders/?month={MONTH}",
        "order list (types=all)": f"/analysis/orders/?month={MONTH}&types=all",
        "scorecard": f"/scorecard/?month={MONTH}",
        "department": f"/scorecard/unit/{first_city.pk}/fz/?month={MONTH}",
        "incidents": f"/scorecard/incidents/?month={MONTH}",
        "incident": f"/scorecard/incidents/{incident.pk}/" if incident else None,  # None fails the test
        "appeals": "/scorecard/appeals/",
        "appeal": f"/scorecard/appeals/{appeal.pk}/",
        "notices": "/notices/",
        "rankings": "/notices/rankings/",
        "notifications": "/notifications/",
        # A complaint of the first city the department head (发展) answers for; it repeats its GP twin.
        "order detail": f"/orders/{repeat.order_no}/" if repeat else None,
        "search": f"/orders/?q={repeat.district_id}" if repeat else None,
    }


def count(client, url) -> tuple[int, int]:
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return len(cold), len(warm)


@pytest.mark.parametrize("role", ["analyst", "leader", "dept_head", "auditor"])
def test_query_counts_do_not_grow_with_the_rows_shown(client, users, role):
    first_city = User.objects.get(username="qc-leader").org_unit
    client.force_login(users[role])
    trace_month(month=dt.date(2024, 10, 1))
    urls = pages(first_city)
    assert all(urls.values()), urls
    for name, url in urls.items():  # warm-up: the first trace of the month writes its incidents
        client.get(url)
    small = {name: count(client, url) for name, url in urls.items()}
    add_block()
    add_block()
    client.get(urls["scorecard"])  # re-trace the month with the new blocks
    large = {name: count(client, url) for name, url in urls.items()}
    grown = {name: (small[name], large[name]) for name in urls if large[name] != small[name]}
    assert all(n for pair in large.values() for n in pair)
    assert not grown, f"query counts (cold, warm) with 1 block -> 3 blocks of data: {grown}"

"""The incident list's filters narrow the scoped list and the export follows them."""
import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from scorecard.kpis import services

from .factories import city, dept, district, reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    reading(district("TQ1", cs), "2024-07", load=110)  # overload → 发展
    reading(district("TQ2", cs), "2024-07", vmin=190)  # low voltage without load → 运检
    reading(district("TQ3", zz), "2024-07", load=85)  # heavy load in 株洲 → 发展
    services.trace_month(month=dt.date(2024, 7, 1))
    return {"cs": cs}


def rows(client, **params):
    response = client.get(reverse("kpis:incidents"), {"month": "2024-07", **params})
    assert response.status_code == 200
    return sorted((r.record.district_id, r.record.kind) for r in response.context["table"].rows)


def test_filters_by_kind_department_status_and_district(client, incidents):
    client.force_login(User.objects.create_user("a", password="x", role="analyst"))
    assert rows(client) == [("TQ1", "overload"), ("TQ2", "low_voltage"), ("TQ3", "heavy_load")]
    assert rows(client, kind="overload") == [("TQ1", "overload")]
    assert rows(client, department=dept("发展").pk) == [("TQ1", "overload"), ("TQ3", "heavy_load")]
    assert rows(client, status="open", district="tq2") == [("TQ2", "low_voltage")]
    assert rows(client, status="done") == []
    csv = client.get(reverse("kpis:incidents"), {"month": "2024-07", "kind": "heavy_load", "export": "csv"})
    body = csv.content.decode("utf-8-sig")
    assert "TQ3" in body and "TQ1" not in body


def test_filters_never_widen_the_scope(client, incidents):
    head = User.objects.create_user("h", password="x", role="dept_head", org_unit=incidents["cs"],
                                    department=dept("发展"))
    client.force_login(head)
    assert rows(client) == [("TQ1", "overload")]
    assert rows(client, department=dept("运检").pk) == []  # not their department: nothing, not TQ2


def test_appeal_inbox_filters_and_export(client):
    from tests.kpis.factories import local, order

    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    services.open_draft(month=dt.date(2024, 7, 1), at=local("2024-08-02 10:00"))
    filed = []
    for unit, no in ((cs, "O-CS"), (zz, "O-ZZ")):
        o = order(accepted="2024-07-05 10:00", city_unit=unit, category="供电质量", subcategory="频繁停电", order_no=no)
        head = User.objects.create_user(f"h-{no}", password="x", role="dept_head", org_unit=unit, department=dept("运检"))
        filed.append(services.file_appeal(user=head, order=o, to_department=dept("调控"), reason="计划停电",
                                          now=local("2024-08-05 09:00")))
    client.force_login(User.objects.create_user("a", password="x", role="analyst"))
    url = reverse("kpis:appeals")

    def orders(**params):
        return sorted(r.record.work_order.order_no for r in client.get(url, params).context["table"].rows)

    assert orders() == ["O-CS", "O-ZZ"]
    assert orders(city=zz.pk) == ["O-ZZ"]
    assert orders(order="cs") == ["O-CS"]
    assert orders(month="2024-07") == ["O-CS", "O-ZZ"] and orders(month="2024-06") == []
    assert orders(status="accepted") == []
    body = client.get(url, {"city": cs.pk, "export": "csv"}).content.decode("utf-8-sig")
    assert "O-CS" in body and "O-ZZ" not in body
    # A department head's filter cannot reach another city's appeal.
    client.force_login(User.objects.get(username="h-O-CS"))
    assert orders(city=zz.pk) == [] and orders() == ["O-CS"]

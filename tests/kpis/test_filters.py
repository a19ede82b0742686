"""The incident list's filters narrow the scoped list and the export follows them."""
import datetime as dt

import pytest
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.kpis import services

from tests.fixtures.factories import city, dept, district, order, reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    reading(district("TQ1", cs), "2024-07", load=110)  # overload → 发展, no complaint: 隐患预警
    tq2 = district("TQ2", cs)
    reading(tq2, "2024-07", vmin=190)  # low voltage without load → 运检
    # TQ2's low voltage explains a complaint: 追责事件, with a rectification item.
    order(accepted="2024-07-08 10:00", city_unit=cs, category="供电质量", subcategory="电压质量长时间异常",
          detail="低电压", district_obj=tq2)
    reading(district("TQ3", zz), "2024-07", load=85)  # heavy load in 株洲 → 发展, 隐患预警
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
    assert "隐患预警" in body and "hazard" not in body  # the label, never the code


def test_accountable_incidents_and_hazards_apart(client, incidents):
    client.force_login(User.objects.create_user("a", password="x", role="analyst"))
    assert rows(client, category="accountability") == [("TQ2", "low_voltage")]
    assert rows(client, category="hazard") == [("TQ1", "overload"), ("TQ3", "heavy_load")]
    assert rows(client, category="hazard", status="open") == []  # hazards open no rectification item
    page = client.get(reverse("kpis:incidents"), {"month": "2024-07"}).content.decode()
    counts = page.split('id="incident-categories"')[1].split("</p>")[0]
    assert "追责事件</span> 1 起" in counts and "隐患预警</span> 2 起" in counts
    table = page.split("<table")[1]
    assert table.count(">追责事件<") == 1 and table.count(">隐患预警<") == 2
    assert "accountability" not in table and "hazard" not in table
    csv = client.get(reverse("kpis:incidents"), {"month": "2024-07", "category": "accountability",
                                                 "export": "csv"}).content.decode("utf-8-sig")
    assert "TQ2" in csv and "TQ1" not in csv and "追责事件" in csv


def test_the_detail_says_which_it_is_and_why(client, incidents):
    from scorecard.kpis.models import Incident

    client.force_login(User.objects.create_user("a", password="x", role="analyst"))
    hazard = client.get(reverse("kpis:incident", args=[Incident.objects.get(district_id="TQ1").pk])).content.decode()
    assert "隐患预警" in hazard and "无关联投诉，列为隐患预警，不追责" in hazard and "整改期限" not in hazard
    accountable = client.get(reverse("kpis:incident", args=[Incident.objects.get(district_id="TQ2").pk]))
    text = accountable.content.decode()
    assert "追责事件" in text and "有 1 件关联投诉，列为追责事件" in text and "整改期限" in text


def test_a_department_head_sees_their_hazards(client, incidents):
    head = User.objects.create_user("h", password="x", role="dept_head", org_unit=incidents["cs"],
                                    department=dept("发展"))
    client.force_login(head)
    assert rows(client, category="hazard") == [("TQ1", "overload")]
    page = client.get(reverse("kpis:incidents"), {"month": "2024-07"}).content.decode()
    counts = page.split('id="incident-categories"')[1].split("</p>")[0]
    assert "追责事件</span> 0 起" in counts and "隐患预警</span> 1 起" in counts


def test_filters_never_widen_the_scope(client, incidents):
    head = User.objects.create_user("h", password="x", role="dept_head", org_unit=incidents["cs"],
                                    department=dept("发展"))
    client.force_login(head)
    assert rows(client) == [("TQ1", "overload")]
    assert rows(client, department=dept("运检").pk) == []  # not their department: nothing, not TQ2


def test_appeal_inbox_filters_and_export(client):
    from tests.fixtures.factories import local, order

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

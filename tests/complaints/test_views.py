"""The analysis page, the drill-down order list, sensitive customers and the proactive lists."""
import io
import json
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from scorecard.accounts.models import AuditLog, User
from scorecard.complaints import selectors
from scorecard.complaints.models import Customer, SubCategory, WorkOrder

from .conftest import local


@pytest.fixture
def analyst(db, client):
    user = User.objects.create_user("ana", password="pw-analysis-1", role=User.Role.ANALYST)
    client.force_login(user)
    return user


@pytest.fixture
def march(small):
    """A small March 2018 (and February) in two cities."""
    a_district, a2, b_district = small.districts[0], small.districts[1], small.districts[3]
    small.order(local(2018, 3, 2, 19, 5), customer="A1", district=a_district)
    small.order(local(2018, 3, 9, 19, 30), customer="A1", district=a_district)
    small.order(local(2018, 3, 3, 11), customer="A2", district=a_district, sub="电压质量长时间异常", detail="过电压")
    small.order(local(2018, 3, 4, 17), customer="A3", district=a2, sub="服务不规范")
    small.order(local(2018, 3, 5, 19), customer="A4", district=a2, btype="咨询")  # not a complaint
    small.order(local(2018, 2, 4, 11), customer="A3", district=a2, sub="服务不规范")
    small.order(local(2018, 3, 6, 8), customer="B1", district=b_district)
    small.order(local(2018, 2, 6, 8), customer="B1", district=b_district)
    small.order(local(2018, 2, 7, 8), customer="B2", district=b_district)
    Customer.objects.filter(customer_no="A1").update(name="张三丰", phone="13900001111")
    WorkOrder.objects.filter(customer_id="A1").update(customer_name="张三丰", phone="13900001111")
    return small


def test_pages_require_login(client, db):
    for url in (reverse("analysis:profile"), reverse("analysis:orders")):
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_analysis_page_shows_the_figures_with_links(client, analyst, march):
    resp = client.get(reverse("analysis:profile"), {"month": "2018-03"})
    assert resp.status_code == 200
    html = resp.content.decode()
    f = resp.context["f"]
    assert f["total"] == 5 and f["previous_month_total"] == 3 and f["mom_change_pct"] == Decimal("66.67")
    assert "echarts/echarts.min.js" in html and 'id="chart-hourly"' in html
    charts = json.loads(html.split('id="chart-data" type="application/json">')[1].split("</script>")[0])
    cats = {c["name"]: c for c in charts["categories"]}
    assert cats["供电质量"]["value"] == 4 and cats["供电质量"]["share"] == 80.0
    quality = SubCategory.objects.get(name="频繁停电").category_id
    assert cats["供电质量"]["url"] == f"/analysis/orders/?month=2018-03&category={quality}"
    assert charts["peaks"] == [19, 8, 11] and charts["hourly"][19]["peak"] and not charts["hourly"][0]["peak"]
    assert charts["hourly"][19]["url"].endswith("hour=19")
    # Hotspots: TQT00 has A1 and A2 (multi-customer); TQT01 and TQT10 also complained in February.
    assert "TQT00" in html and 'href="/analysis/orders/?month=2018-03&amp;district=TQT00"' in html
    hot = {h["key"]: h["count"] for h in resp.context["hotspot_tables"]}
    assert hot == {"multi": 1, "consecutive": 2, "lastyear": 0}
    # Analysts see customer names in full (repeat demands); the page has no phone numbers.
    assert "13900001111" not in html and "张三丰" in html


def test_analysis_page_unit_picker_and_default_month(client, analyst, march):
    city = march.cities[1]
    resp = client.get(reverse("analysis:profile"), {"month": "2018-03", "unit": city.pk})
    assert resp.context["f"]["total"] == 1 and resp.context["unit"] == city
    assert f"unit={city.pk}" in resp.context["total_url"]
    # Without parameters: the month of the latest complaint.
    resp = client.get(reverse("analysis:profile"))
    assert resp.context["f"]["month"] == "2018-03"
    # A malformed month is refused, naming the parameter (one rule for every page: core.params).
    resp = client.get(reverse("analysis:profile"), {"month": "2018-13"})
    assert resp.status_code == 400 and "month" in resp.content.decode() and "YYYY-MM" in resp.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hotspot_tables_export(client, analyst, march, fmt):
    resp = client.get(reverse("analysis:profile"), {"month": "2018-03", "_export": fmt, "_table": "consecutive"})
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if fmt == "csv":
        lines = body.decode("utf-8-sig").strip().splitlines()
        assert lines[0].split(",")[:2] == ["台区编号", "台区名称"]
        assert sorted(line.split(",")[0] for line in lines[1:]) == ["TQT01", "TQT10"]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "台区编号" and sorted(r[0] for r in rows[1:]) == ["TQT01", "TQT10"]


def test_hotspot_table_sorts(client, analyst, march):
    resp = client.get(reverse("analysis:profile"), {"month": "2018-03", "consecutive-sort": "code"})
    table = next(h["table"] for h in resp.context["hotspot_tables"] if h["key"] == "consecutive")
    assert [row.record["code"] for row in table.rows] == ["TQT01", "TQT10"]
    resp = client.get(reverse("analysis:profile"), {"month": "2018-03", "consecutive-sort": "-code"})
    table = next(h["table"] for h in resp.context["hotspot_tables"] if h["key"] == "consecutive")
    assert [row.record["code"] for row in table.rows] == ["TQT10", "TQT01"]


def orders(client, **params):
    resp = client.get(reverse("analysis:orders"), params)
    assert resp.status_code == 200
    return sorted(row.record.customer_id or "" for row in resp.context["table"].paginated_rows)


def test_order_list_filters(client, analyst, march):
    sub = SubCategory.objects.get(name="服务不规范")
    over = selectors.voltage_details()["过电压"]
    assert orders(client, month="2018-03") == ["A1", "A1", "A2", "A3", "B1"]
    assert orders(client, month="2018-03", types="all") == ["A1", "A1", "A2", "A3", "A4", "B1"]
    assert orders(client, month="2018-03", unit=march.cities[1].pk) == ["B1"]
    assert orders(client, month="2018-03", unit=march.stations[0].pk) == ["A3"]
    assert orders(client, month="2018-03", category=sub.category_id) == ["A3"]
    assert orders(client, month="2018-03", subcategory=sub.pk) == ["A3"]
    assert orders(client, month="2018-03", detail=over.pk) == ["A2"]
    assert orders(client, month="2018-03", district="TQT00") == ["A1", "A1", "A2"]
    assert orders(client, month="2018-03", hour=19) == ["A1", "A1"]
    assert orders(client, month="2018-03", feeder=march.feeders[1].name) == ["B1"]  # 线路 by name
    assert orders(client, customer="B1") == ["B1", "B1"]  # no month: all of the customer's complaints
    assert orders(client, month="2018-02") == ["A3", "B1", "B2"]
    # A malformed month is refused naming the parameter (core.params); other invalid filters: errors, no rows.
    assert client.get(reverse("analysis:orders"), {"month": "2018-13"}).status_code == 400
    assert orders(client, month="2018-03", hour=24) == []


def test_order_list_masks_names_and_exports(client, analyst, march):
    # Analysts see names and phone numbers in full, in the page and the export.
    resp = client.get(reverse("analysis:orders"), {"month": "2018-03", "customer": "A1"})
    html = resp.content.decode()
    assert "张三丰" in html and "13900001111" in html
    resp = client.get(reverse("analysis:orders"), {"month": "2018-03", "_export": "csv"})
    body = (b"".join(resp.streaming_content) if resp.streaming else resp.content).decode("utf-8-sig")
    assert "工单编号" in body and "张三丰" in body and "13900001111" in body
    assert "2018-03-02 19:05" in body  # local time, not UTC
    # Everyone else gets them masked (张*, *******1111), the export included.
    auditor = User.objects.create_user("aud-mask", password="pw-analysis-3", role=User.Role.AUDITOR)
    client.force_login(auditor)
    html = client.get(reverse("analysis:orders"), {"month": "2018-03", "customer": "A1"}).content.decode()
    assert "张**" in html and "*******1111" in html and "张三丰" not in html and "13900001111" not in html
    resp = client.get(reverse("analysis:orders"), {"month": "2018-03", "_export": "csv"})
    body = (b"".join(resp.streaming_content) if resp.streaming else resp.content).decode("utf-8-sig")
    assert "张**" in body and "*******1111" in body and "张三丰" not in body and "13900001111" not in body


def test_flag_sensitive_customer_highlights_orders(client, analyst, march):
    url = reverse("analysis:sensitive", args=["A1"])
    resp = client.post(url, {"sensitive": "1", "note": "多次来电", "next": "/analysis/orders/?customer=A1"})
    assert resp.status_code == 302 and resp["Location"] == "/analysis/orders/?customer=A1"
    customer = Customer.objects.get(customer_no="A1")
    assert customer.sensitive and customer.sensitive_note == "多次来电"
    log = AuditLog.objects.get(action="customer.sensitive")
    assert log.object_id == str(customer.pk) and log.user == analyst and log.after["sensitive"] is True
    resp = client.get(reverse("analysis:orders"), {"month": "2018-03"})
    rows = {row.record.customer_id: row for row in resp.context["table"].paginated_rows}
    assert resp.content.decode().count('class="sensitive ') == 2  # A1's two orders (plus odd/even)
    page = client.get(reverse("analysis:profile"), {"month": "2018-03"})
    sensitive = list(page.context["tables"]["sensitive"].data)
    assert [r["customer_id"] for r in sensitive] == ["A1"] and sensitive[0]["complaints"] == 2
    assert rows
    # Unflag; an outside "next" is not followed.
    resp = client.post(url, {"sensitive": "0", "next": "https://evil.example/"})
    assert resp["Location"] == "/analysis/orders/?customer=A1"
    assert not Customer.objects.get(customer_no="A1").sensitive


def test_only_analysts_flag_customers(client, march):
    auditor = User.objects.create_user("aud", password="pw-analysis-2", role=User.Role.AUDITOR)
    client.force_login(auditor)
    resp = client.post(reverse("analysis:sensitive", args=["A1"]), {"sensitive": "1"})
    assert resp.status_code == 403 and not Customer.objects.get(customer_no="A1").sensitive
    assert "标记为敏感客户" not in client.get(reverse("analysis:orders"), {"customer": "A1"}).content.decode()
    assert client.get(reverse("analysis:sensitive", args=["A1"])).status_code == 405


# --- proactive service lists -------------------------------------------------------------------------

def test_regional_demands_and_hot_topics(march):
    a, b = march.cities
    regional = selectors.regional_demands("2018-03")
    assert regional["level"] == "city"
    # City A: 4 complaints in March vs 1 in February; city B: 1 vs 2 (falling, not listed).
    assert [(r["name"], r["current"], r["previous"], r["increase"]) for r in regional["units"]] == [
        (a.name, 4, 1, 3)]
    assert regional["units"][0]["increase_pct"] == 300
    assert [(r["name"], r["increase"]) for r in regional["feeders"]] == [(march.feeders[0].name, 3)]
    in_city = selectors.regional_demands("2018-03", a)
    assert in_city["level"] == "county" and [r["name"] for r in in_city["units"]] == [march.counties[0].name]
    topics = selectors.hot_topics("2018-03")
    # 频繁停电 3 vs 2 (+1, +50 %), 电压 1 vs 0 (+1, no %): equal increases, the larger count first;
    # 服务不规范 1 vs 1 is not rising.
    assert [(t["name"], t["increase"], t["increase_pct"]) for t in topics] == [
        ("频繁停电", 1, 50), ("电压质量长时间异常", 1, None)]
    assert topics[0]["category"] == "供电质量"


def test_repeat_demands_window(small):
    end = local(2018, 4, 1)
    small.order(end - timedelta(days=90), customer="R1")  # first instant of the 90-day window
    small.order(end - timedelta(seconds=1), customer="R1")
    small.order(end - timedelta(days=90, seconds=1), customer="R2")  # just before the window
    small.order(local(2018, 3, 20), customer="R2")
    small.order(end, customer="R3")  # next month
    small.order(local(2018, 3, 20), customer="R3")
    small.order(local(2018, 3, 21), customer="R4", btype="咨询")
    small.order(local(2018, 3, 22), customer="R4")
    for _ in range(3):
        small.order(local(2018, 3, 2), customer="R5", city=1)
    rows = list(selectors.repeat_demands("2018-03"))
    assert [(r["customer_id"], r["complaints"]) for r in rows] == [("R5", 3), ("R1", 2)]
    assert [r["customer_id"] for r in selectors.repeat_demands("2018-03", small.cities[0])] == ["R1"]


def test_repeat_and_sensitive_lists_page_without_counting(client, analyst, small):
    """More than a page of repeat customers: the lazily paginated lists render and page on."""
    for i in range(13):
        for day in (3, 9):
            small.order(local(2018, 3, day, 10 + i % 8), customer=f"P{i:02d}", sub="服务态度")
    Customer.objects.filter(customer_no__startswith="P").update(sensitive=True)
    first = client.get(reverse("analysis:profile"), {"month": "2018-03"})
    assert first.status_code == 200
    assert len(list(first.context["tables"]["repeat"].page.object_list)) == 10
    second = client.get(reverse("analysis:profile"), {"month": "2018-03", "rp-page": 2, "sc-page": 2})
    assert second.status_code == 200
    assert len(list(second.context["tables"]["repeat"].page.object_list)) == 3
    assert len(list(second.context["tables"]["sensitive"].page.object_list)) == 3

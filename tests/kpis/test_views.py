"""The portal pages of the scorecard, incidents and appeals, with scoping."""
import csv
import datetime as dt
import io

import openpyxl
import pytest

from scorecard.accounts.models import User
from scorecard.kpis import services
from scorecard.kpis.services import trace_month
from scorecard.kpis.models import Appeal, Incident

from tests.fixtures.factories import city, dept, district, order, reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    d = district("TQ1", cs, customers=5000)
    district("TQ2", zz, customers=5000)
    reading(d, "2024-07", load=110, vmin=190)
    traced = order(accepted="2024-07-05 10:00", city_unit=cs, district_obj=d, category="供电质量",
                   subcategory="电压质量长时间异常", detail="低电压", order_no="O-TRACED", customer="C1")
    yj = order(accepted="2024-07-06 10:00", city_unit=cs, category="供电质量", subcategory="频繁停电",
               order_no="O-YJ", customer="C2")
    yj.customer_name = "张三丰"
    yj.save()
    # A formula planted in a unit name must come out of exports neutralised.
    evil = city("=cmd|' /C calc'!A0")
    order(accepted="2024-07-07 10:00", city_unit=evil, order_no="O-EVIL")
    order(accepted="2024-07-06 10:00", city_unit=zz, order_no="O-ZZ")
    trace_month(month=dt.date(2024, 7, 1))  # as the import of this data would have
    users = {
        "analyst": User.objects.create_user("analyst", password="pw", role="analyst"),
        "head": User.objects.create_user("head", password="pw", role="dept_head", org_unit=cs,
                                         department=dept("运检")),
        "fazhan": User.objects.create_user("fazhan", password="pw", role="dept_head", org_unit=cs,
                                           department=dept("发展")),
        "zz_leader": User.objects.create_user("zzleader", password="pw", role="leader", org_unit=zz),
        "auditor": User.objects.create_user("auditor", password="pw", role="auditor"),
    }
    return {"cs": cs, "zz": zz, "yj": yj, "traced": traced, **users}


def test_scorecard_page_and_exports(client, world):
    client.force_login(world["analyst"])
    resp = client.get("/scorecard/?month=2024-07")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "国网长沙供电公司" in html and "国网株洲供电公司" in html
    resp = client.get("/scorecard/?month=2024-07&table=units&export=csv")
    assert resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["排名", "地市公司", "受理口径投诉量", "考核口径投诉量", "剔除"]
    units = [r[1] for r in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in units and "=cmd|' /C calc'!A0" not in units
    resp = client.get("/scorecard/?month=2024-07&table=departments&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    values = [c.value for c in sheet["C"]]
    assert "'=cmd|' /C calc'!A0" in values


def test_bad_month_parameter_is_named(client, world):
    client.force_login(world["analyst"])
    resp = client.get("/scorecard/?month=2024-7x")
    assert resp.status_code == 400 and "month" in resp.content.decode()


def test_department_head_sees_only_their_own_rows_of_a_draft(client, world):
    client.force_login(world["head"])
    html = client.get("/scorecard/?month=2024-07").content.decode()
    assert "国网株洲供电公司" not in html
    own = f"/scorecard/unit/{world['cs'].pk}/yj/?month=2024-07"
    resp = client.get(own)
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "O-YJ" in page and "默认归因" in page
    assert "张三丰" not in page and "张**" in page  # masked for everyone but analysts
    assert client.get(f"/scorecard/unit/{world['cs'].pk}/fz/?month=2024-07").status_code == 404
    assert client.get(f"/scorecard/unit/{world['zz'].pk}/yj/?month=2024-07").status_code == 404


def test_leader_sees_their_company_only(client, world):
    client.force_login(world["zz_leader"])
    assert client.get(f"/scorecard/unit/{world['zz'].pk}/yx/?month=2024-07").status_code == 200
    assert client.get(f"/scorecard/unit/{world['cs'].pk}/yx/?month=2024-07").status_code == 404


def test_incident_pages_show_the_evidence_chain_and_are_scoped(client, world):
    client.force_login(world["analyst"])
    html = client.get("/scorecard/incidents/?month=2024-07").content.decode()
    assert "TQ1" in html
    incident = Incident.objects.get(district_id="TQ1", kind="overload")
    page = client.get(f"/scorecard/incidents/{incident.pk}/").content.decode()
    assert "110.0" in page and "O-TRACED" in page and "规划缺口" in page and "发展" in page
    assert "planning_gap" not in page  # the rule in words, never its code (issue #14)
    client.force_login(world["head"])  # 运检 head: the incident is 发展's
    assert client.get(f"/scorecard/incidents/{incident.pk}/").status_code == 404
    client.force_login(world["fazhan"])
    assert client.get(f"/scorecard/incidents/{incident.pk}/").status_code == 200
    resp = client.post(f"/scorecard/incidents/{incident.pk}/", {"status": "done", "closed_on": "2024-08-20",
                                                                 "evidence": "已完成增容"})
    assert resp.status_code == 302
    assert incident.rectification.__class__.objects.get(pk=incident.rectification.pk).status == "done"


def test_appeal_journey_through_the_pages(client, world):
    client.force_login(world["head"])
    own_page = f"/scorecard/unit/{world['cs'].pk}/yj/?month=2024-07"
    assert f"/scorecard/appeals/new/{world['yj'].pk}/" not in client.get(own_page).content.decode()
    services.open_draft(month=dt.date(2024, 7, 1))  # the draft notice opens the window now
    assert f"/scorecard/appeals/new/{world['yj'].pk}/" in client.get(own_page).content.decode()
    resp = client.post(f"/scorecard/appeals/new/{world['yj'].pk}/",
                       {"to_department": dept("调控").pk, "reason": "属于调控计划停电"})
    assert resp.status_code == 302
    appeal = Appeal.objects.get()
    # The department head cannot decide; the analyst can.
    assert client.post(f"/scorecard/appeals/{appeal.pk}/decide/", {"decision": "accept", "reason": "x"}).status_code == 403
    client.force_login(world["analyst"])
    assert "O-YJ" in client.get("/scorecard/appeals/").content.decode()
    client.post(f"/scorecard/appeals/{appeal.pk}/decide/", {"decision": "accept", "reason": "核实属实"})
    assert Appeal.objects.get().status == "accepted"
    client.force_login(world["head"])
    detail = client.get(f"/scorecard/appeals/{appeal.pk}/").content.decode()
    assert "核实属实" in detail and "已采纳" in detail
    page = client.get(f"/scorecard/unit/{world['cs'].pk}/yj/?month=2024-07").content.decode()
    assert "O-YJ" not in page
    # Another unit's leader cannot open the appeal at all.
    client.force_login(world["zz_leader"])
    assert client.get(f"/scorecard/appeals/{appeal.pk}/").status_code == 404


def test_only_department_heads_file_appeals(client, world):
    client.force_login(world["auditor"])
    assert client.get(f"/scorecard/appeals/new/{world['yj'].pk}/").status_code == 403
    client.force_login(world["zz_leader"])
    assert client.get(f"/scorecard/appeals/new/{world['yj'].pk}/").status_code == 404


def test_an_incidents_complaint_list_is_paged_and_sortable(client, world):
    d = Incident.objects.get(district_id="TQ1", kind="overload").district
    for i in range(55):
        order(accepted=f"2024-07-{1 + i % 28:02d} {8 + i % 12:02d}:00", city_unit=world["cs"], district_obj=d,
              category="供电质量", subcategory="电压质量长时间异常", detail="低电压", order_no=f"O-MORE-{i:03d}",
              customer=f"CM{i}")
    trace_month(month=dt.date(2024, 7, 1))
    incident = Incident.objects.get(district_id="TQ1", kind="overload")
    client.force_login(world["analyst"])
    page1 = client.get(f"/scorecard/incidents/{incident.pk}/")
    table = page1.context["table"]
    assert table.paginator.count == 56 and len(table.page.object_list) == 50
    assert "共 56 条" in page1.content.decode() and 'href="/orders/O-TRACED/"' in page1.content.decode()
    page2 = client.get(f"/scorecard/incidents/{incident.pk}/?page=2")
    assert len(page2.context["table"].page.object_list) == 6
    newest_first = client.get(f"/scorecard/incidents/{incident.pk}/?sort=-accepted_at").context["table"]
    times = [row.record.accepted_at for row in newest_first.page.object_list]
    assert times == sorted(times, reverse=True)

"""The pages of 核实定责 and 考核扣分: set with a reason, shown apart, itemised, appealable."""
import datetime as dt

import pytest
from django.utils import timezone

from scorecard.accounts.models import AuditLog, User
from scorecard.kpis import services
from scorecard.kpis.models import Appeal, Deduction, DeductionKind, Verification

from tests.fixtures.factories import city, dept, district, order

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 7, 1)


@pytest.fixture
def world():
    cs = city("国网长沙供电公司")
    district("TQ1", cs, customers=5000)
    orders = [order(accepted=f"2024-07-0{i} 10:00", city_unit=cs, order_no=f"O-{i}") for i in (1, 2, 3)]
    analyst = User.objects.create_user("analyst", password="x", role="analyst")
    head = User.objects.create_user("yingxiao", password="x", role="dept_head", org_unit=cs, department=dept("营销"))
    return {"cs": cs, "orders": orders, "analyst": analyst, "head": head}


def _department_page(client, world):
    return client.get(f"/scorecard/unit/{world['cs'].pk}/{dept('营销').code}/?month=2024-07").content.decode()


def test_an_analyst_verifies_a_complaint_and_the_department_page_shows_both_counts(client, world):
    client.force_login(world["analyst"])
    o1 = world["orders"][0]
    page = client.get(f"/scorecard/verify/{o1.pk}/").content.decode()
    assert "投诉核实与定责" in page and "O-1" in page
    resp = client.post(f"/scorecard/verify/{o1.pk}/", {"valid": "属实", "at_fault": "无责", "reason": ""})
    assert resp.status_code == 200 and not Verification.objects.exists()  # the reason is required
    resp = client.post(f"/scorecard/verify/{o1.pk}/", {"valid": "属实", "at_fault": "无责", "reason": "政策性原因"})
    assert resp.status_code == 302
    assert Verification.objects.get(work_order=o1).at_fault == "无责"
    assert AuditLog.objects.filter(action="complaint.verify", user=world["analyst"]).exists()
    page = _department_page(client, world)
    assert "受理口径投诉 3 · 考核口径投诉 2 · 剔除：无责 1" in page
    assert f"/scorecard/verify/{o1.pk}/" in page  # the analyst's 核实定责 link on each row


def test_a_department_head_cannot_verify(client, world):
    client.force_login(world["head"])
    assert client.get(f"/scorecard/verify/{world['orders'][0].pk}/").status_code == 403
    assert f"/scorecard/verify/{world['orders'][0].pk}/" not in _department_page(client, world)


def test_deductions_are_entered_on_their_page_and_itemised_on_the_department_page(client, world):
    client.force_login(world["analyst"])
    page = client.get("/scorecard/deductions/?month=2024-07").content.decode()
    assert "录入扣分事件" in page and "本月没有考核扣分事件" in page
    kind = DeductionKind.objects.get(code="shengji")
    resp = client.post("/scorecard/deductions/new/", {
        "event_no": "KF-7", "kind": kind.pk, "city": world["cs"].pk, "department": dept("营销").pk,
        "occurred_on": "2024-07-12", "points": "", "order_no": "O-2", "description": "12345转办投诉",
        "evidence": "市政府转办单"})
    assert resp.status_code == 302
    event = Deduction.objects.get(event_no="KF-7")
    assert (event.points, event.work_order.order_no, event.entered_by) == (2, "O-2", world["analyst"])
    resp = client.post("/scorecard/deductions/new/", {
        "event_no": "KF-8", "kind": kind.pk, "city": world["cs"].pk, "department": dept("营销").pk,
        "occurred_on": "2024-07-12", "order_no": "O-404", "description": "x"}, follow=True)
    assert "没有工单编号为 O-404 的工单" in resp.content.decode()
    page = _department_page(client, world)
    assert "KF-7" in page and "升级投诉" in page and "12345转办投诉" in page
    assert "− 考核扣分 2.00 =" in page
    csv = client.get("/scorecard/deductions/?month=2024-07&export=csv").content.decode("utf-8-sig")
    assert "KF-7" in csv and "12345转办投诉" in csv
    export = client.get("/scorecard/?month=2024-07&table=departments&export=csv").content.decode("utf-8-sig")
    header = export.splitlines()[0].split(",")
    assert {"指标得分", "考核扣分", "扣分明细"} <= set(header)
    assert "KF-7 升级投诉 −2.00：12345转办投诉" in export  # itemised with its reason
    assert "扣分明细" not in client.get("/scorecard/?month=2024-07").content.decode()  # the page links instead


def test_a_department_head_appeals_for_not_at_fault_and_a_deduction_through_the_pages(client, world):
    services.open_draft(month=MONTH, at=timezone.now())
    event = services.record_deduction(
        user=world["analyst"], event_no="KF-1", kind=DeductionKind.objects.get(code="media"), city=world["cs"],
        department=dept("营销"), occurred_on=dt.date(2024, 7, 3), description="媒体曝光")
    client.force_login(world["head"])
    o1 = world["orders"][0]
    page = client.get(f"/scorecard/appeals/new/{o1.pk}/").content.decode()
    assert "认定无责" in page and "认定不属实" in page
    resp = client.post(f"/scorecard/appeals/new/{o1.pk}/", {"kind": "not_at_fault", "reason": "附物价政策文件"})
    assert resp.status_code == 302
    appeal = Appeal.objects.get(work_order=o1)
    assert appeal.kind == "not_at_fault" and appeal.to_department is None
    assert f"/scorecard/appeals/new/deduction/{event.pk}/" in client.get(
        "/scorecard/deductions/?month=2024-07").content.decode()
    resp = client.post(f"/scorecard/appeals/new/deduction/{event.pk}/", {"reason": "报道与事实不符，附更正声明"})
    assert resp.status_code == 302
    detail = client.get(resp["Location"]).content.decode()
    assert "撤销考核扣分" in detail and "KF-1" in detail
    client.force_login(world["analyst"])
    inbox = client.get("/scorecard/appeals/").content.decode()
    assert "认定无责" in inbox and "KF-1" in inbox


def test_a_second_appeal_on_the_same_complaint_or_deduction_says_why_once(client, world):
    services.open_draft(month=MONTH, at=timezone.now())
    event = services.record_deduction(
        user=world["analyst"], event_no="KF-2", kind=DeductionKind.objects.get(code="media"), city=world["cs"],
        department=dept("营销"), occurred_on=dt.date(2024, 7, 3), description="媒体曝光")
    client.force_login(world["head"])
    o1 = world["orders"][0]
    for url, data in ((f"/scorecard/appeals/new/{o1.pk}/", {"kind": "not_at_fault", "reason": "附政策文件"}),
                      (f"/scorecard/appeals/new/deduction/{event.pk}/", {"reason": "报道与事实不符"})):
        assert client.post(url, data).status_code == 302
        again = client.post(url, data)
        assert again.status_code == 200
        # The form's non-field error was printed twice (once by the template, once by as_div).
        assert again.content.decode().count("已有待处理的申诉") == 1
    assert Appeal.objects.count() == 2

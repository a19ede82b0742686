"""County scope, masking and incident lists (issue #15, findings 4, 5 and 6): a county leader sees their
county's appeals, complaints and lists only; phone numbers of any length and phone-like runs in free text
are masked outside the analyst role; an incident shows a department head only their department's orders."""
import pytest
from django.test import Client
from django.urls import reverse

from scorecard.accounts import scoping
from scorecard.accounts.models import User
from scorecard.complaints.models import Customer, WorkOrder
from scorecard.core.exports import read_rows
from scorecard.grid.models import OrgUnit
from scorecard.kpis import selectors
from scorecard.kpis.models import Appeal, IncidentComplaint
from tests.fixtures.factories import order

from tests.fixtures.world import MONTH, PASSWORD

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def counties(world):
    mine = OrgUnit.objects.create(name="长沙县供电公司", level="county", parent=world.a)
    other = OrgUnit.objects.create(name="望城区供电公司", level="county", parent=world.a)
    orders = {}
    for name, county in (("O-MINE", mine), ("O-OTHER", other)):
        orders[name] = order(accepted="2024-07-10 09:00", city_unit=world.a, order_no=name, customer=f"C-{name}",
                             category="供电质量", subcategory="电压质量长时间异常", detail="低电压")
        WorkOrder.objects.filter(pk=orders[name].pk).update(county=county)
    appeals = {name: Appeal.objects.create(work_order=wo, month=MONTH, city=world.a, from_department=world.yj,
                                           to_department=world.yx, reason=f"申诉 {name}",
                                           filed_by=world.users["dept_head"])
               for name, wo in orders.items()}
    leader = User.objects.create_user("county-leader-15", password=PASSWORD, role="leader", org_unit=mine)
    return {"mine": mine, "other": other, "orders": orders, "appeals": appeals, "leader": leader}


def test_a_county_leader_sees_their_countys_appeals_only(world, counties):
    client = as_user(counties["leader"])
    inbox = client.get("/scorecard/appeals/", {"status": "all"})
    assert inbox.status_code == 200
    listed = {row.record.work_order.order_no for row in inbox.context["table"].rows}
    assert listed == {"O-MINE"}  # not O-OTHER, nor the city's appeal on O-A-YJ (no county)
    export = client.get("/scorecard/appeals/", {"status": "all", "export": "csv"})
    text = export.content.decode("utf-8-sig")
    assert "O-MINE" in text and "O-OTHER" not in text and "O-A-YJ" not in text
    assert client.get(reverse("kpis:appeal", args=[counties["appeals"]["O-MINE"].pk])).status_code == 200
    assert client.get(reverse("kpis:appeal", args=[counties["appeals"]["O-OTHER"].pk])).status_code == 404
    assert client.get(reverse("kpis:appeal", args=[world.appeal_a.pk])).status_code == 404
    # The city leader still sees all of the city's.
    city_inbox = as_user(world.users["leader"]).get("/scorecard/appeals/", {"status": "all"})
    assert {r.record.work_order.order_no for r in city_inbox.context["table"].rows} >= {"O-MINE", "O-OTHER", "O-A-YJ"}


def test_a_county_leader_gets_their_county_in_every_list(world, counties):
    client = as_user(counties["leader"])
    orders = client.get("/analysis/orders/", {"month": "2024-07"})
    assert {r.record.order_no for r in orders.context["table"].rows} == {"O-MINE"}
    csv = read_rows(client.get("/analysis/orders/", {"month": "2024-07", "_export": "csv"}).content, "csv")
    assert [r[0] for r in csv[1:]] == ["O-MINE"]
    assert client.get("/analysis/", {"month": "2024-07"}).context["unit"] == counties["mine"]
    assert client.get("/orders/O-MINE/").status_code == 200
    assert client.get("/orders/O-OTHER/").status_code == 404
    assert len(client.get("/scorecard/incidents/", {"month": "2024-07"}).context["table"].rows) == 0
    for url in ["/", "/scorecard/?month=2024-07", "/analysis/?month=2024-07", "/scorecard/incidents/?month=2024-07"]:
        page = client.get(url)
        assert page.status_code == 200 and "O-OTHER" not in page.content.decode(), url


def test_a_county_leaders_department_page_lists_their_county_and_no_draft_city_figures(world, counties):
    client = as_user(counties["leader"])
    page = client.get(f"/scorecard/unit/{world.a.pk}/yj/", {"month": "2024-07"}).content.decode()
    assert "O-MINE" in page and "O-OTHER" not in page and "O-A-YJ" not in page
    # The draft month's city × department figures sum up the other counties: not shown, nor in the ranking.
    assert client.get("/scorecard/", {"month": "2024-07"}).status_code == 200
    card = selectors.scorecard_page(month=MONTH, viewer=counties["leader"])
    assert card["units"] == [] and card["departments"] == []
    assert selectors.department_row_for_viewer(month=MONTH, city=world.a, department=world.yj,
                                               viewer=counties["leader"]) is None
    assert selectors.department_row_for_viewer(month=MONTH, city=world.a, department=world.yj,
                                               viewer=world.users["leader"]) is not None


def test_phone_numbers_of_any_length_are_masked():
    assert scoping.mask_phone("13812341234") == "*******1234"
    assert scoping.mask_phone("8456123") == "***6123"  # a 7-digit landline no longer shows whole
    assert scoping.mask_phone("84561234") == "****1234"  # an 8-digit one no longer 7 of 8
    assert scoping.mask_phone("12345") == "****5" and scoping.mask_phone("123") == "***"
    assert scoping.mask_phone("") == ""
    assert scoping.mask_text("电话13912345678，座机 0731-8456123，编号12") == "电话*******5678，座机 *******6123，编号12"
    # Record codes are not phone numbers: an order number or a 台区 code stays readable.
    assert scoping.mask_text("工单GD202611000142重复，台区TQ00012345，电话13912345678") == (
        "工单GD202611000142重复，台区TQ00012345，电话*******5678")


def test_notes_are_masked_outside_the_analyst_role(world):
    Customer.objects.filter(customer_no="CA1").update(sensitive=True, sensitive_note="电话13912345678")
    analyst = as_user(world.users["analyst"]).get("/analysis/orders/", {"customer": "CA1"}).content.decode()
    assert "电话13912345678" in analyst
    for role in ("dept_head", "leader", "auditor"):
        client = as_user(world.users[role])
        for url, params in [("/analysis/orders/", {"customer": "CA1"}), ("/analysis/", {"month": "2024-07"})]:
            page = client.get(url, params).content.decode()
            assert "13912345678" not in page, (role, url)
        assert "*******5678" in client.get("/analysis/orders/", {"customer": "CA1"}).content.decode(), role
    Appeal.objects.filter(pk=world.appeal_a.pk).update(reason="客户电话 13912345678 说明属于调控")
    head = as_user(world.users["dept_head"]).get(reverse("kpis:appeal", args=[world.appeal_a.pk])).content.decode()
    assert "13912345678" not in head and "*******5678" in head
    full = as_user(world.users["analyst"]).get(reverse("kpis:appeal", args=[world.appeal_a.pk])).content.decode()
    assert "13912345678" in full


def test_an_incident_lists_a_department_head_only_their_departments_orders(world):
    WorkOrder.objects.filter(pk=world.order_a_yx.pk).update(responsible_dept=world.yx)  # imported: 营销
    IncidentComplaint.objects.create(work_order=world.order_a_yx, incident=world.incident_a)
    url = reverse("kpis:incident", args=[world.incident_a.pk])
    head = as_user(world.users["dept_head"]).get(url)
    assert [row.record.order_no for row in head.context["table"].paginated_rows] == ["O-A-YJ"]
    page = head.content.decode()
    assert "O-A-YX" not in page and head.context["other_count"] == 1 and "另有 1 件" in page
    analyst = as_user(world.users["analyst"]).get(url)
    assert sorted(row.record.order_no for row in analyst.context["table"].paginated_rows) == ["O-A-YJ", "O-A-YX"]
    assert analyst.context["other_count"] == 0

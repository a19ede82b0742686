"""The work-order detail page (/orders/<order_no>/) and the search, for every role, with scoping and masking."""
import pytest
from django.urls import reverse

from scorecard.accounts.models import AuditLog
from scorecard.complaints.models import WorkOrder
from scorecard.kpis.models import Appeal, Deduction
from tests.fixtures.factories import order

pytestmark = pytest.mark.django_db


def detail(no: str) -> str:
    return reverse("orders:detail", args=[no])


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_it_shows_every_field_the_timeline_sla_attribution_incident_and_appeal_to_an_analyst(client, world):
    WorkOrder.objects.filter(pk=world.order_a.pk).update(content="电压低，联系13900001111。")
    resp = page(client, world.users["analyst"], detail("O-A-YJ"))
    assert resp.status_code == 200
    html = resp.content.decode()
    for text in ("O-A-YJ", "张三丰", "13900001111", "电压低，联系13900001111。", "国网长沙供电公司", "TQA01",
                 "供电质量", "电压质量长时间异常", "低电压", "受理", "派单", "接单", "办结", "回访"):
        assert text in html, text
    ctx = resp.context
    assert ctx["attribution"]["department"] == "运检" and ctx["attribution"]["rule"] == "traced"
    assert ctx["attribution"]["rule_label"] == "供电瓶颈溯源" and "低电压" in ctx["attribution"]["reason"]
    assert ctx["incident"] == world.incident_a and reverse("kpis:incident", args=[world.incident_a.pk]) in html
    # 2024-07-05 (Fri) 10:00 + 4 working days (投诉 SLA) = Thu 2024-07-11 10:00; still open, so not on time.
    assert ctx["sla"]["deadline"].strftime("%Y-%m-%d %H:%M") == "2024-07-11 10:00"
    assert ctx["sla"]["on_time"] is False and "2024-07-11 10:00" in html
    assert [a.pk for a in ctx["appeals"]] == [world.appeal_a.pk]
    assert reverse("kpis:appeal", args=[world.appeal_a.pk]) in html


def test_it_gives_durations_between_the_steps_and_judges_the_deadline(client, world):
    o = order(accepted="2024-07-05 10:00", city_unit=world.a, dispatched="2024-07-05 10:30",
              acknowledged="2024-07-05 11:15", closed="2024-07-08 09:00", satisfaction="满意", order_no="O-A-DONE")
    resp = page(client, world.users["analyst"], detail(o.order_no))
    steps = {s["key"]: s for s in resp.context["timeline"]}
    assert steps["dispatched"]["since_previous"] == "30分"
    assert steps["acknowledged"]["since_previous"] == "45分"
    assert steps["closed"]["since_previous"] == "2天21小时"
    assert steps["visited"]["done"] and steps["visited"]["result"] == "满意"
    sla = resp.context["sla"]
    assert sla["on_time"] is True and sla["ack_in_time"] is True
    assert "按时办结" in resp.content.decode()


def test_a_department_head_sees_their_complaint_masked(client, world):
    WorkOrder.objects.filter(pk=world.order_a.pk).update(content="电压低，联系13900001111。")
    resp = page(client, world.users["dept_head"], detail("O-A-YJ"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "张三丰" not in html and "张**" in html
    assert "13900001111" not in html and "*******1111" in html


@pytest.mark.parametrize("role, order_no, status", [
    ("dept_head", "O-A-YX", 404),  # their city, another department's complaint
    ("dept_head", "O-B-YJ", 404),  # another city
    ("leader", "O-B-YJ", 404),
    ("leader", "O-A-YX", 200),
    ("auditor", "O-B-YJ", 200),
    ("admin", "O-B-YJ", 200),
    ("analyst", "NO-SUCH-ORDER", 404),
])
def test_it_answers_404_outside_the_scope(client, world, role, order_no, status):
    assert page(client, world.users[role], detail(order_no)).status_code == status


def test_a_department_head_of_another_unit_gets_404_and_it_is_audited(client, world):
    before = AuditLog.objects.filter(action="access_denied").count()
    assert page(client, world.head_b, detail("O-A-YJ")).status_code == 404
    assert AuditLog.objects.filter(action="access_denied").count() == before + 1


def test_order_numbers_with_slashes_and_spaces_resolve(client, world):
    o = order(accepted="2024-07-09 10:00", city_unit=world.a, order_no="GD/2024/07 0001")
    url = detail(o.order_no)
    assert url == "/orders/GD/2024/07%200001/"
    assert page(client, world.users["analyst"], url).context["order"] == o


def test_the_order_table_and_the_appeal_pages_link_to_the_detail_page(client, world):
    client.force_login(world.users["analyst"])
    html = client.get(reverse("analysis:orders"), {"month": "2024-07"}).content.decode()
    assert f'href="{detail("O-A-YJ")}"' in html
    html = client.get(reverse("kpis:appeals"), {"status": "all"}).content.decode()
    assert f'href="{detail("O-A-YJ")}"' in html
    html = client.get(reverse("kpis:appeal", args=[world.appeal_a.pk])).content.decode()
    assert f'href="{detail("O-A-YJ")}"' in html
    html = client.get(reverse("kpis:incident", args=[world.incident_a.pk])).content.decode()
    assert f'href="{detail("O-A-YJ")}"' in html


def test_reading_the_detail_page_writes_nothing(client, world):
    client.force_login(world.users["analyst"])
    before = AuditLog.objects.count()
    assert client.get(detail("O-A-YJ")).status_code == 200
    assert AuditLog.objects.count() == before


# --- search ---------------------------------------------------------------------------------------------

def rows(resp) -> list[str]:
    return [r.record.order_no for r in resp.context["table"].page.object_list] if "table" in resp.context else []


def test_an_exact_order_number_opens_the_order(client, world):
    resp = page(client, world.users["leader"], reverse("orders:search"), q=" O-A-YJ ")
    assert resp.status_code == 302 and resp["Location"] == detail("O-A-YJ")


def test_search_finds_by_customer_number_and_district_code_or_name(client, world):
    analyst = world.users["analyst"]
    assert rows(page(client, analyst, reverse("orders:search"), q="CA1")) == ["O-A-YJ"]
    assert rows(page(client, analyst, reverse("orders:search"), q="TQA01")) == ["O-A-YJ"]
    assert rows(page(client, analyst, reverse("orders:search"), q="TQB01台区")) == ["O-B-YJ"]
    assert sorted(rows(page(client, analyst, reverse("orders:search"), q="台区"))) == ["O-A-YJ", "O-B-YJ"]
    assert rows(page(client, analyst, reverse("orders:search"), q="O-A")) == []  # short: exact matches only
    assert rows(page(client, analyst, reverse("orders:search"), q="")) == []


@pytest.mark.parametrize("role", ["leader", "dept_head"])
def test_search_is_scoped(client, world, role):
    user = world.users[role]
    resp = page(client, user, reverse("orders:search"), q="O-B-YJ")
    assert resp.status_code == 200 and rows(resp) == []  # another city's order: no redirect, no row
    assert rows(page(client, user, reverse("orders:search"), q="CB1")) == []
    assert rows(page(client, user, reverse("orders:search"), q="台区")) == ["O-A-YJ"]
    assert "O-B-YJ" not in page(client, user, reverse("orders:search"), q="台区").content.decode()


def test_a_department_head_finds_only_their_departments_complaints(client, world):
    head = world.users["dept_head"]  # 运检 of city A: O-A-YX (营销) is not theirs
    resp = page(client, head, reverse("orders:search"), q="O-A-YX")
    assert resp.status_code == 200 and rows(resp) == []
    assert rows(page(client, head, reverse("orders:search"), q="CA2")) == []


def test_the_top_bar_has_the_search_box(client, world):
    html = page(client, world.users["auditor"], reverse("home")).content.decode()
    assert f'action="{reverse("orders:search")}"' in html and 'name="q"' in html


def test_appeal_reasons_are_masked_outside_the_analyst_role(client, world):
    Appeal.objects.filter(pk=world.appeal_a.pk).update(reason="客户电话13900001111说属于调控")
    html = page(client, world.users["dept_head"], detail("O-A-YJ")).content.decode()
    assert "13900001111" not in html and "属于调控" in html
    html = page(client, world.users["analyst"], detail("O-A-YJ")).content.decode()
    assert "客户电话13900001111说属于调控" in html


def test_it_shows_the_verification_and_whether_the_complaint_counts(client, world):
    WorkOrder.objects.filter(pk=world.order_a.pk).update(valid="属实", at_fault="无责")
    resp = page(client, world.users["leader"], detail("O-A-YJ"))
    assert resp.context["verification"] == {"valid": "属实", "at_fault": "无责", "downgraded": False,
                                            "from_portal": False, "counted": False}
    assert "不计入考核口径" in resp.content.decode()


def test_a_deduction_appeal_links_no_order_and_a_deduction_links_its_order(client, world):
    Deduction.objects.filter(pk=world.deduction_a.pk).update(work_order=world.order_a)
    appeal = Appeal.objects.create(kind="deduction", deduction=world.deduction_a, month=world.appeal_a.month,
                                   city=world.a, from_department=world.yj, reason="不属实", filed_by=world.users["dept_head"])
    client.force_login(world.users["analyst"])
    html = client.get(reverse("kpis:appeals"), {"status": "all"}).content.decode()
    assert reverse("orders:detail", args=["KF-A-1"]) not in html and "KF-A-1" in html
    assert reverse("kpis:appeal", args=[appeal.pk]) in html
    html = client.get(reverse("kpis:deductions"), {"month": "2024-07"}).content.decode()
    assert f'href="{detail("O-A-YJ")}"' in html

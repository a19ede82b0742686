"""The 预警工单 pages (issue #18): issuing from the risk list's link, the assignee's buttons (POST, CSRF),
403 for the wrong role and 404 outside the scope, the list's filters and pages, the hit/miss shown."""
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scorecard.kpis.models import ReportingMonth, WarningOrder
from tests.fixtures.factories import order
from tests.kpis.test_warning_services import JUNE, build, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build()


def client(user, **kw) -> Client:
    c = Client(**kw)
    c.force_login(user)
    return c


def test_issue_from_the_risk_list_link_then_work_it_through_the_pages(w):
    analyst = client(w.analyst)
    form = analyst.get(reverse("kpis:warning_create") + "?district=TQW01&month=2024-06")
    page = form.content.decode()
    assert form.status_code == 200 and 'value="TQW01"' in page and 'value="2024-06"' in page
    assert "风险清单第 1 位" in page and "近3月负载率上升至96%" in page
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    resp = analyst.post(reverse("kpis:warning_create"), {
        "district": "TQW01", "month": "2024-06", "due_on": due, "department": "yj", "manager_name": "王五",
        "manager_staff_no": "HN0042", "note": "重点关注晚高峰"})
    warning = WarningOrder.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("kpis:warning", args=[warning.pk])
    detail = reverse("kpis:warning", args=[warning.pk])
    # The analyst sees it but has no buttons; the station's leader has the one that comes next.
    assert "确认接收" not in analyst.get(detail).content.decode()
    leader = client(w.station_leader, enforce_csrf_checks=True)
    page = leader.get(detail).content.decode()
    assert "确认接收" in page and "记录处理措施" not in page and "王五（工号 HN0042）" in page
    token = leader.cookies["csrftoken"].value
    # Without the CSRF token the POST is refused.
    assert leader.post(reverse("kpis:warning_acknowledge", args=[warning.pk])).status_code == 403
    assert leader.post(reverse("kpis:warning_acknowledge", args=[warning.pk]),
                       {"csrfmiddlewaretoken": token}).status_code == 302
    page = leader.get(detail).content.decode()
    assert "确认接收" not in page and "记录处理措施" in page and "记录至少一项处理措施后可办结" in page
    leader.post(reverse("kpis:warning_action", args=[warning.pk]),
                {"csrfmiddlewaretoken": token, "kind": "visit", "text": "走访12户，说明晚高峰限负荷安排"})
    leader.post(reverse("kpis:warning_close", args=[warning.pk]),
                {"csrfmiddlewaretoken": token, "outcome": "客户已知悉，未再来电"})
    warning.refresh_from_db()
    assert (warning.status, warning.outcome) == ("done", "客户已知悉，未再来电")
    page = leader.get(detail).content.decode()
    assert "客户走访" in page and "走访12户" in page and "办结" in page and "确认接收" not in page
    assert "待当月数据" in page


def test_an_invalid_action_is_reported_not_saved(w):
    warning = issue(w)
    c = client(w.head)
    c.post(reverse("kpis:warning_acknowledge", args=[warning.pk]))
    resp = c.post(reverse("kpis:warning_action", args=[warning.pk]), {"kind": "patrol", "text": ""}, follow=True)
    assert "请选择措施类型并填写措施内容" in resp.content.decode() and not warning.actions.exists()
    resp = c.post(reverse("kpis:warning_close", args=[warning.pk]), {"outcome": "完成"}, follow=True)
    assert "办结前请至少记录一项处理措施" in resp.content.decode()


@pytest.mark.parametrize("who,status", [("analyst", 403), ("city_leader", 403), ("other_station_leader", 404),
                                        ("head_yx", 404), ("head_b", 404)])
def test_the_wrong_role_gets_403_and_another_unit_404(w, who, status):
    warning = issue(w)
    c = client(getattr(w, who))
    for name in ("kpis:warning_acknowledge", "kpis:warning_action", "kpis:warning_close"):
        assert c.post(reverse(name, args=[warning.pk]), {"kind": "patrol", "text": "x", "outcome": "x"}).status_code \
            == status, name
    assert WarningOrder.objects.get().status == "pending"
    if status == 404:
        assert c.get(reverse("kpis:warning", args=[warning.pk])).status_code == 404


def test_only_analysts_open_the_issuing_form(w):
    for user in (w.station_leader, w.head, w.city_leader):
        assert client(user).get(reverse("kpis:warning_create")).status_code == 403


def test_the_list_is_scoped_filtered_and_paged(w):
    issue(w), issue(w, w.tq2), issue(w, w.tqb)
    url = reverse("kpis:warnings")

    def codes(user, query=""):
        page = client(user).get(url + query).content.decode()
        return {c for c in ("TQW01", "TQW02", "TQW03", "TQB01") if f">{c}</a>" in page}

    assert codes(w.analyst) == {"TQW01", "TQW02", "TQB01"}
    assert codes(w.analyst, f"?city={w.b.pk}") == {"TQB01"}
    assert codes(w.analyst, f"?station={w.station.pk}") == {"TQW01", "TQW02"}
    assert codes(w.station_leader) == {"TQW01", "TQW02"}
    assert codes(w.station_leader, f"?city={w.b.pk}") == set()        # a filter never widens the scope
    assert codes(w.head_b) == {"TQB01"}
    WarningOrder.objects.filter(district_id="TQW02").update(status="escalated")
    assert codes(w.analyst, "?status=escalated") == {"TQW02"}
    # 51 orders: two pages of 50.
    WarningOrder.objects.bulk_create([WarningOrder(
        month=dt.date(2023, m, 1), district=d, city=d.city, department=w.yj, due_on=dt.date(2023, m, 20),
        created_by=w.analyst, created_at=timezone.now()) for m in range(1, 13) for d in (w.tq1, w.tq2, w.tq3, w.tqb)])
    first = client(w.analyst).get(url).content.decode()
    assert "共 51 张" in first and "1 / 2" in first
    assert "2 / 2" in client(w.analyst).get(url + "?page=2").content.decode()


def test_the_hit_shows_once_the_month_has_data(w):
    warning = issue(w)
    for customer in ("K1", "K2"):
        order(accepted="2024-06-10 10:00", city_unit=w.a, district_obj=w.tq1, customer=customer)
    detail = reverse("kpis:warning", args=[warning.pk])
    assert "待当月数据" in client(w.analyst).get(detail).content.decode()
    ReportingMonth.objects.create(month=JUNE, cutoff_at=timezone.now())
    page = client(w.analyst).get(detail).content.decode()
    assert "命中" in page and "当月投诉2件，涉及客户2户" in page
    assert "命中" in client(w.analyst).get(reverse("kpis:warnings")).content.decode()


def test_the_form_prefills_the_station_and_the_manager_in_office_for_the_month(w):
    from scorecard.grid.models import DistrictManagerAssignment

    # 李四 until June 20th, then 王五: June's manager is the one in office on its last day (王五).
    DistrictManagerAssignment.objects.create(district=w.tq1, name="李四", staff_no="HN0001",
                                             valid_from=dt.date(2023, 1, 1), valid_to=dt.date(2024, 6, 20))
    DistrictManagerAssignment.objects.create(district=w.tq1, name="王五", staff_no="HN0042",
                                             valid_from=dt.date(2024, 6, 20))
    DistrictManagerAssignment.objects.create(district=w.tq2, name="赵六", staff_no="HN0077",
                                             valid_from=dt.date(2024, 7, 1))
    analyst = client(w.analyst)
    url = reverse("kpis:warning_create")
    page = analyst.get(url + "?district=TQW01&month=2024-06").content.decode()
    assert 'name="manager_name" value="王五"' in page and 'name="manager_staff_no" value="HN0042"' in page
    assert "接收单位：丁字供电所" in page and "2024-06-20 起任职" in page and "李四" not in page
    # May: 李四 was in office.
    page = analyst.get(url + "?district=TQW01&month=2024-05").content.decode()
    assert 'name="manager_name" value="李四"' in page and 'value="HN0001"' in page and "王五" not in page
    # TQW02 has nobody until July: nothing prefilled, and the page says so.
    page = analyst.get(url + "?district=TQW02&month=2024-06").content.decode()
    assert "该月无在任台区经理" in page and "赵六" not in page
    assert 'name="manager_name" value=' not in page
    # A 台区 without a station says so; the analyst's own entries are what the order keeps.
    page = analyst.get(url + "?district=TQB01&month=2024-06").content.decode()
    assert "（未关联供电所）" in page
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    analyst.post(url, {"district": "TQW01", "month": "2024-06", "due_on": due, "department": "yj",
                       "manager_name": "王五", "manager_staff_no": "HN0042"})
    order_ = WarningOrder.objects.get()
    assert (order_.station, order_.manager_name, order_.manager_staff_no) == (w.station, "王五", "HN0042")


def test_the_orders_reasons_are_written_in_the_viewers_language_and_old_words_shown_as_they_are(w):
    structured = issue(w)                               # the risk list's codes and figures
    analyst = client(w.analyst)
    analyst.cookies["django_language"] = "en"
    form = analyst.get(reverse("kpis:warning_create") + "?district=TQW01&month=2024-06").content.decode()
    assert "Load rate rising to 96 % over the last 3 months; Same month last year: complaints from 3 customer(s)" in form
    page = analyst.get(reverse("kpis:warning", args=[structured.pk])).content.decode()
    assert "Load rate rising to 96 % over the last 3 months" in page and "近3月负载率上升至96%" not in page
    analyst.cookies["django_language"] = "zh-hans"
    page = analyst.get(reverse("kpis:warning", args=[structured.pk])).content.decode()
    assert "近3月负载率上升至96%；去年同月3户投诉" in page
    # An order issued before reasons were structured kept the Chinese words: shown as they are.
    old = issue(w, w.tq2)
    WarningOrder.objects.filter(pk=old.pk).update(reasons=["近3月最大负载率114%"])
    analyst.cookies["django_language"] = "en"
    assert "近3月最大负载率114%" in analyst.get(reverse("kpis:warning", args=[old.pk])).content.decode()

"""预警工单 (issue #18): issue, acknowledge, act, close, escalate overdue (the beat task itself), who may do
what, the scoping of the reads, and each warning's hit or miss counted from hand-made complaints."""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from scorecard.accounts import scoping
from scorecard.accounts.models import AuditLog, Notification, User
from scorecard.grid.models import OrgUnit
from scorecard.kpis import tasks, warning_selectors, warning_services
from scorecard.kpis.models import ReportingMonth, RiskEntry, RiskList, WarningAction, WarningOrder
from tests.fixtures.factories import city, dept, district, order

pytestmark = pytest.mark.django_db

JUNE = dt.date(2024, 6, 1)
# The entry's reasons as kpis.risk stores them: codes and figures (「近3月负载率上升至96%」「去年同月3户投诉」).
REASONS = [{"code": "load_rising", "value": 96.2}, {"code": "last_year", "customers": 3}]


def build() -> SimpleNamespace:
    a, b = city("国网长沙供电公司"), city("国网株洲供电公司")
    county = OrgUnit.objects.create(name="望城县供电公司", level="county", parent=a)
    station = OrgUnit.objects.create(name="丁字供电所", level="station", parent=county)
    other_station = OrgUnit.objects.create(name="乔口供电所", level="station", parent=county)
    tq1, tq2, tq3 = district("TQW01", a), district("TQW02", a), district("TQW03", a)
    tqb = district("TQB01", b)
    for d in (tq1, tq2, tq3):
        d.county, d.station = county, station
        d.save()
    yj, yx = dept("运检"), dept("营销")

    def user(name, role, unit=None, department=None):
        return User.objects.create_user(name, password="x", role=role, org_unit=unit, department=department)

    w = SimpleNamespace(a=a, b=b, county=county, station=station, tq1=tq1, tq2=tq2, tq3=tq3, tqb=tqb, yj=yj, yx=yx)
    w.analyst = user("w-analyst", "analyst")
    w.station_leader = user("w-station", "leader", station)
    w.other_station_leader = user("w-station2", "leader", other_station)
    w.county_leader = user("w-county", "leader", county)
    w.city_leader = user("w-city", "leader", a)
    w.head = user("w-head", "dept_head", a, yj)
    w.head_yx = user("w-head-yx", "dept_head", a, yx)
    w.head_b = user("w-head-b", "dept_head", b, yj)
    rl = RiskList.objects.create(month=JUNE, data_version=1, model="logistic_regression",
                                 created_at=timezone.now())
    RiskEntry.objects.create(risk_list=rl, district=tq1, rank=1, probability=0.83,
                             reasons=REASONS)
    return w


@pytest.fixture
def w():
    return build()


def issue(w, district=None, **kw):
    return warning_services.create_warning(user=w.analyst, district=district or w.tq1, month=JUNE,
                                           due_on=timezone.localdate() + dt.timedelta(days=7), **kw)


def test_an_analyst_issues_an_order_from_the_risk_list_and_its_assignees_are_told(w):
    order_ = issue(w, manager_name="王五", manager_staff_no="HN0042")
    assert (order_.status, order_.city, order_.county, order_.station, order_.department) == (
        "pending", w.a, w.county, w.station, w.yj)
    # What the risk list said is kept on the order (a recomputed list replaces its entries).
    assert (order_.risk_rank, order_.probability, order_.reasons) == (1, 0.83, REASONS)
    assert (order_.manager_name, order_.manager_staff_no) == ("王五", "HN0042")
    told = set(Notification.objects.filter(kind="warning_assigned").values_list("user__username", flat=True))
    assert told == {"w-station", "w-county", "w-head"}   # not the other station, 营销, city B, the analyst
    assert AuditLog.objects.get(action="warning.create").object_id == str(order_.pk)
    # A 台区 not on the list: no probability; the analyst may name another department.
    other = issue(w, w.tq2, department=w.yx)
    assert (other.risk_rank, other.probability, other.reasons, other.department) == (None, None, [], w.yx)


def test_only_analysts_issue_orders_and_one_per_district_and_month(w):
    for u in (w.station_leader, w.head, w.city_leader):
        with pytest.raises(PermissionDenied):
            warning_services.create_warning(user=u, district=w.tq1, month=JUNE, due_on=timezone.localdate())
    issue(w)
    with pytest.raises(ValidationError, match="已有预警工单"):
        issue(w)
    with pytest.raises(ValidationError, match="处理期限"):
        warning_services.create_warning(user=w.analyst, district=w.tq2, month=JUNE,
                                        due_on=timezone.localdate() - dt.timedelta(days=1))
    assert WarningOrder.objects.count() == 1


def test_the_workflow_acknowledge_act_close(w):
    order_ = issue(w)
    with pytest.raises(ValidationError, match="请先确认"):
        warning_services.record_warning_action(user=w.station_leader, warning=order_, kind="patrol", text="巡视")
    order_ = warning_services.acknowledge_warning(user=w.station_leader, warning=order_)
    assert (order_.status, order_.acknowledged_by) == ("in_progress", w.station_leader)
    with pytest.raises(ValidationError, match="已确认"):
        warning_services.acknowledge_warning(user=w.county_leader, warning=order_)
    with pytest.raises(ValidationError, match="至少记录一项"):
        warning_services.close_warning(user=w.station_leader, warning=order_, outcome="完成")
    with pytest.raises(ValidationError, match="未知措施"):
        warning_services.record_warning_action(user=w.station_leader, warning=order_, kind="dance", text="x")
    warning_services.record_warning_action(user=w.station_leader, warning=order_, kind="patrol",
                                           text="夜间巡视配变，测温正常")
    warning_services.record_warning_action(user=w.head, warning=order_, kind="load", text="割接30户至相邻台区")
    with pytest.raises(ValidationError, match="处理结果"):
        warning_services.close_warning(user=w.station_leader, warning=order_, outcome="  ")
    order_ = warning_services.close_warning(user=w.county_leader, warning=order_, outcome="负载率降至75%")
    assert (order_.status, order_.outcome, order_.closed_by) == ("done", "负载率降至75%", w.county_leader)
    with pytest.raises(ValidationError, match="已办结"):
        warning_services.record_warning_action(user=w.station_leader, warning=order_, kind="visit", text="走访")
    assert [a.get_kind_display() for a in WarningAction.objects.order_by("pk")] == ["巡视", "负荷调整"]
    actions = list(AuditLog.objects.filter(object_type="kpis.warningorder").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["warning.create", "warning.acknowledge", "warning.action", "warning.action", "warning.close"]
    events = [e["what"] for e in warning_selectors.timeline(order_, warning_selectors.warning_actions(order_))]
    assert events[0] == "created" and events[-1] == "closed" and events.count("action") == 2


@pytest.mark.parametrize("who", ["analyst", "other_station_leader", "city_leader", "head_yx", "head_b"])
def test_those_it_is_not_addressed_to_cannot_work_it(w, who):
    order_ = issue(w)
    user = getattr(w, who)
    with pytest.raises(PermissionDenied):
        warning_services.acknowledge_warning(user=user, warning=order_)
    with pytest.raises(PermissionDenied):
        warning_services.record_warning_action(user=user, warning=order_, kind="patrol", text="x")
    with pytest.raises(PermissionDenied):
        warning_services.close_warning(user=user, warning=order_, outcome="x")
    assert WarningOrder.objects.get().status == "pending"


def test_the_daily_task_escalates_overdue_orders_to_the_department_head_once(w):
    late, acked, on_time = issue(w), issue(w, w.tq2), issue(w, w.tq3)
    warning_services.acknowledge_warning(user=w.station_leader, warning=acked)
    done = issue(w, w.tqb)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    WarningOrder.objects.filter(pk__in=[late.pk, acked.pk, done.pk]).update(due_on=yesterday)
    WarningOrder.objects.filter(pk=done.pk).update(status="done", closed_at=timezone.now(), outcome="已处理")
    Notification.objects.all().delete()

    assert tasks.escalate_overdue_warnings.run() == 2     # the beat task, as the worker runs it
    status = dict(WarningOrder.objects.values_list("district_id", "status"))
    assert status == {"TQW01": "escalated", "TQW02": "escalated", "TQW03": "pending", "TQB01": "done"}
    note = Notification.objects.get()
    assert (note.user, note.kind, note.title) == (w.head, "warning_escalated", "2 张预警工单已逾期")
    assert "TQW01" in note.body and "未确认" in note.body and "已确认未办结" in note.body
    assert AuditLog.objects.filter(action="warning.escalate").count() == 2
    # Each order escalates once; an escalated order can still be acknowledged, worked and closed.
    assert tasks.escalate_overdue_warnings.run() == 0 and Notification.objects.count() == 1
    late = warning_services.acknowledge_warning(user=w.head, warning=WarningOrder.objects.get(pk=late.pk))
    assert late.status == "escalated" and late.acknowledged_at is not None
    warning_services.record_warning_action(user=w.head, warning=late, kind="retrofit", text="申请配变增容")
    assert warning_services.close_warning(user=w.head, warning=late, outcome="已列入改造计划").status == "done"
    beat = PeriodicTask.objects.select_related("crontab").get(task="kpis.escalate_overdue_warnings")
    assert (beat.enabled, beat.crontab.hour, beat.crontab.minute, beat.crontab.day_of_month,
            str(beat.crontab.timezone)) == (True, "8", "30", "*", "Asia/Shanghai")


def test_the_reads_are_scoped(w):
    mine, theirs = issue(w), issue(w, w.tqb)
    other_dept = issue(w, w.tq2, department=w.yx)

    def listed(user):
        return set(warning_selectors.warning_list(viewer=user).values_list("district_id", flat=True))

    assert listed(w.analyst) == {"TQW01", "TQW02", "TQB01"}
    assert listed(w.city_leader) == listed(w.county_leader) == listed(w.station_leader) == {"TQW01", "TQW02"}
    assert listed(w.other_station_leader) == set()
    assert listed(w.head) == {"TQW01"} and listed(w.head_yx) == {"TQW02"} and listed(w.head_b) == {"TQB01"}
    assert listed(w.analyst) >= set(warning_selectors.warning_list(viewer=w.analyst, status="pending", city_id=w.b.pk)
                                    .values_list("district_id", flat=True)) == {"TQB01"}
    assert warning_selectors.warning_for_viewer(pk=mine.pk, viewer=w.station_leader) == mine
    for user, pk in ((w.head_b, mine.pk), (w.station_leader, theirs.pk), (w.head, other_dept.pk),
                     (w.other_station_leader, mine.pk)):
        with pytest.raises(scoping.ScopeDenied):
            warning_selectors.warning_for_viewer(pk=pk, viewer=user)


def test_hit_or_miss_is_the_districts_actual_complaints_in_the_month(w):
    hit, miss, quiet = issue(w), issue(w, w.tq2), issue(w, w.tq3)
    # TQW01: 3 complaints from 2 customers in June → a hotspot (≥ 2 customers), a hit.
    for customer, day in (("K1", "05"), ("K1", "12"), ("K2", "20")):
        order(accepted=f"2024-06-{day} 10:00", city_unit=w.a, district_obj=w.tq1, customer=customer)
    # TQW02: two complaints of one customer in June (a miss); May's complaint and June's inquiry do not count.
    order(accepted="2024-06-03 09:00", city_unit=w.a, district_obj=w.tq2, customer="K3")
    order(accepted="2024-06-30 23:59", city_unit=w.a, district_obj=w.tq2, customer="K3")
    order(accepted="2024-05-31 23:59", city_unit=w.a, district_obj=w.tq2, customer="K4")
    order(accepted="2024-06-15 10:00", city_unit=w.a, district_obj=w.tq2, customer="K5", business_type="咨询",
          category=None, subcategory=None)
    orders = [hit, miss, quiet]
    # June's data is not known to be complete yet: counted, not judged.
    pending = warning_selectors.outcomes(orders)
    assert [(o.known, o.complaints, o.customers, o.hit) for o in pending.values()] == [
        (False, 3, 2, None), (False, 2, 1, None), (False, 0, 0, None)]
    ReportingMonth.objects.create(month=JUNE, cutoff_at=timezone.now())   # 数据截止 of June
    judged = warning_selectors.outcomes(orders)
    assert [(judged[o.pk].complaints, judged[o.pk].customers, judged[o.pk].hit) for o in orders] == [
        (3, 2, True), (2, 1, False), (0, 0, False)]


def test_a_later_months_complaints_also_complete_the_month(w):
    order_ = issue(w)
    order(accepted="2024-06-05 10:00", city_unit=w.a, district_obj=w.tq1, customer="K1")
    assert not warning_selectors.month_has_data(JUNE)
    order(accepted="2024-07-01 00:10", city_unit=w.b, district_obj=w.tqb, customer="K9")
    assert warning_selectors.month_has_data(JUNE)
    assert warning_selectors.outcomes([order_])[order_.pk].hit is False

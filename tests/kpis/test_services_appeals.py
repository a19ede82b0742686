"""Appeals move complaints between departments; published months never move."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from scorecard.accounts.models import AuditLog, User
from scorecard.complaints.models import WorkOrder
from scorecard.kpis import services
from scorecard.kpis.models import Appeal
from scorecard.kpis.selectors import scorecard_for_month, trace_for_month

from tests.fixtures.factories import city, dept, district, local, order, reading
from tests.fixtures.readouts import dept_row

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 7, 1)


@pytest.fixture
def world():
    cs = city("国网长沙供电公司")
    d = district("TQ1", cs)
    reading(d, "2024-07", load=110)  # overload without project → 发展
    outage_c = order(accepted="2024-07-05 10:00", city_unit=cs, category="供电质量", subcategory="频繁停电",
                     order_no="O-1")  # no 台区 → default table → 运检
    order(accepted="2024-07-06 10:00", city_unit=cs, order_no="O-2")  # 服务 → 营销
    head = User.objects.create_user("yunjian", password="x", role="dept_head", org_unit=cs, department=dept("运检"))
    other = User.objects.create_user("yingxiao", password="x", role="dept_head", org_unit=cs,
                                     department=dept("营销"))
    analyst = User.objects.create_user("analyst", password="x", role="analyst")
    return {"cs": cs, "order": outage_c, "head": head, "other": other, "analyst": analyst}


def test_no_appeal_before_the_draft_or_after_the_window(world):
    with pytest.raises(ValidationError, match="尚未生成"):
        services.file_appeal(user=world["head"], order=world["order"], to_department=dept("调控"), reason="计划停电")
    # Draft on Friday 2024-08-02 10:00: five working days → Fri 2024-08-09 10:00.
    rm = services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    assert rm.appeal_deadline == local("2024-08-09 10:00")
    with pytest.raises(ValidationError, match="申诉期已于"):
        services.file_appeal(user=world["head"], order=world["order"], to_department=dept("调控"), reason="计划停电",
                             now=local("2024-08-09 10:01"))


def test_only_the_department_answering_for_it_may_appeal(world):
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    with pytest.raises(PermissionDenied):
        services.file_appeal(user=world["other"], order=world["order"], to_department=dept("调控"), reason="不是我们",
                             now=local("2024-08-05 09:00"))


def test_accepted_appeal_moves_the_complaint_and_both_departments_figures(world):
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    before = scorecard_for_month(MONTH)
    assert dept_row(before, "国网长沙供电公司", "运检")["complaints"] == 1
    assert dept_row(before, "国网长沙供电公司", "调控")["complaints"] == 0
    appeal = services.file_appeal(user=world["head"], order=world["order"], to_department=dept("调控"),
                                  reason="该停电为调控未按计划安排", now=local("2024-08-05 09:00"))
    with pytest.raises(ValidationError, match="待处理"):
        services.file_appeal(user=world["head"], order=world["order"], to_department=dept("调控"), reason="again",
                             now=local("2024-08-05 09:00"))
    with pytest.raises(ValidationError, match="处理意见"):
        services.decide_appeal(user=world["analyst"], appeal=appeal, accept=True, reason=" ")
    services.decide_appeal(user=world["analyst"], appeal=appeal, accept=True, reason="核实属实")
    after = scorecard_for_month(MONTH)
    assert dept_row(after, "国网长沙供电公司", "运检")["complaints"] == 0
    row = dept_row(after, "国网长沙供电公司", "调控")
    assert row["complaints"] == 1 and row["attribution"]["appeal"] == 1
    # The audit log has both steps, with before and after.
    log = list(AuditLog.objects.filter(object_type="kpis.appeal").order_by("id"))
    assert [e.action for e in log] == ["appeal.file", "appeal.accept"]
    assert log[1].before["department"] == dept("运检").pk and log[1].after["department"] == dept("调控").pk
    assert log[1].username == "analyst"


def test_rejected_appeal_keeps_the_attribution(world):
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    appeal = services.file_appeal(user=world["head"], order=world["order"], to_department=dept("调控"),
                                  reason="理由", now=local("2024-08-05 09:00"))
    services.decide_appeal(user=world["analyst"], appeal=appeal, accept=False, reason="证据不足")
    assert Appeal.objects.get(pk=appeal.pk).status == "rejected"
    assert dept_row(scorecard_for_month(MONTH), "国网长沙供电公司", "运检")["complaints"] == 1


def test_publishing_with_open_appeals_is_refused_with_the_list(world):
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    services.file_appeal(user=world["head"], order=world["order"], to_department=dept("调控"), reason="理由",
                         now=local("2024-08-05 09:00"))
    with pytest.raises(ValidationError, match="O-1"):
        services.publish_month(month=MONTH, user=world["analyst"])


def test_published_month_does_not_change_when_data_changes(world):
    published = services.publish_month(month=MONTH, user=world["analyst"])
    card, trace = scorecard_for_month(MONTH), trace_for_month(MONTH)
    assert card == published.scorecard and trace["incidents"][0]["department"] == "发展"
    # New and changed data for the month arrive after publication.
    cs = world["cs"]
    order(accepted="2024-07-20 10:00", city_unit=cs, order_no="O-LATE")
    WorkOrder.objects.filter(order_no="O-2").update(closed_at=local("2024-07-06 11:00"), satisfaction="满意",
                                                    responsible_dept=dept("基建"))
    world["order"].responsible_dept = dept("营销")
    world["order"].save()
    district("TQ9", cs)
    reading(WorkOrder.objects.get(order_no="O-LATE").city.districts.get(code="TQ9"), "2024-07", load=150)
    assert scorecard_for_month(MONTH) == card
    assert trace_for_month(MONTH) == trace
    with pytest.raises(services.MonthPublished):
        services.trace_month(month=MONTH)
    with pytest.raises(services.MonthPublished):
        services.publish_month(month=MONTH, user=world["analyst"])
    # The frozen per-complaint attribution is what the department pages read.
    from scorecard.kpis.selectors import month_attributed

    frozen = dict(month_attributed(MONTH).values_list("order_no", "attr_rule"))
    assert frozen == {"O-1": "default", "O-2": "default"}
    # ... and so does every list that filters by attribution (a department head's drill-down):
    # O-1 was re-assigned to 营销 after publication but still answers to 运检 for July.
    from scorecard.kpis.attribution import attributed

    live_view = dict(attributed(WorkOrder.objects.filter(order_no__in=["O-1", "O-LATE"]))
                     .values_list("order_no", "attr_department_id"))
    assert live_view == {"O-1": dept("运检").pk, "O-LATE": dept("营销").pk}


def _write_csv(path, header, rows):
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_published_month_does_not_change_when_data_is_reimported(world, tmp_path):
    from scorecard.imports.services import import_file

    header = ["工单编号", "受理时间", "业务类型", "一级分类", "二级分类", "客户编号", "地市单位", "台区编号", "办结时间",
              "回访满意度", "责任部门"]
    first = _write_csv(tmp_path / "orders.csv", header, [
        ["O-3", "2024-07-08 09:00", "投诉", "服务", "服务态度", "C9", "国网长沙供电公司", "TQ1", "", "", ""],
    ])
    assert import_file(kind="workorders", path=first).ok
    published = services.publish_month(month=MONTH, user=world["analyst"])
    # The export is corrected and re-imported: O-3 now closed and satisfied, O-1 explicitly 调控, one more order,
    # and the readings of TQ1 now show a heavier overload.
    again = _write_csv(tmp_path / "orders2.csv", header, [
        ["O-3", "2024-07-08 09:00", "投诉", "服务", "服务态度", "C9", "国网长沙供电公司", "TQ1",
         "2024-07-08 12:00", "满意", ""],
        ["O-1", "2024-07-05 10:00", "投诉", "供电质量", "频繁停电", "C1", "国网长沙供电公司", "", "", "", "调控"],
        ["O-4", "2024-07-09 09:00", "投诉", "营业", "电费电价", "C8", "国网长沙供电公司", "", "", "", ""],
    ])
    result = import_file(kind="workorders", path=again)
    assert result.ok and (result.created, result.updated) == (1, 2)
    loads = _write_csv(tmp_path / "loads.csv", ["台区编号", "月份", "最大负载率", "最低电压", "最高电压"],
                       [["TQ1", "2024-07", "150", "180", "230"]])
    assert import_file(kind="loads", path=loads).ok
    assert scorecard_for_month(MONTH) == published.scorecard
    assert trace_for_month(MONTH) == published.trace
    # The next month, unpublished, is computed from current data as always.
    assert scorecard_for_month(dt.date(2024, 8, 1))["month"] == "2024-08"

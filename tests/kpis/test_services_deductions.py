"""考核扣分: score = KPI score − the month's active events' points, never below 0; itemised; appealable."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from scorecard.accounts.models import AuditLog, User
from scorecard.kpis import services
from scorecard.kpis.models import Appeal, Deduction, DeductionKind

from tests.fixtures.factories import city, dept, district, local, order
from tests.fixtures.readouts import dept_row, scorecard, unit_row

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 7, 1)
CS, ZZ = "国网长沙供电公司", "国网株洲供电公司"


@pytest.fixture
def world():
    cs, zz = city(CS), city(ZZ)
    for c in (cs, zz):
        district(f"TQ-{c.pk}", c, customers=20000)
        order(accepted="2024-07-03 10:00", city_unit=c, closed="2024-07-03 12:00", satisfaction="满意")
    analyst = User.objects.create_user("analyst", password="x", role="analyst")
    head = User.objects.create_user("yingxiao", password="x", role="dept_head", org_unit=cs, department=dept("营销"))
    return {"cs": cs, "zz": zz, "analyst": analyst, "head": head}


def _event(world, no, kind="yueji", points=None, department="营销", unit="cs", day=10):
    return services.record_deduction(
        user=world["analyst"], event_no=no, kind=DeductionKind.objects.get(code=kind), city=world[unit],
        department=dept(department), occurred_on=dt.date(2024, 7, day), points=points,
        description=f"{no} 客户拨打12398越级投诉", evidence="能源监管办转办单 2024-077")


def test_the_score_is_the_kpi_score_minus_the_events_and_they_are_itemised(world):
    before = scorecard("2024-07")
    base = dept_row(before, CS, "营销")["score"]
    assert dept_row(before, CS, "营销")["deductions"] == [] and dept_row(before, CS, "营销")["deduction_points"] == 0
    _event(world, "KF-1")  # 越级投诉: the kind's default points, 3
    _event(world, "KF-2", kind="media", points=Decimal("2.5"), department="运检")
    card = scorecard("2024-07")
    yx = dept_row(card, CS, "营销")
    assert yx["kpi_score"] == base and yx["deduction_points"] == 3.0 and yx["score"] == base - 3.0
    assert yx["deductions"] == [{"event_no": "KF-1", "kind": "yueji", "label": "越级投诉", "points": 3.0,
                                 "date": "2024-07-10", "reason": "KF-1 客户拨打12398越级投诉", "work_order": None}]
    # The city company answers for every department's events; the other city for none.
    cs = unit_row(card, CS)
    assert cs["deduction_points"] == 5.5 and cs["score"] == round(cs["kpi_score"] - 5.5, 2)
    assert [d["event_no"] for d in cs["deductions"]] == ["KF-1", "KF-2"]
    zz = unit_row(card, ZZ)
    assert zz["deduction_points"] == 0 and zz["score"] == zz["kpi_score"]
    # The ranking follows the score after deductions.
    assert cs["rank"] == 2 and zz["rank"] == 1
    entry = AuditLog.objects.get(action="deduction.record", object_id=str(Deduction.objects.get(event_no="KF-1").pk))
    assert entry.user == world["analyst"] and entry.after["points"] == "3.00" and entry.after["source"] == "portal"


def test_the_score_never_goes_below_zero(world):
    _event(world, "KF-9", kind="major", points=Decimal("150"))
    row = dept_row(scorecard("2024-07"), CS, "营销")
    assert row["kpi_score"] > 0 and row["deduction_points"] == 150.0 and row["score"] == 0.0


def test_bad_events_are_refused(world):
    _event(world, "KF-1")
    with pytest.raises(ValidationError, match="已存在"):
        _event(world, "KF-1")
    with pytest.raises(PermissionDenied):
        services.record_deduction(user=world["head"], event_no="KF-3", kind=DeductionKind.objects.first(),
                                  city=world["cs"], department=dept("营销"), occurred_on=dt.date(2024, 7, 1),
                                  description="x")
    services.publish_month(month=MONTH, user=world["analyst"])
    with pytest.raises(services.MonthPublished):
        _event(world, "KF-4")


def test_an_accepted_deduction_appeal_withdraws_the_event(world):
    event = _event(world, "KF-1")
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    appeal = services.file_appeal(user=world["head"], kind=Appeal.Kind.DEDUCTION, deduction=event,
                                  reason="客户已撤诉，附12398撤诉回执", now=local("2024-08-05 09:00"))
    assert appeal.work_order is None and appeal.subject == "KF-1"
    with pytest.raises(ValidationError, match="待处理"):
        services.file_appeal(user=world["head"], kind=Appeal.Kind.DEDUCTION, deduction=event, reason="again",
                             now=local("2024-08-05 09:30"))
    assert services.publish_blockers(services.lock_month(MONTH), now=local("2024-08-20 09:00")) == [
        "尚有未处理的申诉：KF-1"]
    services.decide_appeal(user=world["analyst"], appeal=appeal, accept=True, reason="撤诉属实，撤销扣分")
    event.refresh_from_db()
    assert event.status == Deduction.Status.WITHDRAWN
    row = dept_row(scorecard("2024-07"), CS, "营销")
    assert row["deductions"] == [] and row["score"] == row["kpi_score"]


def test_only_the_department_of_the_event_may_appeal_it(world):
    event = _event(world, "KF-1", department="运检")
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    with pytest.raises(PermissionDenied):
        services.file_appeal(user=world["head"], kind=Appeal.Kind.DEDUCTION, deduction=event, reason="x",
                             now=local("2024-08-05 09:00"))

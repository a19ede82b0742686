"""核实与定责: 受理口径 counts every accepted complaint, 考核口径 leaves out 不属实/无责/降级."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from scorecard.accounts.models import AuditLog, User
from scorecard.complaints.selectors import complaint_profile
from scorecard.kpis import services
from scorecard.kpis.models import Appeal, RuleSettings, Verification
from scorecard.kpis.selectors import scorecard_for_month

from tests.fixtures.factories import city, dept, local, order
from tests.fixtures.readouts import dept_row, scorecard, unit_row

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 7, 1)
CS = "国网长沙供电公司"


@pytest.fixture
def world():
    cs = city(CS)
    orders = [order(accepted=f"2024-07-0{i} 10:00", city_unit=cs, order_no=f"O-{i}", closed=f"2024-07-0{i} 12:00")
              for i in range(1, 5)]  # 服务/服务态度 → 营销 by the default table
    analyst = User.objects.create_user("analyst", password="x", role="analyst")
    head = User.objects.create_user("yingxiao", password="x", role="dept_head", org_unit=cs, department=dept("营销"))
    return {"cs": cs, "orders": orders, "analyst": analyst, "head": head}


def test_exported_verification_leaves_the_kpis_but_stays_in_the_profile(world):
    o1, o2, o3, _o4 = world["orders"]
    o1.valid = "不属实"
    o1.save()
    o2.at_fault = "无责"
    o2.save()
    o3.downgraded = True
    o3.save()
    card = scorecard("2024-07")
    row = dept_row(card, CS, "营销")
    assert row["accepted_complaints"] == 4  # 受理口径
    assert row["complaints"] == 1  # 考核口径
    assert row["excluded"] == {"not_valid": 1, "not_at_fault": 1, "downgraded": 1}
    assert row["closed"] == 1 and row["on_time"] == 1
    unit = unit_row(card, CS)
    assert (unit["accepted_complaints"], unit["complaints"]) == (4, 1)
    assert unit["per_10k"] is None  # no customers known: never computed from a guess
    assert complaint_profile(MONTH)["total"] == 4  # the profile counts what was accepted


def test_the_rule_is_editable(world):
    world["orders"][0].at_fault = "无责"
    world["orders"][0].save()
    rs = RuleSettings.current()
    rs.exclude_not_at_fault = False
    rs.save()
    row = dept_row(scorecard("2024-07"), CS, "营销")
    assert (row["accepted_complaints"], row["complaints"]) == (4, 4)


def test_an_analyst_sets_the_verification_with_a_reason_and_it_is_audited(world):
    o1 = world["orders"][0]
    o1.valid = "不属实"  # the export said so; the analyst overrules it
    o1.save()
    with pytest.raises(ValidationError, match="核实说明"):
        services.set_verification(user=world["analyst"], order=o1, valid="属实", at_fault="有责", downgraded=False,
                                  reason=" ")
    with pytest.raises(PermissionDenied):
        services.set_verification(user=world["head"], order=o1, valid="属实", at_fault="无责", downgraded=False,
                                  reason="本部门认为无责")
    services.set_verification(user=world["analyst"], order=o1, valid="属实", at_fault="有责", downgraded=False,
                              reason="现场核实属实")
    row = dept_row(scorecard("2024-07"), CS, "营销")
    assert row["complaints"] == 4 and row["excluded"]["not_valid"] == 0
    entry = AuditLog.objects.get(action="complaint.verify")
    assert entry.before["valid"] == "不属实" and entry.after == {
        "valid": "属实", "at_fault": "有责", "downgraded": False, "reason": "现场核实属实"}
    assert entry.user == world["analyst"]


def test_after_the_cutoff_only_an_appeal_changes_the_verification(world):
    services.declare_cutoff(month=MONTH, user=world["analyst"])
    with pytest.raises(ValidationError, match="已数据截止"):
        services.set_verification(user=world["analyst"], order=world["orders"][0], valid="不属实", at_fault="",
                                  downgraded=False, reason="核实不属实")
    assert not Verification.objects.exists()


def test_an_appeal_for_not_at_fault_is_accepted_and_leaves_the_kpis(world):
    o1 = world["orders"][0]
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    with pytest.raises(ValidationError, match="请选择建议的责任部门"):
        services.file_appeal(user=world["head"], order=o1, reason="x", now=local("2024-08-05 09:00"))
    appeal = services.file_appeal(user=world["head"], order=o1, kind=Appeal.Kind.NOT_AT_FAULT,
                                  reason="客户诉求为政策性电价，非供电企业责任，附物价局文件", now=local("2024-08-05 09:00"))
    assert appeal.to_department is None
    assert dept_row(scorecard_for_month(MONTH), CS, "营销")["complaints"] == 4  # pending: nothing moves
    services.decide_appeal(user=world["analyst"], appeal=appeal, accept=True, reason="证据充分，认定无责")
    row = dept_row(scorecard("2024-07"), CS, "营销")
    assert (row["accepted_complaints"], row["complaints"], row["excluded"]["not_at_fault"]) == (4, 3, 1)
    v = Verification.objects.get(work_order=o1)
    assert (v.at_fault, v.appeal, v.set_by) == ("无责", appeal, world["analyst"])
    decided = AuditLog.objects.get(action="appeal.accept")
    assert decided.before["verification"]["at_fault"] == "" and decided.after["verification"]["at_fault"] == "无责"
    with pytest.raises(ValidationError, match="已认定为无责"):
        services.file_appeal(user=world["head"], order=o1, kind=Appeal.Kind.NOT_AT_FAULT, reason="again",
                             now=local("2024-08-05 10:00"))


def test_a_rejected_not_valid_appeal_changes_nothing(world):
    o1 = world["orders"][0]
    services.open_draft(month=MONTH, at=local("2024-08-02 10:00"))
    appeal = services.file_appeal(user=world["head"], order=o1, kind=Appeal.Kind.NOT_VALID, reason="客户反映不实",
                                  now=local("2024-08-05 09:00"))
    services.decide_appeal(user=world["analyst"], appeal=appeal, accept=False, reason="录音证实属实")
    assert dept_row(scorecard("2024-07"), CS, "营销")["complaints"] == 4
    assert not Verification.objects.exists()


def test_a_published_month_keeps_its_exclusions_frozen(world):
    o1 = world["orders"][0]
    services.set_verification(user=world["analyst"], order=o1, valid="不属实", at_fault="", downgraded=False,
                              reason="核实不属实")
    services.publish_month(month=MONTH, user=world["analyst"])
    published = dept_row(scorecard("2024-07"), CS, "营销")
    assert (published["accepted_complaints"], published["complaints"]) == (4, 3)
    with pytest.raises(services.MonthPublished):
        services.set_verification(user=world["analyst"], order=o1, valid="属实", at_fault="", downgraded=False,
                                  reason="改判")
    # Even a change behind the services' back (the admin, a script) does not move the published month.
    Verification.objects.filter(work_order=o1).update(valid="属实")
    assert dept_row(scorecard("2024-07"), CS, "营销")["complaints"] == 3
    # … nor the frozen attribution rows a page would list.
    from scorecard.kpis.selectors import month_attributed  # the read the department page lists
    assert month_attributed(MONTH).get(pk=o1.pk).exclusion == "not_valid"

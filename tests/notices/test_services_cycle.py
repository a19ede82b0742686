"""The monthly cycle around the draft: the cutoff it declares, and an accepted appeal that
renders the draft again by itself and tells the departments."""
import pytest

from scorecard.accounts.models import AuditLog, Notification
from scorecard.complaints.models import WorkOrder
from scorecard.kpis import services as kpis
from scorecard.kpis.models import ReportingMonth
from scorecard.notices import services
from scorecard.notices.models import Notice
from tests.fixtures.factories import dept

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def test_generating_the_first_draft_declares_the_cutoff_as_automatic(month_data, users):
    services.request_generation(month=MONTH, user=users["analyst"])
    rm = ReportingMonth.objects.get(month=MONTH)
    assert rm.cutoff_at is not None and rm.cutoff_auto and rm.cutoff_by == users["analyst"]
    assert AuditLog.objects.filter(action="month.cutoff").count() == 1
    kpis.declare_cutoff(month=MONTH, user=users["analyst"])  # declared already: nothing changes
    assert AuditLog.objects.filter(action="month.cutoff").count() == 1


def test_an_accepted_appeal_renders_the_draft_again_and_tells_the_departments(
        month_data, users, django_capture_on_commit_callbacks):
    draft = services.render_notice(notice_id=services.request_generation(month=MONTH, user=users["analyst"]).pk)
    # GD-CS-0 (频繁停电 in an overloaded 台区) is 发展's by tracing; its head appeals it to 运检.
    fazhan = users["analyst"].__class__.objects.create_user("fazhan", password="pw", role="dept_head",
                                                            org_unit=month_data["cs"], department=dept("发展"))
    appeal = kpis.file_appeal(user=fazhan, order=WorkOrder.objects.get(order_no="GD-CS-0"),
                              to_department=dept("运检"), reason="线路故障所致")
    with django_capture_on_commit_callbacks(execute=True):
        kpis.decide_appeal(user=users["analyst"], appeal=appeal, accept=True, reason="属实")
    again = Notice.objects.get(pk=draft.pk)
    assert again.status in (Notice.Status.PENDING, Notice.Status.RENDERING, Notice.Status.DRAFT)
    assert AuditLog.objects.filter(action="notice.generate", object_id=str(draft.pk)).count() == 2
    if again.status != Notice.Status.DRAFT:  # no worker here: render what the task would
        again = services.render_notice(notice_id=again.pk)
    assert again.sha256 != draft.sha256  # the figures moved with the appeal
    rows = {(d["unit"], d["department"]): d["complaints"] for d in again.snapshot["scorecard"]["departments"]}
    before = {(d["unit"], d["department"]): d["complaints"] for d in draft.snapshot["scorecard"]["departments"]}
    assert rows[("国网长沙供电公司", "运检")] == before[("国网长沙供电公司", "运检")] + 1
    assert Notification.objects.filter(kind="draft_updated", user=users["head"]).exists()

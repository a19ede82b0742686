"""`notice generate|publish` without a worker: the errors an operator sees, and the beat schedule."""
import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from scorecard.celery import app as celery_app
from scorecard.complaints.models import WorkOrder
from scorecard.kpis.models import Appeal, ReportingMonth
from scorecard.core.months import shift
from scorecard.notices import services, tasks
from scorecard.notices.models import Notice
from tests.fixtures.factories import dept

from tests.fixtures.cycle import after_appeal_window

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def test_publish_errors_are_clear(month_data, users):
    with pytest.raises(CommandError, match="用户 'nobody' 不存在"):
        after_appeal_window()
        call_command("notice", "publish", "--month", "2024-10", "--by", "nobody")
    with pytest.raises(CommandError, match="不是分析员"):
        after_appeal_window()
        call_command("notice", "publish", "--month", "2024-10", "--by", "shenji")
    with pytest.raises(CommandError, match="2024-10 没有可发布的通报草稿"):
        after_appeal_window()
        call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi")
    with pytest.raises(CommandError, match="月份格式应为 YYYY-MM"):
        call_command("notice", "generate", "--month", "10/2024")


def test_publish_refused_with_the_pending_appeals_exits_1(month_data, users):
    services.render_notice(notice_id=services.request_generation(month=MONTH).pk)
    Appeal.objects.create(work_order=WorkOrder.objects.get(order_no="GD-CS-3"), month=MONTH, city=month_data["cs"],
                          from_department=dept("运检"), to_department=dept("调控"), reason="计划停电",
                          filed_by=users["head"])
    after_appeal_window()
    with pytest.raises(CommandError, match="尚有未处理的申诉：GD-CS-3。如确需提前发布，请填写理由") as exc:
        call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi")
    assert exc.value.returncode == 1
    # With a reason it goes through: recorded, and the undecided appeal is closed as such.
    call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi", "--reason", "省公司要求月底前通报")
    rm = ReportingMonth.objects.get(month=MONTH)
    assert rm.is_published and rm.publish_reason == "省公司要求月底前通报"
    assert Appeal.objects.get(work_order__order_no="GD-CS-3").status == Appeal.Status.CLOSED


def test_publish_inside_the_appeal_window_needs_a_reason(month_data, users):
    services.render_notice(notice_id=services.request_generation(month=MONTH).pk)
    with pytest.raises(CommandError, match="申诉期尚未结束"):
        call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi")
    assert not ReportingMonth.objects.get(month=MONTH).is_published
    with pytest.raises(CommandError, match="申诉期尚未结束"):  # a blank reason is no reason
        call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi", "--reason", "  ")
    call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi", "--reason", "年度考核提前")
    assert ReportingMonth.objects.get(month=MONTH).publish_reason == "年度考核提前"


def test_publish_prints_number_path_and_hash(month_data, users, capsys):
    services.render_notice(notice_id=services.request_generation(month=MONTH).pk)
    after_appeal_window()
    call_command("notice", "publish", "--month", "2024-10", "--by", "fenxi")
    out = capsys.readouterr().out
    published = Notice.objects.get(month=MONTH, status=Notice.Status.PUBLISHED)
    assert out.startswith("已发布 〔2024〕第10期 第1版\t") and out.strip().endswith(published.sha256)


def test_beat_schedule_generates_the_previous_month_at_2am_shanghai_on_the_1st():
    task = PeriodicTask.objects.select_related("crontab").get(name="月度通报草稿")
    c = task.crontab
    assert (c.minute, c.hour, c.day_of_month, c.month_of_year, c.day_of_week) == ("0", "2", "1", "*", "*")
    assert str(c.timezone) == "Asia/Shanghai" and task.enabled
    assert task.task == "notices.generate_previous_month" and task.task in celery_app.tasks
    sweep = PeriodicTask.objects.select_related("interval").get(name="通报任务补发")
    assert (sweep.interval.every, sweep.interval.period, sweep.task) == (60, "seconds", "notices.resubmit_stale")
    assert sweep.task in celery_app.tasks


def test_the_scheduled_task_requests_the_previous_month(month_data):
    result = tasks.generate_previous_month()
    expected = shift(services.timezone.localdate().replace(day=1), -1)
    notice = Notice.objects.get()
    assert (notice.month, notice.status, notice.requested_by) == (expected, "pending", None)
    assert result["month"] == expected.isoformat()

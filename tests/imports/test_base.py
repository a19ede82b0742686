"""Nothing lost silently: an absent column a figure needs is warned about by name, on the command
line and on the web page (before anything is written), and ignored columns are listed."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from scorecard.accounts.models import User
from scorecard.celery import app as celery_app
from scorecard.complaints.models import WorkOrder
from scorecard.imports.services import import_file

from tests.fixtures.import_files import WO_HEADER, sample_orders, web_import, write_table

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]

WARNINGS = {
    "办结时间": "缺少“办结时间”列：按时办结率和处理时长无法计算（全部工单视为未办结）",
    "回访满意度": "缺少“回访满意度”列：满意率无法计算",
    "接单时间": "缺少“接单时间”列：2 小时接单率无法计算",
    "台区编号": "缺少“台区编号”列：热点台区（多户、连续月、同比）和瓶颈溯源无法判断",
}


def _without(tmp_path, *dropped, extra=()):
    keep = [i for i, h in enumerate(WO_HEADER) if h not in dropped]
    header = [WO_HEADER[i] for i in keep] + list(extra)
    rows = [[row[i] for i in keep] + ["x"] * len(extra) for row in sample_orders()]
    return write_table(tmp_path / "o.csv", header, rows)


@pytest.mark.parametrize("column", list(WARNINGS))
def test_each_needed_column_is_warned_about_by_name(tmp_path, column):
    result = import_file(kind="workorders", path=_without(tmp_path, column))
    assert result.ok and result.warnings == [WARNINGS[column]]


def test_the_command_warns_on_stderr_and_lists_ignored_columns(tmp_path):
    path = _without(tmp_path, "办结时间", "回访满意度", extra=["工单状态"])
    out, err = StringIO(), StringIO()
    call_command("import_data", "workorders", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [f"警告：{WARNINGS['办结时间']}", f"警告：{WARNINGS['回访满意度']}"]
    lines = out.getvalue().splitlines()
    assert lines[0] == "workorders o.csv: rows 5, created 5, updated 0, unchanged 0"
    assert lines[1].startswith("sha256 ") and lines[2:] == ["已忽略的列（1）：工单状态"]


def test_the_web_check_shows_the_warning_before_anything_is_written(client, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        analyst = User.objects.create_user(username="analyst", password="pw-analyst-1", role=User.Role.ANALYST)
        client.force_login(analyst)
        check, _ = web_import(client, django_capture_on_commit_callbacks, _without(tmp_path, "办结时间",
                                                                                  extra=["备注"]), confirm=False)
        assert check.status == "succeeded" and WorkOrder.objects.count() == 0
        page = client.get(reverse("imports:detail", args=[check.pk])).content.decode()
        assert WARNINGS["办结时间"] in page and "已忽略的列（1）：备注" in page and "确认导入" in page
        assert client.get(reverse("imports:status", args=[check.pk])).json()["notes"]["warnings"] == [
            WARNINGS["办结时间"]]
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("imports:confirm", args=[check.pk]))
    finally:
        celery_app.conf.task_always_eager = before
    assert WorkOrder.objects.count() == 5 and not WorkOrder.objects.filter(closed_at__isnull=False).exists()

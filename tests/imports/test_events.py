"""``import_data events``: 考核扣分 events, keyed by 事件编号, audited with the importing analyst."""
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scorecard.accounts.models import AuditLog, User
from scorecard.kpis import services as kpi_services
from scorecard.kpis.models import Deduction

from tests.fixtures.factories import city, order
from tests.fixtures.import_files import write_table
from tests.fixtures.readouts import dept_row, scorecard

pytestmark = pytest.mark.django_db
HEADER = ["事件编号", "事件类型", "地市单位", "责任部门", "发生日期", "扣分", "关联工单", "事件说明", "证据"]
CS = "国网长沙供电公司"


@pytest.fixture
def analyst():
    city(CS)
    order(accepted="2026-03-02 10:00", city_unit=city(CS), order_no="GD-1")
    return User.objects.create_user("kaohe", password="x", role="analyst")


def _run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_data", "events", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_events_import_under_export_names_is_idempotent_and_scores(tmp_path, analyst):
    header = ["扣分事件编号", "扣分类型", "供电单位", "责任部门", "事件日期", "扣分分值", "工单号", "事件描述", "佐证材料"]
    rows = [["KF-001", "12398", "长沙供电公司", "市场营销部", "2026-03-05", "", "GD-1", "客户向12398越级投诉", "转办单"],
            ["KF-002", "媒体曝光", CS, "运维检修部", "2026/3/9", "4.5", "", "网络舆情曝光频繁停电", ""]]
    path = write_table(tmp_path / "events.csv", header, rows, encoding="gbk", above=[["2026年3月考核扣分事件"]])
    out, _err = _run(path, "--by", "kaohe")
    assert out.splitlines()[0] == "events events.csv: rows 2, created 2, updated 0, unchanged 0"
    first = Deduction.objects.get(event_no="KF-001")
    assert (first.kind.name, first.points, first.work_order.order_no, first.entered_by) == (
        "越级投诉", 3, "GD-1", analyst)
    assert AuditLog.objects.filter(action="deduction.record").count() == 2
    card = scorecard("2026-03")
    yx, yj = dept_row(card, CS, "营销"), dept_row(card, CS, "运检")
    assert (yx["deduction_points"], yj["deduction_points"]) == (3.0, 4.5)
    assert yj["score"] == round(yj["kpi_score"] - 4.5, 2)
    # The same file again changes nothing.
    out, _err = _run(path, "--by", "kaohe")
    assert out.splitlines()[0] == "events events.csv: rows 2, created 0, updated 0, unchanged 2"
    # A corrected file updates the event, audited with before and after.
    rows[1][5] = "5"
    _run(write_table(tmp_path / "events2.csv", header, rows), "--by", "kaohe")
    change = AuditLog.objects.get(action="deduction.update")
    assert (change.before["points"], change.after["points"]) == ("4.50", "5.00")


def test_bad_rows_name_row_and_column_and_nothing_is_written(tmp_path, analyst):
    rows = [["KF-1", "坐地起价", CS, "营销", "2026-03-05", "", "", "x", ""],
            ["KF-2", "越级投诉", "火星供电公司", "营销", "2026-03-05", "", "", "x", ""],
            ["KF-3", "越级投诉", CS, "财务", "2026-03-05", "-1", "GD-404", "", ""]]
    with pytest.raises(CommandError, match="未导入任何数据"):
        _run(write_table(tmp_path / "bad.csv", HEADER, rows), "--by", "kaohe")
    assert not Deduction.objects.exists()


def test_bad_rows_messages(tmp_path, analyst):
    from scorecard.imports.services import import_file  # the result object, to read each error
    rows = [["KF-1", "坐地起价", CS, "营销", "2026-03-05", "", "", "x", ""],
            ["KF-3", "越级投诉", CS, "财务", "2026-03-05", "-1", "GD-404", "", ""]]
    result = import_file(kind="events", path=write_table(tmp_path / "bad.csv", HEADER, rows), user=analyst)
    errors = [str(e) for e in result.errors]
    assert errors[0].startswith("row 2, 事件类型: 未知的事件类型“坐地起价”（可选：越级投诉、")
    assert "row 3, 责任部门: 责任部门只能是 营销/运检/发展/基建/调控，不能是“财务”" in errors
    assert "row 3, 扣分: 扣分必须大于 0" in errors
    assert "row 3, 关联工单: 没有工单编号为 GD-404 的工单" in errors
    assert "row 3, 事件说明: 事件说明不能为空" in errors


def test_an_events_file_needs_an_analyst_and_a_published_month_is_refused(tmp_path, analyst):
    rows = [["KF-1", "越级投诉", CS, "营销", "2026-03-05", "", "", "x", ""]]
    path = write_table(tmp_path / "e.csv", HEADER, rows)
    with pytest.raises(CommandError):
        _run(path)  # no --by: nobody to record as having entered the events
    kpi_services.publish_month(month=dt.date(2026, 3, 1), user=analyst)
    from scorecard.imports.services import import_file  # the result object, to read the error
    result = import_file(kind="events", path=path, user=analyst)
    assert [str(e) for e in result.errors] == ["row 2, 发生日期: 2026-03 已发布，考核结果已冻结，不能再录入扣分"]

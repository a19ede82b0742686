"""Import profiles: header and value aliases are data (seeded, edited and audited in the admin),
applied by every import; a real provincial export loads exactly as the same data in standard form."""
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from scorecard.accounts.models import AuditLog
from scorecard.complaints.models import Customer, WorkOrder
from scorecard.grid.models import District, Feeder
from scorecard.imports.models import HeaderAlias, ValueAlias
from scorecard.imports.profiles import canonical_headers, load_profile
from scorecard.imports.services import import_file

from tests.fixtures.import_files import (
    DISTRICT_HEADER, REAL_EXTRA, REAL_TITLE, WO_HEADER, realistic_orders, snapshot, to_real_export, wo, write_table,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]

# Every alias issue #13 lists (standard ← aliases).
ISSUE_HEADERS = {
    "工单编号": {"工单号", "工单编码"}, "受理时间": {"受理日期", "来电时间"}, "业务类型": {"业务类别", "工单类型"},
    "客户编号": {"用户编号", "户号"}, "客户名称": {"用户名称", "户名"}, "联系电话": {"联系方式", "来电号码"},
    "地市单位": {"供电单位", "地市公司"}, "县级单位": {"县公司"}, "供电所": {"所属供电所"}, "台区编号": {"台区编码"},
    "线路名称": {"所属线路"}, "派单时间": {"派发时间", "派工时间"}, "办结时间": {"归档时间", "办结日期"},
    "回访满意度": {"回访结果", "满意度"}, "受理内容": {"诉求内容", "受理描述"}, "一级分类": {"投诉一级分类"},
    "二级分类": {"投诉二级分类"}, "三级分类": {"投诉三级分类"},
}
ISSUE_VALUES = {
    "回访满意度": {"非常满意": "满意", "比较满意": "基本满意", "非常不满意": "不满意", "未回访": "", "无法联系": ""},
    "责任部门": {"营销部": "营销", "市场营销部": "营销", "运维检修部": "运检", "运检部": "运检", "设备部": "运检",
                 "发展策划部": "发展", "发展部": "发展", "建设部": "基建", "基建部": "基建", "调控中心": "调控",
                 "电力调度控制中心": "调控"},
    "业务类型": {"投诉工单": "投诉"},
    "二级分类": {"电价电费": "电费电价"},
}


def test_the_seed_holds_every_alias_of_the_issue():
    profile = load_profile("workorders")
    for header, aliases in ISSUE_HEADERS.items():
        assert {a for a, h in profile.headers.items() if h == header} >= aliases, header
    for header, values in ISSUE_VALUES.items():
        assert profile.values[header].items() >= values.items(), header
    # The unit columns' aliases hold for every kind that has them.
    assert load_profile("districts").headers["台区编码"] == "台区编号"
    assert "归档时间" not in load_profile("districts").headers


def _reset():
    WorkOrder.objects.all().delete()
    Customer.objects.all().delete()
    District.objects.all().delete()
    Feeder.objects.all().delete()


def _scorecard():
    out = StringIO()
    call_command("scorecard", "--month", "2026-03", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(("name", "encoding"), [("export.csv", "gbk"), ("export.xlsx", "utf-8")])
def test_a_real_export_yields_exactly_the_rows_and_figures_of_the_standard_file(tmp_path, name, encoding):
    standard = import_file(kind="workorders", path=write_table(tmp_path / "std.csv", WO_HEADER, realistic_orders()))
    assert standard.ok, standard.errors
    expected, expected_card = snapshot(), _scorecard()
    _reset()

    header, rows = to_real_export(realistic_orders())
    path = write_table(tmp_path / name, header, rows, encoding=encoding, above=[[REAL_TITLE], []])
    result = import_file(kind="workorders", path=path)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.months) == (standard.rows, standard.created, standard.months)
    assert snapshot() == expected  # every order, customer, 台区, feeder; no org unit created
    assert _scorecard() == expected_card
    # 归档时间 is 办结时间: the closed complaints count as closed and on time.
    assert WorkOrder.objects.filter(closed_at__isnull=False).count() == 5
    closed = sum(d["closed"] for d in expected_card["departments"])
    assert closed > 0 and sum(d["on_time"] for d in _scorecard()["departments"]) > 0
    # Nothing lost silently: the title row, the columns read by alias and the ignored ones are reported.
    assert result.header_row == 3 and result.skipped_rows[0] == (1, REAL_TITLE)
    assert result.ignored_columns == REAL_EXTRA
    assert ("归档时间", "办结时间") in result.renamed_columns and ("供电单位", "地市单位") in result.renamed_columns
    assert result.warnings == []  # 接单时间 and every needed column are there


def test_a_real_export_on_the_command_line_reports_what_the_header_told(tmp_path):
    header, rows = to_real_export(realistic_orders())
    path = write_table(tmp_path / "export.csv", header, rows, encoding="gbk", above=[[REAL_TITLE], []])
    out, err = StringIO(), StringIO()
    call_command("import_data", "workorders", str(path), stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert lines[0] == "workorders export.csv: rows 9, created 9, updated 0, unchanged 0"
    assert lines[1].startswith("sha256 ") and lines[1].endswith(", months 2026-03")
    assert lines[2] == f"表头在第 3 行，已跳过其上方的 2 行：第 1 行「{REAL_TITLE}」、第 2 行（空行）"
    assert lines[3].startswith("按别名识别的列：工单号 → 工单编号、") and "归档时间 → 办结时间" in lines[3]
    assert lines[4] == "已忽略的列（2）：工单状态、备注"
    assert err.getvalue() == ""


def test_errors_of_a_real_export_name_spreadsheet_rows_and_the_columns_as_written(tmp_path):
    header, rows = to_real_export([wo("A1"), wo("A2", satisfaction="很满意")])
    rows[1][header.index("回访结果")] = "很满意"
    result = import_file(kind="workorders", path=write_table(tmp_path / "e.csv", header, rows, above=[[REAL_TITLE]]))
    # Title at row 1, header at row 2: the second order is row 4 of the sheet.
    assert [str(e) for e in result.errors] == [
        "row 4, 回访结果: 回访满意度只能是 满意/基本满意/不满意 或空白，不能是“很满意”"]


def test_two_columns_for_one_field_are_an_error_naming_both(tmp_path):
    header = [*WO_HEADER, "归档时间"]
    result = import_file(kind="workorders", path=write_table(tmp_path / "d.csv", header, [[*wo(), ""]]))
    assert [str(e) for e in result.errors] == [
        "row 1, 归档时间: 列“办结时间”和“归档时间”都对应“办结时间”：同一列只能出现一次，请删除其中一列"]
    assert WorkOrder.objects.count() == 0


def test_an_alias_added_in_the_admin_applies_to_the_next_file_and_is_audited(admin_client, tmp_path):
    header = ["编号" if h == "工单编号" else h for h in WO_HEADER]
    path = write_table(tmp_path / "o.csv", header, [wo(satisfaction="十分满意")])
    assert [str(e) for e in import_file(kind="workorders", path=path).errors] == [
        "row 1, 工单编号: 缺少必需的列“工单编号”（或 order_no）"]
    response = admin_client.post(reverse("admin:imports_headeralias_add"),
                                 {"kind": "workorders", "header": "工单编号", "alias": "编号"})
    assert response.status_code == 302, response.content.decode()[:2000]
    admin_client.post(reverse("admin:imports_valuealias_add"),
                      {"kind": "workorders", "header": "回访满意度", "alias": "十分满意", "value": "满意"})
    result = import_file(kind="workorders", path=path)
    assert result.ok, result.errors
    assert WorkOrder.objects.get().satisfaction == "满意"
    added = AuditLog.objects.filter(action="config.add", object_type__in=["imports.headeralias", "imports.valuealias"])
    assert added.count() == 2 and added.filter(after__alias="编号", after__header="工单编号").exists()

    alias = HeaderAlias.objects.get(alias="编号")
    admin_client.post(reverse("admin:imports_headeralias_change", args=[alias.pk]),
                      {"kind": "workorders", "header": "工单编号", "alias": "单号"})
    change = AuditLog.objects.get(action="config.change", object_type="imports.headeralias")
    assert (change.before["alias"], change.after["alias"]) == ("编号", "单号")
    value = ValueAlias.objects.get(alias="十分满意")
    admin_client.post(reverse("admin:imports_valuealias_changelist"),
                      {"action": "delete_selected", "_selected_action": [value.pk], "post": "yes"})
    assert not ValueAlias.objects.filter(alias="十分满意").exists()
    assert AuditLog.objects.filter(action="config.delete", object_type="imports.valuealias",
                                   before__alias="十分满意").exists()


def test_the_admin_refuses_an_alias_of_a_column_the_kind_does_not_have(admin_client):
    response = admin_client.post(reverse("admin:imports_headeralias_add"),
                                 {"kind": "loads", "header": "办结时间", "alias": "归档时间"})
    assert response.status_code == 200 and "不是该数据类型的列" in response.content.decode()
    response = admin_client.post(reverse("admin:imports_headeralias_add"),
                                 {"kind": "workorders", "header": "办结时间", "alias": "受理时间"})
    assert "本身就是标准列名" in response.content.decode()
    assert not HeaderAlias.objects.filter(kind="loads").exists()
    assert not HeaderAlias.objects.filter(alias="受理时间").exists()
    assert "办结时间" in canonical_headers("workorders") and "办结时间" not in canonical_headers("loads")


def test_aliases_apply_to_the_grid_kinds_too(tmp_path):
    header = ["台区编码" if h == "台区编号" else "供电单位" if h == "地市单位" else h for h in DISTRICT_HEADER]
    ValueAlias.objects.create(kind="districts", header="县级单位", alias="长沙县", value="长沙县供电公司")
    path = write_table(tmp_path / "d.csv", header, [["TQ8001", "别名台区", "长沙供电公司", "长沙县", "", "", 100, 10]])
    result = import_file(kind="districts", path=path)
    assert result.ok, result.errors
    district = District.objects.select_related("city", "county").get(code="TQ8001")
    assert (district.city.name, district.county.name) == ("国网长沙供电公司", "长沙县供电公司")


def test_an_alias_of_the_kind_wins_over_an_all_kinds_alias():
    HeaderAlias.objects.create(kind="", header="台区名称", alias="台区")
    HeaderAlias.objects.create(kind="workorders", header="台区编号", alias="台区")
    assert load_profile("workorders").headers["台区"] == "台区编号"
    assert load_profile("districts").headers["台区"] == "台区名称"

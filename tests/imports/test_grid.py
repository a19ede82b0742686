"""KINDs districts, loads, outages and projects: import, upsert, validation."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from scorecard.imports.services import import_file
from scorecard.grid.models import District, Feeder, GridProject, LoadReading, OrgUnit, Outage

from tests.fixtures.import_files import DISTRICT_HEADER, LOAD_HEADER, OUTAGE_HEADER, PROJECT_HEADER, write_table

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db



def _ok(result, **counts):
    assert result.ok, [str(e) for e in result.errors]
    assert {k: getattr(result, k) for k in counts} == counts
    return result


def _bad(result):
    assert not result.ok
    return [(e.row, e.column, e.reason) for e in result.errors]


@pytest.fixture
def districts(tmp_path):
    rows = [
        ["TQ1", "一号台区", "国网长沙供电公司", "长沙县供电公司", "星沙供电所", "10kV星沙线", "400", "120"],
        ["TQ2", "二号台区", "国网长沙供电公司", "长沙县供电公司", "", "10kV星沙线", "", "80"],
        ["TQ3", "三号台区", "国网株洲供电公司", "", "", "10kV荷塘线", "1,250", "1200.0"],
    ]
    _ok(import_file(kind="districts", path=write_table(tmp_path / "d.csv", DISTRICT_HEADER, rows)),
        rows=3, created=3, updated=0, unchanged=0)
    return rows


def test_districts_create_org_units_and_feeders_then_upsert(tmp_path, districts):
    tq1 = District.objects.select_related("city", "county", "station", "feeder").get(code="TQ1")
    assert (tq1.name, tq1.city.name, tq1.county.name, tq1.station.name, tq1.feeder.name) == (
        "一号台区", "国网长沙供电公司", "长沙县供电公司", "星沙供电所", "10kV星沙线")
    assert (tq1.capacity_kva, tq1.customers) == (400, 120)
    assert tq1.station.path == f"{tq1.county.path}{tq1.station.pk}/" and tq1.station.city_id == tq1.city_id
    tq3 = District.objects.get(code="TQ3")
    assert (tq3.capacity_kva, tq3.customers, tq3.county_id) == (1250, 1200, None)
    assert Feeder.objects.get(name="10kV荷塘线").city.name == "国网株洲供电公司"
    assert OrgUnit.objects.filter(level="province").count() == 1
    assert OrgUnit.objects.filter(level="city").count() == 2

    _ok(import_file(kind="districts", path=tmp_path / "d.csv"), created=0, updated=0, unchanged=3)
    districts[1][7] = "95"
    districts.append(["TQ4", "", "国网长沙供电公司", "", "", "", "", ""])
    _ok(import_file(kind="districts", path=write_table(tmp_path / "d2.csv", DISTRICT_HEADER, districts)),
        rows=4, created=1, updated=1, unchanged=2)
    assert District.objects.get(code="TQ2").customers == 95
    assert District.objects.get(code="TQ4").customers == 0
    assert OrgUnit.objects.filter(level="city").count() == 2  # matched by name, not duplicated


def test_district_errors(tmp_path, districts):
    rows = [
        ["TQ9", "", "", "", "", "", "", ""],
        ["TQ8", "", "国网长沙供电公司", "", "", "", "大", "-5"],
        ["TQ1", "", "国网长沙供电公司", "", "", "", "", "1.5"],
        ["TQ1", "", "国网长沙供电公司", "", "", "", "", ""],
    ]
    assert _bad(import_file(kind="districts", path=write_table(tmp_path / "bad.csv", DISTRICT_HEADER, rows))) == [
        (2, "地市单位", "地市单位不能为空"),
        (3, "配变容量", "“大”不是整数"),
        (3, "用户数", "-5 不能小于 0"),
        (4, "用户数", "“1.5”不是整数"),
        (5, "台区编号", "台区编号 TQ1 在文件中重复：第 4 行已出现"),
    ]
    assert District.objects.count() == 3


def test_loads_import_and_upsert(tmp_path, districts):
    rows = [["TQ1", "2026-03", "85.5", "190", "230.24"], ["TQ2", "2026/03", "101", "", ""],
            ["TQ1", "2026-02", "", "", ""]]
    _ok(import_file(kind="loads", path=write_table(tmp_path / "l.csv", LOAD_HEADER, rows)),
        rows=3, created=3, updated=0, unchanged=0)
    r = LoadReading.objects.get(district_id="TQ1", month=dt.date(2026, 3, 1))
    assert (r.max_load_pct, r.min_voltage, r.max_voltage) == (Decimal("85.50"), Decimal("190.0"), Decimal("230.2"))
    assert LoadReading.objects.get(district_id="TQ2").min_voltage is None
    _ok(import_file(kind="loads", path=tmp_path / "l.csv"), created=0, updated=0, unchanged=3)
    rows[1][2] = "99.9"
    _ok(import_file(kind="loads", path=write_table(tmp_path / "l2.csv", LOAD_HEADER, rows)),
        created=0, updated=1, unchanged=2)
    assert LoadReading.objects.get(district_id="TQ2").max_load_pct == Decimal("99.90")


def test_load_errors(tmp_path, districts):
    rows = [["TQ404", "2026-03", "50", "", ""], ["TQ1", "2026-3-15x", "", "", ""], ["TQ1", "2026-03", "很高", "", ""],
            ["TQ2", "2026-03", "", "", ""], ["TQ2", "2026-03", "", "", ""]]
    assert _bad(import_file(kind="loads", path=write_table(tmp_path / "l.csv", LOAD_HEADER, rows))) == [
        (2, "台区编号", "未知的台区编号“TQ404”（请先导入台区）"),
        (3, "月份", "“2026-3-15x”不是有效的月份（应为 YYYY-MM）"),
        (4, "最大负载率", "“很高”不是数字"),
        (6, "月份", "台区 TQ2 的 2026-03 数据 在文件中重复：第 5 行已出现"),
    ]
    assert LoadReading.objects.count() == 0


def test_outages_import_and_upsert(tmp_path, districts):
    rows = [
        ["OUT1", "10kV星沙线", "", "计划", "2026-03-01 08:00", "2026-03-01 12:00:00", "是"],
        ["OUT2", "10kV星沙线", "TQ1", "故障", "2026/3/5 19:10", "", "否"],
        ["OUT3", "10kV荷塘线", "TQ3", "临时", "2026-03-06 09:00", "2026-03-06 10:00", ""],
    ]
    _ok(import_file(kind="outages", path=write_table(tmp_path / "o.csv", OUTAGE_HEADER, rows)),
        rows=3, created=3, updated=0, unchanged=0)
    o1, o2, o3 = (Outage.objects.get(outage_no=n) for n in ("OUT1", "OUT2", "OUT3"))
    assert (o1.kind, o1.in_plan, o1.district_id, o1.feeder.name) == ("planned", True, None, "10kV星沙线")
    assert o1.start_at == dt.datetime(2026, 3, 1, 8, tzinfo=SH)
    assert (o2.kind, o2.in_plan, o2.district_id, o2.end_at) == ("fault", False, "TQ1", None)
    assert (o3.kind, o3.in_plan) == ("temporary", False)
    _ok(import_file(kind="outages", path=tmp_path / "o.csv"), created=0, updated=0, unchanged=3)
    rows[1][5] = "2026-03-05 23:00"
    _ok(import_file(kind="outages", path=write_table(tmp_path / "o2.csv", OUTAGE_HEADER, rows)),
        created=0, updated=1, unchanged=2)
    assert Outage.objects.get(outage_no="OUT2").end_at == dt.datetime(2026, 3, 5, 23, tzinfo=SH)


def test_outage_errors(tmp_path, districts):
    rows = [
        ["OUT1", "10kV不存在线", "", "计划", "2026-03-01 08:00", "", "是"],
        ["OUT2", "10kV星沙线", "TQ404", "故障", "2026-03-01 08:00", "", "否"],
        ["OUT3", "10kV星沙线", "", "检修", "2026-03-01 08:00", "", "否"],
        ["OUT4", "10kV星沙线", "", "计划", "2026-03-01 08:00", "2026-03-01 07:00", "是"],
        ["OUT5", "10kV星沙线", "", "计划", "2026-03-01 08:00", "", "也许"],
    ]
    assert _bad(import_file(kind="outages", path=write_table(tmp_path / "o.csv", OUTAGE_HEADER, rows))) == [
        (2, "线路名称", "未知的线路“10kV不存在线”（请先导入台区及其线路）"),
        (3, "台区编号", "未知的台区编号“TQ404”（请先导入台区）"),
        (4, "停电类型", "停电类型只能是 计划/临时/故障，不能是“检修”"),
        (5, "结束时间", "结束时间早于开始时间"),
        (6, "纳入月度计划", "纳入月度计划只能是 是/否，不能是“也许”"),
    ]
    assert Outage.objects.count() == 0


def test_projects_import_with_excel_dates_and_upsert(tmp_path, districts):
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    ws.append(["P1", "TQ1", "台区增容", dt.datetime(2026, 3, 31), None])
    ws.append(["P2", "TQ2", "", "2026-02-15", "2026/2/20"])
    ws.append([None] * 5)
    wb.save(tmp_path / "p.xlsx")
    _ok(import_file(kind="projects", path=tmp_path / "p.xlsx"), rows=2, created=2, updated=0, unchanged=0)
    p1, p2 = GridProject.objects.get(project_no="P1"), GridProject.objects.get(project_no="P2")
    assert (p1.district_id, p1.kind, p1.planned_on, p1.commissioned_on) == ("TQ1", "台区增容", dt.date(2026, 3, 31), None)
    assert (p2.planned_on, p2.commissioned_on) == (dt.date(2026, 2, 15), dt.date(2026, 2, 20))
    _ok(import_file(kind="projects", path=tmp_path / "p.xlsx"), created=0, updated=0, unchanged=2)
    rows = [["P1", "TQ1", "台区增容", "2026-03-31", "2026-04-02"]]
    _ok(import_file(kind="projects", path=write_table(tmp_path / "p.csv", PROJECT_HEADER, rows)),
        created=0, updated=1, unchanged=0)
    assert GridProject.objects.get(project_no="P1").commissioned_on == dt.date(2026, 4, 2)


def test_project_errors(tmp_path, districts):
    rows = [["P1", "TQ404", "", "2026-03-31", ""], ["P2", "TQ1", "", "2026-13-01", ""], ["P3", "TQ1", "", "", ""]]
    assert _bad(import_file(kind="projects", path=write_table(tmp_path / "p.csv", PROJECT_HEADER, rows))) == [
        (2, "台区编号", "未知的台区编号“TQ404”（请先导入台区）"),
        (3, "计划投运日期", "“2026-13-01”不是有效的日期（超出范围）"),
        (4, "计划投运日期", "计划投运日期不能为空"),
    ]
    assert GridProject.objects.count() == 0


def test_english_aliases_work_for_grid_files(tmp_path, districts):
    header = ["month", "district_code", "max_load_pct"]
    _ok(import_file(kind="loads", path=write_table(tmp_path / "l.csv", header, [["2026-04", "TQ3", "12.5"]])),
        created=1)
    assert LoadReading.objects.get(district_id="TQ3").max_load_pct == Decimal("12.50")


def test_org_units_join_the_existing_tree(tmp_path, settings):
    settings.SCORECARD_PROVINCE = "不应被使用的省公司"
    province = OrgUnit.objects.create(name="国网湘南省电力有限公司", level="province")
    city = OrgUnit.objects.create(name="国网长沙供电公司", level="city", parent=province)
    rows = [["TQ1", "", "国网长沙供电公司", "", "城区供电所", "", "", ""],
            ["TQ2", "", "国网衡阳供电公司", "衡南县供电公司", "", "", "", ""]]
    _ok(import_file(kind="districts", path=write_table(tmp_path / "d.csv", DISTRICT_HEADER, rows)), created=2)
    assert list(OrgUnit.objects.filter(level="province")) == [province]
    tq1 = District.objects.get(code="TQ1")
    assert tq1.city == city and tq1.county is None
    assert (tq1.station.parent, tq1.station.city, tq1.station.path) == (city, city, f"{city.path}{tq1.station.pk}/")
    hengyang = OrgUnit.objects.get(name="国网衡阳供电公司")
    assert (hengyang.parent, hengyang.city, hengyang.path) == (province, hengyang, f"{province.path}{hengyang.pk}/")
    # A second file naming the same units finds them instead of adding more.
    count = OrgUnit.objects.count()
    rows = [["TQ3", "", "国网长沙供电公司", "", "城区供电所", "", "", ""],
            ["TQ4", "", "国网衡阳供电公司", "衡南县供电公司", "", "", "", ""]]
    _ok(import_file(kind="districts", path=write_table(tmp_path / "e.csv", DISTRICT_HEADER, rows)), created=2)
    assert OrgUnit.objects.count() == count
    assert District.objects.get(code="TQ3").station == tq1.station


def test_a_new_province_takes_the_configured_name(tmp_path, settings):
    settings.SCORECARD_PROVINCE = "国网测试省电力有限公司"
    rows = [["TQ1", "", "国网长沙供电公司", "", "", "", "", ""]]
    _ok(import_file(kind="districts", path=write_table(tmp_path / "d.csv", DISTRICT_HEADER, rows)), created=1)
    assert OrgUnit.objects.get(level="province").name == "国网测试省电力有限公司"

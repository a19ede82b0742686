"""Org units are master data: a work-order file naming a unit that does not exist is a row
error with the closest known names, and nothing of the file is imported."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scorecard.complaints.models import WorkOrder
from scorecard.imports.importers.caches import short_name
from scorecard.imports.services import import_file
from scorecard.grid.models import District, OrgUnit

from tests.fixtures.import_files import CITY, DISTRICT_HEADER, WO_HEADER, sample_orders, wo, write_table

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("units")]


def _import(tmp_path, rows):
    return import_file(kind="workorders", path=write_table(tmp_path / "o.csv", WO_HEADER, rows))


def test_a_mistyped_city_fails_the_file_with_the_closest_names(tmp_path):
    units = OrgUnit.objects.count()
    rows = sample_orders()
    rows[3][9] = "国网长沙市供电公司"  # row 5 of the sheet: a 市 too many
    result = _import(tmp_path, rows)
    assert [str(e) for e in result.errors] == [
        "row 5, 地市单位: 未知单位「国网长沙市供电公司」，最接近的已有单位：国网长沙供电公司、国网株洲供电公司"]
    # All or nothing: no unit was created, and the four good rows were not imported either.
    assert OrgUnit.objects.count() == units and not OrgUnit.objects.filter(name="国网长沙市供电公司").exists()
    assert WorkOrder.objects.count() == 0 and District.objects.count() == 0
    assert result.months == []


def test_a_short_name_is_suggested_by_containment(tmp_path):
    result = _import(tmp_path, [wo(city="长沙")])
    assert [e.reason for e in result.errors] == ["未知单位「长沙」，最接近的已有单位：国网长沙供电公司"]


def test_a_name_like_nothing_says_so(tmp_path):
    result = _import(tmp_path, [wo(city="Springfield", county="", station="")])
    assert result.errors[0].column == "地市单位"
    assert result.errors[0].reason.startswith("未知单位「Springfield」，没有相近的已有单位")


def test_a_county_under_the_wrong_city_is_an_error(tmp_path):
    # 长沙县供电公司 exists, but under 国网长沙供电公司, not under 株洲.
    result = _import(tmp_path, [wo("A1"), wo("A2", city="国网株洲供电公司")])
    assert [str(e) for e in result.errors] == [
        "row 3, 县级单位: 未知单位「长沙县供电公司」，最接近的已有单位：长沙县供电公司"]
    assert WorkOrder.objects.count() == 0


def test_an_unknown_station_is_an_error_and_every_row_is_reported(tmp_path):
    rows = [wo(f"A{i}", station="星沙供电站") for i in range(3)]
    result = _import(tmp_path, rows)
    assert [(e.row, e.column) for e in result.errors] == [(2, "供电所"), (3, "供电所"), (4, "供电所")]
    assert result.errors[0].reason == "未知单位「星沙供电站」，最接近的已有单位：星沙供电所"


def test_known_units_at_every_level_still_import(tmp_path):
    result = _import(tmp_path, sample_orders())
    assert result.ok and result.created == 5
    order = WorkOrder.objects.select_related("city", "county", "station").get(order_no="WO0001")
    assert (order.city.name, order.county.name, order.station.name) == (CITY, "长沙县供电公司", "星沙供电所")


def test_the_command_exits_1_with_the_row_line(tmp_path):
    path = write_table(tmp_path / "bad.csv", WO_HEADER, [wo(city="国网长沙市供电公司")])
    err = StringIO()
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_data", "workorders", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 2, 地市单位: 未知单位「国网长沙市供电公司」，最接近的已有单位：国网长沙供电公司、国网株洲供电公司"]


@pytest.mark.parametrize("written", ["长沙供电公司", "长沙公司", "国网长沙供电分公司"])
def test_a_short_name_finds_the_unit_and_creates_none(tmp_path, written):
    units = OrgUnit.objects.count()
    result = _import(tmp_path, [wo("S1", city=written), wo("S2")])
    assert result.ok, result.errors
    assert set(WorkOrder.objects.values_list("city__name", flat=True)) == {CITY}
    assert OrgUnit.objects.count() == units


def test_a_county_short_name_finds_its_county(tmp_path):
    result = _import(tmp_path, [wo(county="国网长沙县供电公司"), wo("S2", county="长沙县公司")])
    assert result.ok, result.errors
    assert set(WorkOrder.objects.values_list("county__name", flat=True)) == {"长沙县供电公司"}


def test_a_short_name_two_units_share_names_both(tmp_path):
    OrgUnit.objects.create(name="长沙供电公司", level="city", parent=OrgUnit.objects.get(level="province"))
    # Each full name is its own unit; the short name 长沙公司 could be either.
    assert _import(tmp_path, [wo("F1", city="长沙供电公司", county="", station="")]).ok
    result = _import(tmp_path, [wo("F2", city="长沙公司", county="", station="")])
    assert [str(e) for e in result.errors] == [
        "row 2, 地市单位: 单位简称「长沙公司」对应多个已有单位：国网长沙供电公司、长沙供电公司，请写全称"]


def test_the_districts_import_uses_the_existing_unit_for_a_short_name(tmp_path):
    units = OrgUnit.objects.count()
    path = write_table(tmp_path / "d.csv", DISTRICT_HEADER,
                       [["TQ7001", "短名台区", "长沙供电公司", "长沙县公司", "新开供电所", "", 100, 10]])
    assert import_file(kind="districts", path=path).ok
    district = District.objects.select_related("city", "county", "station").get(code="TQ7001")
    assert (district.city.name, district.county.name, district.station.name) == (CITY, "长沙县供电公司", "新开供电所")
    assert OrgUnit.objects.count() == units + 1  # only the new station


def test_short_name_rule():
    assert {short_name(n) for n in ("国网长沙供电公司", "长沙供电公司", "长沙公司", "国网长沙供电分公司")} == {"长沙公司"}
    assert short_name("星沙供电所") == "星沙供电所" and short_name("长沙县供电公司") == "长沙县公司"
    assert short_name("长沙") == "长沙" and short_name("供电公司") == "供电公司"

"""The month's complaint profile, pinned through `complaint_profile --json` (interfaces.md)."""
import io
import json

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from scorecard.complaints import selectors

from .conftest import local


@pytest.fixture
def keep_connections(monkeypatch):
    """run_from_argv closes every connection when done, which would drop the test database."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def profile(*args) -> dict:
    out = io.StringIO()
    call_command("complaint_profile", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


# --- edge cases --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_empty_month():
    p = profile("--month", "2019-06")
    assert p["month"] == "2019-06" and p["total"] == 0
    assert p["previous_month_total"] == 0 and p["mom_change_pct"] is None and p["yoy_change_pct"] is None
    assert [c["name"] for c in p["categories"]] == ["供电质量", "营业", "服务", "停送电", "电网建设"]
    assert all(c["count"] == 0 and c["share"] == 0 for c in p["categories"])
    assert p["subcategories"] == []
    assert p["voltage_customers"] == {"过电压": 0, "低电压": 0}
    assert p["hotspots"] == {"multi_customer_districts": [], "consecutive_month_districts": [],
                             "same_month_last_year_districts": []}
    assert p["hourly"] == [0] * 24 and p["peak_hours"] == []


def test_month_without_previous_month(small):
    d = small.districts[0]
    small.order(local(2018, 3, 5, 9), customer="A", district=d)
    small.order(local(2018, 3, 6, 9), customer="B", district=d)
    small.order(local(2017, 3, 6, 9), customer="B", district=d)
    p = profile("--month", "2018-03")
    assert p["total"] == 2 and p["previous_month_total"] == 0 and p["mom_change_pct"] is None
    assert p["last_year_total"] == 1 and p["yoy_change_pct"] == 100.0
    assert p["hotspots"] == {"multi_customer_districts": [d.code], "consecutive_month_districts": [],
                             "same_month_last_year_districts": [d.code]}


def test_half_up_rounding_and_month_edges(small):
    # 1 of 32 = 3.125 %: half-up gives 3.13 (a float round() gives 3.12).
    for i in range(31):
        small.order(local(2018, 3, 1 + i % 28, 10), customer=f"K{i}", sub="服务不规范")
    small.order(local(2018, 3, 31, 23, 59, 59), customer="Z", sub="施工影响")
    small.order(local(2018, 4, 1, 0, 0, 0), customer="Z", sub="施工影响")  # next month
    small.order(local(2018, 2, 28, 23, 59, 59), customer="Z", sub="施工影响")  # previous month
    p = profile("--month", "2018-03")
    assert round(3.125, 2) == 3.12
    assert p["total"] == 32
    assert {c["name"]: c["share"] for c in p["categories"]}["电网建设"] == 3.13
    assert p["hourly"][23] == 1 and p["hourly"][10] == 31 and p["hourly"][0] == 0
    assert p["peak_hours"] == [10, 23]


def test_peak_hours_ties_go_to_the_earlier_hour():
    assert selectors.peak_hours([0] * 8 + [3] + [0] * 9 + [3, 5] + [0] * 4) == [19, 8, 18]


def test_unit_filter(small):
    a, b = small.cities
    da, da2 = small.districts[0], small.districts[1]  # city A; da has no station, da2 has one
    db_ = small.districts[3]  # city B
    small.order(local(2018, 3, 2, 19), customer="A1", district=da)
    small.order(local(2018, 3, 3, 19), customer="A2", district=da, sub="电压质量长时间异常", detail="过电压")
    small.order(local(2018, 3, 4, 11), customer="A3", district=da2, sub="服务不规范")
    small.order(local(2018, 2, 4, 11), customer="A3", district=da2)
    small.order(local(2018, 3, 5, 8), customer="B1", district=db_)
    small.order(local(2018, 3, 6, 8), customer="B2", district=db_)
    small.order(local(2018, 3, 6, 8), customer="B3", city=1)  # city B, no 台区, no county
    whole = profile("--month", "2018-03")
    assert whole["total"] == 6
    assert whole["hotspots"]["multi_customer_districts"] == [da.code, db_.code]

    city_a = profile("--month", "2018-03", "--unit", a.name)
    assert city_a["unit"] == a.name and city_a["total"] == 3 and city_a["previous_month_total"] == 1
    assert city_a["voltage_customers"] == {"过电压": 1, "低电压": 0}
    assert city_a["hotspots"] == {"multi_customer_districts": [da.code], "consecutive_month_districts": [da2.code],
                                  "same_month_last_year_districts": []}
    assert {c["name"]: c["share"] for c in city_a["categories"]} == {
        "供电质量": 66.67, "服务": 33.33, "营业": 0, "停送电": 0, "电网建设": 0}
    assert city_a["peak_hours"] == [19, 11]

    city_b = profile("--month", "2018-03", "--unit", b.name)
    assert city_b["total"] == 3 and city_b["hotspots"]["multi_customer_districts"] == [db_.code]
    county_b = profile("--month", "2018-03", "--unit", small.counties[1].name)
    assert county_b["total"] == 2  # the order without a county is only in the city's figures
    station_a = profile("--month", "2018-03", "--unit", small.stations[0].name)
    assert station_a["total"] == 1 and station_a["subcategories"][0]["name"] == "服务不规范"
    province = profile("--month", "2018-03", "--unit", small.province.name)
    assert province["total"] == 6


def test_unknown_unit_exits_2(small, capsys, keep_connections):
    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(["manage.py", "complaint_profile", "--month", "2018-03", "--unit", "国网火星供电公司",
                                   "--json"])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert "国网火星供电公司" in captured.err and captured.out == ""
    with pytest.raises(CommandError) as err:
        call_command("complaint_profile", "--month", "2018-03", "--unit", "nowhere")
    assert err.value.returncode == 2


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2018-13", "201803", "2018-03-01", "March", "", "2018-00"])
def test_malformed_month_exits_2(month, capsys, keep_connections):
    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(["manage.py", "complaint_profile", "--month", month, "--json"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--month" in err and "YYYY-MM" in err


@pytest.mark.django_db
def test_ambiguous_unit_names_the_candidates(small):
    from scorecard.grid.models import OrgUnit
    OrgUnit.objects.create(name="城关供电所", level="station", parent=small.counties[0])
    OrgUnit.objects.create(name="城关供电所", level="station", parent=small.counties[1])
    with pytest.raises(CommandError) as err:
        call_command("complaint_profile", "--month", "2018-03", "--unit", "城关供电所")
    assert err.value.returncode == 2 and "不止一个" in str(err.value) and small.counties[1].name in str(err.value)

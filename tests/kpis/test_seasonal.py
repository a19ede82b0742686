"""kpis.seasonal: the 迎峰度夏 list of 2025 on hand-made readings, every figure by hand, and the
commissioning-in-time rule."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from scorecard.kpis import seasonal
from tests.fixtures.factories import city, district, project, reading

pytestmark = pytest.mark.django_db


def test_summer_list_figures_and_projects():
    cs = city("国网长沙供电公司")
    a, b, c, d = (district(code, cs) for code in ("TQA", "TQB", "TQC", "TQD"))
    # A: last summer's peak 95 %, grown 8 points (Feb–Apr 2025 max 70 vs Feb–Apr 2024 max 62) → 103: overload.
    for month, load in (("2024-06", 90), ("2024-08", 95), ("2024-02", 62), ("2024-04", 60),
                        ("2025-02", 65), ("2025-04", 70)):
        reading(a, month, load=load)
    # B: peak 85, no trend → heavy load; C: 60 % but 190 V in July → low voltage; D: nothing.
    reading(b, "2024-07", load=85)
    reading(c, "2024-07", load=60, vmin=190)
    reading(c, "2024-09", load=60, vmin=195)
    reading(d, "2024-07", load=50)
    reading(d, "2025-05", load=99)           # May 2025 is the publication month: not read
    project(a, planned="2025-05-20")                              # in time (before June 1)
    project(a, planned="2025-06-15")                              # late
    project(a, planned="2025-03-01", commissioned="2025-06-02")   # commissioned after the season started: late
    project(a, planned="2025-03-01", commissioned="2025-04-01")   # already commissioned: relieves nothing now
    project(c, planned="2025-05-31", commissioned="2025-05-10")   # commissioned in May: in time
    rows = seasonal.rows(seasonal.SUMMER, 2025)
    assert [r["code"] for r in rows] == ["TQA", "TQB", "TQC"]
    ra, rb, rc = rows
    assert (ra["kinds"], ra["last_peak"], ra["trend"], ra["expected_peak"]) == (["overload"], 95.0, 8.0, 103.0)
    assert [(p["planned_on"], p["in_time"]) for p in ra["projects"]] == [
        ("2025-03-01", False), ("2025-05-20", True), ("2025-06-15", False)]
    assert (rb["kinds"], rb["trend"], rb["expected_peak"], rb["projects"]) == (["heavy_load"], None, 85.0, [])
    assert (rc["kinds"], rc["last_vmin"], rc["low_voltage_months"]) == (["low_voltage"], 190.0, 2)
    assert [p["in_time"] for p in rc["projects"]] == [True]


def test_the_projects_are_aggregated_in_the_one_statement_with_every_value_by_hand():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scorecard.grid.models import GridProject

    cs = city("国网长沙供电公司")
    a, b, c, d = (district(code, cs) for code in ("TQA", "TQB", "TQC", "TQD"))
    for x in (a, b, c):
        reading(x, "2024-07", load=110)
    # Created out of order (by number and by date): the list is ordered by planned date, then number.
    GridProject.objects.create(project_no="XM-9", district=a, kind="新建台区", planned_on=dt.date(2025, 7, 1))
    GridProject.objects.create(project_no="XM-3", district=a, kind="配变增容", planned_on=dt.date(2025, 5, 1),
                               commissioned_on=dt.date(2025, 5, 15))
    GridProject.objects.create(project_no="XM-1", district=a, kind="配变增容", planned_on=dt.date(2025, 7, 1))
    GridProject.objects.create(project_no="XM-0", district=a, kind="配变增容", planned_on=dt.date(2025, 1, 1),
                               commissioned_on=dt.date(2025, 4, 30))    # before May: relieves nothing now
    GridProject.objects.create(project_no="XM-5", district=b, kind="线路改造", planned_on=dt.date(2025, 6, 1))
    GridProject.objects.create(project_no="XM-7", district=d, kind="配变增容", planned_on=dt.date(2025, 5, 1))
    with CaptureQueriesContext(connection) as queries:
        rows = {r["code"]: r for r in seasonal.rows(seasonal.SUMMER, 2025)}
    assert len([q for q in queries if "gridproject" in q["sql"].lower()]) == 1
    assert len([q for q in queries if "loadreading" in q["sql"].lower()]) == 1
    assert set(rows) == {"TQA", "TQB", "TQC"}      # D has a project but no risk: not listed
    assert rows["TQA"]["projects"] == [
        {"project_no": "XM-3", "kind": "配变增容", "planned_on": "2025-05-01", "commissioned_on": "2025-05-15",
         "in_time": True},
        {"project_no": "XM-1", "kind": "配变增容", "planned_on": "2025-07-01", "commissioned_on": None,
         "in_time": False},
        {"project_no": "XM-9", "kind": "新建台区", "planned_on": "2025-07-01", "commissioned_on": None,
         "in_time": False}]
    # June 1st is the season's first day: planned on it is not in time.
    assert rows["TQB"]["projects"] == [{"project_no": "XM-5", "kind": "线路改造", "planned_on": "2025-06-01",
                                        "commissioned_on": None, "in_time": False}]
    assert rows["TQC"]["projects"] == []
    assert [rows[k]["project_status"] for k in ("TQA", "TQB", "TQC")] == ["in_time", "late", "none"]


def test_winter_season_bounds():
    assert seasonal.published_month(seasonal.WINTER, 2025).isoformat() == "2025-11-01"
    assert [m.isoformat() for m in seasonal.last_season(seasonal.WINTER, 2025)] == ["2024-12-01", "2025-03-01"]
    assert [m.isoformat() for m in seasonal.last_season(seasonal.SUMMER, 2025)] == ["2024-06-01", "2024-10-01"]


def test_the_service_stores_and_audits_and_beat_runs_it_in_may_and_november():
    from django_celery_beat.models import PeriodicTask

    from scorecard.accounts.models import AuditLog
    from scorecard.kpis import services, tasks
    from scorecard.kpis.models import SeasonalRiskList

    a = district("TQA", city("国网长沙供电公司"))
    reading(a, "2024-07", load=120)
    sl = services.compute_seasonal_list(season="summer", year=2025, reason="test")
    entry = sl.entries.get()
    assert (entry.district_id, entry.rank, entry.load_risk, entry.low_voltage) == ("TQA", 1, "overload", False)
    assert (entry.last_peak, entry.expected_peak, entry.project_status, entry.projects) == (120.0, 120.0, "none", [])
    assert AuditLog.objects.get(action="seasonal.compute").after["districts"] == 1
    reading(district("TQB", a.city), "2024-08", load=90)
    services.compute_seasonal_list(season="summer", year=2025)
    # Recomputing replaces the entries (and audits what there was before).
    assert SeasonalRiskList.objects.count() == 1
    assert list(SeasonalRiskList.objects.get().entries.values_list("district_id", "rank")) == [("TQA", 1), ("TQB", 2)]
    assert AuditLog.objects.filter(action="seasonal.compute").latest("pk").before["districts"] == 1
    assert tasks.compute_seasonal_list.run("winter", 2025, "test") == "2025-winter"
    beat = PeriodicTask.objects.select_related("crontab").get(task="kpis.compute_seasonal_list")
    assert (beat.crontab.month_of_year, beat.crontab.day_of_month, beat.crontab.hour) == ("5,11", "1", "4")
    with pytest.raises(ValidationError):
        services.compute_seasonal_list(season="spring", year=2025)


def test_the_page_lists_the_viewers_districts_only(client):
    from scorecard.accounts.models import User
    from scorecard.kpis import services

    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    reading(district("TQA", cs), "2024-07", load=120)
    reading(district("TQZ", zz), "2024-07", load=120)
    client.force_login(User.objects.create_user("s-analyst", password="pw", role="analyst"))
    assert "尚未计算迎峰风险清单" in client.get("/scorecard/risk/seasonal/").content.decode()
    services.compute_seasonal_list(season="summer", year=2025)
    html = client.get("/scorecard/risk/seasonal/?list=2025-summer").content.decode()
    assert "TQA" in html and "TQZ" in html and "120.00" in html and "过载" in html
    client.force_login(User.objects.create_user("s-leader", password="pw", role="leader", org_unit=zz))
    html = client.get("/scorecard/risk/seasonal/").content.decode()
    assert "TQZ" in html and "TQA" not in html

"""The scorecard tables print figures the one way and export the numbers (issue #14)."""
from django.test import RequestFactory

from scorecard.core.exports import table_dataset
from scorecard.kpis.tables import DepartmentTable, UnitTable

ROW = {"rank": 1, "unit": "国网长沙供电公司", "complaints": 12345, "customers": 1059420, "per_10k": 11.6528,
       "repeat_rate": 3.5, "on_time_rate": 100.0, "avg_resolution_hours": 20.125, "satisfaction_rate": None,
       "score": 40.0, "scored_by_rule": [], "rank_change": None}


def test_it_prints_each_kind_of_figure_one_way():
    html = UnitTable([ROW]).as_html(RequestFactory().get("/"))
    for shown in ("12,345", "1,059,420", "11.65", "3.50", "100.00", "20.13", "40.00"):
        assert f">{shown}<" in html
    assert "11.6528" not in html and ">100.0<" not in html and ">40.0<" not in html


def test_exports_keep_the_numbers():
    data = table_dataset(DepartmentTable([{**ROW, "department": "运检", "median_resolution_hours": 2.5,
                                           "ack_rate": 99.1, "rectification_on_time_rate": None}]))
    row = dict(zip(data.headers, data[0]))
    assert row["考核口径投诉量"] == 12345 and row["得分"] == 40.0 and row["满意率%"] is None


def test_the_repeat_rate_header_names_its_look_back_per_table():
    named = UnitTable([ROW], repeat_days=45).as_html(RequestFactory().get("/"))
    assert "重复投诉率%（45天回溯）" in named and "此前 45 天内另有投诉" in named
    plain = UnitTable([ROW]).as_html(RequestFactory().get("/"))
    assert "天回溯" not in plain  # the class is untouched by an instance

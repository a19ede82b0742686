"""The scorecard tables print figures the one way and export the numbers (issue #14)."""
from django.test import RequestFactory

from scorecard.core.exports import table_dataset
from scorecard.kpis.selectors import NO_DATA
from scorecard.kpis.tables import DepartmentTable, DrillTable, ManagerTable, UnitTable

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
    named = UnitTable([ROW], repeat_days=45).as_html(RequestFactory().get("/")).replace("<wbr>", "")
    assert "重复投诉率%（45天回溯）" in named and "此前 45 天内另有投诉" in named
    plain = UnitTable([ROW]).as_html(RequestFactory().get("/"))
    assert "天回溯" not in plain  # the class is untouched by an instance


def test_headers_may_break_only_between_words():
    html = UnitTable([ROW]).as_html(RequestFactory().get("/"))
    assert "考核口径<wbr>投诉量" in html and "按时<wbr>办结率%" in html and "平均办结<wbr>时长<wbr>(h)" in html
    assert "<wbr>排名" not in html  # a break word at the start of a header gets no break point
    assert "责任部<wbr>" not in DepartmentTable([]).as_html(RequestFactory().get("/"))


def test_exports_keep_plain_headers():
    data = table_dataset(UnitTable([ROW]))
    assert "考核口径投诉量" in data.headers and not any("wbr" in h for h in data.headers)


def test_the_rule_scored_cell_is_folded_to_a_summary_that_opens_on_click():
    row = {**ROW, "scored_by_rule": [{"kpi": "satisfaction_rate", "reason": NO_DATA, "band": "E"},
                                     {"kpi": "repeat_rate", "reason": NO_DATA, "band": "E"}]}
    html = UnitTable([row]).as_html(RequestFactory().get("/"))
    assert '<details class="rules"><summary>缺少数据 2项</summary>' in html
    assert html.count("缺少数据，按最低档计：") == 1  # the full list, inside the <details>
    data = table_dataset(UnitTable([row]))
    assert dict(zip(data.headers, data[0]))["按规则计分的指标"].startswith("缺少数据，按最低档计：")


def test_only_the_total_score_carries_the_nothing_to_rate_badge():
    row = {**ROW, "complaints": 0, "kpi_score": 40.0, "deductions": []}
    html = UnitTable([row]).as_html(RequestFactory().get("/"))
    assert html.count("无可评价") == 1


def test_the_drill_down_tables_share_their_figures_and_keep_their_column_order():
    # One base table (the rank and five figures), each table placing its own names with Meta.sequence.
    figures = ["complaints", "customers", "per_10k", "repeat_rate", "on_time_rate"]
    drill = DrillTable([], show_manager=True, repeat_days=30)
    assert [c.name for c in drill.columns.iterall()] == ["rank", "name", "manager", "accepted_complaints", *figures,
                                                         "basis"]
    assert [c.name for c in ManagerTable([]).columns.iterall()] == ["rank", "name", *figures, "basis"]
    assert "manager" not in [c.name for c in DrillTable([]).columns]  # hidden unless the rows are 台区
    assert "30天回溯" in str(drill.columns["repeat_rate"].header)
    data = table_dataset(ManagerTable([{**ROW, "name": "张伟（GW001）"}]))
    assert dict(zip(data.headers, data[0]))["万户投诉量"] == 11.6528

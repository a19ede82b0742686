"""The department trend's text alternative states its figures (issue #17)."""
from scorecard.kpis.charts import describe_trend


def test_it_states_the_total_the_peak_month_and_the_last_month():
    trend = [{"month": "2024-08", "complaints": 2, "satisfaction_rate": 50.0},
             {"month": "2024-09", "complaints": 4, "satisfaction_rate": None},
             {"month": "2024-10", "complaints": 3, "satisfaction_rate": 66.6667}]
    assert describe_trend(trend) == ("近12个月趋势（2024-08 至 2024-10）：投诉共 9 件，最多为 2024-09 的 4 件；"
                                     "2024-10 投诉 3 件，满意率 66.67%")


def test_a_last_month_without_survey_answers_has_no_rate():
    assert describe_trend([{"month": "2024-10", "complaints": 0, "satisfaction_rate": None}]).endswith("满意率 —")

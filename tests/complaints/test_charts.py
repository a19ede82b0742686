"""The analysis charts' text alternatives state the figures the charts draw (issue #17)."""
from scorecard.complaints.charts import describe


def figures(**kw):
    hourly = [0] * 24
    hourly[19], hourly[9], hourly[3] = 5, 3, 1
    return {"month": "2024-10", "total": 9, "hourly": hourly, "peak_hours": [19, 9, 3],
            "categories": [{"name": "供电质量", "count": 6, "share": 66.667}, {"name": "服务", "count": 3, "share": 33.333}],
            "subcategories": [{"name": "频繁停电", "count": 6, "share": 66.667}], **kw}


def test_it_names_every_category_with_its_count_and_share():
    text = describe(figures())
    assert text["categories"] == "一级分类占比，共 9 件：供电质量 6 件（66.67%）、服务 3 件（33.33%）"
    assert text["subcategories"] == "二级分类前 1 位：频繁停电 6 件（66.67%）"


def test_it_names_the_peak_hours_and_the_quietest_hour():
    assert describe(figures())["hourly"] == "24小时受理分布，共 9 件；高峰：19时 5 件、9时 3 件、3时 1 件；最少：0时 0 件"


def test_a_month_without_complaints_says_so_rather_than_describing_empty_charts():
    text = describe(figures(total=0, categories=[], subcategories=[], hourly=[0] * 24, peak_hours=[]))
    assert set(text.values()) == {"2024-10 没有投诉，图表为空"}

"""The analysis tables print counts with thousands separators and rates with two decimals, like every
other page (core.numbers, issue #14); exports keep the numbers."""
from django.test import RequestFactory

from scorecard.complaints.tables import HotspotTable, RisingTable
from scorecard.core.exports import table_dataset


def test_hotspot_counts_carry_thousands_separators_and_link():
    rows = [{"code": "TQ1", "name": "一号台区", "city": "甲", "county": "乙", "complaints": 12345, "customers": 1200}]
    html = HotspotTable(rows).as_html(RequestFactory().get("/"))
    assert ">12,345</a>" in html and ">1,200<" in html and ">12345<" not in html
    data = table_dataset(HotspotTable(rows))
    assert dict(zip(data.headers, data[0]))["投诉件数"] == 12345


def test_rising_rows_print_counts_and_the_increase_rate_one_way():
    rows = [{"id": 1, "name": "甲线", "previous": 1000, "current": 2125, "increase": 1125, "increase_pct": 112.5},
            {"id": 2, "name": "乙线", "previous": 0, "current": 3, "increase": 3, "increase_pct": None}]
    html = RisingTable(rows, link_param="feeder").as_html(RequestFactory().get("/"))
    assert ">1,000<" in html and ">2,125<" in html and ">1,125<" in html and ">112.50<" in html
    assert html.count(">—<") >= 1  # no previous figure, no rate

"""Acceptance audit of issue #3: the hotspot rows carry the 台区, its unit and its complaint and customer counts."""
import pytest

from scorecard.complaints import selectors

from .conftest import local


@pytest.mark.django_db
def test_hotspot_rows_have_the_district_its_units_and_the_counts(small):
    a0, a1, b0 = small.districts[0], small.districts[1], small.districts[3]
    # a0: customers A (twice) and B, plus a 咨询 from C → 3 complaints, 2 customers: multi-customer.
    small.order(local(2018, 3, 2, 9), customer="A", district=a0)
    small.order(local(2018, 3, 9, 9), customer="A", district=a0)
    small.order(local(2018, 3, 3, 9), customer="B", district=a0)
    small.order(local(2018, 3, 4, 9), customer="C", district=a0, btype="咨询", sub=None)
    # a1: one customer this month and one last month → consecutive only, 1 complaint, 1 customer.
    small.order(local(2018, 3, 5, 9), customer="D", district=a1)
    small.order(local(2018, 2, 5, 9), customer="E", district=a1)
    # b0 (the other city): one complaint now, one in March 2017 → same month last year.
    small.order(local(2018, 3, 6, 9), customer="F", district=b0)
    small.order(local(2017, 3, 6, 9), customer="F", district=b0)
    hot = selectors.hotspot_districts("2018-03")

    def rows(key):
        return [(r["code"], r["name"], r["city"], r["county"], r["complaints"], r["customers"]) for r in hot[key]]

    city_a, county_a = small.cities[0].name, small.counties[0].name
    city_b, county_b = small.cities[1].name, small.counties[1].name
    assert rows("multi_customer_districts") == [(a0.code, a0.name, city_a, county_a, 3, 2)]
    assert rows("consecutive_month_districts") == [(a1.code, a1.name, city_a, county_a, 1, 1)]
    assert rows("same_month_last_year_districts") == [(b0.code, b0.name, city_b, county_b, 1, 1)]
    # A unit filter keeps the earlier months' look-up on the 台区 (a property of the 台区, not of the unit).
    assert [r["code"] for r in selectors.hotspot_districts("2018-03", small.cities[1])[
        "same_month_last_year_districts"]] == [b0.code]
    assert selectors.hotspot_districts("2018-03", small.cities[1])["multi_customer_districts"] == []


@pytest.mark.django_db
def test_the_profiles_hotspot_codes_are_the_rows_codes(small):
    a0, a1, b0 = small.districts[0], small.districts[1], small.districts[3]
    small.order(local(2018, 3, 2, 9), customer="A", district=a0)
    small.order(local(2018, 3, 3, 9), customer="B", district=a0)
    small.order(local(2018, 3, 5, 9), customer="D", district=a1)
    small.order(local(2018, 2, 5, 9), customer="E", district=a1)
    small.order(local(2018, 3, 6, 9), customer="F", district=b0)
    small.order(local(2017, 3, 6, 9), customer="F", district=b0)
    small.order(local(2018, 3, 7, 9), customer="G", district=b0)
    for unit in (None, small.cities[0], small.cities[1], small.counties[1]):
        codes = selectors.hotspot_codes("2018-03", unit)
        assert codes == {key: [r["code"] for r in rows]
                         for key, rows in selectors.hotspot_districts("2018-03", unit).items()}
        assert codes == selectors.complaint_profile("2018-03", unit)["hotspots"]
    # Not vacuous: every list has its 台区 (b0 is hot twice: two customers, and last March).
    assert selectors.hotspot_codes("2018-03") == {
        "multi_customer_districts": sorted([a0.code, b0.code]),
        "consecutive_month_districts": [a1.code],
        "same_month_last_year_districts": [b0.code],
    }

"""scorecard.kpis.risk features: each feature of month M pinned on hand-made data, and the no-leakage
rule (nothing dated in M or later changes a feature of M)."""
import datetime as dt

import pytest

from scorecard.kpis import risk
from scorecard.kpis.models import Incident, Rectification
from tests.fixtures.factories import city, dept, district, order, outage, project, reading

pytestmark = pytest.mark.django_db

JUNE = dt.date(2024, 6, 1)


def incident(d, month: str, kind: str, *, due: str | None = None, closed: str | None = None):
    inc = Incident.objects.create(district=d, month=dt.date.fromisoformat(month + "-01"), kind=kind, city=d.city,
                                  department=dept("运检"), rule="test")
    if due:
        Rectification.objects.create(
            incident=inc, city=d.city, department=dept("运检"), due_on=dt.date.fromisoformat(due),
            status="done" if closed else "open", closed_on=dt.date.fromisoformat(closed) if closed else None)
    return inc


@pytest.fixture
def world():
    cs = city("长沙供电公司")
    a = district("TQA", cs, customers=300, feeder="F1")
    b = district("TQB", cs, customers=120, feeder="F1")
    c = district("TQC", cs, customers=50, feeder="F2")
    # Readings: March–May count (80, 85, 96: rising), February and June do not.
    reading(a, "2024-02", load=120)
    reading(a, "2024-03", load=80)
    reading(a, "2024-04", load=85, vmin=190)
    reading(a, "2024-05", load=96, vmax=236)
    reading(a, "2023-05", load=70)
    reading(a, "2023-06", load=90)
    reading(c, "2024-05", load=101, vmin=200, vmax=230)
    # Outages: start 2024-06-01 00:00 local; 60 days before = 2024-04-02, 90 days = 2024-03-03.
    outage(feeder="F1", start="2024-05-20 10:00")                                   # whole feeder: A and B
    outage(feeder="F1", start="2024-04-15 10:00", district_obj=a)                   # A only, 60 days
    outage(feeder="F1", start="2024-04-01 23:59", district_obj=a, kind="temporary")  # A, 90 days not 60
    outage(feeder="F1", start="2024-03-10 08:00", district_obj=a, kind="planned")   # A, 90 days
    outage(feeder="F1", start="2024-02-20 08:00", district_obj=a, kind="planned")   # older than 90 days
    # Complaints of A (customers X1..X8) and one of B.
    for accepted, customer in [("2024-05-03 09:00", "X1"), ("2024-05-09 09:00", "X1"), ("2024-05-31 23:59", "X2"),
                               ("2024-04-10 09:00", "X3"), ("2024-03-10 09:00", "X1"), ("2023-07-01 00:00", "X4"),
                               ("2023-06-05 09:00", "X5"), ("2023-06-06 09:00", "X6"), ("2023-06-30 23:00", "X7"),
                               ("2023-05-20 09:00", "X8")]:
        order(accepted=accepted, city_unit=cs, district_obj=a, customer=customer)
    order(accepted="2024-05-12 09:00", city_unit=cs, district_obj=a, customer="X9", business_type="咨询",
          category=None, subcategory=None)                                          # not a complaint
    order(accepted="2024-03-02 09:00", city_unit=cs, district_obj=b, customer="Y1")
    # Projects of A: commissioned 2024-04-15 (within 60 days), 2024-03-01 (not); due by 2024-06-30 and not
    # commissioned before June: planned 06-20 (open), planned 05-10 commissioned 06-10; planned 07-05 is not due.
    project(a, planned="2024-04-01", commissioned="2024-04-15")
    project(a, planned="2024-03-01", commissioned="2024-03-01")
    project(a, planned="2024-06-20")
    project(a, planned="2024-05-10", commissioned="2024-06-10")
    project(a, planned="2024-07-05")
    # Incidents of A: March and May count; February does not. Rectifications overdue at 2024-06-01:
    # March's (due 04-30, open) and February's (due 03-31, closed only on 06-05); May's is due 06-30.
    incident(a, "2024-03", "heavy_load", due="2024-04-30")
    incident(a, "2024-02", "overload", due="2024-03-31", closed="2024-06-05")
    incident(a, "2024-05", "overload", due="2024-06-30")
    incident(b, "2024-01", "low_voltage", due="2024-02-29", closed="2024-05-31")   # closed before June
    return a, b, c


def test_it_computes_each_feature_of_a_district_exactly(world):
    f = risk.features(JUNE)["TQA"]
    assert f == {
        "load_max_3m": 96.0, "load_last": 96.0, "load_trend_3m": 16.0, "overload_months_3m": 0,
        "heavy_months_3m": 3, "reading_months_3m": 3,
        "vmin_3m": 190.0, "vmax_3m": 236.0, "low_voltage_months_3m": 1, "over_voltage_months_3m": 1,
        "outages_60d_planned": 0, "outages_60d_temporary": 0, "outages_60d_fault": 2,
        "outages_90d_planned": 1, "outages_90d_temporary": 1, "outages_90d_fault": 2,
        "complaints_1m": 3, "customers_1m": 2, "complaints_3m": 5, "customers_3m": 3,
        "complaints_12m": 9, "customers_12m": 7, "last_year_complaints": 3, "last_year_customers": 3,
        "summer": 1, "winter": 0, "last_year_load_step": 20.0, "last_year_customer_step": 2,
        "projects_commissioned_60d": 1, "projects_due": 2,
        "incidents_3m": 2, "rectifications_overdue": 2, "district_customers": 300,
    }


def test_it_counts_whole_feeder_outages_and_leaves_missing_readings_empty(world):
    f = risk.features(JUNE)
    b, c = f["TQB"], f["TQC"]
    assert (b["outages_60d_fault"], b["outages_90d_fault"], b["outages_90d_planned"]) == (1, 1, 0)
    assert (b["load_max_3m"], b["load_last"], b["vmin_3m"], b["load_trend_3m"], b["reading_months_3m"]) == (
        None, None, None, 0.0, 0)
    assert (b["complaints_3m"], b["customers_3m"], b["complaints_1m"], b["rectifications_overdue"]) == (1, 1, 0, 0)
    # One reading (May): no trend without March's; 101 % is an overload month, not a heavy one.
    assert (c["load_max_3m"], c["load_trend_3m"], c["overload_months_3m"], c["heavy_months_3m"]) == (101.0, 0.0, 1, 0)
    assert (c["outages_90d_fault"], c["complaints_12m"], c["district_customers"]) == (0, 0, 50)


def test_it_flags_the_seasons_by_the_predicted_month(world):
    assert [(risk.features(dt.date(2024, m, 1))["TQC"]["summer"], risk.features(dt.date(2024, m, 1))["TQC"]["winter"])
            for m in (1, 2, 3, 5, 6, 9, 10, 11, 12)] == [
        (0, 1), (0, 1), (0, 0), (0, 0), (1, 0), (1, 0), (0, 0), (0, 0), (0, 1)]


def test_it_labels_the_multi_customer_districts_of_a_month(world):
    assert risk.hotspots(dt.date(2024, 5, 1)) == {"TQA": (2, 3)}
    assert risk.hotspots(dt.date(2023, 6, 1)) == {"TQA": (3, 3)}
    assert risk.hotspots(dt.date(2024, 4, 1)) == {}


def test_no_feature_of_june_reads_data_dated_in_june_or_later(world):
    a, b, c = world
    before = risk.features(JUNE)
    cs = a.city
    for accepted, customer, d in [("2024-06-01 00:00", "Z1", a), ("2024-06-15 09:00", "Z2", a),
                                  ("2024-06-15 09:00", "Z3", b), ("2024-07-01 09:00", "Z4", c)]:
        order(accepted=accepted, city_unit=cs, district_obj=d, customer=customer)
    reading(a, "2024-06", load=150, vmin=150, vmax=260)
    reading(b, "2024-07", load=150)
    outage(feeder="F1", start="2024-06-01 00:00")
    outage(feeder="F2", start="2024-06-20 00:00", district_obj=c)
    project(b, planned="2024-07-10", commissioned="2024-06-05")    # commissioned in June
    a.projects.filter(planned_on=dt.date(2024, 6, 20)).update(commissioned_on=dt.date(2024, 6, 25))
    incident(a, "2024-06", "overload", due="2024-06-10")
    Rectification.objects.filter(due_on=dt.date(2024, 4, 30)).update(status="done", closed_on=dt.date(2024, 6, 2))
    assert risk.features(JUNE) == before

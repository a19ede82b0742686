"""Freezing a month's 台区 master data (grid.freeze): 用户数, units and the 台区经理 of the month's last
day are copied in one INSERT … SELECT, replaced by a re-freeze and dropped by an unfreeze."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard.grid.freeze import freeze_month, unfreeze_month
from scorecard.grid.models import DistrictFreeze, DistrictManagerAssignment as A, FrozenDistrict, OrgUnit

from tests.fixtures.factories import city, district

pytestmark = pytest.mark.django_db
OCT = dt.date(2024, 10, 1)


def frozen(month=OCT):
    return sorted(FrozenDistrict.objects.filter(month=month).values_list(
        "code", "name", "city_id", "county_id", "station_id", "customers", "manager_name", "manager_staff_no"))


def test_it_copies_each_district_with_the_manager_of_the_months_last_day():
    cs = city("国网长沙供电公司")
    county = OrgUnit.objects.create(name="望城区供电公司", level="county", parent=cs)
    station = OrgUnit.objects.create(name="丁字供电所", level="station", parent=county)
    t1, t2, t3 = district("T1", cs, customers=400), district("T2", cs, customers=600), district("T3", cs, customers=7)
    t1.county, t1.station = county, station
    t1.save()
    A.objects.create(district=t1, name="李娜", staff_no="GW002", valid_from=dt.date(2024, 1, 1),
                     valid_to=dt.date(2024, 10, 31))
    A.objects.create(district=t1, name="王芳", staff_no="GW003", valid_from=dt.date(2024, 10, 31))
    A.objects.create(district=t2, name="张伟", staff_no="", valid_from=dt.date(2024, 11, 1))  # not yet in October
    with CaptureQueriesContext(connection) as queries:
        assert freeze_month(month=OCT) == 3
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 2  # the rows in one statement, and the header
    assert frozen() == [("T1", "T1台区", cs.pk, county.pk, station.pk, 400, "王芳", "GW003"),
                        ("T2", "T2台区", cs.pk, None, None, 600, None, None),
                        ("T3", "T3台区", cs.pk, None, None, 7, None, None)]
    assert DistrictFreeze.objects.get(month=OCT).rows == 3

    # A re-freeze (a correction) replaces the month's rows with the current data; other months stay.
    freeze_month(month="2024-09")
    t3.delete()
    t2.customers = 900
    t2.save()
    assert freeze_month(month=OCT) == 2
    assert [r[0] for r in frozen()] == ["T1", "T2"] and frozen()[1][5] == 900
    assert len(frozen(dt.date(2024, 9, 1))) == 3  # T3 outlives its deletion in September's freeze
    assert unfreeze_month(month=OCT) == 2
    assert frozen() == [] and not DistrictFreeze.objects.filter(month=OCT).exists()
    assert DistrictFreeze.objects.filter(month=dt.date(2024, 9, 1)).exists()

"""Fixtures of the complaint-profile tests: a small hand-made province and the exact month."""
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from scorecard.complaints.models import BusinessType, Customer, Detail, SubCategory, WorkOrder
from tests.fixtures.profile_month import build_profile_month
from scorecard.grid.models import District, Feeder, OrgUnit

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(scope="module")
def profile_month(django_db_setup, django_db_blocker):
    """The published month built once per module, rolled back when the module is done.

    Tests using it must also request ``db``: each runs in a savepoint inside this transaction.
    """
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = build_profile_month()
            yield built
            transaction.set_rollback(True)


class SmallProvince:
    """Two city companies, a county and a station each, a feeder and a few 台区: enough to check
    filters by hand. ``order()`` adds one work order with sensible defaults."""

    def __init__(self):
        self.province = OrgUnit.objects.create(name="测试省公司", level="province")
        self.cities, self.counties, self.stations, self.feeders, self.districts = [], [], [], [], []
        for i, name in enumerate(["国网甲市供电公司", "国网乙市供电公司"]):
            city = OrgUnit.objects.create(name=name, level="city", parent=self.province)
            county = OrgUnit.objects.create(name=f"{name[2]}县供电公司", level="county", parent=city)
            station = OrgUnit.objects.create(name=f"{name[2]}镇供电所", level="station", parent=county)
            feeder = Feeder.objects.create(name=f"{name[2]}01线", city=city)
            self.cities.append(city)
            self.counties.append(county)
            self.stations.append(station)
            self.feeders.append(feeder)
            for j in range(3):
                self.districts.append(District.objects.create(
                    code=f"TQT{i}{j}", name=f"{name[2]}{j}号台区", city=city, county=county,
                    station=station if j else None, feeder=feeder))
        self.seq = count(1)
        self.types = {b.name: b for b in BusinessType.objects.all()}

    def subcategory(self, name: str) -> SubCategory:
        return SubCategory.objects.select_related("category").get(name=name)

    def order(self, when: datetime, *, sub: str = "频繁停电", detail: str | None = None, customer: str | None = "C1",
              district: District | None = None, city: int = 0, btype: str = "投诉", **extra) -> WorkOrder:
        if customer:
            Customer.objects.get_or_create(customer_no=customer, defaults={"name": "张三" + customer})
        subcat = self.subcategory(sub) if sub else None
        if district is not None:
            unit = {"city": district.city, "county": district.county, "station": district.station,
                    "feeder": district.feeder}
        else:
            unit = {"city": self.cities[city]}
        unit.update(extra)
        return WorkOrder.objects.create(
            order_no=f"T{next(self.seq):06d}", accepted_at=when, business_type=self.types[btype],
            is_complaint=self.types[btype].counts_as_complaint, category=subcat.category if subcat else None,
            subcategory=subcat, detail=Detail.objects.get(subcategory=subcat, name=detail) if detail else None,
            customer_id=customer, district=district, **unit)


@pytest.fixture
def small(db):
    return SmallProvince()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; pages in tests only need the URLs.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

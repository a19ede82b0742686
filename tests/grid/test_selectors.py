"""scorecard.grid.selectors: the 台区经理 in office on a day, and a month's manager (its last day)."""
import datetime as dt

import pytest

from scorecard.grid.models import District, DistrictManagerAssignment as A, OrgUnit
from scorecard.grid.selectors import assignments_on, current_managers, manager_label, manager_on, month_manager_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def tq():
    province = OrgUnit.objects.create(name="省", level="province")
    city = OrgUnit.objects.create(name="国网长沙供电公司", level="city", parent=province)
    district = District.objects.create(code="TQ1", city=city)
    A.objects.create(district=district, name="张伟", staff_no="GW001", valid_from=dt.date(2026, 1, 1),
                     valid_to=dt.date(2026, 6, 15))
    A.objects.create(district=district, name="王芳", staff_no="", valid_from=dt.date(2026, 6, 15))
    return district


def names_on(day):
    return list(assignments_on(day).values_list("name", flat=True))


def test_the_interval_is_half_open(tq):
    assert names_on(dt.date(2025, 12, 31)) == []
    assert names_on(dt.date(2026, 1, 1)) == ["张伟"]
    assert names_on(dt.date(2026, 6, 14)) == ["张伟"]
    assert names_on(dt.date(2026, 6, 15)) == ["王芳"]  # the successor from the day of the change


def test_a_month_is_answered_for_by_the_manager_of_its_last_day(tq):
    assert month_manager_day(dt.date(2026, 6, 1)) == dt.date(2026, 6, 30)
    june = District.objects.annotate(**manager_on(month_manager_day(dt.date(2026, 6, 1)), "code")).get()
    may = District.objects.annotate(**manager_on(month_manager_day(dt.date(2026, 5, 1)), "code")).get()
    assert (june.manager_name, june.manager_staff_no) == ("王芳", "")
    assert (may.manager_name, may.manager_staff_no) == ("张伟", "GW001")


def test_labels(tq):
    assert manager_label("张伟", "GW001") == "张伟（GW001）"
    assert manager_label("王芳", "") == "王芳"
    assert manager_label(None, None) is None
    assert current_managers() == {"TQ1": "王芳"}


def test_one_current_row_per_district(tq):
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        A.objects.create(district=tq, name="赵六", valid_from=dt.date(2026, 7, 1))

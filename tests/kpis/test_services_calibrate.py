"""calibrate_bands: a KPI's cut-offs set to the quintiles of a month's values (the demo's scale)."""
import datetime as dt
from decimal import Decimal

import pytest

from scorecard.accounts.models import AuditLog
from scorecard.kpis.models import KpiDefinition
from scorecard.kpis.selectors import compute_scorecard
from scorecard.kpis.services import calibrate_bands

from tests.fixtures.factories import city, district, order

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 10, 1)


def five_cities():
    # 10,000 customers each and 1..5 complaints in October: 1..5 complaints per 10k.
    for i in range(1, 6):
        unit = city(f"国网第{i}供电公司")
        d = district(f"TQ{i:04d}", unit, customers=10_000)
        for j in range(i):
            order(accepted=f"2024-10-{j + 2:02d} 10:00", city_unit=unit, district_obj=d, customer=f"C{i}-{j}")


def test_units_spread_over_the_five_bands_and_the_change_is_audited():
    five_cities()
    before = compute_scorecard(MONTH)
    defaults = KpiDefinition.objects.get(level="unit", code="per_10k")
    # Against the real province's cut-offs (≤ 1.5 is band D) most of these units are E.
    assert [u["bands"]["per_10k"] for u in sorted(before["units"], key=lambda u: u["per_10k"])] == [
        defaults.band(v) for v in (1, 2, 3, 4, 5)]

    cuts = calibrate_bands(month=MONTH)

    # statistics.quantiles([1, 2, 3, 4, 5], n=5, method="inclusive") = 1.8, 2.6, 3.4, 4.2
    assert cuts["unit"] == tuple(Decimal(v) for v in ("1.80", "2.60", "3.40", "4.20"))
    after = compute_scorecard(MONTH)
    by_value = sorted(after["units"], key=lambda u: u["per_10k"])
    assert [u["bands"]["per_10k"] for u in by_value] == ["A", "B", "C", "D", "E"]
    assert [u["per_10k"] for u in by_value] == [Decimal(n) for n in (1, 2, 3, 4, 5)]
    log = AuditLog.objects.get(action="kpi.calibrate", object_id=str(defaults.pk))
    assert log.before["bands"] == [str(getattr(defaults, f"band_{b}")) for b in "abcd"]
    assert log.after == {"bands": ["1.80", "2.60", "3.40", "4.20"], "month": "2024-10"}


def test_fewer_than_five_values_leave_the_cut_offs_alone():
    unit = city("国网长沙供电公司")
    order(accepted="2024-10-03 10:00", city_unit=unit, district_obj=district("TQ0001", unit, customers=500))
    unit_def = KpiDefinition.objects.get(level="unit", code="per_10k")
    cuts = calibrate_bands(month=MONTH)
    assert "unit" not in cuts  # one city: nothing to cut into quintiles
    unit_def_after = KpiDefinition.objects.get(pk=unit_def.pk)
    assert (unit_def_after.band_a, unit_def_after.band_d) == (unit_def.band_a, unit_def.band_d)
    assert not AuditLog.objects.filter(action="kpi.calibrate", object_id=str(unit_def.pk)).exists()

"""scorecard.kpis.selectors: the score over all KPIs (missing data never helps), every band cut-off on both
sides for both polarities, the seeded polarities, and the KPI windows (repeat look-back, 2-hour
acknowledgement, on-time deadline) at, just inside and just outside each bound. Figures derived by hand."""
from decimal import Decimal

import pytest

from scorecard.kpis.models import KpiDefinition, RuleSettings
from scorecard.kpis.selectors import score

from tests.fixtures.factories import city, district, order
from tests.fixtures.readouts import dept_row, scorecard, unit_row

pytestmark = pytest.mark.django_db

# domain.md / kpis.defaults: code → (polarity, weight, cut-offs A–D; per level where they differ).
SEEDED = {
    "per_10k": ("lower", 30, {"department": (0.05, 0.10, 0.20, 0.40), "unit": (0.20, 0.40, 0.80, 1.50)}),
    "repeat_rate": ("lower", 15, (2, 5, 10, 15)),
    "on_time_rate": ("higher", 20, (99, 97, 95, 90)),
    "avg_resolution_hours": ("lower", 10, (24, 48, 72, 96)),
    "satisfaction_rate": ("higher", 15, (98, 95, 90, 85)),
    "ack_rate": ("higher", 5, (99, 97, 95, 90)),
    "rectification_on_time_rate": ("higher", 5, (100, 90, 80, 70)),
}


# --- the seeded definitions and their polarity --------------------------------------------------------

@pytest.mark.parametrize("level", ["department", "unit"])
def test_it_seeds_each_kpi_with_its_polarity_weight_and_cut_offs(level):
    seeded = {d.code: d for d in KpiDefinition.objects.filter(level=level, active=True)}
    assert set(seeded) == set(SEEDED)
    for code, (polarity, weight, cuts) in SEEDED.items():
        cuts = cuts[level] if isinstance(cuts, dict) else cuts
        d = seeded[code]
        assert (code, d.polarity, d.weight) == (code, polarity, weight)
        assert [d.band_a, d.band_b, d.band_c, d.band_d] == [Decimal(str(c)) for c in cuts], code


def test_it_ranks_bad_things_lower_is_better_and_good_things_higher_is_better():
    lower = {"per_10k", "repeat_rate", "avg_resolution_hours"}
    higher = {"on_time_rate", "satisfaction_rate", "ack_rate", "rectification_on_time_rate"}
    for d in KpiDefinition.objects.all():
        better, worse = (d.band_a - 1, d.band_d + 1) if d.code in lower else (d.band_a + 1, d.band_d - 1)
        assert d.code in lower | higher
        assert (d.band(better), d.band(worse)) == ("A", "E"), (d.level, d.code)
    # On real rows: more complaints per 10,000 customers scores lower, a higher on-time rate higher.
    a, b = city("国网长沙供电公司"), city("国网株洲供电公司")
    district("TQA", a, customers=100_000)
    district("TQB", b, customers=10_000)
    for unit in (a, b):
        order(accepted="2024-11-05 10:00", city_unit=unit, closed="2024-11-05 12:00", satisfaction="满意",
              dispatched="2024-11-05 10:00", acknowledged="2024-11-05 10:30")
    card = scorecard("2024-11")
    # per_10k: A 0.1 (band A, ≤ 0.20) vs B 1.0 (band D, ≤ 1.50): 30 × (100 − 40) / 100 = 18 points apart.
    assert (unit_row(card, "国网长沙供电公司")["score"], unit_row(card, "国网株洲供电公司")["score"]) == (100.0, 82.0)


def _step(d: KpiDefinition, towards_better: bool) -> Decimal:
    lower = d.polarity == KpiDefinition.Polarity.LOWER
    return Decimal("-0.01") if lower == towards_better else Decimal("0.01")


def test_every_band_cut_off_is_inclusive_on_both_sides_for_both_polarities():
    letters = "ABCDE"
    for d in KpiDefinition.objects.all():
        cuts = [d.band_a, d.band_b, d.band_c, d.band_d]
        for i, cut in enumerate(cuts):
            where = (d.level, d.code, letters[i])
            assert d.band(cut) == letters[i], where  # exactly at the cut-off: earns the band
            assert d.band(cut + _step(d, towards_better=True)) == letters[i], where  # just inside
            assert d.band(cut + _step(d, towards_better=False)) == letters[i + 1], where  # just outside


# --- missing data never helps ----------------------------------------------------------------------------

def _two_units_with_one_complaint(*, a_satisfaction: str, b_satisfaction: str = ""):
    a, b = city("国网长沙供电公司"), city("国网株洲供电公司")
    for unit, sat in ((a, a_satisfaction), (b, b_satisfaction)):
        district(f"TQ{unit.pk}", unit, customers=10_000)
        order(accepted="2024-11-05 10:00", city_unit=unit, closed="2024-11-05 12:00", satisfaction=sat,
              dispatched="2024-11-05 10:00", acknowledged="2024-11-05 11:00")
    return scorecard("2024-11")


def test_a_unit_without_callbacks_cannot_outrank_one_that_has_them():
    # Both: 1 complaint per 10,000 → per_10k 1.0, unit band D (40 × 30); repeat 0, on time, 2 h, acknowledged
    # in 1 h → A (100 × (15 + 20 + 10 + 5)); no rectification items → nothing to rate, A (100 × 5).
    # 长沙's one callback is 不满意 → 0 % → E (20 × 15): (1200 + 5500 + 300) / 100 = 70.00.
    # 株洲 has no callback: missing data → E as well → 70.00, a shared rank. (The old re-spread gave 株洲
    # (1200 + 5500) / 85 = 78.82 and rank 1 for having no callback at all.)
    card = _two_units_with_one_complaint(a_satisfaction="不满意")
    cs, zz = unit_row(card, "国网长沙供电公司"), unit_row(card, "国网株洲供电公司")
    assert (cs["score"], zz["score"], cs["rank"], zz["rank"]) == (70.0, 70.0, 1, 1)
    no_items = {"kpi": "rectification_on_time_rate", "band": "A", "reason": "nothing_to_rate"}
    assert zz["scored_by_rule"] == [{"kpi": "satisfaction_rate", "band": "E", "reason": "no_data"}, no_items]
    assert cs["scored_by_rule"] == [no_items]
    # The department rows follow the same rule (营销 answers for 服务 complaints).
    assert dept_row(card, "国网株洲供电公司", "营销")["score"] <= dept_row(card, "国网长沙供电公司", "营销")["score"]


def test_a_satisfied_callback_outranks_a_missing_one():
    card = _two_units_with_one_complaint(a_satisfaction="满意")
    # 长沙 100 % → A: (1200 + 5500 + 1500) / 100 = 82.00; 株洲 70.00 as above.
    assert [(u["unit"], u["score"], u["rank"]) for u in card["units"]] == [
        ("国网长沙供电公司", 82.0, 1), ("国网株洲供电公司", 70.0, 2)]


def test_a_unit_with_no_complaints_gets_full_marks_and_is_reported_as_scored_by_rule():
    idle = city("国网湘潭供电公司")
    district("TQ9", idle, customers=10_000)
    card = scorecard("2024-11")
    row = unit_row(card, "国网湘潭供电公司")
    # per_10k 0.0 is a value (band A); every other KPI had nothing to rate → A: 100.00.
    assert (row["complaints"], row["per_10k"], row["score"]) == (0, 0.0, 100.0)
    assert row["scored_by_rule"] == [
        {"kpi": code, "band": "A", "reason": "nothing_to_rate"}
        for code in ("repeat_rate", "on_time_rate", "avg_resolution_hours", "satisfaction_rate", "ack_rate",
                     "rectification_on_time_rate")]
    assert dept_row(card, "国网湘潭供电公司", "运检")["score"] == 100.0


def test_missing_customers_resolution_and_acknowledgement_with_complaints_score_the_lowest_band():
    cs = city("国网长沙供电公司")  # no 台区, so no 用户数
    order(accepted="2024-11-05 10:00", city_unit=cs, satisfaction="满意")  # open, no 接单时间
    row = unit_row(scorecard("2024-11"), "国网长沙供电公司")
    assert row["per_10k"] is None and row["avg_resolution_hours"] is None and row["ack_rate"] is None
    assert {e["kpi"]: (e["band"], e["reason"]) for e in row["scored_by_rule"]} == {
        "per_10k": ("E", "no_data"), "avg_resolution_hours": ("E", "no_data"), "ack_rate": ("E", "no_data"),
        # No rectification items is not missing data, even with complaints.
        "rectification_on_time_rate": ("A", "nothing_to_rate")}
    # per_10k E (20 × 30) + repeat A (100 × 15) + on-time 0 % E (20 × 20) + hours E (20 × 10)
    # + satisfaction A (100 × 15) + ack E (20 × 5) + rectification A (100 × 5) = 4800 / 100 = 48.00.
    assert row["score"] == 48.0


def test_the_missing_data_rule_is_editable_in_the_admin(client):
    from scorecard.accounts.models import User

    card = _two_units_with_one_complaint(a_satisfaction="满意")
    assert unit_row(card, "国网株洲供电公司")["score"] == 70.0
    admin = User.objects.create_superuser("root", password="pw", role="admin")
    client.force_login(admin)
    rs = RuleSettings.current()
    page = client.get(f"/admin/kpis/rulesettings/{rs.pk}/change/").content.decode()
    assert "缺少数据时的得分档位" in page and "无可考核数据时的得分档位" in page
    rs.missing_data_band = "C"
    rs.save()
    # Satisfaction without callbacks now C (60 × 15): (1200 + 5500 + 900) / 100 = 76.00.
    row = unit_row(scorecard("2024-11"), "国网株洲供电公司")
    assert (row["score"], row["scored_by_rule"][0]) == (76.0, {"kpi": "satisfaction_rate", "band": "C",
                                                               "reason": "no_data"})


def test_weights_are_never_re_spread_over_the_kpis_with_a_value():
    defs = list(KpiDefinition.objects.filter(level="unit", active=True))
    # Only per_10k has a value (band A); the unit had complaints, so five others score E by rule and the
    # rectification rate (no items) A: (30 × 100 + 65 × 20 + 5 × 100) / 100 = 48.00 — a re-spread gave 100.
    value, bands, by_rule = score({"complaints": 3, "per_10k": 0.1}, defs)
    assert (value, bands["per_10k"], len(by_rule)) == (48.0, "A", 6)
    assert {e["reason"] for e in by_rule} == {"no_data", "nothing_to_rate"}  # rectification: no items


def test_the_scorecard_and_department_pages_show_what_was_scored_by_rule(client):
    from scorecard.accounts.models import User

    _two_units_with_one_complaint(a_satisfaction="满意")
    client.force_login(User.objects.create_user("analyst", password="pw", role="analyst"))
    page = client.get("/scorecard/?month=2024-11").content.decode()
    assert "缺少数据，按最低档计：回访满意率(%)" in page and "无可考核数据，按满分计" in page
    zz = city("国网株洲供电公司")
    page = client.get(f"/scorecard/unit/{zz.pk}/yx/?month=2024-11").content.decode()
    assert "缺少数据，按最低档计（回访满意率(%)）" in page


# --- the KPI windows at, just inside and just outside each bound --------------------------------------

@pytest.mark.parametrize("first, repeat", [
    ("2024-10-06 10:00:00", True),   # exactly 30 days before 2024-11-05 10:00: inside the look-back
    ("2024-10-06 10:00:01", True),   # just under 30 days
    ("2024-10-06 09:59:59", False),  # just over 30 days
])
def test_repeat_look_back_is_thirty_days_inclusive(first, repeat):
    cs = city("国网长沙供电公司")
    order(accepted=first, city_unit=cs, customer="C1")
    order(accepted="2024-11-05 10:00", city_unit=cs, customer="C1")
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["repeat_complaints"] == int(repeat)


@pytest.mark.parametrize("dispatched, acknowledged, in_time", [
    ("2024-11-01 08:10", "2024-11-01 10:10:00", True),   # exactly 2 hours after dispatch
    ("2024-11-01 08:10", "2024-11-01 10:09:59", True),   # just inside
    ("2024-11-01 08:10", "2024-11-01 10:10:01", False),  # one second late
    (None, "2024-11-01 10:00:00", True),                 # not dispatched: counted from acceptance (08:00)
    (None, "2024-11-01 10:00:01", False),
])
def test_acknowledgement_within_two_hours_at_the_bound(dispatched, acknowledged, in_time):
    cs = city("国网长沙供电公司")
    order(accepted="2024-11-01 08:00", dispatched=dispatched, acknowledged=acknowledged, city_unit=cs)
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["ack_rate"] == (100.0 if in_time else 0.0)


@pytest.mark.parametrize("closed, on_time", [
    # Fri 2024-11-15 10:00 → Mon 18, Tue 19, Wed 20, Thu 21: deadline Thu 2024-11-21 10:00:00.
    ("2024-11-21 10:00:00", True),   # exactly at the deadline
    ("2024-11-21 09:59:59", True),   # just inside
    ("2024-11-21 10:00:01", False),  # one second later
])
def test_on_time_deadline_of_four_working_days_to_the_second(closed, on_time):
    cs = city("国网长沙供电公司")
    order(accepted="2024-11-15 10:00", city_unit=cs, closed=closed)
    row = dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")
    assert (row["on_time"], row["on_time_rate"]) == (int(on_time), 100.0 if on_time else 0.0)


def test_satisfaction_rate_counts_basic_satisfaction_and_excludes_missing_callbacks():
    cs = city("国网长沙供电公司")
    # (满意 1 + 基本满意 2) / (1 + 2 + 不满意 1) = 75 %; the order without callback is not in the denominator.
    for sat in ("满意", "基本满意", "基本满意", "不满意", ""):
        order(accepted="2024-11-01 08:00", city_unit=cs, satisfaction=sat)
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["satisfaction_rate"] == 75.0

"""Each KPI pinned on small hand-made data (figures derived by hand in the comments)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard.core.months import parse_month
from scorecard.kpis import calendar as workcal
from scorecard.kpis.models import WorkingDayOverride
from scorecard.kpis.selectors import competition_ranks, compute_scorecard

from tests.fixtures.factories import city, district, local, order
from tests.fixtures.readouts import dept_row, scorecard, unit_row  # noqa: F401

pytestmark = pytest.mark.django_db


def test_repeat_detection_across_month_boundary():
    cs = city("国网长沙供电公司")
    # C1: 2024-09-20 then 2024-10-05 → 15 days → the October complaint is a repeat.
    order(accepted="2024-09-20 10:00", city_unit=cs, customer="C1")
    order(accepted="2024-10-05 10:00", city_unit=cs, customer="C1")
    # C2: 2024-09-04 09:59 then 2024-10-04 10:00 → 30 days and 1 minute → not a repeat.
    order(accepted="2024-09-04 09:59", city_unit=cs, customer="C2")
    order(accepted="2024-10-04 10:00", city_unit=cs, customer="C2")
    # C3: a 咨询 before a complaint is not a complaint, so no repeat.
    order(accepted="2024-10-01 08:00", city_unit=cs, customer="C3", business_type="咨询", category=None,
          subcategory=None)
    order(accepted="2024-10-02 08:00", city_unit=cs, customer="C3")
    # C4: two complaints inside October: only the second is a repeat.
    order(accepted="2024-10-10 08:00", city_unit=cs, customer="C4")
    order(accepted="2024-10-30 08:00", city_unit=cs, customer="C4")
    row = dept_row(scorecard("2024-10"), "国网长沙供电公司", "营销")
    assert row["complaints"] == 5
    assert row["repeat_complaints"] == 2
    assert row["repeat_rate"] == 40.0
    # September sees no repeat: the later complaints are not "before".
    assert dept_row(scorecard("2024-09"), "国网长沙供电公司", "营销")["repeat_complaints"] == 0


@pytest.mark.parametrize("accepted, closed, on_time", [
    # Friday 2024-11-15 10:00 → Mon, Tue, Wed, Thu → Thu 2024-11-21 10:00 (weekend skipped)
    ("2024-11-15 10:00", "2024-11-21 10:00", True),
    ("2024-11-15 10:00", "2024-11-21 10:01", False),
    # Saturday 2024-11-16 (not working) → 24:00 of Thu 2024-11-21
    ("2024-11-16 09:00", "2024-11-21 23:59", True),
    ("2024-11-16 09:00", "2024-11-22 00:01", False),  # 24:00 itself is on time (test_selectors_domain)
])
def test_on_time_across_a_weekend(accepted, closed, on_time):
    cs = city("国网长沙供电公司")
    order(accepted=accepted, city_unit=cs, closed=closed)
    row = dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")
    assert (row["on_time"], row["closed"]) == (int(on_time), 1)


@pytest.mark.parametrize("accepted, closed, on_time", [
    # Mon 2024-09-30 15:00; National Day 10-01..10-07 → Oct 8, 9, 10, 11 → Fri 2024-10-11 15:00
    ("2024-09-30 15:00", "2024-10-11 15:00", True),
    ("2024-09-30 15:00", "2024-10-11 15:30", False),
    # Accepted on the holiday 2024-10-03 → 24:00 of Fri 2024-10-11
    ("2024-10-03 09:00", "2024-10-11 23:59", True),
    ("2024-10-03 09:00", "2024-10-12 00:30", False),
    # Thu 2024-10-10: Fri 10-11, the 调休 Saturday 10-12, Mon 10-14, Tue 10-15 → 2024-10-15 09:00.
    # (Ignoring the make-up Saturday would give 10-16 and call this on time.)
    ("2024-10-10 09:00", "2024-10-15 10:00", False),
    ("2024-10-10 09:00", "2024-10-15 09:00", True),
])
def test_on_time_over_a_public_holiday_and_a_make_up_saturday(accepted, closed, on_time):
    cs = city("国网长沙供电公司")
    order(accepted=accepted, city_unit=cs, closed=closed)
    month = accepted[:7]
    row = dept_row(scorecard(month), "国网长沙供电公司", "营销")
    assert row["on_time"] == int(on_time)
    # The Python deadline (used in explanations) agrees with the SQL one.
    assert (local(closed) <= workcal.deadline(local(accepted), 4)) is on_time


def test_open_complaints_are_not_on_time_and_overrides_apply():
    cs = city("国网长沙供电公司")
    order(accepted="2024-11-15 10:00", city_unit=cs, closed="2024-11-21 10:00")
    order(accepted="2024-11-15 11:00", city_unit=cs)  # still open
    row = dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")
    assert (row["complaints"], row["closed"], row["on_time"], row["on_time_rate"]) == (2, 1, 1, 50.0)
    # An administrator declares Mon 2024-11-18 a non-working day: the deadline moves to Fri 11-22 10:00,
    # so a close on 11-22 09:00 becomes on time — the calendar is data.
    order(accepted="2024-11-15 10:00", city_unit=cs, closed="2024-11-22 09:00")
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["on_time"] == 1
    WorkingDayOverride.objects.create(date="2024-11-18", is_working_day=False, note="测试")
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["on_time"] == 2


def test_satisfaction_with_missing_callbacks_and_resolution_hours():
    cs = city("国网长沙供电公司")
    # 3 满意, 1 基本满意, 1 不满意, 2 without callback → 4 / 5 = 80 %.
    for sat, hours in [("满意", 2), ("满意", 4), ("满意", 10), ("基本满意", 30), ("不满意", 50), ("", None), ("", None)]:
        closed = None if hours is None else f"2024-11-0{1 + hours // 24} {(8 + hours) % 24:02d}:00"
        order(accepted="2024-11-01 08:00", city_unit=cs, satisfaction=sat, closed=closed)
    row = dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")
    assert row["satisfaction_rate"] == 80.0
    # Resolution over the 5 closed: (2 + 4 + 10 + 30 + 50) / 5 = 19.2 h; median 10 h.
    assert row["closed"] == 5
    assert row["avg_resolution_hours"] == 19.2
    assert row["median_resolution_hours"] == 10.0


def test_satisfaction_without_any_callback_is_null():
    cs = city("国网长沙供电公司")
    order(accepted="2024-11-01 08:00", city_unit=cs)
    row = dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")
    assert row["satisfaction_rate"] is None and row["avg_resolution_hours"] is None
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "运检")["repeat_rate"] is None


def test_per_10k_uses_the_units_customers():
    cs, zz = city("国网长沙供电公司"), city("国网株洲供电公司")
    d1 = district("TQ001", cs, customers=12000)
    district("TQ002", cs, customers=8000)
    district("TQ101", zz, customers=5000)
    for _ in range(3):
        order(accepted="2024-11-05 10:00", city_unit=cs, district_obj=d1)
    card = scorecard("2024-11")
    cs_row = unit_row(card, "国网长沙供电公司")
    assert (cs_row["complaints"], cs_row["customers"], cs_row["per_10k"]) == (3, 20000, 1.5)
    assert unit_row(card, "国网株洲供电公司")["per_10k"] == 0.0
    assert dept_row(card, "国网长沙供电公司", "营销")["per_10k"] == 1.5


def test_acknowledgement_within_two_hours_where_known():
    cs = city("国网长沙供电公司")
    order(accepted="2024-11-01 08:00", dispatched="2024-11-01 08:10", acknowledged="2024-11-01 10:10", city_unit=cs)
    order(accepted="2024-11-01 08:00", dispatched="2024-11-01 08:10", acknowledged="2024-11-01 10:11", city_unit=cs)
    order(accepted="2024-11-01 08:00", city_unit=cs)  # unknown: excluded
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["ack_rate"] == 50.0


def test_competition_ranking_shares_ties():
    items = [{"score": s} for s in (90.0, 80.0, 80.0, 70.0, 90.0)]
    competition_ranks(items)
    assert [i["rank"] for i in items] == [1, 3, 3, 5, 1]


def test_ties_in_the_scorecard_ranking():
    a, b, c = city("国网长沙供电公司"), city("国网株洲供电公司"), city("国网湘潭供电公司")
    for unit in (a, b, c):
        district(f"TQ{unit.pk:03d}", unit, customers=10000)
    # a and b identical (one complaint each, closed on time, satisfied); c has two open ones.
    for unit in (a, b):
        order(accepted="2024-11-05 10:00", city_unit=unit, closed="2024-11-05 12:00", satisfaction="满意")
    order(accepted="2024-11-05 10:00", city_unit=c)
    order(accepted="2024-11-06 10:00", city_unit=c)
    card = scorecard("2024-11")
    ranks = {u["unit"]: u["rank"] for u in card["units"]}
    assert ranks == {"国网长沙供电公司": 1, "国网株洲供电公司": 1, "国网湘潭供电公司": 3}
    assert unit_row(card, "国网长沙供电公司")["score"] == unit_row(card, "国网株洲供电公司")["score"]
    assert unit_row(card, "国网湘潭供电公司")["score"] < unit_row(card, "国网长沙供电公司")["score"]
    # Within 营销 the same tie; 运检 has no complaints anywhere, so everyone shares rank 1.
    assert {d["rank"] for d in card["departments"] if d["department"] == "运检"} == {1}


def test_rank_movement_against_previous_month():
    a, b = city("国网长沙供电公司"), city("国网株洲供电公司")
    order(accepted="2024-10-05 10:00", city_unit=a)  # October: a worse than b
    order(accepted="2024-10-05 10:00", city_unit=b, closed="2024-10-05 12:00", satisfaction="满意")
    order(accepted="2024-11-05 10:00", city_unit=b)  # November: b worse than a
    order(accepted="2024-11-05 10:00", city_unit=a, closed="2024-11-05 12:00", satisfaction="满意")
    card = scorecard("2024-11")
    assert unit_row(card, "国网长沙供电公司")["previous_rank"] == 2
    assert unit_row(card, "国网长沙供电公司")["rank_change"] == 1
    assert unit_row(card, "国网株洲供电公司")["rank_change"] == -1


def test_malformed_month_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM") as exc:
        call_command("scorecard", "--month", "2024-13", "--json")
    assert exc.value.returncode == 2


def test_rule_changes_apply_to_unpublished_months_and_are_audited(client):
    from scorecard.accounts.models import AuditLog, User
    from scorecard.kpis.models import DefaultAttribution, KpiDefinition

    from tests.fixtures.factories import dept

    cs = city("国网长沙供电公司")
    district("TQ1", cs, customers=10000)
    order(accepted="2024-11-05 10:00", city_unit=cs, category="营业", subcategory="电费电价")
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["complaints"] == 1
    admin = User.objects.create_superuser("root", password="pw", role="admin")
    client.force_login(admin)
    rule = DefaultAttribution.objects.get(category__name="营业", subcategory_pattern="")
    resp = client.post(f"/admin/kpis/defaultattribution/{rule.pk}/change/", {
        "category": rule.category_id, "subcategory_pattern": "", "department": dept("发展").pk})
    assert resp.status_code == 302
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "发展")["complaints"] == 1
    entry = AuditLog.objects.get(action="config.change", object_type="kpis.defaultattribution")
    assert (entry.before["department"], entry.after["department"]) == (dept("营销").pk, dept("发展").pk)
    # 1 complaint per 10,000 customers → per_10k 1.0 → band E (20 points, weight 30); repeat rate 0 → A (100, 15);
    # on-time 0 % (still open) → E (20, 20); missing data with a complaint scores E: resolution hours (nothing
    # closed, 10), satisfaction (no callback, 15), ack (no 接单时间, 5); no rectification items → nothing to
    # rate, A (100, 5): (600 + 1500 + 400 + 200 + 300 + 100 + 500) / 100 = 36.00.
    row = dept_row(scorecard("2024-11"), "国网长沙供电公司", "发展")
    assert (row["bands"]["per_10k"], row["bands"]["repeat_rate"], row["bands"]["on_time_rate"]) == ("E", "A", "E")
    assert row["score"] == 36.0
    # Weights are data too: only the per-10k KPI left → the score is its band's points.
    KpiDefinition.objects.filter(level="department").exclude(code="per_10k").update(weight=0)
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "发展")["score"] == 20.0


def test_an_excluded_complaint_moves_no_kpi_of_its_department():
    # The month's query groups by the 考核口径 and merges the groups: what the excluded complaints
    # did (a repeat, a late close, an unhappy callback, a long resolution) must reach none of the figures.
    cs = city("国网长沙供电公司")
    order(accepted="2024-07-01 10:00", city_unit=cs, customer="C1", closed="2024-07-01 12:00", satisfaction="满意")
    late = order(accepted="2024-07-02 10:00", city_unit=cs, customer="C1", closed="2024-07-30 10:00",
                 satisfaction="不满意")  # a repeat of C1, closed after its 4 working days
    late.valid = "不属实"
    late.save()
    slow = order(accepted="2024-07-03 10:00", city_unit=cs, closed="2024-07-03 20:00", satisfaction="不满意")
    slow.at_fault = "无责"
    slow.save()
    order(accepted="2024-07-04 10:00", city_unit=cs)  # assessed, still open
    card = scorecard("2024-07")
    row = dept_row(card, "国网长沙供电公司", "营销")
    assert (row["accepted_complaints"], row["complaints"]) == (4, 2)
    assert row["excluded"] == {"not_valid": 1, "not_at_fault": 1, "downgraded": 0}
    assert (row["repeat_complaints"], row["closed"], row["on_time"]) == (0, 1, 1)
    assert row["satisfaction_rate"] == 100.0  # 1 satisfied of 1 callback
    assert (row["avg_resolution_hours"], row["median_resolution_hours"]) == (2.0, 2.0)
    unit = unit_row(card, "国网长沙供电公司")
    assert (unit["accepted_complaints"], unit["complaints"], unit["closed"]) == (4, 2, 1)
    assert unit["median_resolution_hours"] == 2.0  # the city's median, of the assessed complaints only


def test_the_months_query_evaluates_the_assessment_and_the_deadline_once_per_complaint():
    # PostgreSQL evaluates an expression at every place it is written: the 考核口径 CASE repeated in
    # each aggregate's FILTER, and three calendar look-ups per complaint, made the month's scorecard
    # 1.46x its hand-written SQL on the 1M province (issue #16; bench/scorecard.py).
    cs = city("国网长沙供电公司")
    order(accepted="2024-07-01 10:00", city_unit=cs, closed="2024-07-01 12:00")
    with CaptureQueriesContext(connection) as ctx:
        compute_scorecard(parse_month("2024-07"))
    case = "THEN 'not_valid'"  # the 考核口径 CASE (kpis.expressions.exclusion_case)
    assessed = [q["sql"] for q in ctx.captured_queries if case in q["sql"]]
    assert len(assessed) == 2  # the (city, department) figures and the cities' medians
    assert all(sql.count(case) == 1 for sql in assessed)
    if connection.vendor == "postgresql":  # SQLite keeps the portable form (kpis.expressions.OnTime)
        main = next(sql for sql in assessed if "COUNT" in sql)
        # One correlated look-up per complaint, the acceptance day's row joined to the deadline's — and
        # only where the month's arrays (uncorrelated, read once per statement) hold no answer.
        assert main.count(" c1 JOIN ") == 1
        assert main.count("array_agg(") == 3  # the days' seqs and working flags, the working days by seq

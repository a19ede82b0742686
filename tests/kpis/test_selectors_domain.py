"""Acceptance audit of issues #3/#4: the figures of domain.md that the other KPI and tracing tests left
unpinned (each derived by hand in its comment)."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from scorecard.complaints.models import BusinessType
from scorecard.kpis import calendar as workcal

from tests.fixtures.factories import city, district, local, order, outage, project, reading
from tests.fixtures.readouts import dept_row, scorecard

pytestmark = pytest.mark.django_db


def trace(month: str) -> dict:
    out = StringIO()
    call_command("trace_bottlenecks", "--month", month, "--write", "--json", stdout=out)
    return json.loads(out.getvalue())


# --- on time: the 24:00 deadline of a complaint accepted on a non-working day -------------------------

@pytest.mark.parametrize("accepted, closed, on_time", [
    # Sat 2024-11-16 → Mon 18, Tue 19, Wed 20, Thu 21 → deadline 24:00 of Thu 2024-11-21 = Fri 11-22 00:00:00.
    # "Closed no later than the deadline": exactly 24:00 is on time, one second later is not.
    ("2024-11-16 09:00", "2024-11-22 00:00:00", True),
    ("2024-11-16 09:00", "2024-11-22 00:00:01", False),
    # National Day 2024-10-03 → Oct 8, 9, 10, 11 → 24:00 of Fri 10-11 = Sat 10-12 00:00:00 (a 调休 working day).
    ("2024-10-03 09:00", "2024-10-12 00:00:00", True),
    ("2024-10-03 09:00", "2024-10-12 00:00:01", False),
    # Accepted on a working day at 00:00 (Mon 2024-11-18) → Fri 11-22 00:00: the same clock time, no 24:00 rule.
    ("2024-11-18 00:00", "2024-11-22 00:00:00", True),
    ("2024-11-18 00:00", "2024-11-23 00:00:00", False),
])
def test_on_time_at_exactly_the_deadline(accepted, closed, on_time):
    cs = city("国网长沙供电公司")
    order(accepted=accepted, city_unit=cs, closed=closed)
    row = dept_row(scorecard(accepted[:7]), "国网长沙供电公司", "营销")
    assert (row["closed"], row["on_time"]) == (1, int(on_time))
    # The SQL figure and the Python deadline (used in explanations) agree.
    assert (local(closed) <= workcal.deadline(local(accepted), 4)) is on_time


def test_sla_is_configurable_per_business_type():
    cs = city("国网长沙供电公司")
    # Fri 2024-11-15 10:00, closed Fri 11-22 09:00: 5 working days later → late with 4, on time with 5.
    order(accepted="2024-11-15 10:00", city_unit=cs, closed="2024-11-22 09:00")
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["on_time"] == 0
    assert BusinessType.objects.get(name="举报").sla_working_days == 9  # domain.md's default for 举报
    BusinessType.objects.filter(name="投诉").update(sla_working_days=5)
    assert dept_row(scorecard("2024-11"), "国网长沙供电公司", "营销")["on_time"] == 1


# --- tracing: the rules the per-rule tests did not reach ----------------------------------------------

def _incidents(month: str) -> dict[tuple[str, str], dict]:
    return {(i["district"], i["kind"]): i for i in trace(month)["incidents"]}


def test_frequent_outages_with_a_temporary_outage_not_in_plan_go_to_dispatch():
    cs = city("国网长沙供电公司")
    d = district("TQ1", cs, feeder="F1")
    # Faults are the majority, but one temporary outage was not in the approved plan → rule (1) wins: 调控.
    for day in ("02", "10"):
        outage(feeder="F1", district_obj=d, start=f"2024-07-{day} 09:00", kind="fault")
    outage(feeder="F1", district_obj=d, start="2024-07-20 09:00", kind="temporary", in_plan=False)
    i = _incidents("2024-07")[("TQ1", "frequent_outage")]
    assert (i["department"], i["rule"]) == ("调控", "outage_not_in_plan")
    # The same temporary outage inside the plan: faults are the majority → 运检.
    from scorecard.grid.models import Outage
    Outage.objects.filter(kind="temporary").update(in_plan=True)
    i = _incidents("2024-07")[("TQ1", "frequent_outage")]
    assert (i["department"], i["rule"]) == ("运检", "fault_majority")


def test_low_voltage_with_heavy_load_follows_the_project_rule():
    cs = city("国网长沙供电公司")
    heavy, alone = district("TQ1", cs), district("TQ2", cs)
    reading(heavy, "2024-07", load=85, vmin=190)  # heavy load (80–100 %) and low voltage
    project(heavy, planned="2024-03-31", commissioned="2024-04-10")  # commissioned before the month ended
    reading(alone, "2024-07", load=79.9, vmin=190)  # just below heavy load: a voltage problem only
    project(alone, planned="2024-06-30")  # late, but irrelevant without a load problem
    found = _incidents("2024-07")
    assert (found[("TQ1", "heavy_load")]["department"], found[("TQ1", "heavy_load")]["rule"]) == (
        "运检", "persists_after_project")
    assert (found[("TQ1", "low_voltage")]["department"], found[("TQ1", "low_voltage")]["rule"]) == (
        "运检", "persists_after_project")
    assert (found[("TQ2", "low_voltage")]["department"], found[("TQ2", "low_voltage")]["rule"]) == (
        "运检", "voltage_without_load")
    assert ("TQ2", "heavy_load") not in found
    assert found[("TQ1", "low_voltage")]["evidence"]["projects"][0]["commissioned_on"] == "2024-04-10"


def _complaint(cs, d, sub, detail=None, *, category="供电质量", no):
    return order(accepted="2024-07-15 10:00", city_unit=cs, district_obj=d, category=category, subcategory=sub,
                 detail=detail, order_no=no)


def test_linked_complaints_of_each_kind():
    """domain.md "Linked complaints": which complaints of the month each kind of incident explains."""
    cs = city("国网长沙供电公司")
    outage_d, over_d, heavy_d, volt_d = (district(c, cs, feeder=f"F{c}") for c in ("TQO", "TQV", "TQH", "TQX"))
    for day in ("02", "10", "20"):
        outage(feeder="FTQO", district_obj=outage_d, start=f"2024-07-{day} 09:00")
    reading(over_d, "2024-07", load=120, vmax=240)  # overload + over-voltage, no project
    reading(heavy_d, "2024-07", load=90)
    reading(volt_d, "2024-07", vmin=190)
    # frequent_outage: 二级分类 频繁停电, or 一级分类 停送电 (any sub-category, even none).
    _complaint(cs, outage_d, "频繁停电", no="O-FREQ")
    _complaint(cs, outage_d, "计划停电", category="停送电", no="O-PLANNED")
    _complaint(cs, outage_d, None, category="停送电", no="O-NOSUB")
    _complaint(cs, outage_d, "电压质量长时间异常", "低电压", no="O-LOWV")  # no load/voltage incident here
    # overload: 三级分类 低电压 or 二级分类 频繁停电; over_voltage: 三级分类 过电压; 停送电 is not overload's.
    _complaint(cs, over_d, "频繁停电", no="V-FREQ")
    _complaint(cs, over_d, "电压质量长时间异常", "低电压", no="V-LOWV")
    _complaint(cs, over_d, "电压质量长时间异常", "过电压", no="V-OVERV")
    _complaint(cs, over_d, "计划停电", category="停送电", no="V-PLANNED")
    # heavy_load: 低电压 only — 频繁停电 is not a heavy load's.
    _complaint(cs, heavy_d, "频繁停电", no="H-FREQ")
    _complaint(cs, heavy_d, "电压质量长时间异常", "低电压", no="H-LOWV")
    # low_voltage: 低电压 only.
    _complaint(cs, volt_d, "电压质量长时间异常", "低电压", no="X-LOWV")
    _complaint(cs, volt_d, "电压质量长时间异常", "过电压", no="X-OVERV")
    found = _incidents("2024-07")
    linked = {k: sorted(i["complaints"]) for k, i in found.items()}
    assert linked == {
        ("TQO", "frequent_outage"): ["O-FREQ", "O-NOSUB", "O-PLANNED"],
        ("TQV", "overload"): ["V-FREQ", "V-LOWV"],
        ("TQV", "over_voltage"): ["V-OVERV"],
        ("TQH", "heavy_load"): ["H-LOWV"],
        ("TQX", "low_voltage"): ["X-LOWV"],
    }
    # Rule 2 of attribution follows the links: 发展 (no project) answers for the overload's 2 and the heavy
    # load's 1; 运检 for the fault outages' 3, the over-voltage's 1 and the load-free low voltage's 1.
    card = scorecard("2024-07")
    assert dept_row(card, "国网长沙供电公司", "发展")["attribution"]["traced"] == 3
    assert dept_row(card, "国网长沙供电公司", "运检")["attribution"]["traced"] == 5
    # Unlinked: O-LOWV, H-FREQ (default 运检), V-PLANNED (default 调控), X-OVERV (default 运检).
    assert dept_row(card, "国网长沙供电公司", "运检")["attribution"]["default"] == 3
    assert dept_row(card, "国网长沙供电公司", "调控")["attribution"] == {
        "explicit": 0, "traced": 0, "default": 1, "appeal": 0}


def test_json_read_outs_have_the_fields_of_interfaces_md():
    cs = city("国网长沙供电公司")
    d = district("TQ1", cs, customers=5000)
    reading(d, "2024-07", load=112)
    order(accepted="2024-07-05 10:00", city_unit=cs, district_obj=d, category="供电质量", subcategory="频繁停电")
    card = scorecard("2024-07")
    assert set(card) >= {"month", "units", "departments"} and card["month"] == "2024-07"
    unit_keys = {"unit", "complaints", "customers", "per_10k", "score", "rank"}
    dept_keys = {"unit", "department", "complaints", "repeat_complaints", "repeat_rate", "closed", "on_time",
                 "on_time_rate", "avg_resolution_hours", "median_resolution_hours", "satisfaction_rate", "score",
                 "rank", "attribution"}
    assert all(unit_keys <= set(u) for u in card["units"])
    assert all(dept_keys <= set(x) and {"explicit", "traced", "default"} <= set(x["attribution"])
               for x in card["departments"])
    u = card["units"][0]
    assert (type(u["complaints"]), type(u["customers"]), type(u["per_10k"]), type(u["score"]), type(u["rank"])) == (
        int, int, float, float, int)
    t = trace("2024-07")
    assert set(t) >= {"month", "incidents"} and t["month"] == "2024-07"
    i = t["incidents"][0]
    assert {"district", "kind", "department", "unit", "complaints", "evidence"} <= set(i)
    assert (i["district"], i["kind"], i["department"], i["unit"]) == ("TQ1", "overload", "发展", "国网长沙供电公司")
    assert isinstance(i["complaints"][0], str) and isinstance(i["evidence"], dict)


# --- the rectification on-time rate (a KPI no other test pinned) --------------------------------------

def test_rectification_on_time_rate_of_the_items_due_in_the_month():
    import datetime as dt

    from scorecard.accounts.models import User
    from scorecard.kpis import services
    from scorecard.kpis.models import Rectification

    cs = city("国网长沙供电公司")
    city("国网株洲供电公司")  # a second unit with nothing due
    for code in ("TQ1", "TQ2", "TQ3", "TQ4"):
        d = district(code, cs)
        reading(d, "2024-06", load=110)  # June overloads, no project → 发展, due 2024-07-30
        # Each explains a complaint: 追责事件, so each opens an item (a 隐患预警 would not).
        order(accepted="2024-06-05 10:00", city_unit=cs, category="供电质量", subcategory="频繁停电", district_obj=d)
    trace("2024-06")
    items = {r.incident.district_id: r for r in Rectification.objects.select_related("incident")}
    assert {r.due_on for r in items.values()} == {dt.date(2024, 7, 30)}
    analyst = User.objects.create_user("analyst", password="pw", role="analyst")
    services.update_rectification(user=analyst, item=items["TQ1"], status="done", closed_on=dt.date(2024, 7, 20),
                                  evidence="增容完成")
    services.update_rectification(user=analyst, item=items["TQ2"], status="done", closed_on=dt.date(2024, 7, 30),
                                  evidence="增容完成")  # on the due date: on time
    services.update_rectification(user=analyst, item=items["TQ3"], status="done", closed_on=dt.date(2024, 7, 31),
                                  evidence="增容完成")  # a day late
    # TQ4 still open: not on time.  2 of 4 → 50 %.
    card = scorecard("2024-07")
    row = dept_row(card, "国网长沙供电公司", "发展")
    assert (row["rectification_items"], row["rectification_on_time_rate"]) == (4, 50.0)
    unit = next(u for u in card["units"] if u["unit"] == "国网长沙供电公司")
    assert (unit["rectification_items"], unit["rectification_on_time_rate"]) == (4, 50.0)
    # Nothing due: no denominator → null; June's items are not June's figure (they are due in July).
    assert dept_row(card, "国网长沙供电公司", "运检")["rectification_on_time_rate"] is None
    assert next(u for u in card["units"] if u["unit"] == "国网株洲供电公司")["rectification_on_time_rate"] is None
    assert dept_row(scorecard("2024-06"), "国网长沙供电公司", "发展")["rectification_items"] == 0



# --- thresholds are data; a change applies to unpublished months only ------------------------------

def test_threshold_change_applies_to_unpublished_months_only():
    import datetime as dt

    from scorecard.accounts.models import User
    from scorecard.kpis import services
    from scorecard.kpis.models import RuleSettings

    cs = city("国网长沙供电公司")
    d = district("TQ1", cs)
    reading(d, "2024-06", load=110)
    reading(d, "2024-07", load=110)
    analyst = User.objects.create_user("analyst", password="pw", role="analyst")
    services.publish_month(month=dt.date(2024, 6, 1), user=analyst)
    assert [i["kind"] for i in trace("2024-07")["incidents"]] == ["overload"]
    rs = RuleSettings.current()
    rs.overload_pct = 120  # 110 % is now a heavy load, not an overload
    rs.save()
    assert [i["kind"] for i in trace("2024-07")["incidents"]] == ["heavy_load"]
    out = StringIO()
    call_command("trace_bottlenecks", "--month", "2024-06", "--json", stdout=out)
    assert [i["kind"] for i in json.loads(out.getvalue())["incidents"]] == ["overload"]  # published: frozen
    # The outage threshold too: two outages in the window are "frequent" once the count is 2.
    d2 = district("TQ2", cs, feeder="F2")
    outage(feeder="F2", district_obj=d2, start="2024-07-03 09:00")
    outage(feeder="F2", start="2024-06-20 09:00")  # the whole feeder, inside July's 60 days
    assert ("TQ2", "frequent_outage") not in _incidents("2024-07")
    rs.frequent_outage_count = 2
    rs.save()
    assert _incidents("2024-07")[("TQ2", "frequent_outage")]["department"] == "运检"
    out = StringIO()
    call_command("trace_bottlenecks", "--month", "2024-06", "--json", stdout=out)  # published before the change
    assert ("TQ2", "frequent_outage") not in {(i["district"], i["kind"]) for i in json.loads(out.getvalue())["incidents"]}


# --- the department page's 12-month trend ------------------------------------------------------------

def test_department_trend_over_twelve_months_frozen_and_live():
    import datetime as dt

    from scorecard.accounts.models import User
    from scorecard.kpis import services
    from scorecard.kpis.selectors import department_trend

    from tests.fixtures.factories import dept

    cs = city("国网长沙供电公司")
    district("TQ1", cs, customers=10000)
    # The 12 months ending 2024-11 are 2023-12 … 2024-11 (local time).
    order(accepted="2023-11-30 23:00", city_unit=cs)  # before the first month
    order(accepted="2023-12-31 23:00", city_unit=cs)
    order(accepted="2024-01-01 00:30", city_unit=cs, satisfaction="满意")  # 2023-12-31 16:30 UTC: still January
    order(accepted="2024-01-15 10:00", city_unit=cs, satisfaction="不满意")
    order(accepted="2024-11-30 23:59", city_unit=cs)
    order(accepted="2024-12-01 00:00", city_unit=cs)  # after the last month
    analyst = User.objects.create_user("analyst", password="pw", role="analyst")
    services.publish_month(month=dt.date(2024, 1, 1), user=analyst)
    order(accepted="2024-01-20 10:00", city_unit=cs)  # arrives after January was published: not in its figures
    trend = department_trend(city_id=cs.pk, department_id=dept("营销").pk, end_month=dt.date(2024, 11, 1))
    assert [t["month"] for t in trend] == ["2023-12"] + [f"2024-{m:02d}" for m in range(1, 12)]
    by_month = {t["month"]: t for t in trend}
    assert (by_month["2023-12"]["complaints"], by_month["2023-12"]["published"]) == (1, False)
    jan = by_month["2024-01"]
    assert (jan["complaints"], jan["satisfaction_rate"], jan["published"], jan["rank"]) == (2, 50.0, True, 1)
    assert by_month["2024-11"]["complaints"] == 1 and by_month["2024-11"]["score"] is None
    assert sum(t["complaints"] for t in trend) == 4
    # Another department of the same unit has its own (empty) line.
    assert sum(t["complaints"] for t in department_trend(city_id=cs.pk, department_id=dept("运检").pk,
                                                         end_month=dt.date(2024, 11, 1))) == 0


# --- the evidence chain reads in local time ------------------------------------------------------------

def test_outage_evidence_is_in_local_time_on_the_read_out_and_the_incident_page(client):
    from scorecard.accounts.models import User
    from scorecard.kpis.models import Incident

    cs = city("国网长沙供电公司")
    d = district("TQ1", cs, feeder="F1")
    # 2024-07-01 05:00 in Changsha is 2024-06-30 21:00 UTC: read in UTC it would even show June.
    outage(feeder="F1", district_obj=d, start="2024-07-01 05:00")
    outage(feeder="F1", district_obj=d, start="2024-07-10 09:00")
    outage(feeder="F1", start="2024-07-20 09:30")
    i = trace("2024-07")["incidents"][0]
    starts = [o["start_at"] for o in i["evidence"]["outages"]]
    assert starts == ["2024-07-01T05:00:00+08:00", "2024-07-10T09:00:00+08:00", "2024-07-20T09:30:00+08:00"]
    assert i["evidence"]["outages"][0]["end_at"] == "2024-07-01T07:00:00+08:00"
    # [end of July − 60 days, end of July)
    assert i["evidence"]["window"] == ["2024-06-02T00:00:00+08:00", "2024-08-01T00:00:00+08:00"]
    client.force_login(User.objects.create_user("analyst", password="pw", role="analyst"))
    page = client.get(f"/scorecard/incidents/{Incident.objects.get().pk}/").content.decode()
    assert "2024-07-01 05:00" in page and "2024-07-20 09:30" in page and "2024-06-30 21:00" not in page
    # The page names the window's last day (July 31), not its exclusive end.
    assert "2024-06-02 — 2024-07-31" in page


# --- score bands and shared ranks ------------------------------------------------------------------------

def test_band_cut_offs_are_inclusive_for_both_polarities_and_ranks_go_1_2_2_4():
    from scorecard.kpis.models import KpiDefinition
    from scorecard.kpis.selectors import competition_ranks, score

    repeat = KpiDefinition.objects.get(level="department", code="repeat_rate")  # lower is better: 2/5/10/15
    on_time = KpiDefinition.objects.get(level="department", code="on_time_rate")  # higher is better: 99/97/95/90
    assert [repeat.band(v) for v in (0, 2, 2.01, 5, 10, 15, 15.01, None)] == ["A", "A", "B", "B", "C", "D", "E", None]
    assert [on_time.band(v) for v in (100, 99, 98.99, 97, 95, 90, 89.99)] == ["A", "A", "B", "B", "C", "D", "E"]
    satisfaction = KpiDefinition.objects.get(level="department", code="satisfaction_rate")  # weight 15
    # Weights are never re-spread: repeat A (100 × 15) + on-time D (40 × 20) + satisfaction without callbacks
    # scored by the missing-data rule, E (20 × 15), over all 50 → 2600 / 50 = 52.00 (the old re-spread gave 65.71).
    figures = {"complaints": 5, "repeat_rate": 1, "on_time_rate": 90, "satisfaction_rate": None}
    value, bands, by_rule = score(figures, [repeat, on_time, satisfaction])
    assert (value, bands["satisfaction_rate"]) == (52.0, "E")
    assert by_rule == [{"kpi": "satisfaction_rate", "band": "E", "reason": "no_data"}]
    # No complaints at all: nothing to rate → full marks, A (100 × 15): (1500 + 800 + 1500) / 50 = 76.00.
    value, _bands, by_rule = score({**figures, "complaints": 0}, [repeat, on_time, satisfaction])
    assert (value, by_rule) == (76.0, [{"kpi": "satisfaction_rate", "band": "A", "reason": "nothing_to_rate"}])
    # The band points are the five of domain.md.
    assert KpiDefinition.BAND_POINTS == {"A": 100, "B": 80, "C": 60, "D": 40, "E": 20}
    items = [{"score": s} for s in (95.0, 80.0, 80.0, 60.0)]
    competition_ranks(items)
    assert [i["rank"] for i in items] == [1, 2, 2, 4]

"""Each tracing rule of domain.md on hand-made grid data."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from scorecard.kpis.models import Incident, Rectification

from tests.fixtures.factories import city, district, order, outage, project, reading
from tests.fixtures.readouts import dept_row, scorecard

pytestmark = pytest.mark.django_db


def trace(month: str) -> dict:
    out = StringIO()
    call_command("trace_bottlenecks", "--month", month, "--write", "--json", stdout=out)
    return json.loads(out.getvalue())


def incidents(month: str) -> dict[tuple[str, str], dict]:
    return {(i["district"], i["kind"]): i for i in trace(month)["incidents"]}


@pytest.fixture
def cs():
    return city("国网长沙供电公司")


def test_overload_with_late_project_goes_to_construction(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=112)
    project(d, planned="2024-06-30")  # planned before month end, not commissioned
    i = incidents("2024-07")[("TQ1", "overload")]
    assert (i["department"], i["unit"], i["rule"]) == ("基建", "国网长沙供电公司", "project_late")
    assert i["evidence"]["reading"]["max_load_pct"] == 112.0
    assert i["evidence"]["projects"][0]["planned_on"] == "2024-06-30"


def test_overload_with_project_commissioned_after_month_end_is_still_late(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=100)  # exactly the threshold counts
    project(d, planned="2024-07-15", commissioned="2024-08-02")
    assert incidents("2024-07")[("TQ1", "overload")]["department"] == "基建"


def test_overload_without_project_is_a_planning_gap(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=105)
    project(d, planned="2024-09-30")  # only a project planned after M
    i = incidents("2024-07")[("TQ1", "overload")]
    assert (i["department"], i["rule"]) == ("发展", "planning_gap")


def test_overload_persisting_after_commissioned_project_is_operations(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=101)
    project(d, planned="2024-05-31", commissioned="2024-05-20")
    i = incidents("2024-07")[("TQ1", "overload")]
    assert (i["department"], i["rule"]) == ("运检", "persists_after_project")


def test_heavy_load_band(cs):
    d1, d2 = district("TQ1", cs), district("TQ2", cs)
    reading(d1, "2024-07", load=80)
    reading(d2, "2024-07", load=79.99)
    found = incidents("2024-07")
    assert found[("TQ1", "heavy_load")]["department"] == "发展"
    assert not any(k[0] == "TQ2" for k in found)


def test_low_voltage_with_and_without_overload(cs):
    with_load, alone = district("TQ1", cs), district("TQ2", cs)
    reading(with_load, "2024-07", load=120, vmin=185)
    project(with_load, planned="2024-06-01")  # late → 基建, for the low voltage too
    reading(alone, "2024-07", load=40, vmin=197.9)
    found = incidents("2024-07")
    assert found[("TQ1", "low_voltage")]["department"] == "基建"
    assert found[("TQ1", "overload")]["department"] == "基建"
    assert (found[("TQ2", "low_voltage")]["department"], found[("TQ2", "low_voltage")]["rule"]) == (
        "运检", "voltage_without_load")


def test_over_voltage_goes_to_operations(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", vmax=235.5)
    reading(district("TQ2", cs), "2024-07", vmax=235.4)  # not above the threshold
    found = incidents("2024-07")
    assert found[("TQ1", "over_voltage")]["department"] == "运检"
    assert ("TQ2", "over_voltage") not in found


def test_frequent_outages_from_unplanned_planned_outages_go_to_dispatch(cs):
    d = district("TQ1", cs, feeder="F1")
    outage(feeder="F1", district_obj=d, start="2024-07-02 09:00", kind="fault")
    outage(feeder="F1", district_obj=d, start="2024-07-10 09:00", kind="fault")
    outage(feeder="F1", district_obj=d, start="2024-07-20 09:00", kind="planned", in_plan=False)
    i = incidents("2024-07")[("TQ1", "frequent_outage")]
    assert (i["department"], i["rule"]) == ("调控", "outage_not_in_plan")
    assert [o["kind"] for o in i["evidence"]["outages"]] == ["fault", "fault", "planned"]


def test_frequent_outages_from_faults_go_to_operations_counted_across_the_feeder(cs):
    d = district("TQ1", cs, feeder="F1")
    district("TQ2", cs, feeder="F1")
    district("TQ3", cs, feeder="F2")
    outage(feeder="F1", district_obj=d, start="2024-07-02 09:00", kind="fault")
    outage(feeder="F1", start="2024-07-10 09:00", kind="fault")  # whole feeder
    outage(feeder="F1", start="2024-07-20 09:00", kind="planned", in_plan=True)  # whole feeder
    found = incidents("2024-07")
    i = found[("TQ1", "frequent_outage")]
    assert (i["department"], i["rule"]) == ("运检", "fault_majority")
    assert [o["scope"] for o in i["evidence"]["outages"]] == ["district", "feeder", "feeder"]
    assert ("TQ2", "frequent_outage") not in found  # only 2 outages reach TQ2
    assert ("TQ3", "frequent_outage") not in found


def test_frequent_outages_planned_majority_in_plan_go_to_dispatch(cs):
    d = district("TQ1", cs, feeder="F1")
    for day in ("02", "10", "20"):
        outage(feeder="F1", district_obj=d, start=f"2024-07-{day} 09:00", kind="planned" if day != "02" else "fault")
    i = incidents("2024-07")[("TQ1", "frequent_outage")]
    assert (i["department"], i["rule"]) == ("调控", "planned_majority")


def test_sixty_day_window_across_months(cs):
    # September 2024: window [2024-10-01 00:00 − 60 days, 2024-10-01 00:00) = [2024-08-02 00:00, 2024-10-01 00:00)
    d = district("TQ1", cs, feeder="F1")
    outage(feeder="F1", district_obj=d, start="2024-08-01 23:59")  # just outside
    outage(feeder="F1", district_obj=d, start="2024-08-02 00:00")  # first inside
    outage(feeder="F1", district_obj=d, start="2024-09-15 10:00")
    assert ("TQ1", "frequent_outage") not in incidents("2024-09")
    outage(feeder="F1", district_obj=d, start="2024-09-30 23:59")
    assert ("TQ1", "frequent_outage") in incidents("2024-09")
    outage(feeder="F1", district_obj=d, start="2024-10-01 00:00")  # belongs to October's window only
    i = incidents("2024-09")[("TQ1", "frequent_outage")]
    assert len(i["evidence"]["outages"]) == 3


def test_link_priority_when_a_district_has_two_incidents(cs):
    d = district("TQ1", cs, feeder="F1")
    reading(d, "2024-07", load=110, vmin=190)
    for day in ("02", "10", "20"):
        outage(feeder="F1", district_obj=d, start=f"2024-07-{day} 09:00")
    outage_c = order(accepted="2024-07-21 10:00", city_unit=cs, district_obj=d, category="供电质量",
                     subcategory="频繁停电", order_no="O-OUTAGE")
    low_c = order(accepted="2024-07-21 11:00", city_unit=cs, district_obj=d, category="供电质量",
                  subcategory="电压质量长时间异常", detail="低电压", order_no="O-LOW")
    service_c = order(accepted="2024-07-21 12:00", city_unit=cs, district_obj=d, order_no="O-SERVICE")
    order(accepted="2024-08-01 12:00", city_unit=cs, district_obj=d, category="供电质量", subcategory="频繁停电",
          order_no="O-NEXT-MONTH")
    found = incidents("2024-07")
    assert found[("TQ1", "frequent_outage")]["complaints"] == [outage_c.order_no]  # not also overload's
    assert found[("TQ1", "overload")]["complaints"] == [low_c.order_no]  # low voltage: overload before low_voltage
    assert found[("TQ1", "low_voltage")]["complaints"] == []
    assert service_c.order_no not in sum((i["complaints"] for i in found.values()), [])


def test_traced_complaint_goes_to_the_incident_department_unless_explicit(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=110, vmin=190)  # overload, no project → 发展
    order(accepted="2024-07-05 10:00", city_unit=cs, district_obj=d, category="供电质量",
          subcategory="电压质量长时间异常", detail="低电压")
    order(accepted="2024-07-06 10:00", city_unit=cs, district_obj=d, category="供电质量",
          subcategory="电压质量长时间异常", detail="低电压", responsible="营销")
    order(accepted="2024-07-07 10:00", city_unit=cs, category="供电质量", subcategory="电压质量长时间异常",
          detail="低电压")  # no 台区: default table → 运检
    assert dept_row(scorecard("2024-07"), "国网长沙供电公司", "发展")["attribution"]["traced"] == 0  # not traced yet
    trace("2024-07")  # the write (an import or the draft does it in production)
    card = scorecard("2024-07")
    assert dept_row(card, "国网长沙供电公司", "发展")["attribution"] == {
        "explicit": 0, "traced": 1, "default": 0, "appeal": 0}
    assert dept_row(card, "国网长沙供电公司", "营销")["attribution"]["explicit"] == 1
    assert dept_row(card, "国网长沙供电公司", "运检")["attribution"]["default"] == 1


def test_default_table_and_fallback(cs):
    for sub, cat in [("计划停电", "停送电"), ("施工影响", "电网建设"), ("电费电价", "营业"), ("故障抢修", "停送电"),
                     ("供电频率长时间异常", "供电质量")]:
        order(accepted="2024-07-05 10:00", city_unit=cs, category=cat, subcategory=sub)
    order(accepted="2024-07-05 10:00", city_unit=cs, category="停送电", subcategory=None)  # unmapped → 营销
    card = scorecard("2024-07")
    counts = {d["department"]: d["complaints"] for d in card["departments"] if d["unit"] == "国网长沙供电公司"}
    assert counts == {"调控": 1, "基建": 1, "营销": 2, "运检": 2, "发展": 0}


def linked_complaint(d, *, order_no=None):
    """A 频繁停电 complaint in the 台区: an overload (or frequent outage) incident there explains it."""
    return order(accepted="2024-07-05 10:00", city_unit=d.city, category="供电质量", subcategory="频繁停电",
                 district_obj=d, order_no=order_no)


def test_rectification_item_opened_and_kept_across_retraces(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=110)
    linked_complaint(d)  # a 追责事件: only those open an item
    trace("2024-07")
    item = Rectification.objects.get(incident__district_id="TQ1")
    assert item.due_on.isoformat() == "2024-08-30"  # 30 days after 2024-07-31
    assert (item.department.name, item.status) == ("发展", "open")
    item.status = "in_progress"
    item.save()
    trace("2024-07")
    assert Rectification.objects.get(pk=item.pk).status == "in_progress"
    assert Incident.objects.count() == 1
    # The grid data is corrected: the incident disappears with its item.
    d.readings.update(max_load_pct=50)
    assert trace("2024-07")["incidents"] == []
    assert not Rectification.objects.exists()


def test_readable_tables_without_json(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=112)
    linked_complaint(d)  # accountable: its item's due date is printed
    out = StringIO()
    call_command("trace_bottlenecks", "--month", "2024-07", stdout=out)  # a read-out: traces nothing
    assert "尚未溯源" in out.getvalue() and "TQ1" not in out.getvalue()
    out = StringIO()
    call_command("trace_bottlenecks", "--month", "2024-07", "--write", stdout=out)
    assert "尚未溯源" not in out.getvalue() and "TQ1" in out.getvalue() and "发展" in out.getvalue() and "2024-08-30" in out.getvalue()
    out = StringIO()
    call_command("scorecard", "--month", "2024-07", stdout=out)
    assert "地市公司排名" in out.getvalue() and "国网长沙供电公司" in out.getvalue()


# --- 追责事件 and 隐患预警 (domain.md "Hazards and accountability") ----------------------------------

def test_an_incident_without_linked_complaints_is_a_hazard_with_no_rectification_item(cs):
    reading(district("TQ1", cs), "2024-07", load=110)
    i = incidents("2024-07")[("TQ1", "overload")]
    assert (i["accountable"], i["category"], i["complaints"], i["rectification"]) == (False, "hazard", [], None)
    assert {"district", "district_name", "kind", "department", "unit", "rule", "rule_text", "complaints",
            "evidence", "rectification"} <= set(i)  # every key the read-out had before stays
    assert not Rectification.objects.exists()
    assert dept_row(scorecard("2024-08"), "国网长沙供电公司", "发展")["rectification_items"] == 0


def test_an_incident_with_a_linked_complaint_is_accountable_and_gets_an_item(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=110)
    linked_complaint(d, order_no="GD-LINKED")
    i = incidents("2024-07")[("TQ1", "overload")]
    assert (i["accountable"], i["category"], i["complaints"]) == (True, "accountability", ["GD-LINKED"])
    assert i["rectification"] == {"due_on": "2024-08-30", "status": "open"}
    assert Rectification.objects.get().incident.district_id == "TQ1"
    assert dept_row(scorecard("2024-08"), "国网长沙供电公司", "发展")["rectification_items"] == 1


def test_the_rule_setting_gives_hazards_items_too(cs):
    from scorecard.kpis.models import RuleSettings

    rs = RuleSettings.current()
    rs.rectify_hazards = True
    rs.save()
    reading(district("TQ1", cs), "2024-07", load=110)
    i = incidents("2024-07")[("TQ1", "overload")]
    assert (i["category"], i["rectification"]) == ("hazard", {"due_on": "2024-08-30", "status": "open"})
    # Switched off again: the untouched item of the hazard goes with the next trace.
    rs.rectify_hazards = False
    rs.save()
    assert incidents("2024-07")[("TQ1", "overload")]["rectification"] is None
    assert not Rectification.objects.exists()


def test_a_retrace_that_removes_the_links_withdraws_an_untouched_item_and_keeps_one_in_progress(cs):
    d1, d2 = district("TQ1", cs), district("TQ2", cs)
    reading(d1, "2024-07", load=110)
    reading(d2, "2024-07", load=120)
    c1, c2 = linked_complaint(d1), linked_complaint(d2)
    trace("2024-07")
    assert Rectification.objects.count() == 2
    started = Rectification.objects.get(incident__district_id="TQ2")
    started.status = "in_progress"
    started.save()
    # The complaints turn out to be about something else: both incidents lose their link.
    for c in (c1, c2):
        c.category, c.subcategory = None, None
        c.save()
    now = incidents("2024-07")
    assert now[("TQ1", "overload")]["category"] == now[("TQ2", "overload")]["category"] == "hazard"
    assert now[("TQ1", "overload")]["rectification"] is None  # nobody had touched it: withdrawn
    assert now[("TQ2", "overload")]["rectification"]["status"] == "in_progress"  # work started: kept
    assert list(Rectification.objects.values_list("pk", flat=True)) == [started.pk]


def test_an_item_with_an_owner_or_evidence_counts_as_touched(cs):
    from scorecard.accounts.models import User

    d1, d2 = district("TQ1", cs), district("TQ2", cs)
    reading(d1, "2024-07", load=110)
    reading(d2, "2024-07", load=120)
    c1, c2 = linked_complaint(d1), linked_complaint(d2)
    trace("2024-07")
    Rectification.objects.filter(incident__district_id="TQ1").update(
        owner=User.objects.create_user("o", password="x", role="analyst"))
    Rectification.objects.filter(incident__district_id="TQ2").update(closing_evidence="已安排增容")
    for c in (c1, c2):
        c.category, c.subcategory = None, None
        c.save()
    trace("2024-07")
    assert Rectification.objects.count() == 2  # both still open, but someone has acted on them


def test_an_incident_that_gains_a_link_gains_an_item(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=110)
    assert incidents("2024-07")[("TQ1", "overload")]["rectification"] is None
    linked_complaint(d)  # a later import brings the complaint
    i = incidents("2024-07")[("TQ1", "overload")]
    assert i["accountable"] is True and i["rectification"]["status"] == "open"
    assert Rectification.objects.count() == 1


def test_the_readable_table_names_the_category(cs):
    d = district("TQ1", cs)
    reading(d, "2024-07", load=110)
    reading(district("TQ2", cs), "2024-07", load=110)
    linked_complaint(d)
    trace("2024-07")
    out = StringIO()
    call_command("trace_bottlenecks", "--month", "2024-07", stdout=out)
    text = out.getvalue()
    assert "（追责事件 1 起，隐患预警 1 起）" in text
    assert [line.split()[4] for line in text.splitlines()[1:]] == ["追责事件", "隐患预警"]

# --- every threshold at, just inside and just outside its bound ------------------------------------------

@pytest.mark.parametrize("load, kinds", [
    (100.01, {"overload"}),     # overload: rate ≥ 100 % — just inside
    (100, {"overload"}),        # at the bound
    (99.99, {"heavy_load"}),    # just outside overload, just inside heavy load (80 ≤ rate < 100)
    (80.01, {"heavy_load"}),
    (80, {"heavy_load"}),       # at heavy load's lower bound
    (79.99, set()),             # just outside
])
def test_load_thresholds_on_both_sides(cs, load, kinds):
    reading(district("TQ1", cs), "2024-07", load=load)
    assert {k for _d, k in incidents("2024-07")} == kinds


@pytest.mark.parametrize("vmin, vmax, kinds", [
    (197.9, 228, {"low_voltage"}),   # low voltage: min < 198 V — just inside (voltages have one decimal)
    (198.0, 228, set()),             # at the bound: not below
    (198.1, 228, set()),             # outside
    (215, 235.5, {"over_voltage"}),  # over voltage: max > 235.4 V — just inside
    (215, 235.4, set()),             # at the bound: not above
    (215, 235.3, set()),             # outside
])
def test_voltage_thresholds_on_both_sides(cs, vmin, vmax, kinds):
    reading(district("TQ1", cs), "2024-07", vmin=vmin, vmax=vmax)
    assert {k for _d, k in incidents("2024-07")} == kinds


@pytest.mark.parametrize("count, frequent", [(2, False), (3, True), (4, True)])
def test_frequent_outage_count_on_both_sides(cs, count, frequent):
    d = district("TQ1", cs, feeder="F1")
    for day in range(1, count + 1):
        outage(feeder="F1", district_obj=d, start=f"2024-07-{day * 5:02d} 09:00")
    assert (("TQ1", "frequent_outage") in incidents("2024-07")) is frequent


@pytest.mark.parametrize("start, counted", [
    # July 2024: [2024-08-01 00:00 − 60 days, 2024-08-01 00:00) = [2024-06-02 00:00:00, 2024-08-01 00:00:00).
    ("2024-06-01 23:59:59", False),  # one second before the window opens
    ("2024-06-02 00:00:00", True),   # at the start: inside
    ("2024-06-02 00:00:01", True),
    ("2024-07-31 23:59:59", True),   # the last second inside
    ("2024-08-01 00:00:00", False),  # at the end: outside (half-open)
])
def test_sixty_day_window_to_the_second(cs, start, counted):
    d = district("TQ1", cs, feeder="F1")
    outage(feeder="F1", district_obj=d, start="2024-07-05 09:00")
    outage(feeder="F1", district_obj=d, start="2024-07-10 09:00")
    outage(feeder="F1", district_obj=d, start=start)
    assert (("TQ1", "frequent_outage") in incidents("2024-07")) is counted

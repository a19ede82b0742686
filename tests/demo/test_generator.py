"""The demo province generator: determinism, exact headers and the shape of the data."""
import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from scorecard.demo import FILES, HEADERS, KINDS, default_end_month, write_demo_csvs
from scorecard.demo.generator import SEASON_LOAD
from scorecard.demo.province import COMPLAINT_PROFILE

from .conftest import SHAPE

# Copied from /work/shared/interfaces.md: the headers of real exports.
INTERFACE_HEADERS = {
    "workorders": "工单编号 受理时间 业务类型 一级分类 二级分类 三级分类 客户编号 客户名称 联系电话 地市单位 县级单位 "
                  "供电所 台区编号 台区名称 线路名称 责任部门 派单时间 接单时间 办结时间 回访满意度 受理内容",
    # The interface's columns, then the optional 台区经理 columns of issue #18 (docs/interfaces.md).
    "districts": "台区编号 台区名称 地市单位 县级单位 供电所 线路名称 配变容量 用户数 台区经理 台区经理工号 生效日期",
    "loads": "台区编号 月份 最大负载率 最低电压 最高电压",
    "outages": "停电编号 线路名称 台区编号 停电类型 开始时间 结束时间 纳入月度计划",
    "projects": "项目编号 台区编号 项目类型 计划投运日期 实际投运日期",
}
BUSINESS_TYPES = {"投诉", "举报", "意见", "建议", "咨询", "表扬", "服务申请", "催办", "故障报修"}


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def complaints(rows):
    return [r for r in rows["workorders"] if r["业务类型"] == "投诉"]


# ---- determinism -----------------------------------------------------------------------

def _bytes(paths):
    return {kind: Path(p).read_bytes() for kind, p in paths.items()}


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path):
    kw = {"orders": 2_000, "months": 3, "end_month": "2025-03"}
    a = _bytes(write_demo_csvs(tmp_path / "a", seed=7, **kw))
    b = _bytes(write_demo_csvs(tmp_path / "b", seed=7, **kw))
    c = _bytes(write_demo_csvs(tmp_path / "c", seed=8, **kw))
    assert set(a) == set(FILES)
    assert a == b
    for kind in FILES:
        assert a[kind] != c[kind], kind


def test_end_month_and_months_set_the_range(tmp_path):
    paths = write_demo_csvs(tmp_path, orders=500, months=3, end_month="2025-01")
    loads = paths["loads"].read_text(encoding="utf-8").splitlines()[1:]
    assert sorted({line.split(",")[1] for line in loads}) == ["2024-11", "2024-12", "2025-01"]
    accepted = {line.split(",")[1][:7] for line in paths["workorders"].read_text(encoding="utf-8").splitlines()[1:]}
    assert accepted == {"2024-11", "2024-12", "2025-01"}


def test_default_end_month_is_last_month_in_shanghai():
    assert default_end_month(dt.date(2026, 1, 15)) == "2025-12"
    assert default_end_month(dt.date(2026, 11, 1)) == "2026-10"
    assert re.fullmatch(r"\d{4}-\d{2}", default_end_month())


@pytest.mark.parametrize("kwargs, message", [
    ({"end_month": "2026/10"}, "end_month"),
    ({"end_month": "2026-13"}, "end_month"),
    ({"months": 0}, "months"),
    ({"orders": -1}, "orders"),
])
def test_bad_parameters_are_named(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        write_demo_csvs(tmp_path, **{"orders": 10, **kwargs})


# ---- headers ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_headers_are_exactly_the_interface_headers(demo_files, kind):
    first_line = demo_files[kind].read_text(encoding="utf-8").split("\n", 1)[0].rstrip("\r")
    assert first_line.split(",") == INTERFACE_HEADERS[kind].split()
    assert HEADERS[kind] == INTERFACE_HEADERS[kind].split()


# ---- shape -----------------------------------------------------------------------------

def test_row_counts_and_organisation(demo_rows):
    rows = demo_rows
    assert len(rows["workorders"]) == SHAPE["orders"]
    assert len({r["工单编号"] for r in rows["workorders"]}) == SHAPE["orders"]
    assert all(re.fullmatch(r"GD\d{6}\d{6,}", r["工单编号"]) for r in rows["workorders"])
    # order numbers carry the acceptance month
    assert all(r["工单编号"][2:8] == r["受理时间"][:7].replace("-", "") for r in rows["workorders"])
    districts = rows["districts"]
    assert len({d["地市单位"] for d in districts}) == 14
    assert "国网长沙供电公司" in {d["地市单位"] for d in districts}
    assert len({d["县级单位"] for d in districts}) >= 100
    assert all(re.fullmatch(r".+[县区市]供电公司", d["县级单位"]) for d in districts)
    assert all(d["供电所"].endswith("供电所") and d["线路名称"].endswith("线") for d in districts)
    assert all(re.fullmatch(r"TQ\d+", d["台区编号"]) for d in districts)
    assert all(50 <= int(d["用户数"]) <= 400 for d in districts)
    assert {int(d["配变容量"]) for d in districts} <= {100, 200, 315, 400, 630}
    assert len(rows["loads"]) == len(districts) * SHAPE["months"]


def test_every_business_type_and_complaint_share(demo_rows):
    types = Counter(r["业务类型"] for r in demo_rows["workorders"])
    assert set(types) == BUSINESS_TYPES
    assert 0.35 <= types["投诉"] / SHAPE["orders"] <= 0.45
    others = [r for r in demo_rows["workorders"] if r["业务类型"] != "投诉"]
    assert all(r["一级分类"] == "" for r in others)


def test_category_shares_follow_the_published_profile(demo_rows):
    comp = complaints(demo_rows)
    n = len(comp)
    share = {k: v / n * 100 for k, v in Counter(r["一级分类"] for r in comp).items()}
    for cat, target in {"供电质量": 45.14, "营业": 23.29, "服务": 23.05, "停送电": 4.74, "电网建设": 3.78}.items():
        assert abs(share[cat] - target) < 2.0, (cat, share[cat])
    subs = Counter(r["二级分类"] for r in comp)
    assert subs.most_common(1)[0][0] == "频繁停电"
    assert abs(subs["频繁停电"] / n * 100 - 39.04) < 2.0
    # Every (category, subcategory, detail) is one the seeded taxonomy knows.
    known = {(c, s, d or "") for c, s, d, _ in COMPLAINT_PROFILE}
    assert {(r["一级分类"], r["二级分类"], r["三级分类"]) for r in comp} <= known
    assert all(r["客户编号"] for r in comp)


def test_hourly_profile_peaks_at_load_peaks_every_month(demo_rows):
    by_month = defaultdict(Counter)
    for r in complaints(demo_rows):
        by_month[r["受理时间"][:7]][int(r["受理时间"][11:13])] += 1
    assert len(by_month) == SHAPE["months"]
    for month, hours in by_month.items():
        ranked = [h for h, _ in sorted(hours.items(), key=lambda kv: (-kv[1], kv[0]))]
        assert ranked[:3] == [19, 11, 17], month
        assert set(ranked[-4:]) <= {0, 1, 2, 3, 4, 5}, month


def test_lifecycle_timestamps_are_ordered(demo_rows):
    open_orders = late = closed = 0
    for r in demo_rows["workorders"]:
        acc, disp = ts(r["受理时间"]), ts(r["派单时间"])
        assert disp >= acc
        if r["接单时间"]:
            assert ts(r["接单时间"]) >= disp
        if r["办结时间"]:
            closed += 1
            close = ts(r["办结时间"])
            assert close >= acc and (not r["接单时间"] or close >= ts(r["接单时间"]))
            late += close - acc > dt.timedelta(days=6)
        else:
            open_orders += 1
            assert r["回访满意度"] == ""
        assert r["回访满意度"] in ("满意", "基本满意", "不满意", "")
        if r["联系电话"]:
            assert re.fullmatch(r"1[3-9]\d{9}", r["联系电话"])
    n = len(demo_rows["workorders"])
    assert 0 < open_orders < 0.05 * n
    assert 0.02 * n < late < 0.15 * n
    sat = Counter(r["回访满意度"] for r in demo_rows["workorders"] if r["办结时间"])
    assert sat.most_common(1)[0][0] == "满意" and sat["基本满意"] and sat["不满意"] and sat[""]


def test_explicit_departments_and_complaints_without_district(demo_rows):
    comp = complaints(demo_rows)
    explicit = [r["责任部门"] for r in comp if r["责任部门"]]
    assert 0.06 < len(explicit) / len(comp) < 0.14
    assert set(explicit) <= {"营销", "运检", "发展", "基建", "调控"}
    assert all(r["责任部门"] == "" for r in demo_rows["workorders"] if r["业务类型"] != "投诉")
    no_district = [r for r in comp if not r["台区编号"]]
    assert 0.01 < len(no_district) / len(comp) < 0.06
    assert all(r["地市单位"] and r["台区名称"] == "" for r in no_district)


def test_repeat_customers_exist(demo_rows):
    seen = defaultdict(list)
    repeats = 0
    for r in sorted(complaints(demo_rows), key=lambda r: r["受理时间"]):
        t = ts(r["受理时间"])
        if any(t - prev <= dt.timedelta(days=30) for prev in seen[r["客户编号"]]):
            repeats += 1
        seen[r["客户编号"]].append(t)
    assert repeats > 0.03 * len(seen)
    # The same customer keeps their name and phone number.
    ident = defaultdict(set)
    for r in complaints(demo_rows):
        ident[r["客户编号"]].add((r["客户名称"], r["联系电话"]))
    assert all(len(v) == 1 for v in ident.values())


def test_complaints_concentrate_in_problem_districts(demo_rows):
    load = {(x["台区编号"], x["月份"]): x for x in demo_rows["loads"]}
    overloaded = {k for k, x in load.items() if float(x["最大负载率"]) >= 100}
    heavy = {k for k, x in load.items() if 80 <= float(x["最大负载率"]) < 100}
    low = {k for k, x in load.items() if float(x["最低电压"]) < 198}
    over = {k for k, x in load.items() if float(x["最高电压"]) > 235.4}
    n_dm = len(load)
    assert 0.004 * n_dm < len(overloaded) < 0.03 * n_dm
    assert 0.01 * n_dm < len(heavy) < 0.08 * n_dm
    assert len(low & (overloaded | heavy)) > len(low - overloaded - heavy)  # low voltage mostly with load
    assert over and not over & overloaded
    comp = complaints(demo_rows)
    by_key = defaultdict(list)
    for r in comp:
        by_key[(r["台区编号"], r["受理时间"][:7])].append(r)
    overloaded_with = [k for k in overloaded if by_key.get(k)]
    assert len(overloaded_with) >= 10
    low_c = [r for r in comp if r["三级分类"] == "低电压"]
    over_c = [r for r in comp if r["三级分类"] == "过电压"]
    assert sum((r["台区编号"], r["受理时间"][:7]) in low for r in low_c) > 0.4 * len(low_c)
    assert sum((r["台区编号"], r["受理时间"][:7]) in over for r in over_c) > 0.4 * len(over_c)


def test_hotspot_districts(demo_rows):
    comp = [r for r in complaints(demo_rows) if r["台区编号"]]
    last, prev, year_ago = "2026-10", "2026-09", "2025-10"
    customers = defaultdict(lambda: defaultdict(set))
    for r in comp:
        customers[r["受理时间"][:7]][r["台区编号"]].add(r["客户编号"])
    assert any(len(c) >= 2 for c in customers[last].values())
    assert set(customers[last]) & set(customers[prev])
    assert set(customers[last]) & set(customers[year_ago])


def test_outages(demo_rows):
    outages = demo_rows["outages"]
    kinds = Counter(o["停电类型"] for o in outages)
    assert set(kinds) == {"计划", "临时", "故障"}
    assert all(ts(o["结束时间"]) >= ts(o["开始时间"]) for o in outages)
    in_plan = Counter(o["纳入月度计划"] for o in outages)
    assert in_plan["是"] > in_plan["否"] / 2
    assert any(o["停电类型"] in ("计划", "临时") and o["纳入月度计划"] == "否" for o in outages)
    assert all(o["纳入月度计划"] == "否" for o in outages if o["停电类型"] == "故障")
    assert any(o["台区编号"] == "" for o in outages)  # whole-feeder outages
    # Some 台区 have >= 3 outages (own or feeder's) within 60 days.
    feeder_of = {d["台区编号"]: d["线路名称"] for d in demo_rows["districts"]}
    starts = defaultdict(list)
    by_feeder = defaultdict(list)
    for o in outages:
        if o["台区编号"]:
            starts[o["台区编号"]].append(ts(o["开始时间"]))
        else:
            by_feeder[o["线路名称"]].append(ts(o["开始时间"]))
    frequent = 0
    for code, feeder in feeder_of.items():
        times = sorted(starts[code] + by_feeder[feeder])
        frequent += any(times[i + 2] - times[i] < dt.timedelta(days=60) for i in range(len(times) - 2))
    assert frequent >= 20


def test_projects_on_time_late_and_later(demo_rows):
    projects = demo_rows["projects"]
    last_day = dt.date(2026, 10, 31)
    on_time = late = later = 0
    for p in projects:
        planned = dt.date.fromisoformat(p["计划投运日期"])
        done = dt.date.fromisoformat(p["实际投运日期"]) if p["实际投运日期"] else None
        assert done is None or done <= last_day
        if planned > last_day:
            later += 1
            assert done is None
        elif done is not None and done <= planned:
            on_time += 1
        else:
            late += 1
    assert on_time and late and later
    # Projects target overloaded 台区.
    overloaded = {x["台区编号"] for x in demo_rows["loads"] if float(x["最大负载率"]) >= 100}
    assert sum(p["台区编号"] in overloaded for p in projects) > 0.5 * len(projects)


# ---- 台区经理 --------------------------------------------------------------------------

def test_every_district_has_a_manager_from_the_first_month_and_some_change_later(demo_rows):
    districts, changes = demo_rows["districts"], demo_rows["district_changes"]
    assert {d["生效日期"] for d in districts} == {"2025-10-01"}  # 13 months ending 2026-10 start 2025-10
    assert all(d["台区经理"] and re.fullmatch(r"GW\d{6}", d["台区经理工号"]) for d in districts)
    # A manager looks after the 台区 of one station, at most about a dozen of them.
    stations = defaultdict(set)
    for d in districts:
        stations[d["台区经理工号"]].add((d["县级单位"], d["供电所"]))
    assert all(len(s) == 1 for s in stations.values())
    assert 4 <= len(districts) / len(stations) <= 16  # small stations of a small demo have one
    # About 8 % change hands, each to someone else, on a day of the third month or later.
    assert 0.05 <= len(changes) / len(districts) <= 0.11
    before = {d["台区编号"]: d for d in districts}
    for c in changes:
        old = before[c["台区编号"]]
        assert c["台区经理工号"] != old["台区经理工号"]
        assert "2025-12-01" <= c["生效日期"] <= "2026-10-31"
        assert [c[h] for h in HEADERS["districts"][:8]] == [old[h] for h in HEADERS["districts"][:8]]


# ---- causes of issue #18: drift into overload, recurring feeder faults ---------------------

def _season_adjusted_loads(demo_rows) -> tuple[list[str], dict[str, list[float]]]:
    """Each 台区's load with the season taken out (the generator's SEASON_LOAD), by month."""
    months = sorted({r["月份"] for r in demo_rows["loads"]})
    by_code = defaultdict(dict)
    for r in demo_rows["loads"]:
        by_code[r["台区编号"]][r["月份"]] = float(r["最大负载率"]) / SEASON_LOAD[int(r["月份"][5:])]
    return months, {c: [v[m] for m in months] for c, v in by_code.items()}


def _drifted(series: list[float]) -> bool:
    """Two months in a row at least 25 points above both of two months three months earlier: a lasting
    rise, not the noise (±10 %) nor a one-off spike (one month) nor a season (taken out)."""
    return any(min(series[i + 3:i + 5]) - max(series[i - 1:i + 1]) >= 25 for i in range(1, len(series) - 4))


def _complaints_by_district_month(demo_rows, subcategory=None) -> tuple[Counter, dict]:
    count, customers = Counter(), defaultdict(set)
    for r in complaints(demo_rows):
        if not r["台区编号"]:
            continue
        key = (r["台区编号"], r["受理时间"][:7])
        customers[key].add(r["客户编号"])
        if subcategory is None or r["二级分类"] == subcategory:
            count[key] += 1
    return count, customers


def test_a_few_districts_drift_into_overload_until_a_project_relieves_them(demo_rows):
    months, adjusted = _season_adjusted_loads(demo_rows)
    drifting = sorted(c for c, series in adjusted.items() if _drifted(series))
    n = len(adjusted)
    assert 0.005 * n <= len(drifting) <= 0.02 * n  # a few, about DRIFT_SHARE
    rate = {(r["台区编号"], r["月份"]): float(r["最大负载率"]) for r in demo_rows["loads"]}
    overloaded = [c for c in drifting if any(rate[(c, m)] >= 100 for m in months)]
    assert len(overloaded) >= 0.6 * len(drifting)
    # Once a project for the 台区 is commissioned, its load falls (the growth stops, the bottleneck goes).
    done = {p["台区编号"]: p["实际投运日期"][:7] for p in demo_rows["projects"] if p["实际投运日期"]}
    relieved = [c for c in drifting if c in done and months[1] < done[c] < months[-1]]
    assert relieved
    for c in relieved:
        i = months.index(done[c])
        assert adjusted[c][i + 1] < adjusted[c][i - 1], c
    # A heavily loaded month is followed by more complaints and more hotspots in the drifting 台区.
    count, customers = _complaints_by_district_month(demo_rows)
    after = {True: [0, 0, 0], False: [0, 0, 0]}
    for c in drifting:
        for prev, m in zip(months, months[1:]):
            bucket = after[rate[(c, prev)] >= 80]
            bucket[0] += 1
            bucket[1] += count[(c, m)]
            bucket[2] += len(customers[(c, m)]) >= 2
    heavy, light = after[True], after[False]
    assert heavy[0] and light[0]
    assert heavy[1] / heavy[0] > 2 * light[1] / light[0]
    assert heavy[2] / heavy[0] > 2 * light[2] / light[0]


def test_weak_feeders_fault_again_and_again_and_their_districts_complain_the_more_the_more_faults(demo_rows):
    months = sorted({r["月份"] for r in demo_rows["loads"]})
    feeder_of = {d["台区编号"]: d["线路名称"] for d in demo_rows["districts"]}
    on_feeder = defaultdict(list)
    for code, feeder in feeder_of.items():
        on_feeder[feeder].append(code)
    # Whole-feeder faults month after month: some feeders trip in four or more months running.
    feeder_months = defaultdict(set)
    faults = Counter()  # (台区, month) → 故障 outages on the 台区 or its feeder
    for o in demo_rows["outages"]:
        if o["停电类型"] != "故障":
            continue
        month = o["开始时间"][:7]
        if not o["台区编号"]:
            feeder_months[o["线路名称"]].add(month)
        for code in ([o["台区编号"]] if o["台区编号"] else on_feeder[o["线路名称"]]):
            faults[(code, month)] += 1

    def longest_run(ms):
        best = run = 0
        for m in months:
            run = run + 1 if m in ms else 0
            best = max(best, run)
        return best
    assert sum(longest_run(ms) >= 4 for ms in feeder_months.values()) >= 2
    # 频繁停电 complaints in M by the faults the 台区 had in M−1 and M−2 (known before M): more faults, more
    # complaints — the cause precedes the complaints.
    count, _customers = _complaints_by_district_month(demo_rows, "频繁停电")
    by_faults = defaultdict(lambda: [0, 0])
    for i in range(2, len(months)):
        for code in feeder_of:
            bucket = by_faults[min(3, faults[(code, months[i - 1])] + faults[(code, months[i - 2])])]
            bucket[0] += 1
            bucket[1] += count[(code, months[i])]
    per = [by_faults[b][1] / by_faults[b][0] for b in range(4)]
    assert per == sorted(per) and len(set(per)) == 4, per
    assert per[3] > 8 * per[0], per

"""A hand-built notice snapshot (no database): the renderer's tests and the look of the page."""
import copy

CITIES = ["长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州", "怀化", "娄底",
          "湘西"]
DEPARTMENTS = ["营销", "运检", "发展", "基建", "调控"]


def unit_name(city: str) -> str:
    return f"国网{city}供电公司"


def legacy_snapshot(**overrides) -> dict:
    """A schema-1 snapshot (before 追责事件 / 隐患预警): what notices published then store."""
    # Scores fall with the index, except a tie at ranks 4/4 (competition ranking: 1,2,3,4,4,6…).
    units = []
    for i, city in enumerate(CITIES):
        score = round(96.5 - i * 2.75 + (2.75 if i == 4 else 0), 2)
        units.append({"unit": unit_name(city), "complaints": 40 + 7 * i, "customers": 900_000 - 30_000 * i,
                      "per_10k": round((40 + 7 * i) * 10000 / (900_000 - 30_000 * i), 4),
                      "on_time_rate": round(99.5 - i * 0.7, 2), "satisfaction_rate": round(97 - i * 0.9, 2),
                      "score": score, "rank": 0, "previous_rank": (i + 3) % 14 + 1})
    rank = 0
    for pos, u in enumerate(units, start=1):
        if pos == 1 or u["score"] != units[pos - 2]["score"]:
            rank = pos
        u["rank"] = rank
        u["rank_change"] = u["previous_rank"] - rank
    units[-1]["previous_rank"], units[-1]["rank_change"] = None, None
    departments = []
    for dept in DEPARTMENTS:
        for i, city in enumerate(CITIES):
            departments.append({"unit": unit_name(city), "department": dept, "complaints": 3 + i,
                                "repeat_rate": round(2.5 + i * 0.3, 2), "on_time_rate": 98.0 - i,
                                "satisfaction_rate": None if i == 13 else 95.0, "score": 90.0 - i * 2,
                                "rank": i + 1, "previous_rank": i + 1, "rank_change": 0})
    hourly = [3, 2, 1, 1, 1, 2, 5, 12, 20, 26, 30, 41, 33, 25, 24, 27, 31, 38, 29, 44, 36, 22, 12, 6]
    snapshot = {
        "schema": 1, "month": "2018-03", "title": "2018年3月95598客户投诉管控通报", "number": "〔2018〕第3期",
        "version": 1, "issuer": "国网湘南省电力有限公司供电服务指挥中心", "issued_on": "2018-04-01",
        "correction": None,
        "profile": {
            "month": "2018-03", "unit": None, "total": 1245, "previous_month_total": 1108, "mom_change_pct": 12.36,
            "last_year_total": 1312, "yoy_change_pct": -5.11,
            "categories": [{"name": "供电质量", "count": 562, "share": 45.14}, {"name": "营业", "count": 290,
                                                                              "share": 23.29},
                           {"name": "服务", "count": 287, "share": 23.05}, {"name": "停送电", "count": 59,
                                                                            "share": 4.74},
                           {"name": "电网建设", "count": 47, "share": 3.78}],
            "subcategories": [{"category": "供电质量", "name": "频繁停电", "count": 486, "share": 39.04},
                              {"category": "服务", "name": "服务不规范", "count": 215, "share": 17.27},
                              {"category": "供电质量", "name": "电压质量长时间异常", "count": 75, "share": 6.02},
                              {"category": "营业", "name": "电费电价", "count": 120, "share": 9.64}],
            "voltage_customers": {"过电压": 31, "低电压": 27},
            "hotspots": {}, "hourly": hourly,
            "peak_hours": sorted(range(24), key=lambda h: (-hourly[h], h)),
        },
        "hotspots": {
            key: {"count": n, "rows": [{"code": f"TQ{k:06d}", "name": f"{CITIES[k % 14]}城区{k}号公变台区",
                                        "city": unit_name(CITIES[k % 14]), "county": f"{CITIES[k % 14]}县供电公司",
                                        "complaints": 9 - k % 7, "customers": 2 + k % 3} for k in range(min(n, 20))]}
            for key, n in (("multi_customer_districts", 39), ("consecutive_month_districts", 33),
                           ("same_month_last_year_districts", 4))
        },
        "scorecard": {"month": "2018-03", "units": units, "departments": departments},
        "incidents": {"count": 3, "by_department": [["发展", 2], ["运检", 1]], "rows": [
            {"district": "TQ000101", "district_name": "长沙城区101号公变台区", "kind": "overload",
             "unit": unit_name("长沙"), "department": "发展", "complaints": 6, "due_on": "2018-04-30",
             "status": "open"},
            {"district": "TQ000102", "district_name": "株洲城区102号公变台区", "kind": "low_voltage",
             "unit": unit_name("株洲"), "department": "发展", "complaints": 3, "due_on": "2018-04-30",
             "status": "in_progress"},
            {"district": "TQ000103", "district_name": "衡阳城区103号公变台区", "kind": "frequent_outage",
             "unit": unit_name("衡阳"), "department": "运检", "complaints": 2, "due_on": "2018-04-30",
             "status": "open"}]},
        "overdue": {"count": 1, "rows": [
            {"month": "2018-02", "district": "TQ000077", "kind": "over_voltage", "unit": unit_name("岳阳"),
             "department": "运检", "due_on": "2018-03-30", "days_overdue": 2, "status": "open"}]},
    }
    snapshot = copy.deepcopy(snapshot)
    snapshot.update(overrides)
    return snapshot


def sample_snapshot(**overrides) -> dict:
    """The current schema: three 追责事件 listed, two 隐患预警 (运检, 调控) only counted."""
    snapshot = legacy_snapshot()
    snapshot["schema"] = 2
    snapshot["incidents"].update(
        count=5, by_department=[["发展", 2], ["运检", 2], ["调控", 1]],
        accountable=3, accountable_by_department=[["发展", 2], ["运检", 1]],
        hazards=2, hazards_by_department=[["调控", 1], ["运检", 1]], hazards_rectified=0)
    snapshot.update(overrides)
    return snapshot

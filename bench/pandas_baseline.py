"""Baseline: the month's profile and scorecard done the way an analyst would without the product —
pandas over CSV exports of the work orders and 台区.

Usage (the 1M-order demo database):

    DATABASE_URL=postgres://... python bench/pandas_baseline.py [--month YYYY-MM] [--json]

1. exports the work orders of only the three months the figures need (the month with the 31 days
   before it — the month before, and the 30 days before each complaint for repeats — and the
   same month last year; until 2026-12-02 it exported all 13 months + 31 days) with names
   instead of ids, and the 台区 list, to CSV files with COPY — what the analyst gets from the
   source systems;
2. in pandas: reads the CSVs (the whole file in memory), then computes the profile (category
   and sub-category shares, voltage customers, hourly profile and peaks, the three hotspot
   lists) and a scorecard per city company x department (complaints, per 10,000 customers,
   repeats, on-time by 4 working days, resolution hours, satisfaction) the way a spreadsheet
   analyst would: the explicit 责任部门, else the default table by sub-category — no traced
   incidents (there is no tracing without the product), and working days from numpy's
   Monday-Friday calendar without the official 调休 make-up days;
3. checks that the profile figures equal the product's (``selectors.complaint_profile``) and
   prints export, read and compute times and the peak memory of the process.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.db import connection  # noqa: E402

from scorecard.complaints import selectors  # noqa: E402
from scorecard.complaints.models import WorkOrder  # noqa: E402
from scorecard.core.months import parse_month, shift  # noqa: E402

from bench.timing import fmt, measure  # noqa: E402

ORDERS_SQL = """
COPY (
  SELECT wo.order_no AS 工单编号, to_char(wo.accepted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS 受理时间,
         bt.name AS 业务类型, c.name AS 一级分类, s.name AS 二级分类, d.name AS 三级分类, wo.customer_no AS 客户编号,
         city.name AS 地市单位, wo.district_code AS 台区编号, dept.name AS 责任部门,
         to_char(wo.dispatched_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS 派单时间,
         to_char(wo.acknowledged_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS 接单时间,
         to_char(wo.closed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS 办结时间,
         wo.satisfaction AS 回访满意度
  FROM complaints_workorder wo
  JOIN complaints_businesstype bt ON bt.id = wo.business_type_id
  LEFT JOIN complaints_category c ON c.id = wo.category_id
  LEFT JOIN complaints_subcategory s ON s.id = wo.subcategory_id
  LEFT JOIN complaints_detail d ON d.id = wo.detail_id
  JOIN grid_orgunit city ON city.id = wo.city_id
  LEFT JOIN grid_department dept ON dept.id = wo.responsible_dept_id
  WHERE (wo.accepted_at >= '{start}' AND wo.accepted_at < '{end}')
     OR (wo.accepted_at >= '{ly_start}' AND wo.accepted_at < '{ly_end}')
) TO STDOUT WITH (FORMAT csv, HEADER true)
"""
DISTRICTS_SQL = """
COPY (SELECT dt.code AS 台区编号, city.name AS 地市单位, dt.customers AS 用户数
      FROM grid_district dt JOIN grid_orgunit city ON city.id = dt.city_id) TO STDOUT WITH (FORMAT csv, HEADER true)
"""


def rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def export(path: Path, sql: str) -> int:
    with connection.cursor() as cur, open(path, "wb") as fh:
        with cur.cursor.copy(sql) as copy:
            for block in copy:
                fh.write(block)
    return path.stat().st_size


def default_map() -> tuple[dict, dict, str]:
    """The default attribution table as the analyst's lookup sheet: sub-category name → department name."""
    from scorecard.complaints.models import Category, SubCategory
    from scorecard.grid.models import Department
    from scorecard.kpis.attribution import default_table

    t = default_table()
    depts = dict(Department.objects.values_list("pk", "name"))
    subs = {(c, s): depts[t.by_subcategory[pk]] for pk, s, c in
            SubCategory.objects.values_list("pk", "name", "category__name") if pk in t.by_subcategory}
    cats = {name: depts[t.by_category[pk]] for pk, name in Category.objects.values_list("pk", "name")
            if pk in t.by_category}
    return subs, cats, depts[t.fallback]


def share(n, total):
    return float(np.floor(n * 10000 / total + 0.5) / 100) if total else 0.0


def analyst(orders_csv: Path, districts_csv: Path, month: pd.Timestamp, lookup) -> dict:
    df = pd.read_csv(orders_csv, dtype={"客户编号": "string", "台区编号": "string"},
                     parse_dates=["受理时间", "派单时间", "接单时间", "办结时间"])
    districts = pd.read_csv(districts_csv, dtype={"台区编号": "string"})
    loaded = time.perf_counter()
    in_memory_mb = (df.memory_usage(deep=True).sum() + districts.memory_usage(deep=True).sum()) / 1e6
    c = df[df["业务类型"] == "投诉"]
    nxt, prev, ly = month + pd.DateOffset(months=1), month - pd.DateOffset(months=1), month - pd.DateOffset(years=1)

    def of(start, end):
        return c[(c["受理时间"] >= start) & (c["受理时间"] < end)]

    m = of(month, nxt)
    total = len(m)
    cats = m["一级分类"].value_counts()
    subs = m.groupby(["一级分类", "二级分类"]).size().sort_values(ascending=False)
    volt = m[m["二级分类"] == "电压质量长时间异常"].groupby("三级分类")["客户编号"].nunique()
    hourly = m["受理时间"].dt.hour.value_counts().reindex(range(24), fill_value=0)
    peaks = sorted((h for h in range(24) if hourly[h]), key=lambda h: (-hourly[h], h))
    md = m.dropna(subset=["台区编号"])
    multi = md.dropna(subset=["客户编号"]).groupby("台区编号")["客户编号"].nunique()
    here = set(md["台区编号"])
    consecutive = here & set(of(prev, month)["台区编号"].dropna())
    last_year = here & set(of(ly, ly + pd.DateOffset(months=1))["台区编号"].dropna())
    profile = {"total": total, "categories": {k: (int(v), share(v, total)) for k, v in cats.items()},
               "subcategories": {f"{a}/{b}": int(v) for (a, b), v in subs.items()},
               "voltage_customers": {k: int(v) for k, v in volt.items()},
               "hourly": [int(v) for v in hourly], "peak_hours": peaks,
               "hotspots": {"multi_customer_districts": sorted(multi[multi >= 2].index),
                            "consecutive_month_districts": sorted(consecutive),
                            "same_month_last_year_districts": sorted(last_year)}}

    # Scorecard per city company x department, as a spreadsheet would do it.
    subs_map, cats_map, fallback = lookup
    keys = list(zip(m["一级分类"], m["二级分类"]))
    default = [subs_map.get(k) or cats_map.get(k[0]) or fallback for k in keys]
    m = m.assign(部门=m["责任部门"].fillna(pd.Series(default, index=m.index)))
    by_customer = c.sort_values("受理时间").groupby("客户编号")["受理时间"].shift()
    m = m.assign(重复=(m["受理时间"] - by_customer.reindex(m.index)) <= pd.Timedelta(days=30))
    acc_day = m["受理时间"].dt.normalize().values.astype("datetime64[D]")
    deadline_day = np.busday_offset(acc_day, 4, roll="forward")
    working = np.is_busday(acc_day)
    clock = m["受理时间"] - m["受理时间"].dt.normalize()
    deadline = pd.to_datetime(deadline_day) + pd.to_timedelta(
        np.where(working, clock.values, np.timedelta64(1, "D").astype("timedelta64[ns]")))
    m = m.assign(按时=m["办结时间"].notna() & (m["办结时间"] <= deadline),
                 时长=(m["办结时间"] - m["受理时间"]).dt.total_seconds() / 3600,
                 满意=m["回访满意度"].isin(["满意", "基本满意"]), 回访=m["回访满意度"].isin(["满意", "基本满意", "不满意"]))
    g = m.groupby(["地市单位", "部门"])
    card = pd.DataFrame({"complaints": g.size(), "repeats": g["重复"].sum(), "on_time": g["按时"].sum(),
                         "avg_hours": g["时长"].mean(), "median_hours": g["时长"].median(),
                         "satisfied": g["满意"].sum(), "callbacks": g["回访"].sum()})
    card["repeat_rate"] = (card["repeats"] / card["complaints"] * 100).round(2)
    card["on_time_rate"] = (card["on_time"] / card["complaints"] * 100).round(2)
    customers = districts.groupby("地市单位")["用户数"].sum()
    units = m.groupby("地市单位").size().to_frame("complaints").join(customers)
    units["per_10k"] = (units["complaints"] / units["用户数"] * 10000).round(2)
    units["rank"] = units["per_10k"].rank(method="min").astype(int)
    return {"profile": profile, "departments": len(card), "units": units, "loaded_at": loaded,
            "in_memory_mb": in_memory_mb}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", help="YYYY-MM (default: the latest month with complaints)")
    parser.add_argument("--json", action="store_true", help="print one JSON line with the figures at the end")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench/pandas_baseline.py needs PostgreSQL (COPY): skipped")
        return 0
    month = parse_month(args.month) if args.month else selectors.latest_month()
    window = selectors.month_window(month)
    start = window.start - pd.Timedelta(days=31)  # covers the month before (≤ 31 days) and 30-day repeats
    ly = selectors.month_window(shift(month, -12))
    lookup = default_map()
    rss_before = rss_now_mb()
    with tempfile.TemporaryDirectory(prefix="bench-pandas-") as tmp:
        orders_csv, districts_csv = Path(tmp) / "workorders.csv", Path(tmp) / "districts.csv"
        t0 = time.perf_counter()
        size = export(orders_csv, ORDERS_SQL.format(start=start.isoformat(), end=window.end.isoformat(),
                                                     ly_start=ly.start.isoformat(), ly_end=ly.end.isoformat()))
        size += export(districts_csv, DISTRICTS_SQL)
        t1 = time.perf_counter()
        result = analyst(orders_csv, districts_csv, pd.Timestamp(month), lookup)
        t2 = time.perf_counter()
        rows = sum(1 for _ in open(orders_csv, "rb")) - 1  # CSV rows (no quoted newlines in these columns)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    read_s, compute_s = result["loaded_at"] - t1, t2 - result["loaded_at"]

    # The product's figures for the same month (the profile must agree exactly).
    product = measure(lambda: selectors.complaint_profile(window))
    ours, product_s = product["result"], product["median_s"]
    mine = result["profile"]
    checks = {
        "total": mine["total"] == ours["total"],
        "categories": all(mine["categories"].get(c["name"], (0, 0.0)) == (c["count"], c["share"])
                          for c in ours["categories"]),
        "voltage_customers": all(mine["voltage_customers"].get(k, 0) == v for k, v in ours["voltage_customers"].items()),
        "hourly": mine["hourly"] == ours["hourly"], "peak_hours": mine["peak_hours"] == ours["peak_hours"],
        "hotspots": mine["hotspots"] == ours["hotspots"],
    }
    total = WorkOrder.objects.count()
    print(f"database: {total:,} work orders; month {window.label}; exported {rows or 0:,} orders "
          f"(the month + 31 days before, the same month last year) and the 台区: {size / 1e6:.0f} MB of CSV")
    print(f"export (COPY to CSV) {t1 - t0:6.2f} s; pandas read_csv {read_s:6.2f} s "
          f"({result['in_memory_mb']:.0f} MB of DataFrames); profile + scorecard in pandas {compute_s:6.2f} s")
    print(f"pandas total (export + read + compute): {t2 - t0:.2f} s; peak RSS {peak_mb:.0f} MB "
          f"(+{peak_mb - rss_before:.0f} MB over the idle process)")
    print(f"product's complaint_profile, same month: {fmt(product)}; figures equal: "
          + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in checks.items()))
    print(f"scorecard (analyst's way): {result['departments']} city x department rows, {len(result['units'])} units; "
          "no traced attribution, no 调休 days, so its departments differ from the product's by design")
    if args.json:
        print(json.dumps({"bench": "pandas", "month": window.label, "rows": rows, "csv_mb": size / 1e6,
                          "export_s": t1 - t0, "read_s": read_s, "compute_s": compute_s, "total_s": t2 - t0,
                          "in_memory_mb": result["in_memory_mb"], "peak_rss_mb": peak_mb,
                          "product_profile_s": product_s, "product_profile_n": product["n"], "profile_equal": all(checks.values()),
                          "checks": checks}, ensure_ascii=False))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

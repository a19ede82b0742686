"""Benchmark: one month's complaint profile on a large PostgreSQL database.

    DATABASE_URL=postgres://... python bench/profile.py [--month YYYY-MM] [--repeat 5]
    DATABASE_URL=postgres://... python bench/profile.py --fill 1000000   # development only

Times ``selectors.complaint_profile`` (the ORM code the command, the page and
the notices use) for the latest full month, and a hand-written SQL baseline
computing the same figures in five statements (three range counts; the hotspot 台区 by
DISTINCT joins), in the same process and on the
same warm database; checks that both give the same figures and prints their
medians (bench/timing.py: median of N after one warm-up) and their ratio. Targets: selector profile under 1 s and within
2x of the baseline.

The database is expected to hold about 1,000,000 work orders (``manage.py
seed_demo --orders 1000000``); with fewer the script says so and still runs.
``--fill N`` adds synthetic orders with generate_series (over the taxonomy and
a few thousand synthetic 台区 and customers) until the table holds N rows, for
development without waiting for the demo generator.
"""
import argparse
import os
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402

from scorecard.complaints import selectors  # noqa: E402
from scorecard.complaints.models import WorkOrder  # noqa: E402

from bench.timing import fmt, measure_pair  # noqa: E402

EXPECTED_ORDERS = 1_000_000
TARGET_SECONDS = 1.0
TARGET_RATIO = 1.0  # issue #16: no slower than the competent SQL (was 2x)


# --- the hand-written baseline ----------------------------------------------------------------------

# Three range counts, each a range scan of the (is_complaint, accepted_at) index (one OR of the three
# ranges made the planner read them as one bitmap and filter again: not what an analyst would write).
TOTALS_SQL = """
SELECT (SELECT count(*) FROM complaints_workorder
        WHERE is_complaint AND accepted_at >= %(start)s AND accepted_at < %(end)s),
       (SELECT count(*) FROM complaints_workorder
        WHERE is_complaint AND accepted_at >= %(prev_start)s AND accepted_at < %(prev_end)s),
       (SELECT count(*) FROM complaints_workorder
        WHERE is_complaint AND accepted_at >= %(ly_start)s AND accepted_at < %(ly_end)s)
"""
CATEGORY_SQL = """
WITH m AS (
  SELECT category_id, subcategory_id, count(*) AS n FROM complaints_workorder
  WHERE is_complaint AND accepted_at >= %(start)s AND accepted_at < %(end)s
  GROUP BY category_id, subcategory_id)
SELECT 'c', c.name, NULL, coalesce(sum(m.n), 0), c.sort_order, 0
FROM complaints_category c LEFT JOIN m ON m.category_id = c.id GROUP BY c.id, c.name, c.sort_order
UNION ALL
SELECT 's', s.name, c.name, m.n, c.sort_order, s.sort_order
FROM m JOIN complaints_subcategory s ON s.id = m.subcategory_id JOIN complaints_category c ON c.id = s.category_id
"""
VOLTAGE_SQL = """
SELECT d.name, count(DISTINCT w.customer_no)
FROM complaints_workorder w JOIN complaints_detail d ON d.id = w.detail_id
JOIN complaints_subcategory s ON s.id = d.subcategory_id
WHERE w.is_complaint AND w.accepted_at >= %(start)s AND w.accepted_at < %(end)s
  AND s.name = '电压质量长时间异常' AND d.name IN ('过电压', '低电压')
GROUP BY d.name
"""
HOURLY_SQL = """
SELECT extract(hour FROM accepted_at AT TIME ZONE 'Asia/Shanghai')::int, count(*)
FROM complaints_workorder
WHERE is_complaint AND accepted_at >= %(start)s AND accepted_at < %(end)s
GROUP BY 1
"""
# The month's 台区 joined to the DISTINCT 台区 of the month before and of the same month last year: three
# index range scans (the form hotspot_districts' docstring chose; an EXISTS probe per 台区 is 4x slower).
HOTSPOT_SQL = """
WITH m AS (SELECT district_code, count(DISTINCT customer_no) AS customers FROM complaints_workorder
           WHERE is_complaint AND accepted_at >= %(start)s AND accepted_at < %(end)s AND district_code IS NOT NULL
           GROUP BY district_code),
     p AS (SELECT DISTINCT district_code FROM complaints_workorder
           WHERE is_complaint AND accepted_at >= %(prev_start)s AND accepted_at < %(prev_end)s
             AND district_code IS NOT NULL),
     y AS (SELECT DISTINCT district_code FROM complaints_workorder
           WHERE is_complaint AND accepted_at >= %(ly_start)s AND accepted_at < %(ly_end)s
             AND district_code IS NOT NULL)
SELECT m.district_code, m.customers >= 2, p.district_code IS NOT NULL, y.district_code IS NOT NULL
FROM m LEFT JOIN p ON p.district_code = m.district_code LEFT JOIN y ON y.district_code = m.district_code
ORDER BY m.district_code
"""


def _share(n, total):
    if not total:
        return 0.0
    return float((Decimal(n) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _change(cur, prev):
    return None if not prev else _share(cur - prev, prev)


def baseline_profile(window) -> dict:
    prev, ly = window.previous(), window.last_year()
    params = {"start": window.start, "end": window.end, "prev_start": prev.start, "prev_end": prev.end,
              "ly_start": ly.start, "ly_end": ly.end}
    with connection.cursor() as cur:
        cur.execute(TOTALS_SQL, params)
        total, prev_total, ly_total = cur.fetchone()
        cur.execute(CATEGORY_SQL, params)
        rows = cur.fetchall()
        cur.execute(VOLTAGE_SQL, params)
        voltage = dict(cur.fetchall())
        cur.execute(HOURLY_SQL, params)
        hourly = [0] * 24
        for hour, n in cur.fetchall():
            hourly[hour] = n
        cur.execute(HOTSPOT_SQL, params)
        hot = cur.fetchall()
    cats = sorted((r for r in rows if r[0] == "c"), key=lambda r: (-r[3], r[4]))
    subs = sorted((r for r in rows if r[0] == "s"), key=lambda r: (-r[3], r[4], r[5]))
    return {
        "month": window.label, "unit": None, "total": total,
        "previous_month_total": prev_total, "mom_change_pct": _change(total, prev_total),
        "last_year_total": ly_total, "yoy_change_pct": _change(total, ly_total),
        "categories": [{"name": r[1], "count": int(r[3]), "share": _share(r[3], total)} for r in cats],
        "subcategories": [{"category": r[2], "name": r[1], "count": r[3], "share": _share(r[3], total)}
                          for r in subs],
        "voltage_customers": {"过电压": voltage.get("过电压", 0), "低电压": voltage.get("低电压", 0)},
        "hotspots": {"multi_customer_districts": [r[0] for r in hot if r[1]],
                     "consecutive_month_districts": [r[0] for r in hot if r[2]],
                     "same_month_last_year_districts": [r[0] for r in hot if r[3]]},
        "hourly": hourly,
        "peak_hours": sorted((h for h in range(24) if hourly[h]), key=lambda h: (-hourly[h], h)),
    }


def selector_profile(window) -> dict:
    return selectors.complaint_profile(window)


# --- development fill ---------------------------------------------------------------------------------

FILL_SQL = """
WITH tax AS (SELECT array_agg(s.id ORDER BY s.id) AS subs, array_agg(s.category_id ORDER BY s.id) AS cats
             FROM complaints_subcategory s),
     bt AS (SELECT array_agg(id ORDER BY sort_order) AS ids, array_agg(counts_as_complaint ORDER BY sort_order) AS c
            FROM complaints_businesstype),
     d AS (SELECT array_agg(code ORDER BY code) AS codes, array_agg(city_id ORDER BY code) AS cities,
                  array_agg(county_id ORDER BY code) AS counties, array_agg(station_id ORDER BY code) AS stations,
                  array_agg(feeder_id ORDER BY code) AS feeders FROM grid_district),
     c AS (SELECT count(*) AS n FROM complaints_customer WHERE customer_no LIKE 'CB%%'),
     g AS (SELECT i, (random() * 1e9)::bigint AS r1, (random() * 1e9)::bigint AS r2, random() AS r3, random() AS r4
           FROM generate_series(%(first)s, %(last)s) AS i)
INSERT INTO complaints_workorder (order_no, accepted_at, business_type_id, is_complaint, category_id, subcategory_id,
  detail_id, customer_no, customer_name, phone, city_id, county_id, station_id, district_code, feeder_id,
  responsible_dept_id, satisfaction, content, imported_at)
SELECT 'BN' || lpad(g.i::text, 9, '0'),
       %(span_start)s::timestamptz + (g.r3 * %(span_seconds)s) * interval '1 second',
       bt.ids[k.b], bt.c[k.b],
       CASE WHEN bt.c[k.b] THEN tax.cats[k.s] END, CASE WHEN bt.c[k.b] THEN tax.subs[k.s] END,
       CASE WHEN bt.c[k.b] THEN (SELECT dt.id FROM complaints_detail dt WHERE dt.subcategory_id = tax.subs[k.s]
                                 ORDER BY dt.id LIMIT 1 OFFSET (g.r2 %% 2)) END,
       'CB' || lpad((1 + g.r2 %% c.n)::text, 8, '0'), '', '',
       d.cities[k.d], d.counties[k.d], d.stations[k.d], d.codes[k.d], d.feeders[k.d], NULL, '', '', now()
FROM g CROSS JOIN tax CROSS JOIN bt CROSS JOIN d CROSS JOIN c
CROSS JOIN LATERAL (SELECT
  CASE WHEN g.r4 < 0.55 THEN 1 ELSE 2 + (g.r1 %% (array_length(bt.ids, 1) - 1))::int END AS b,
  1 + (g.r1 %% array_length(tax.subs, 1))::int AS s,
  1 + (g.r2 %% array_length(d.codes, 1))::int AS d) k
"""


SYNTHETIC_DISTRICTS = 20_000
# Synthetic 台区 spread over the existing supply stations (a province has tens of thousands).
DISTRICTS_SQL = """
WITH st AS (SELECT array_agg(s.id ORDER BY s.id) AS ids, array_agg(s.parent_id ORDER BY s.id) AS counties,
                   array_agg(s.city_id ORDER BY s.id) AS cities FROM grid_orgunit s WHERE s.level = 'station')
INSERT INTO grid_district (code, name, city_id, county_id, station_id, feeder_id, capacity_kva, customers)
SELECT 'TQB' || lpad(i::text, 6, '0'), i || '号台区', st.cities[k], st.counties[k], st.ids[k],
       (SELECT f.id FROM grid_feeder f WHERE f.city_id = st.cities[k] ORDER BY f.id LIMIT 1 OFFSET (i %% 4)),
       400, 200
FROM generate_series(1, %(n)s) i CROSS JOIN st CROSS JOIN LATERAL (SELECT 1 + (i %% array_length(st.ids, 1)) AS k) x
"""


def fill(target: int, months: int = 36) -> None:
    """Add synthetic orders until ``target`` rows (development only; never on real data)."""
    from datetime import timedelta

    from scorecard.complaints.models import BusinessType, Customer
    from scorecard.grid.models import District

    have = WorkOrder.objects.count()
    if have >= target:
        print(f"fill: {have:,} orders already, nothing to add")
        return
    if not District.objects.exists():
        from tests.fixtures.profile_month import build_profile_month
        build_profile_month()
        have = WorkOrder.objects.count()
    assert BusinessType.objects.order_by("sort_order").first().counts_as_complaint, "投诉 must sort first"
    with connection.cursor() as cur:
        if District.objects.count() < SYNTHETIC_DISTRICTS:
            cur.execute(DISTRICTS_SQL, {"n": SYNTHETIC_DISTRICTS})
        if not Customer.objects.filter(customer_no__startswith="CB").exists():
            cur.execute("INSERT INTO complaints_customer (customer_no, name, phone, sensitive, sensitive_note) "
                        "SELECT 'CB' || lpad(i::text, 8, '0'), '', '', false, '' FROM generate_series(1, 300000) i")
        latest = WorkOrder.objects.aggregate(m=Max("accepted_at"))["m"]
        end = selectors.month_window(latest).end
        start = end - timedelta(days=30 * months)
        first = (WorkOrder.objects.filter(order_no__startswith="BN").count() or 0) + 1
        step = 200_000
        while have < target:
            n = min(step, target - have)
            t = time.perf_counter()
            cur.execute(FILL_SQL, {"first": first, "last": first + n - 1, "span_start": start,
                                   "span_seconds": (end - start).total_seconds()})
            first += n
            have += n
            print(f"fill: {have:,} orders ({time.perf_counter() - t:.1f} s)", flush=True)
        cur.execute("ANALYZE complaints_workorder")


# --- timing ---------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", help="YYYY-MM (default: the latest full month)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fill", type=int, metavar="N", help="development: add synthetic orders up to N rows")
    parser.add_argument("--json", action="store_true", help="also print one JSON line with the figures (make bench)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print(f"bench/profile.py needs PostgreSQL (DATABASE_URL); this is {connection.vendor}: skipped")
        return 0
    if args.fill:
        fill(args.fill)
    orders = WorkOrder.objects.count()
    if orders < EXPECTED_ORDERS:
        print(f"note: the database holds {orders:,} work orders, fewer than the {EXPECTED_ORDERS:,} this "
              f"benchmark is meant for (manage.py seed_demo --orders {EXPECTED_ORDERS})")
    if args.month:
        window = selectors.month_window(args.month)
    else:
        latest = WorkOrder.objects.filter(is_complaint=True).aggregate(m=Max("accepted_at"))["m"]
        if latest is None:
            print("no complaints in the database: nothing to profile")
            return 0
        # The latest month is usually still running: profile the one before it.
        window = selectors.month_window(selectors.month_window(latest).previous())
    month_total = WorkOrder.objects.filter(window.q(), is_complaint=True).count()
    print(f"orders: {orders:,}; month {window.label}: {month_total:,} complaints")

    # Interleaved (bench/timing.measure_pair): both sides under the same load, round by round.
    ours_t, base_t, ratios = measure_pair(lambda: selector_profile(window), lambda: baseline_profile(window),
                                          repeat=args.repeat)
    ours, base = ours_t["result"], base_t["result"]
    base_best, base_median, best, median = base_t["best_s"], base_t["median_s"], ours_t["best_s"], ours_t["median_s"]
    if ours != base:
        diff = [k for k in ours if ours[k] != base.get(k)]
        print(f"MISMATCH between the selectors and the SQL baseline in: {diff}")
        return 1
    ratio = ratios["of_medians"]
    hot = ours["hotspots"]
    print(f"figures agree: total {ours['total']}, peaks {ours['peak_hours'][:3]}, hotspots "
          f"{len(hot['multi_customer_districts'])}/{len(hot['consecutive_month_districts'])}/"
          f"{len(hot['same_month_last_year_districts'])}")
    print(f"SQL baseline:      {fmt(base_t)}")
    print(f"selector profile:  {fmt(ours_t)}")
    print(f"ratio (median selector / median baseline): {ratio:.2f}x; median of the per-round ratios "
          f"{ratios['median_of_rounds']:.2f}x "
          f"(target <= {TARGET_RATIO:.1f}x; profile {'under' if median < TARGET_SECONDS else 'OVER'} "
          f"{TARGET_SECONDS:.0f} s)")
    if args.json:
        import json
        import resource

        print(json.dumps({"bench": "profile", "month": window.label, "orders": orders, "complaints": month_total,
                          "best_s": best, "median_s": median, "baseline_best_s": base_best,
                          "baseline_median_s": base_median, "ratio": ratio,
                          "ratio_median_of_rounds": ratios["median_of_rounds"], "n": args.repeat, "warmup": 1,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0 if (median < TARGET_SECONDS and ratio <= TARGET_RATIO) else 2


if __name__ == "__main__":
    sys.exit(main())

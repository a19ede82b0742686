"""Benchmark: the departmental scorecard of one month on PostgreSQL.

Usage (a database filled by `manage.py seed_demo --orders 1000000`):

    DATABASE_URL=postgres://... python bench/scorecard.py [--month YYYY-MM] [--repeat 3]

Prints, for the latest month with complaints (or --month):
- the full read-out `scorecard_for_month` (re-trace + this month + last month for rank movement),
- `compute_scorecard` alone (the month's KPIs, scores and ranks),
- a hand-written SQL baseline computing the same per-(city, department) figures in one statement,
and the ratio of compute_scorecard to the baseline. The two must agree on every figure.
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from scorecard.complaints.models import WorkOrder  # noqa: E402
from scorecard.kpis.attribution import default_table  # noqa: E402
from scorecard.kpis.models import RuleSettings  # noqa: E402
from scorecard.kpis.selectors import compute_scorecard, scorecard_for_month  # noqa: E402
from scorecard.kpis.services import trace_month  # noqa: E402
from scorecard.complaints.selectors import latest_month  # noqa: E402
from scorecard.core.months import bounds, parse_month, shift  # noqa: E402

from bench.timing import measure  # noqa: E402

BASELINE_SQL = """
WITH dmap(subcategory_id, department_id) AS (VALUES {sub_values}),
cmap(category_id, department_id) AS (VALUES {cat_values}),
m AS (
  SELECT wo.id, wo.city_id, wo.customer_no, wo.accepted_at, wo.closed_at, wo.satisfaction,
         wo.dispatched_at, wo.acknowledged_at, bt.sla_working_days AS sla,
         COALESCE(ov.department_id, wo.responsible_dept_id, inc.department_id, dmap.department_id,
                  cmap.department_id, %(fallback)s) AS dept,
         (wo.accepted_at AT TIME ZONE 'Asia/Shanghai') AS acc_local,
         (wo.closed_at AT TIME ZONE 'Asia/Shanghai') AS closed_local
  FROM complaints_workorder wo
  JOIN complaints_businesstype bt ON bt.id = wo.business_type_id
  LEFT JOIN kpis_attributionoverride ov ON ov.work_order_id = wo.id
  LEFT JOIN kpis_incidentcomplaint ic ON ic.work_order_id = wo.id
  LEFT JOIN kpis_incident inc ON inc.id = ic.incident_id
  LEFT JOIN dmap ON dmap.subcategory_id = wo.subcategory_id
  LEFT JOIN cmap ON cmap.category_id = wo.category_id
  WHERE wo.is_complaint AND wo.accepted_at >= %(start)s AND wo.accepted_at < %(end)s
),
d AS (
  SELECT m.*, c1.is_working_day AS acc_working,
         (SELECT c2.date FROM kpis_workcalendar c2 WHERE c2.is_working_day AND c2.seq = c1.seq + m.sla) AS deadline
  FROM m JOIN kpis_workcalendar c1 ON c1.date = m.acc_local::date
)
SELECT city_id, dept,
  count(*) AS complaints,
  count(*) FILTER (WHERE EXISTS (
     SELECT 1 FROM complaints_workorder p WHERE p.is_complaint AND p.customer_no = d.customer_no
       AND p.accepted_at < d.accepted_at AND p.accepted_at >= d.accepted_at - interval '%(repeat_days)s days'))
     AS repeats,
  count(closed_at) AS closed,
  count(*) FILTER (WHERE closed_at IS NOT NULL AND (closed_local::date < deadline OR (closed_local::date = deadline
     AND (NOT acc_working OR closed_local::time <= acc_local::time))
     -- accepted on a non-working day: due by 24:00 of the deadline day, i.e. 00:00:00 of the next one
     OR (NOT acc_working AND closed_local = (deadline + 1)::timestamp))) AS on_time,
  avg(EXTRACT(EPOCH FROM closed_at - accepted_at)) AS avg_seconds,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM closed_at - accepted_at)) AS median_seconds,
  count(*) FILTER (WHERE satisfaction IN ('满意', '基本满意')) AS satisfied,
  count(*) FILTER (WHERE satisfaction IN ('满意', '基本满意', '不满意')) AS callbacks,
  count(acknowledged_at) AS ack_known,
  count(*) FILTER (WHERE acknowledged_at <= COALESCE(dispatched_at, accepted_at) + interval '%(ack_hours)s hours')
     AS ack_in_time
FROM d GROUP BY city_id, dept
"""


def baseline(month):
    table = default_table()
    rs = RuleSettings.current()
    sub_values = ", ".join(f"({s}, {d})" for s, d in sorted(table.by_subcategory.items())) or "(NULL::bigint, NULL::bigint)"
    cat_values = ", ".join(f"({c}, {d})" for c, d in sorted(table.by_category.items())) or "(NULL::bigint, NULL::bigint)"
    start, end = bounds(month)
    sql = BASELINE_SQL.format(sub_values=sub_values, cat_values=cat_values)
    with connection.cursor() as cur:
        cur.execute(sql, {"start": start, "end": end, "fallback": table.fallback, "repeat_days": rs.repeat_days,
                          "ack_hours": rs.ack_hours})
        return cur.fetchall()


def timed(fn, repeat):
    """bench/timing.py's rule (one untimed warm-up, median of ``repeat``); returns (result, best, median)."""
    figures = measure(fn, repeat=repeat)
    return figures["result"], figures["best_s"], figures["median_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print one JSON line with the figures (make bench)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/scorecard.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    orders = WorkOrder.objects.count()
    if args.month:
        month = parse_month(args.month)
    else:
        month = latest_month()
        if month is None:
            sys.exit("no work orders: run `manage.py seed_demo --orders 1000000` first")
    complaints = WorkOrder.objects.filter(is_complaint=True, accepted_at__gte=bounds(month)[0],
                                          accepted_at__lt=bounds(month)[1]).count()
    print(f"database: {orders:,} work orders; month {month:%Y-%m}: {complaints:,} complaints")
    if orders < 1_000_000:
        print(f"note: fewer than 1,000,000 orders ({orders:,}); the targets assume the 1M province")

    _, trace_best, trace_med = timed(lambda: trace_month(month=month), args.repeat)
    # The read-out is cached per data version (scorecard.core.freshness): clear the cache so
    # that every repeat measures the computation, not a cache hit.
    from django.core.cache import cache

    _, full_best, full_med = timed(lambda: (cache.clear(), scorecard_for_month(month))[1], args.repeat)
    card, comp_best, comp_med = timed(lambda: compute_scorecard(month), args.repeat)
    # The usual monthly cycle: last month is published, so its ranks come from its snapshot.
    # Measured inside a transaction that is rolled back, leaving the database as it was.
    from django.db import transaction

    from scorecard.kpis.services import publish_month

    with transaction.atomic():
        publish_month(month=shift(month, -1), user=None)
        _, pub_best, pub_med = timed(lambda: scorecard_for_month(month), args.repeat)
        transaction.set_rollback(True)
    rows, base_best, base_med = timed(lambda: baseline(month), args.repeat)

    # Both must agree on the counts of every responsible unit.
    from scorecard.grid.models import Department, OrgUnit

    names = dict(OrgUnit.objects.filter(level="city").values_list("pk", "name"))
    depts = dict(Department.objects.values_list("pk", "name"))
    expected = {(names[c], depts[d]): (n, rep, cl, ot) for c, d, n, rep, cl, ot, *_ in rows}
    got = {(d["unit"], d["department"]): (d["complaints"], d["repeat_complaints"], d["closed"], d["on_time"])
           for d in card["departments"] if d["complaints"]}
    if expected != got:
        diff = {k: (expected.get(k), got.get(k)) for k in set(expected) | set(got) if expected.get(k) != got.get(k)}
        sys.exit(f"MISMATCH between compute_scorecard and the SQL baseline: {list(diff.items())[:5]}")

    print(f"{'step':<44}{'best s':>9}{'median s':>10}")
    print(f"{'trace_month (detect + link)':<44}{trace_best:>9.3f}{trace_med:>10.3f}")
    print(f"{'scorecard_for_month (read-out, 2 months)':<44}{full_best:>9.3f}{full_med:>10.3f}")
    print(f"{'  same, last month published':<44}{pub_best:>9.3f}{pub_med:>10.3f}")
    print(f"{'compute_scorecard (one month)':<44}{comp_best:>9.3f}{comp_med:>10.3f}")
    print(f"{'hand-written SQL baseline':<44}{base_best:>9.3f}{base_med:>10.3f}")
    print(f"medians of N={args.repeat} after one warm-up (bench/timing.py)")
    print(f"ratio compute_scorecard / baseline (medians): {comp_med / base_med:.2f}x (target ≤ 2x); "
          f"read-out {pub_med:.2f}s with last month published, {full_med:.2f}s without (target < 2 s)")
    if args.json:
        import json
        import resource

        print(json.dumps({"bench": "scorecard", "month": f"{month:%Y-%m}", "orders": orders, "complaints": complaints,
                          "trace_s": trace_med, "readout_s": full_med, "readout_published_s": pub_med,
                          "compute_s": comp_med, "baseline_s": base_med, "ratio": comp_med / base_med,
                          "n": args.repeat, "warmup": 1,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()

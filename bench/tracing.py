"""Benchmark: supply-bottleneck tracing of one month, against hand-written SQL detection.

    DATABASE_URL=postgres://... python bench/tracing.py [--month YYYY-MM] [--repeat 5] [--json]

Times, on the 1M-order demo province, for the latest month (or --month):
- ``tracing.detect`` — the incidents (台区, kind) with their evidence and responsible
  department (the readings above the thresholds, the 60-day outage counts, the projects);
- ``trace_month`` — detect, then write the incidents, rectifications and complaint links
  (only what changed; the second and later runs measure an unchanged month);
- a baseline: one hand-written SQL statement finding the same (台区, kind) pairs with the
  configured thresholds (no evidence, no department, no links): the floor of detection.
Checks that detect and the baseline find the same pairs, prints the ratio detect : SQL. Timing:
bench/timing.py's rule (one warm-up, median of N; detect and the baseline interleaved).
"""
import argparse
import json
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.db import connection  # noqa: E402

from scorecard.complaints.selectors import latest_month  # noqa: E402
from scorecard.kpis import tracing  # noqa: E402
from scorecard.kpis.models import RuleSettings  # noqa: E402
from scorecard.kpis.services import trace_month  # noqa: E402
from scorecard.core.months import bounds, parse_month  # noqa: E402

from bench.timing import DEFAULT_REPEAT, fmt, measure, measure_pair  # noqa: E402

BASELINE_SQL = """
WITH r AS (SELECT district_code, max_load_pct, min_voltage, max_voltage FROM grid_loadreading WHERE month = %(month)s),
w AS (SELECT district_code, feeder_id FROM grid_outage WHERE start_at >= %(ws)s AND start_at < %(we)s),
own AS (SELECT district_code, count(*) AS n FROM w WHERE district_code IS NOT NULL GROUP BY district_code),
feeder AS (SELECT feeder_id, count(*) AS n FROM w WHERE district_code IS NULL GROUP BY feeder_id)
SELECT district_code, 'overload' FROM r WHERE max_load_pct >= %(ol)s
UNION ALL SELECT district_code, 'heavy_load' FROM r WHERE max_load_pct >= %(hl)s AND max_load_pct < %(ol)s
UNION ALL SELECT district_code, 'low_voltage' FROM r WHERE min_voltage < %(lv)s
UNION ALL SELECT district_code, 'over_voltage' FROM r WHERE max_voltage > %(ov)s
UNION ALL SELECT d.code, 'frequent_outage' FROM grid_district d
  LEFT JOIN own ON own.district_code = d.code LEFT JOIN feeder ON feeder.feeder_id = d.feeder_id
  WHERE coalesce(own.n, 0) + coalesce(feeder.n, 0) >= %(n)s
"""


def baseline(month: dt.date) -> set:
    rs = RuleSettings.current()
    end = bounds(month)[1]
    with connection.cursor() as cur:
        cur.execute(BASELINE_SQL, {"month": month, "ws": end - dt.timedelta(days=rs.frequent_outage_days), "we": end,
                                   "ol": rs.overload_pct, "hl": rs.heavy_load_pct, "lv": rs.low_voltage_v,
                                   "ov": rs.over_voltage_v, "n": rs.frequent_outage_count})
        return set(cur.fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench/tracing.py measures PostgreSQL: set DATABASE_URL=postgres://...")
        return 0
    month = parse_month(args.month) if args.month else latest_month()
    # The one timing rule (bench/timing.py): detect and its baseline interleaved, trace_month alone (it writes).
    det, base, ratios = measure_pair(lambda: tracing.detect(month), lambda: baseline(month), repeat=args.repeat)
    trace = measure(lambda: trace_month(month=month), repeat=args.repeat)
    found, pairs = det["result"], base["result"]
    ours = {(d.district, d.kind) for d in found}
    if ours != pairs:
        print(f"MISMATCH: detect only {sorted(ours - pairs)[:5]}, SQL only {sorted(pairs - ours)[:5]}")
        return 1
    kinds = {}
    for _, kind in ours:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"month {month:%Y-%m}: {len(ours)} incidents ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
          "detect and the SQL baseline agree")
    print(f"tracing.detect (incidents, evidence, departments): {fmt(det)}")
    print(f"trace_month (detect + write + link):              {fmt(trace)}")
    print(f"hand-written SQL detection:                       {fmt(base)}")
    ratio = ratios["of_medians"]
    print(f"ratio detect : SQL = {ratio:.2f}x (median of the per-round ratios {ratios['median_of_rounds']:.2f}x; "
          f"detect also gathers each incident's evidence and decides its department; the SQL finds the pairs only)")
    if args.json:
        print(json.dumps({"bench": "tracing", "month": f"{month:%Y-%m}", "incidents": len(ours),
                          "detect_s": det["median_s"], "trace_s": trace["median_s"], "baseline_s": base["median_s"],
                          "ratio": ratio, "n": args.repeat, "warmup": det["warmup"],
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

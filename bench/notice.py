"""Benchmark: the monthly notice of the 14-company demo province — snapshot build and PDF render.

Usage:

    python bench/notice.py [--orders 50000] [--repeat 5] [--month YYYY-MM]

Without DATABASE_URL it builds a scratch SQLite database under var/bench-notice/
(migrate + ``seed_demo --orders N``, reused by later runs); with DATABASE_URL it
uses that database, seeding it only if it has no work orders.

Prints, for the latest month with complaints (or --month):
- the snapshot build (scorecard with re-trace, trace, complaint profile, hotspots, overdue items),
- ``render_notice_pdf`` on that snapshot (median of --repeat runs after one warm-up, bench/timing.py), its pages and size,
- a baseline in the same process: the same snapshot emptied of rows (header, summary,
  empty tables, chart) — the fixed cost of a notice — and the ratio render : baseline.
Target: under 3 s per notice (cold build + render) for the demo province.
On PostgreSQL the freshly seeded database is ANALYZEd first (see below).
"""
import argparse
import copy
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
if "DATABASE_URL" not in os.environ:
    scratch = ROOT / "var" / "bench-notice"
    scratch.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from scorecard.complaints.models import WorkOrder  # noqa: E402
from scorecard.complaints.selectors import latest_month  # noqa: E402
from scorecard.grid.models import OrgUnit  # noqa: E402
from scorecard.core.months import label, parse_month  # noqa: E402
from scorecard.notices.models import Notice, notice_number  # noqa: E402
from scorecard.notices.renderer import render_notice_pdf  # noqa: E402
from scorecard.complaints.selectors import complaint_profile  # noqa: E402
from scorecard.kpis.selectors import scorecard_for_month, trace_for_month  # noqa: E402
from scorecard.notices.selectors import build_snapshot, hotspot_block, overdue_block  # noqa: E402

from bench.timing import DEFAULT_REPEAT, measure  # noqa: E402


def timed(fn, repeat: int):
    """(median seconds, last result) under the one timing rule (bench/timing.py: a warm-up, median of N)."""
    figures = measure(fn, repeat=repeat)
    return figures["median_s"], figures["result"]


def emptied(snapshot: dict) -> dict:
    s = copy.deepcopy(snapshot)
    s["profile"]["subcategories"] = []
    s["scorecard"] = {"month": s["month"], "units": [], "departments": []}
    s["incidents"] = {"count": 0, "by_department": [], "rows": []}
    s["overdue"] = {"count": 0, "rows": []}
    for block in s["hotspots"].values():
        block.update(count=0, rows=[])
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument("--month", default=None)
    parser.add_argument("--json", action="store_true", help="also print one JSON line with the figures (make bench)")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not WorkOrder.objects.exists():
        t = time.perf_counter()
        call_command("seed_demo", orders=args.orders, months=13, verbosity=0)
        print(f"seeded the demo province ({args.orders} orders) in {time.perf_counter() - t:.1f} s")
        if django.db.connection.vendor == "postgresql":
            # Right after a bulk load PostgreSQL has no planner statistics yet (autovacuum
            # gathers them a little later); without them the scorecard query takes ~8 s
            # instead of ~0.5 s. Measure the steady state.
            with django.db.connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    month = parse_month(args.month) if args.month else latest_month()
    cities = OrgUnit.objects.filter(level=OrgUnit.Level.CITY).count()
    orders = WorkOrder.objects.count()
    print(f"database: {django.db.connection.vendor}, {cities} city companies, {orders} work orders, month {label(month)}")

    # Where a cold snapshot build spends its time (read-outs are cached per data
    # version, so later builds of the same data are cheaper: cache cleared here).
    cache.clear()
    parts = {}
    for name, fn in (("scorecard (re-trace + KPIs + last month)", lambda: scorecard_for_month(month)),
                     ("trace", lambda: trace_for_month(month)),
                     ("complaint profile", lambda: complaint_profile(month)),
                     ("hotspots", lambda: hotspot_block(month)),
                     ("overdue rectifications", lambda: overdue_block(month, timezone.localdate()))):
        t = time.perf_counter()
        fn()
        parts[name] = time.perf_counter() - t
    print("cold snapshot parts: " + ", ".join(f"{k} {v:.3f} s" for k, v in parts.items()))
    cache.clear()

    notice = Notice(month=month, version=1, number=notice_number(month))
    issued = timezone.localdate()
    # The cold build is timed once on purpose (the first build after a change of data is what it measures).
    started = time.perf_counter()
    snapshot = build_snapshot(notice, issued_on=issued)
    build_first = time.perf_counter() - started
    build_s, snapshot = timed(lambda: build_snapshot(notice, issued_on=issued), args.repeat)
    render_s, pdf = timed(lambda: render_notice_pdf(snapshot), args.repeat)
    base = emptied(snapshot)
    base_s, base_pdf = timed(lambda: render_notice_pdf(base), args.repeat)
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    rows = (len(snapshot["scorecard"]["units"]), len(snapshot["scorecard"]["departments"]),
            sum(len(b["rows"]) for b in snapshot["hotspots"].values()), len(snapshot["incidents"]["rows"]),
            len(snapshot["overdue"]["rows"]))
    print(f"snapshot rows: {rows[0]} units, {rows[1]} responsible units, {rows[2]} hotspot rows, "
          f"{rows[3]} incidents, {rows[4]} overdue items; complaints {snapshot['profile']['total']}")
    print(f"snapshot build: cold {build_first:.3f} s, warm median {build_s:.3f} s (N={args.repeat} after 1 warm-up)")
    print(f"render:         median {render_s:.3f} s (N={args.repeat} after 1 warm-up), {pages} pages, {len(pdf) / 1024:.1f} KB")
    print(f"baseline (same snapshot, no rows): {base_s:.3f} s, {len(base_pdf) / 1024:.1f} KB; "
          f"ratio render : baseline = {render_s / base_s:.2f}")
    total = build_first + render_s
    print(f"per notice (cold build + render): {total:.3f} s — target < 3 s: {'OK' if total < 3 else 'MISSED'}")
    if args.json:
        import json
        import resource

        print(json.dumps({"bench": "notice", "month": label(month), "orders": orders, "build_cold_s": build_first,
                          "build_warm_s": build_s, "render_s": render_s, "baseline_s": base_s, "total_s": total,
                          "pages": pages, "kb": len(pdf) / 1024, "cold_parts": parts,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, ensure_ascii=False))
    if os.environ.get("BENCH_NOTICE_PDF"):
        Path(os.environ["BENCH_NOTICE_PDF"]).write_bytes(pdf)
        print(f"wrote {os.environ['BENCH_NOTICE_PDF']}")


if __name__ == "__main__":
    main()

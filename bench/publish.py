"""Benchmark: publishing a month (kpis.services.publish_month) on the 1M-order province.

    DATABASE_URL=postgres://... python bench/publish.py [--month YYYY-MM] [--repeat 3] [--json]

Publication freezes everything a published month is read from afterwards: it re-traces the month,
computes and stores its scorecard and trace, writes every complaint's SnapshotAttribution with its
KPI facts, and freezes the profile's complaint rows (complaints.freeze) and the 台区 master data
(grid.freeze). Each run publishes inside a transaction that is rolled back (its foreign keys checked
as the rows are written, as COMMIT would check them), so every run meets the same unpublished month; the read-out cache is cleared before each run, so none reuses the scorecard
of the run before (the worst case: in the monthly cycle the warm-up has usually computed it).

Baseline, in the same process and under the same rule: ``compute_scorecard`` of the month (cache
cleared, read only), the figures the publication freezes. The ratio publish : compute is the cost of
freezing over that of computing. Timing: bench/timing.py (one warm-up, median of N).
"""
from __future__ import annotations

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

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from scorecard.accounts.models import User  # noqa: E402
from scorecard.complaints.models import FrozenComplaint  # noqa: E402
from scorecard.complaints.selectors import latest_month  # noqa: E402
from scorecard.core.months import label, parse_month  # noqa: E402
from scorecard.grid.models import FrozenDistrict  # noqa: E402
from scorecard.kpis.models import SnapshotAttribution  # noqa: E402
from scorecard.kpis.selectors import compute_scorecard  # noqa: E402
from scorecard.kpis.services import publish_month  # noqa: E402

from bench.timing import fmt, measure  # noqa: E402


class Rollback(Exception):
    pass


def publish_once(month, user) -> dict:
    """One publication, rolled back; the rows it froze, counted before the rollback."""
    counts = {}
    try:
        with transaction.atomic():
            # The foreign keys are checked at COMMIT (deferred), which a rolled-back run never reaches:
            # checked as each row is written instead, they are in the timing as in a real publication.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            rm = publish_month(month=month, user=user, reason="bench/publish.py (rolled back)")
            counts = {"attributions": SnapshotAttribution.objects.filter(reporting_month=rm).count(),
                      "frozen_complaints": FrozenComplaint.objects.filter(freeze_month=month).count(),
                      "frozen_districts": FrozenDistrict.objects.filter(month=month).count()}
            raise Rollback
    except Rollback:
        pass
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="YYYY-MM (default: the latest month with complaints)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench/publish.py measures PostgreSQL: set DATABASE_URL=postgres://...")
        return 0
    month = parse_month(args.month) if args.month else latest_month()
    if month is None:
        sys.exit("no complaints: run `manage.py seed_demo --orders 1000000` first")
    with transaction.atomic():
        if SnapshotAttribution.objects.filter(reporting_month__month=month).exists():
            sys.exit(f"{label(month)} is published already: choose an unpublished --month")
    user, _ = User.objects.get_or_create(username="bench-publisher", defaults={"role": "analyst"})

    compute = measure(lambda: compute_scorecard(month), repeat=args.repeat, before=cache.clear)
    publish = measure(lambda: publish_once(month, user), repeat=args.repeat, before=cache.clear)
    counts = publish["result"]
    ratio = publish["median_s"] / compute["median_s"]
    print(f"month {label(month)}: {counts['attributions']:,} complaint attributions, "
          f"{counts['frozen_complaints']:,} frozen complaint rows, {counts['frozen_districts']:,} frozen 台区")
    print(f"publish_month (re-trace, scorecard, trace, freezes; rolled back): {fmt(publish)}")
    print(f"compute_scorecard (the figures it freezes, read only):           {fmt(compute)}")
    print(f"ratio publish : compute = {ratio:.1f}x")
    if args.json:
        print(json.dumps({"bench": "publish", "month": label(month), **counts, "publish_s": publish["median_s"],
                          "compute_s": compute["median_s"], "ratio": ratio, "n": args.repeat, "warmup": 1,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: freezing a month's complaint rows (complaints.freeze.freeze_month) and reading them.

    SCORECARD_VAR_DIR=/tmp/copy-of-demo python bench/freeze.py [--month YYYY-MM] [--repeat 5]

Works on a COPY of a seeded database (it writes the freeze). Times freeze_month for the
latest month (a re-freeze replaces the previous one, so repeats measure the correction path
too) against a baseline in the same process: the same SELECT of the same rows copied into an
unindexed temporary table (the floor of any copy, without the freeze table's indexes, the
delete of the previous freeze and ANALYZE). Then the province profile read from the freeze
and live, and checks they are equal (nothing was imported in between).
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

import django  # noqa: E402

django.setup()

from scorecard.complaints import selectors  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from scorecard.complaints.freeze import freeze_month, freeze_windows, unfreeze_month  # noqa: E402
from scorecard.complaints.models import FrozenComplaint  # noqa: E402
from scorecard.complaints.models import WorkOrder  # noqa: E402
from scorecard.core.months import parse_month  # noqa: E402

from bench.timing import fmt, measure_pair  # noqa: E402


def once(fn):
    """(seconds, result) of a single run: the diagnostics after the freeze are read once."""
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def raw_copy(month) -> int:
    """The baseline: the freeze's SELECT (same columns, same windows) into a bare temporary table."""
    q = connection.ops.quote_name
    live = WorkOrder._meta
    columns = ", ".join([q(live.pk.column), *(q(live.get_field(f).column) for f in FrozenComplaint.COPIED)])
    accepted = q(live.get_field("accepted_at").column)
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_freeze_copy")
        for i, (start, end) in enumerate(freeze_windows(month)):
            select = (f"SELECT {columns} FROM {q(live.db_table)} WHERE {q(live.get_field('is_complaint').column)} "
                      f"= %s AND {accepted} >= %s AND {accepted} < %s")
            params = [True, connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)]
            cursor.execute(f"CREATE TEMP TABLE bench_freeze_copy AS {select}" if i == 0
                           else f"INSERT INTO bench_freeze_copy {select}", params)
            rows += max(cursor.rowcount, 0)
        cursor.execute("SELECT COUNT(*) FROM bench_freeze_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_freeze_copy")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--month")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    month = parse_month(args.month) if args.month else selectors.latest_month()
    complaints = WorkOrder.objects.filter(is_complaint=True).count()
    print(f"{complaints} complaints; month {month:%Y-%m} "
          f"({selectors.month_complaints(month, live=True).count()} complaints in it)")
    # The one timing rule (bench/timing.py), interleaved: a re-freeze replaces the previous one, so the
    # runs after the first measure the correction path too.
    ours, base, ratios = measure_pair(lambda: freeze_month(month=month), lambda: raw_copy(month), repeat=args.repeat)
    print(f"freeze_month: {ours['result']} rows, {fmt(ours)}; baseline raw copy of {base['result']} rows "
          f"{fmt(base)}; ratio {ratios['of_medians']:.2f}x (median of the rounds {ratios['median_of_rounds']:.2f}x)")
    if connection.vendor == "postgresql":
        # Six freezes of the same month left five of dead rows behind; the profile is read as it is once
        # autovacuum has passed (a month is frozen once, again only for a correction).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM complaints_frozencomplaint")
    frozen_t, live_t = measure_pair(lambda: selectors.complaint_profile(month),
                                    lambda: selectors.complaint_profile(month, live=True), repeat=args.repeat)[:2]
    frozen, live = frozen_t["result"], live_t["result"]
    print(f"complaint_profile: frozen {fmt(frozen_t)}, live {fmt(live_t)}, equal: {frozen == live}")
    changes_secs, changes = once(lambda: selectors.profile_changes(month))
    late_secs, late = once(lambda: selectors.late_rows(month))
    print(f"profile_changes {changes_secs:.3f} s ({len(changes)} changed), late_rows {late_secs:.3f} s "
          f"({[late[k]['count'] for k in ('new', 'changed', 'gone')]})")
    unfreeze_month(month=month)
    return 0 if frozen == live and not changes else 1


if __name__ == "__main__":
    sys.exit(main())

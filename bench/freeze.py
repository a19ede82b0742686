"""Benchmark: freezing a month's complaint rows (complaints.freeze.freeze_month) and reading them.

    SCORECARD_VAR_DIR=/tmp/copy-of-demo python bench/freeze.py [--month YYYY-MM] [--repeat 3]

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


def best(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


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
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    month = parse_month(args.month) if args.month else selectors.latest_month()
    complaints = WorkOrder.objects.filter(is_complaint=True).count()
    print(f"{complaints} complaints; month {month:%Y-%m} "
          f"({selectors.month_complaints(month, live=True).count()} complaints in it)")
    base_secs, base_rows = best(lambda: raw_copy(month), args.repeat)
    secs, rows = best(lambda: freeze_month(month=month), args.repeat)
    print(f"freeze_month: {rows} rows in {secs:.3f} s (best of {args.repeat}); baseline raw copy of "
          f"{base_rows} rows {base_secs:.3f} s; ratio {secs / base_secs:.2f}x")
    frozen_secs, frozen = best(lambda: selectors.complaint_profile(month), args.repeat)
    live_secs, live = best(lambda: selectors.complaint_profile(month, live=True), args.repeat)
    print(f"complaint_profile: frozen {frozen_secs:.3f} s, live {live_secs:.3f} s, equal: {frozen == live}")
    changes_secs, changes = best(lambda: selectors.profile_changes(month), 1)
    late_secs, late = best(lambda: selectors.late_rows(month), 1)
    print(f"profile_changes {changes_secs:.3f} s ({len(changes)} changed), late_rows {late_secs:.3f} s "
          f"({[late[k]['count'] for k in ('new', 'changed', 'gone')]})")
    unfreeze_month(month=month)
    return 0 if frozen == live and not changes else 1


if __name__ == "__main__":
    sys.exit(main())

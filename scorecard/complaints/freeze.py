"""Freezing a published month's complaint rows (writes; the reads are in ``selectors``).

Publication freezes every figure of a month. Precomputing the profile for each of
the province's hundreds of org units would take minutes, so the freeze copies the
ROWS those figures read instead — every complaint of the windows a read-out of
month M looks at (``selectors.freeze_windows``) — into ``FrozenComplaint``, and the
profile selectors run the same code over them (``selectors.Source``). Data imported
later stays in ``WorkOrder`` as 补录 and enters M's figures only when a correction
freezes M again.

The kpis app calls :func:`freeze_month` inside its publish transaction; complaints
never imports kpis.
"""
from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from scorecard.core.months import parse_month

from .models import FrozenComplaint, ProfileFreeze, WorkOrder
from .selectors import freeze_windows

__all__ = ["freeze_month", "unfreeze_month"]


def _insert_select_sql() -> str:
    """INSERT INTO frozen (freeze_month, work_order_id, <copied>) SELECT %s, id, <copied> FROM workorder
    WHERE is_complaint AND accepted_at >= %s AND accepted_at < %s — column names from the models."""
    q = connection.ops.quote_name
    frozen, live = FrozenComplaint._meta, WorkOrder._meta
    copied = [(q(frozen.get_field(f).column), q(live.get_field(f).column)) for f in FrozenComplaint.COPIED]
    targets = ", ".join([q(frozen.get_field("freeze_month").column), q(frozen.get_field("work_order").column),
                         *(t for t, _s in copied)])
    sources = ", ".join(["%s", q(live.pk.column), *(s for _t, s in copied)])
    accepted = q(live.get_field("accepted_at").column)
    return (f"INSERT INTO {q(frozen.db_table)} ({targets}) SELECT {sources} FROM {q(live.db_table)} "
            f"WHERE {q(live.get_field('is_complaint').column)} = %s AND {accepted} >= %s AND {accepted} < %s")


@transaction.atomic
def freeze_month(*, month: date | str) -> int:
    """Freeze ``month``'s complaint rows; returns the number of rows frozen.

    Replaces any earlier freeze of the same month (a correction version re-freezes).
    One INSERT … SELECT per window (two disjoint ranges of the (is_complaint,
    accepted_at) index), nothing per row in Python.
    """
    month = parse_month(month)
    FrozenComplaint.objects.filter(freeze_month=month).delete()
    sql = _insert_select_sql()
    adapt_dt = connection.ops.adapt_datetimefield_value
    adapt_d = connection.ops.adapt_datefield_value
    rows = 0
    with connection.cursor() as cursor:
        for start, end in freeze_windows(month):
            cursor.execute(sql, [adapt_d(month), True, adapt_dt(start), adapt_dt(end)])
            rows += max(cursor.rowcount, 0)
        # Fresh statistics for the planner: without them SQLite joined the hotspot query's derived
        # tables by nested scans (30 s instead of 0.2 s on the 200k demo). Cheap (a sample), both databases.
        cursor.execute(f"ANALYZE {connection.ops.quote_name(FrozenComplaint._meta.db_table)}")
    # update_or_create sends post_save: kpis.freshness bumps the data version, cached read-outs refresh.
    ProfileFreeze.objects.update_or_create(month=month, defaults={"frozen_at": timezone.now(), "rows": rows})
    return rows


@transaction.atomic
def unfreeze_month(*, month: date | str) -> int:
    """Drop ``month``'s freeze: its figures are computed from current data again. Returns the rows dropped."""
    month = parse_month(month)
    dropped, _by_model = FrozenComplaint.objects.filter(freeze_month=month).delete()
    ProfileFreeze.objects.filter(month=month).delete()
    return dropped

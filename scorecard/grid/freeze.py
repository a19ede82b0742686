"""Freezing a published month's 台区 master data (writes; read by the kpis drill-down).

Publication freezes every figure of a month. The drill-down below the city divides a unit's
complaints by the 用户数 of its 台区 and ranks the 台区经理 who held them on the month's last
day; both are master data that later imports change (a new 用户数, a 台区 moved to another
station, a new manager). The freeze copies, per 台区, what those figures read — 用户数, city,
county, station, name and the month's 台区经理 — into ``FrozenDistrict``, in one INSERT … SELECT
(the manager by the same subquery the live read uses, ``selectors.manager_on``), nothing per row
in Python. Later changes stay in the live tables and reach the month only through a correction,
which freezes it again.

The kpis app calls :func:`freeze_month` inside its publish transaction; grid never imports kpis.
"""
from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import DateField, F, Value
from django.utils import timezone

from scorecard.core.months import parse_month

from .models import District, DistrictFreeze, FrozenDistrict
from .selectors import manager_on, month_manager_day

__all__ = ["freeze_month", "unfreeze_month"]

# FrozenDistrict field ← the live expression, in the order of the INSERT's column list.
_COLUMNS = ("month", "code", "name", "city", "county", "station", "customers", "manager_name", "manager_staff_no")


def _insert_select(month: date) -> tuple[str, list]:
    """INSERT INTO frozen (<columns>) SELECT <month>, code, …, <manager subqueries> FROM district."""
    q = connection.ops.quote_name
    opts = FrozenDistrict._meta
    live = (District.objects.order_by()
            .annotate(f_month=Value(month, output_field=DateField()), f_code=F("code"), f_name=F("name"),
                      f_city=F("city_id"), f_county=F("county_id"), f_station=F("station_id"),
                      f_customers=F("customers"), **manager_on(month_manager_day(month), "code"))
            .values("f_month", "f_code", "f_name", "f_city", "f_county", "f_station", "f_customers",
                    "manager_name", "manager_staff_no"))
    select, params = live.query.get_compiler(connection=connection).as_sql()
    targets = ", ".join(q(opts.get_field(f).column) for f in _COLUMNS)
    return f"INSERT INTO {q(opts.db_table)} ({targets}) {select}", list(params)


@transaction.atomic
def freeze_month(*, month: date | str) -> int:
    """Freeze ``month``'s 台区 master data; returns the number of 台区 frozen.

    Replaces any earlier freeze of the same month (a correction version re-freezes)."""
    month = parse_month(month)
    FrozenDistrict.objects.filter(month=month).delete()
    sql, params = _insert_select(month)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = max(cursor.rowcount, 0)
    # update_or_create sends post_save: core.freshness bumps the data version, cached read-outs refresh.
    DistrictFreeze.objects.update_or_create(month=month, defaults={"frozen_at": timezone.now(), "rows": rows})
    return rows


@transaction.atomic
def unfreeze_month(*, month: date | str) -> int:
    """Drop ``month``'s freeze (a correction re-opens the month). Returns the rows dropped."""
    month = parse_month(month)
    dropped, _by_model = FrozenDistrict.objects.filter(month=month).delete()
    DistrictFreeze.objects.filter(month=month).delete()
    return dropped

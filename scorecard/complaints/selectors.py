"""Reads of the complaint profile: one month, one org subtree.

Every figure here is computed by the database (grouped aggregates, EXISTS
subqueries, conditional counts) and comes back as a handful of rows; nothing
iterates over work orders in Python. The same code runs on SQLite and
PostgreSQL.

Conventions shared by all functions:

* ``month`` is a ``date``/``datetime`` (its month is used) or a ``"YYYY-MM"``
  string; it is parsed once by :func:`month_window`.
* A month is the half-open interval [first day 00:00, next month's first day
  00:00) in Asia/Shanghai local time, filtered as ``accepted_at >= start AND
  accepted_at < end`` so the (is_complaint, accepted_at) index serves it;
  ``__month`` lookups would wrap the column in a function and lose the index.
* ``unit`` is an ``OrgUnit`` or ``None`` (the whole province). Role scoping
  decides which unit a user may pass; these functions only apply it.
* Only business type 投诉 (``is_complaint``) counts.
* Shares and changes are percentages rounded half-up to 2 decimals with
  ``Decimal`` (``scorecard.core.numbers``).
* A published month's figures come from its freeze (``FrozenComplaint``, see
  ``complaints.freeze``): a window's :class:`Source` is the freeze of its month
  when that month is frozen, and every window derived from it (the previous
  month, last year, the 90 repeat-demand days) reads the same freeze, so
  nothing imported later moves them. ``live=True`` reads the current work
  orders instead (the correction draft, the 补录 diff).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractHour
from django.http import Http404

from scorecard.accounts import scoping
from scorecard.core import freshness, months
from scorecard.core.months import LOCAL_TZ, parse_month
from scorecard.core.numbers import change_percent, share, to_float
from scorecard.grid.models import District, OrgUnit

from .models import (
    Category,
    Customer,
    Detail,
    FrozenComplaint,
    ProfileFreeze,
    SubCategory,
    WorkOrder,
)

VOLTAGE_SUBCATEGORY = "电压质量长时间异常"
OVER_VOLTAGE = "过电压"
LOW_VOLTAGE = "低电压"
REPEAT_DEMAND_DAYS = 90


# --- sources: the live work orders or a month's freeze ------------------------------------------------

@dataclass(frozen=True)
class Source:
    """The rows a read-out counts: the live work orders (``freeze_month`` None) or a month's freeze.

    Both tables have the same field names (and the db columns the raw hotspot SQL
    reads), so every selector is written once over :meth:`rows`.
    """

    freeze_month: date | None = None

    @property
    def frozen(self) -> bool:
        return self.freeze_month is not None

    @property
    def model(self):
        return FrozenComplaint if self.frozen else WorkOrder

    def rows(self) -> QuerySet:
        if self.frozen:
            return FrozenComplaint.objects.filter(freeze_month=self.freeze_month)
        return WorkOrder.objects.all()


LIVE = Source()


def is_frozen(month) -> bool:
    """Whether ``month`` has a freeze (it was published): one unique-index lookup."""
    return ProfileFreeze.objects.filter(month=parse_month(month)).exists()


def source_for(month, *, live: bool = False) -> Source:
    """The source of a read-out of ``month``: its freeze if it has one (and ``live`` is false), else live."""
    if live:
        return LIVE
    month = parse_month(month)
    return Source(month) if is_frozen(month) else LIVE


def freeze_windows(month) -> list[tuple[datetime, datetime]]:
    """The [start, end) ranges of 受理时间 a freeze of ``month`` copies: every window a read-out of the
    month looks at. [min(previous month's start, month end − REPEAT_DEMAND_DAYS), month end) covers the
    month, the previous month (totals, consecutive-month hotspots, rising lists) and the repeat-demand
    days; the same month last year is the second, disjoint range."""
    window = MonthWindow(parse_month(month), live=True)
    prev, last = window.previous(), window.last_year()
    start = min(prev.start, window.end - timedelta(days=REPEAT_DEMAND_DAYS))
    return [(start, window.end), (last.start, last.end)]


@dataclass(frozen=True)
class MonthWindow:
    """A month and the rows it reads (:attr:`source`); its [start, end) are ``core.months.bounds``.

    The source is resolved on first use (one indexed lookup) and handed down to the windows
    derived from this one (:meth:`previous`, :meth:`last_year`): a read-out of a frozen month reads
    that month's freeze in all its windows.
    """

    month: date
    live: bool = False
    pinned: Source | None = field(default=None, compare=False, repr=False)

    @cached_property
    def source(self) -> Source:
        if self.pinned is not None:
            return self.pinned
        return source_for(self.month, live=self.live)

    @property
    def frozen(self) -> bool:
        return self.source.frozen

    def rows(self) -> QuerySet:
        """The source's rows (all of them; filter by :meth:`q`)."""
        return self.source.rows()

    @property
    def start(self) -> datetime:
        return months.bounds(self.month)[0]

    @property
    def end(self) -> datetime:
        return months.bounds(self.month)[1]

    @property
    def label(self) -> str:
        return months.label(self.month)

    def previous(self) -> MonthWindow:
        return MonthWindow(months.previous_month(self.month), live=self.live, pinned=self.source)

    def last_year(self) -> MonthWindow:
        return MonthWindow(months.shift(self.month, -12), live=self.live, pinned=self.source)

    def q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}accepted_at__gte": self.start, f"{prefix}accepted_at__lt": self.end})


def month_window(month, *, live: bool = False) -> MonthWindow:
    """``month`` as a window; ``live=True`` forces the current work orders even for a frozen month."""
    if isinstance(month, MonthWindow):
        return MonthWindow(month.month, live=True) if live and not month.live else month
    return MonthWindow(parse_month(month), live=live)


# --- base querysets ---------------------------------------------------------------------------------

def unit_q(unit: OrgUnit | None, prefix: str = "") -> Q:
    """Work orders in ``unit``'s subtree: their city, county or station is that unit."""
    if unit is None or unit.level == OrgUnit.Level.PROVINCE:
        return Q()
    field = {OrgUnit.Level.CITY: "city_id", OrgUnit.Level.COUNTY: "county_id",
             OrgUnit.Level.STATION: "station_id"}[unit.level]
    return Q(**{prefix + field: unit.pk})


def complaints_in(window: MonthWindow, unit: OrgUnit | None = None) -> QuerySet:
    """The window's complaints in ``unit``'s subtree, from the window's source."""
    return window.rows().filter(window.q(), unit_q(unit), is_complaint=True)


def month_complaints(month, unit: OrgUnit | None = None, *, live: bool = False) -> QuerySet:
    """The complaints of ``month`` in ``unit``'s subtree: work orders, or frozen rows of a frozen month."""
    return complaints_in(month_window(month, live=live), unit)


def month_has_data(month) -> bool:
    """Whether any complaint of ``month`` was imported (its frozen rows, once frozen): a month
    without is answered «该月没有数据» (core.months.no_data_message), never with empty figures."""
    return month_complaints(month).exists()


# --- the profile's figures --------------------------------------------------------------------------

def totals(month, unit: OrgUnit | None = None, *, live: bool = False) -> dict:
    """This month's, the previous month's and last year's same-month totals with the changes, and
    the voltage customers (distinct customers per 过电压 / 低电压).

    Three counts, one per month: each is a range of the (is_complaint,
    accepted_at) index, which on PostgreSQL covers every column read here, so
    they are index-only scans (one query over the three OR-ed ranges would have
    to visit the table). Counting ``accepted_at`` rather than the primary key
    keeps them index-only.
    """
    window = month_window(month, live=live)
    details = voltage_details()
    voltage = {f"_v{i}": Count("customer_id", distinct=True, filter=Q(detail=d))
               for i, d in enumerate(details.values()) if d}
    row = complaints_in(window, unit).aggregate(total=Count("accepted_at"), **voltage)
    row["voltage_customers"] = {name: row.pop(f"_v{i}", 0) for i, name in enumerate(details)}
    row["previous_month_total"] = complaints_in(window.previous(), unit).aggregate(n=Count("accepted_at"))["n"]
    row["last_year_total"] = complaints_in(window.last_year(), unit).aggregate(n=Count("accepted_at"))["n"]
    row["mom_change_pct"] = change_percent(row["total"], row["previous_month_total"])
    row["yoy_change_pct"] = change_percent(row["total"], row["last_year_total"])
    return row


def local_hour() -> ExtractHour:
    """The hour of 受理时间 on the Asia/Shanghai clock (SQL on both databases)."""
    return ExtractHour("accepted_at", tzinfo=LOCAL_TZ)


def month_groups(month, unit: OrgUnit | None = None, *, live: bool = False) -> list[dict]:
    """The month's complaints counted by (category, sub-category, local hour): at most a few hundred
    rows from which the category breakdown and the hourly profile are both read."""
    return list(
        month_complaints(month, unit, live=live).annotate(hour=local_hour())
        .values("category_id", "subcategory_id", "hour").annotate(n=Count("accepted_at")).order_by()
    )


def category_breakdown(month, unit: OrgUnit | None = None, *, total: int | None = None,
                       groups: list[dict] | None = None, live: bool = False) -> dict:
    """Counts and shares by category (all categories, zeros included) and sub-category (non-zero).

    Both lists are ordered by count descending, ties in taxonomy order.
    """
    if groups is None:
        groups = month_groups(month, unit, live=live)
    if total is None:
        total = sum(r["n"] for r in groups)
    by_category: dict = {}
    by_subcategory: dict = {}
    for r in groups:  # grouped rows, not work orders
        by_category[r["category_id"]] = by_category.get(r["category_id"], 0) + r["n"]
        if r["subcategory_id"] is not None:
            by_subcategory[r["subcategory_id"]] = by_subcategory.get(r["subcategory_id"], 0) + r["n"]
    categories = [
        {"id": c.pk, "name": c.name, "count": by_category.get(c.pk, 0), "share": share(by_category.get(c.pk, 0), total),
         "_order": i}
        for i, c in enumerate(Category.objects.order_by("sort_order", "pk"))
    ]
    categories.sort(key=lambda c: (-c["count"], c["_order"]))
    subcategories = []
    for order, s in enumerate(SubCategory.objects.filter(pk__in=by_subcategory).select_related("category")
                              .order_by("category__sort_order", "sort_order", "pk")):
        n = by_subcategory[s.pk]
        subcategories.append({"id": s.pk, "category_id": s.category_id, "category": s.category.name, "name": s.name,
                              "count": n, "share": share(n, total), "_order": order})
    subcategories.sort(key=lambda s: (-s["count"], s["_order"]))
    for row in categories + subcategories:
        del row["_order"]
    return {"categories": categories, "subcategories": subcategories}


def voltage_details() -> dict[str, Detail | None]:
    details = {d.name: d for d in Detail.objects.filter(
        subcategory__name=VOLTAGE_SUBCATEGORY, name__in=[OVER_VOLTAGE, LOW_VOLTAGE])}
    return {OVER_VOLTAGE: details.get(OVER_VOLTAGE), LOW_VOLTAGE: details.get(LOW_VOLTAGE)}


def voltage_customers(month, unit: OrgUnit | None = None, *, live: bool = False) -> dict:
    """Distinct customers with a 电压质量长时间异常 complaint in the month, by 过电压 / 低电压."""
    return totals(month, unit, live=live)["voltage_customers"]


def hourly_profile(month, unit: OrgUnit | None = None, *, groups: list[dict] | None = None,
                   live: bool = False) -> list[int]:
    """24 counts, hour 0 first, by the local (Asia/Shanghai) hour of 受理时间."""
    if groups is None:
        groups = month_groups(month, unit, live=live)
    hourly = [0] * 24
    for r in groups:
        hourly[r["hour"]] += r["n"]
    return hourly


def peak_hours(hourly: list[int]) -> list[int]:
    """Hours that had complaints, by count descending; equal counts earlier hour first.

    Hours without any complaint are left out: "peak" means complaints arrived then.
    """
    return sorted((h for h in range(24) if hourly[h] > 0), key=lambda h: (-hourly[h], h))


# The domain's multi-customer 台区 (domain.md): at least this many distinct 客户编号 complained in the
# month. The one home of the threshold: the hotspot lists and the early-warning label (kpis.risk) use it.
MULTI_CUSTOMER_MIN = 2

_HOTSPOT_SQL = """
SELECT m.code, m.complaints, m.customers, p.code IS NOT NULL AS consecutive, y.code IS NOT NULL AS last_year{names}
FROM (SELECT code, CAST(SUM(n) AS BIGINT) AS complaints, COUNT(customer) AS customers
      FROM (SELECT {district} AS code, {customer} AS customer, COUNT(*) AS n
            FROM {table}
            WHERE {freeze}{is_complaint} AND {accepted} >= %s AND {accepted} < %s AND {district} IS NOT NULL {unit}
            GROUP BY {district}, {customer}) pairs
      GROUP BY code) m
LEFT JOIN (SELECT DISTINCT {district} AS code FROM {table}
           WHERE {freeze}{is_complaint} AND {accepted} >= %s AND {accepted} < %s) p ON p.code = m.code
LEFT JOIN (SELECT DISTINCT {district} AS code FROM {table}
           WHERE {freeze}{is_complaint} AND {accepted} >= %s AND {accepted} < %s) y ON y.code = m.code
{joins}
WHERE m.customers >= {multi_min} OR p.code IS NOT NULL OR y.code IS NOT NULL
ORDER BY m.code
"""
# What the page's rows add to the codes: each 台区's name, city and county.
_HOTSPOT_NAMES = ", d.name, city.name, county.name"
_HOTSPOT_JOINS = """LEFT JOIN {district_table} d ON d.code = m.code
LEFT JOIN {unit_table} city ON city.id = d.city_id
LEFT JOIN {unit_table} county ON county.id = d.county_id"""
HOTSPOT_KEYS = ("multi_customer_districts", "consecutive_month_districts", "same_month_last_year_districts")


def hotspot_districts(month, unit: OrgUnit | None = None, *, live: bool = False) -> dict:
    """The three hotspot 台区 lists, each row with the 台区, its units and the month's counts.

    One statement: the month's complaints grouped by 台区, joined to the distinct
    台区 that had complaints in the previous month and in the same month last
    year, filtered in SQL. All three are range scans of the (is_complaint,
    accepted_at) index, which on PostgreSQL covers the columns they read, so
    nothing visits the table. Hand-written because the ORM cannot join derived
    tables; its EXISTS formulation went into GROUP BY and HAVING and probed the
    (district, accepted_at) index once per 台区 with a table visit each (4x
    slower on a million orders). The month's distinct customers per 台区 are counted in two steps
    (the (台区, customer) pairs, then the pairs per 台区): hash aggregates, where COUNT(DISTINCT)
    sorts the month's complaints — 23 % faster on the 1M-order province (issue #16). Plain SQL:
    runs unchanged on SQLite.

    Complaints without a 台区 never form a hotspot (a NULL code joins nothing),
    and distinct customers ignore complaints without a customer number. The
    earlier months are looked up for the 台区 regardless of unit: the hotspot is
    a property of the 台区.

    The table is the window's source: the work orders, or the frozen rows with a
    ``freeze_month = %s`` condition in each of the three scans (the (freeze_month,
    accepted_at) index serves them).
    """
    result = {key: [] for key in HOTSPOT_KEYS}
    for code, complaints, customers, consecutive, last_year, name, city, county in _hotspot_rows(
            month_window(month, live=live), unit, named=True):
        row = {"code": code, "name": name or "", "city": city, "county": county, "complaints": complaints,
               "customers": customers}
        _file_hotspot(result, row, customers=customers, consecutive=consecutive, last_year=last_year)
    return result


def hotspot_codes(month, unit: OrgUnit | None = None, *, live: bool = False) -> dict[str, list[str]]:
    """The three hotspot lists as ``hotspot_districts`` finds them, codes only (ascending): what
    ``complaint_profile`` prints. The same statement without the names' joins, and no row dicts:
    about 10 ms of the 1M province's 100 ms profile (issue #16)."""
    result = {key: [] for key in HOTSPOT_KEYS}
    for code, _complaints, customers, consecutive, last_year in _hotspot_rows(
            month_window(month, live=live), unit, named=False):
        _file_hotspot(result, code, customers=customers, consecutive=consecutive, last_year=last_year)
    return result


def _file_hotspot(result: dict[str, list], item, *, customers: int, consecutive: bool, last_year: bool) -> None:
    """Append ``item`` (a page row or a code) to each of ``result``'s HOTSPOT_KEYS lists its 台区 is
    in: the one home of which list a hotspot statement row belongs to, for the page and the profile."""
    for key, hot in zip(HOTSPOT_KEYS, (customers >= MULTI_CUSTOMER_MIN, consecutive, last_year)):
        if hot:
            result[key].append(item)


def _hotspot_rows(window, unit: OrgUnit | None, *, named: bool) -> list[tuple]:
    """The hotspot statement's rows: (code, complaints, customers, consecutive, last_year[, name, city,
    county]) by code, for ``hotspot_districts`` (named) and ``hotspot_codes``."""
    prev, last = window.previous(), window.last_year()
    source = window.source
    opts = source.model._meta
    col = {name: connection.ops.quote_name(opts.get_field(field).column) for name, field in (
        ("district", "district"), ("is_complaint", "is_complaint"), ("accepted", "accepted_at"),
        ("customer", "customer"))}
    unit_sql, unit_params = "", []
    if unit is not None and unit.level != OrgUnit.Level.PROVINCE:
        field = {OrgUnit.Level.CITY: "city", OrgUnit.Level.COUNTY: "county", OrgUnit.Level.STATION: "station"}[unit.level]
        unit_sql, unit_params = f"AND {connection.ops.quote_name(opts.get_field(field).column)} = %s", [unit.pk]
    freeze_sql, freeze_params = "", []
    if source.frozen:
        freeze_sql = f"{connection.ops.quote_name(opts.get_field('freeze_month').column)} = %s AND "
        freeze_params = [connection.ops.adapt_datefield_value(source.freeze_month)]
    joins = _HOTSPOT_JOINS.format(district_table=connection.ops.quote_name(District._meta.db_table),
                                  unit_table=connection.ops.quote_name(OrgUnit._meta.db_table)) if named else ""
    sql = _HOTSPOT_SQL.format(table=connection.ops.quote_name(opts.db_table), unit=unit_sql, freeze=freeze_sql,
                              names=_HOTSPOT_NAMES if named else "", joins=joins, multi_min=MULTI_CUSTOMER_MIN,
                              **col)
    adapt = connection.ops.adapt_datetimefield_value
    params = [*freeze_params, adapt(window.start), adapt(window.end), *unit_params,
              *freeze_params, adapt(prev.start), adapt(prev.end), *freeze_params, adapt(last.start), adapt(last.end)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def profile_figures(month, unit: OrgUnit | None = None, *, live: bool = False, hotspots: bool = True) -> dict:
    """Everything the analysis page shows of a month, rows with their ids (for links).

    Three queries on the work orders (totals with voltage customers; the
    (category, sub-category, hour) groups; the hotspot 台区) and three on the
    small taxonomy tables. ``frozen``: the figures are the month's freeze (published).
    ``hotspots=False`` leaves out the hotspot rows (``complaint_profile`` reads codes alone).
    """
    window = month_window(month, live=live)
    head = totals(window, unit)
    groups = month_groups(window, unit)
    hourly = hourly_profile(window, unit, groups=groups)
    return {
        "month": window.label,
        "window": window,
        "frozen": window.frozen,
        "unit": unit,
        **head,
        **category_breakdown(window, unit, total=head["total"], groups=groups),
        **({"hotspots": hotspot_districts(window, unit)} if hotspots else {}),
        "hourly": hourly,
        "peak_hours": peak_hours(hourly),
    }


def complaint_profile(month, unit: OrgUnit | None = None, *, figures: dict | None = None,
                      live: bool = False) -> dict:
    """The month's profile as ``complaint_profile --json`` prints it (see interfaces.md).

    Keys beyond the specified ones: ``unit``, ``previous_month_total``,
    ``mom_change_pct``, ``last_year_total``, ``yoy_change_pct`` (``None`` when
    the earlier month has no complaints). Shares and changes are JSON numbers
    (floats of the half-up rounded values). Categories: all of the taxonomy,
    zeros included; sub-categories: those with complaints; both by count
    descending, ties in taxonomy order. Hotspot codes ascending.
    """
    if figures is None:
        window = month_window(month, live=live)
        f = profile_figures(window, unit, hotspots=False)
        hotspots = hotspot_codes(window, unit)
    else:
        f = figures
        hotspots = {key: [r["code"] for r in rows] for key, rows in f["hotspots"].items()}
    return {
        "month": f["month"],
        "unit": f["unit"].name if f["unit"] else None,
        "total": f["total"],
        "previous_month_total": f["previous_month_total"],
        "mom_change_pct": to_float(f["mom_change_pct"]),
        "last_year_total": f["last_year_total"],
        "yoy_change_pct": to_float(f["yoy_change_pct"]),
        "categories": [{"name": c["name"], "count": c["count"], "share": to_float(c["share"])}
                       for c in f["categories"]],
        "subcategories": [{"category": s["category"], "name": s["name"], "count": s["count"],
                           "share": to_float(s["share"])} for s in f["subcategories"]],
        "voltage_customers": f["voltage_customers"],
        "hotspots": hotspots,
        "hourly": f["hourly"],
        "peak_hours": f["peak_hours"],
    }


def profile_readout(month, unit: OrgUnit | None = None) -> dict:
    """``profile_figures`` cached per data version: the analysis page reads it, the warm-up after
    a change of data (kpis.services.warm_read_outs) computes it, under this one key."""
    return freshness.cached("profile", month.isoformat(), unit.pk if unit else "province",
                            compute=lambda: profile_figures(month, unit))


def latest_month() -> date | None:
    """The month of the latest complaint (the analysis page opens on it)."""
    latest = WorkOrder.objects.filter(is_complaint=True).aggregate(m=Max("accepted_at"))["m"]
    return parse_month(latest) if latest else None


# --- late data (补录) of a frozen month -------------------------------------------------------------

# The columns of a frozen row whose change moves a figure (a changed row is 补录 as much as a new one).
LATE_COLUMNS = ("category_id", "subcategory_id", "detail_id", "customer_id", "district_id", "city_id", "county_id",
                "station_id", "accepted_at")
_NULL_INT, _NULL_TEXT = -1, ""


def _changed_q() -> tuple[dict, Q]:
    """A frozen row whose work order now differs in one of LATE_COLUMNS (NULL-safe: NULL vs NULL is equal)."""
    annotations, q = {}, Q()
    for name in LATE_COLUMNS:
        if name == "accepted_at":
            q |= ~Q(accepted_at=F("work_order__accepted_at"))
            continue
        blank = Value(_NULL_TEXT) if name in ("customer_id", "district_id") else Value(_NULL_INT)
        annotations[f"_f_{name}"] = Coalesce(F(name), blank)
        annotations[f"_l_{name}"] = Coalesce(F(f"work_order__{name}"), blank)
        q |= ~Q(**{f"_f_{name}": F(f"_l_{name}")})
    return annotations, q


def late_querysets(month) -> dict[str, QuerySet]:
    """The 补录 of ``month`` as querysets: ``new`` and ``changed`` (work orders, current values) and
    ``gone`` (frozen rows). Empty querysets for a month without a freeze.

    * new: complaints of the month now (by current 受理时间) that are not frozen as complaints of it;
    * changed: frozen as complaints of the month and still so, but a LATE_COLUMNS value moved
      (受理时间 within the month, category, customer, 台区, units ...);
    * gone: frozen as complaints of the month but no longer (deleted, not 投诉 any more, or moved out).
    """
    window = month_window(month, live=True)
    live = WorkOrder.objects.filter(window.q(), is_complaint=True)
    if not is_frozen(window.month):
        return {"new": live.none(), "changed": live.none(), "gone": FrozenComplaint.objects.none()}
    frozen = FrozenComplaint.objects.filter(window.q(), freeze_month=window.month)
    annotations, differs = _changed_q()
    changed_ids = (frozen.filter(work_order__in=live).annotate(**annotations).filter(differs)
                   .values("work_order_id"))
    return {
        "new": live.exclude(pk__in=frozen.filter(work_order__isnull=False).values("work_order_id")),
        "changed": WorkOrder.objects.filter(pk__in=changed_ids),
        "gone": frozen.exclude(work_order_id__in=live.values("pk")),
    }


def late_rows(month, *, limit: int = 20) -> dict:
    """The month's 补录 since its freeze: counts and the first ``limit`` order numbers of each kind.

    ``{"month": "2018-03", "frozen": True, "frozen_at": datetime, "new": {"count": 1, "orders": [...]},
    "changed": {...}, "gone": {...}}``. Reads only.
    """
    window = month_window(month, live=True)
    header = ProfileFreeze.objects.filter(month=window.month).first()
    result = {"month": window.label, "frozen": header is not None, "frozen_at": header.frozen_at if header else None}
    for kind, qs in late_querysets(window).items():
        result[kind] = {"count": qs.count(),
                        "orders": list(qs.order_by("order_no").values_list("order_no", flat=True)[:limit])}
    return result


def profile_changes(month) -> list[dict]:
    """The province-level figures a correction of ``month`` would change: its published (frozen) profile
    against the current data, only those that differ, as ``{"figure", "published", "current"}``.

    Empty for a month without a freeze. Reads only.
    """
    window = month_window(month, live=True)
    if not is_frozen(window.month):
        return []
    published = _profile_numbers(complaint_profile(window.month))
    current = _profile_numbers(complaint_profile(window.month, live=True))
    return [{"figure": name, "published": published.get(name, 0), "current": current.get(name, 0)}
            for name in dict.fromkeys([*published, *current])
            if published.get(name, 0) != current.get(name, 0)]


_HOTSPOT_FIGURES = {"multi_customer_districts": "多客户投诉台区数", "consecutive_month_districts": "连续两月投诉台区数",
                    "same_month_last_year_districts": "去年同月投诉台区数"}


def _profile_numbers(p: dict) -> dict[str, int]:
    numbers = {"受理投诉总数": p["total"], "上月投诉总数": p["previous_month_total"],
               "去年同月投诉总数": p["last_year_total"]}
    numbers.update({f"一级分类·{c['name']}": c["count"] for c in p["categories"]})
    numbers.update({f"二级分类·{s['category']}/{s['name']}": s["count"] for s in p["subcategories"]})
    numbers.update({f"{name}客户数": n for name, n in p["voltage_customers"].items()})
    numbers.update({_HOTSPOT_FIGURES[key]: len(codes) for key, codes in p["hotspots"].items()})
    return numbers


# --- proactive service lists ------------------------------------------------------------------------

_CHILD_LEVEL = {None: "city", OrgUnit.Level.PROVINCE: "city", OrgUnit.Level.CITY: "county",
                OrgUnit.Level.COUNTY: "station"}


def _rising(window: MonthWindow, unit: OrgUnit | None, field: str, limit: int | None):
    """Complaints this month vs last month grouped by ``field``, rising only: largest increase first,
    then the larger current count, then the name."""
    prev = window.previous()
    qs = (
        window.rows().filter(Q(accepted_at__gte=prev.start, accepted_at__lt=window.end), unit_q(unit),
                                 is_complaint=True, **{f"{field}__isnull": False})
        .values(f"{field}_id", f"{field}__name")
        .annotate(current=Count("accepted_at", filter=Q(accepted_at__gte=window.start)),
                  previous=Count("accepted_at", filter=Q(accepted_at__lt=window.start)))
        .annotate(increase=F("current") - F("previous"))
        .filter(increase__gt=0)
        .order_by("-increase", "-current", f"{field}__name")
    )
    rows = list(qs[:limit] if limit else qs)
    return [{"id": r[f"{field}_id"], "name": r[f"{field}__name"], "current": r["current"],
             "previous": r["previous"], "increase": r["increase"],
             "increase_pct": change_percent(r["current"], r["previous"])} for r in rows]


def regional_demands(month, unit: OrgUnit | None = None, *, limit: int = 10, live: bool = False) -> dict:
    """Units one level below ``unit`` (cities of the province, counties of a city, ...) and feeders
    whose complaints rose against the previous month, largest increase first."""
    window = month_window(month, live=live)
    level = _CHILD_LEVEL.get(unit.level if unit else None)
    return {
        "level": level,
        "units": _rising(window, unit, level, None) if level else [],
        "feeders": _rising(window, unit, "feeder", limit),
    }


def hot_topics(month, unit: OrgUnit | None = None, *, limit: int = 10, live: bool = False) -> list[dict]:
    """Sub-categories growing fastest month on month (absolute increase first); with the % change."""
    window = month_window(month, live=live)
    rows = _rising(window, unit, "subcategory", limit)
    names = dict(SubCategory.objects.filter(pk__in=[r["id"] for r in rows]).values_list("pk", "category__name"))
    for r in rows:
        r["category"] = names.get(r["id"])
    return rows


def repeat_demands(month, unit: OrgUnit | None = None, *, live: bool = False) -> QuerySet:
    """Customers with 2+ complaints in the 90 days ending at the month's end, most complaints first.

    Rows: customer_id (the customer number), customer__name, customer__sensitive, complaints, last_at.
    """
    window = month_window(month, live=live)
    return (
        window.rows().filter(unit_q(unit), is_complaint=True, customer__isnull=False,
                                 accepted_at__gte=window.end - timedelta(days=REPEAT_DEMAND_DAYS),
                                 accepted_at__lt=window.end)
        .values("customer_id", "customer__name", "customer__sensitive")
        .annotate(complaints=Count("accepted_at"), last_at=Max("accepted_at"))
        .filter(complaints__gte=2)
        .order_by("-complaints", "-last_at", "customer_id")
    )


def sensitive_customers(month, unit: OrgUnit | None = None, *, live: bool = False) -> QuerySet:
    """Flagged customers with complaints this month: the orders an analyst must see first.

    The rows are the month's source (its freeze once published); the flag is the customer's current one.
    """
    return (
        month_complaints(month, unit, live=live).filter(customer__sensitive=True)
        .values("customer_id", "customer__name", "customer__sensitive_note")
        .annotate(complaints=Count("accepted_at"), last_at=Max("accepted_at"))
        .order_by("-last_at", "customer_id")
    )


# --- units and drill-down ---------------------------------------------------------------------------

class UnknownUnit(LookupError):
    pass


def find_unit(name: str) -> OrgUnit:
    """The org unit called ``name``; ``UnknownUnit`` if none or several (naming the candidates)."""
    matches = list(OrgUnit.objects.filter(name=name.strip()).select_related("parent"))
    if not matches:
        raise UnknownUnit(f"--unit：没有名为“{name}”的单位")
    if len(matches) > 1:
        where = "、".join(f"{u.parent.name if u.parent else ''}/{u.name}" for u in matches)
        raise UnknownUnit(f"--unit：名为“{name}”的单位不止一个（{where}）")
    return matches[0]


def order_list(*, viewer, complaints_only: bool = True) -> QuerySet:
    """The base of the drill-down list (filters narrow it): the orders the viewer may list
    (``scoping.scoped_orders``: their unit subtree; a department head, the complaints attributed to
    their department), complaints only unless told otherwise, newest first, with what a row shows."""
    # Only the customer (its sensitive flag) is joined: PostgreSQL spent ~35 ms *planning* the ten-way
    # join (for 6 ms of execution); the names of the small tables come by one IN query each.
    qs = WorkOrder.objects.select_related("customer").prefetch_related(
        "business_type", "category", "subcategory", "detail", "city", "county", "feeder")
    if complaints_only:
        qs = qs.filter(is_complaint=True)
    return scoping.scoped_orders(qs.order_by("-accepted_at", "-pk"), scoping.scope_for(viewer))


def late_orders(orders: QuerySet, late: dict[str, QuerySet]) -> QuerySet:
    """``orders`` that are 补录 of a frozen month: new or changed since its freeze (``late_querysets``)."""
    return orders.filter(Q(pk__in=late["new"].values("pk")) | Q(pk__in=late["changed"].values("pk")))


def frozen_orders(orders: QuerySet, frozen: QuerySet) -> QuerySet:
    """``orders`` whose frozen row is among ``frozen`` (FrozenComplaint rows): a published month's list
    filtered on the frozen values, so that a figure's count and its list agree."""
    return orders.filter(pk__in=frozen.values("work_order_id"))


def customer_for_viewer(*, customer_no: str, viewer, orders: QuerySet | None = None) -> Customer | None:
    """The customer ``customer_no`` if the viewer may see them, else None (as for no such customer).

    A whole-province viewer sees every customer; anyone else only a customer with orders in ``orders``
    (the listing the viewer is looking at; by default every order in their scope)."""
    customer = Customer.objects.filter(customer_no=customer_no).first() if customer_no else None
    scope = scoping.scope_for(viewer)
    if customer is None or scope.is_global:
        return customer
    if orders is None:
        orders = scoping.scoped_orders(WorkOrder.objects.all(), scope)
    return customer if orders.filter(customer_id=customer_no).exists() else None


def _lists_key(window: MonthWindow, unit: OrgUnit | None) -> tuple:
    return window.month.isoformat(), "live" if window.live else "as-read", unit.pk if unit else "province"


def analysis_lists(window, unit: OrgUnit | None = None) -> dict:
    """The analysis page's rising units and feeders and growing sub-categories of ``unit``, shared by
    every viewer and cached per data version (the warm-up after a change of data computes them, so
    the first visitor does not). ``window``: the profile's month window."""
    window = month_window(window)
    key = _lists_key(window, unit)
    return {
        "regional_demands": freshness.cached("regional", *key, compute=lambda: regional_demands(window, unit)),
        "hot_topics": freshness.cached("hot_topics", *key, compute=lambda: hot_topics(window, unit)),
    }


def shared_customer_lists(window, unit: OrgUnit | None = None) -> dict[str, list]:
    """``repeat_demands`` and ``sensitive_customers`` of ``unit`` unscoped, cached per data version like
    ``analysis_lists`` (the warm-up computes them); ``customer_lists`` narrows them for a department head."""
    window = month_window(window)
    # Lists of rows, not querysets: django-tables2 sorts and pages them as it does a queryset.
    return freshness.cached("customers", *_lists_key(window, unit), compute=lambda: {
        "repeat_demands": list(repeat_demands(window, unit)),
        "sensitive_customers": list(sensitive_customers(window, unit))})


def customer_lists(month, unit: OrgUnit | None = None, *, viewer) -> dict[str, QuerySet | list]:
    """``repeat_demands`` and ``sensitive_customers`` as the viewer may see them: a department head only
    customers with complaints attributed to their department (in their city). Everyone else sees the
    lists every such viewer shares (``shared_customer_lists``, computed once per data version)."""
    scope = scoping.scope_for(viewer)
    if scope.department_id is None:
        return shared_customer_lists(month, unit)
    lists = {"repeat_demands": repeat_demands(month, unit), "sensitive_customers": sensitive_customers(month, unit)}
    # One subquery for both lists (scoped_orders reads the attribution rules once).
    customers = scoping.scoped_orders(WorkOrder.objects.all(), scope).values("customer_id")
    return {key: rows.filter(customer_id__in=customers) for key, rows in lists.items()}


def complaint_for_viewer(*, pk: int, viewer) -> WorkOrder:
    """The complaint ``pk`` if it belongs to a city company the viewer may see (Http404 if there is none,
    ``scoping.ScopeDenied`` if it is another city's). The city only: whether it is in the viewer's order
    lists too (a department head: attributed to their department) is ``in_order_lists``."""
    order = WorkOrder.objects.filter(pk=pk, is_complaint=True).first()
    if order is None:
        raise Http404
    scoping.check(scoping.scope_for(viewer), city_id=order.city_id)
    return order


def in_order_lists(order: WorkOrder, *, viewer) -> bool:
    """Whether ``order`` is among the orders the viewer may list (``scoping.scoped_orders``)."""
    return scoping.scoped_orders(WorkOrder.objects.filter(pk=order.pk), scoping.scope_for(viewer)).exists()


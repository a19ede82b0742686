"""Reads of the kpis app: the scorecard and the trace read-outs of a month.

An unpublished month is always computed from current data (the month is
re-traced first so that rule 2 of attribution sees current grid data); a
published month is read from its frozen snapshot, so later imports never move
a published figure.
"""
import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scorecard.accounts import scoping
from scorecard.accounts.models import AuditLog
from scorecard.complaints.models import WorkOrder
from scorecard.core import freshness
from scorecard.core.months import LOCAL_TZ, bounds, label, last_day, shift
from scorecard.core.numbers import PER_10K, PLACES, SCORE, display, kind_of, rate, rounded
from scorecard.grid.models import Department, District, GridProject, LoadReading, OrgUnit, Outage
from scorecard.grid.selectors import (
    districts_frozen,
    frozen_manager_on,
    manager_label,
    manager_on,
    month_districts,
    month_manager_day,
)

from .attribution import RULES, attributed, default_table, month_complaints
from .calendar import library_covers
from .expressions import (
    CALLED_BACK,
    FACTS,
    SATISFIED,
    DurationSeconds,
    Median,
    exclusion_case,
    fact_conditions,
    with_fact_inputs,
)
from . import risk_reasons
from .models import (
    Appeal,
    CalendarYear,
    Deduction,
    Exclusion,
    Incident,
    IncidentComplaint,
    KpiDefinition,
    LateData,
    Rectification,
    ReportingMonth,
    RiskEntry,
    RiskList,
    SeasonalRiskEntry,
    SeasonalRiskList,
    RuleSettings,
    SnapshotAttribution,
    Verification,
)


def calendar_missing_years(month: dt.date) -> list[int]:
    """The years the month's SLA deadlines fall in whose holidays nobody knows:
    not covered by chinese-calendar and not loaded by an administrator.

    December's deadlines run into January, so a December also needs the next year.
    """
    years = [month.year] + ([month.year + 1] if month.month == 12 else [])
    unknown = [y for y in years if not library_covers(y)]
    loaded = set(CalendarYear.objects.filter(year__in=unknown).values_list("year", flat=True)) if unknown else set()
    return [y for y in unknown if y not in loaded]


def calendar_complete(month: dt.date) -> bool:
    """True when the working-day calendar of the month is known (library or loaded year)."""
    return not calendar_missing_years(month)


def calendar_warning(month: dt.date, missing: list[int] | None = None) -> str:
    """The warning a page shows for a month whose calendar is incomplete ("" when complete)."""
    missing = calendar_missing_years(month) if missing is None else missing
    if not missing:
        return ""
    return str(_("%(years)s年节假日安排尚未载入，按时办结率按周一至周五计算，可能不准确。"
                 "请管理员用 import_data calendar 载入当年的节假日与调休安排。")
               % {"years": "、".join(str(y) for y in missing)})


def card_calendar_warning(month: dt.date, card: dict) -> str:
    """The calendar warning of a scorecard read-out: from the card's own (for a published
    month: frozen) ``calendar_complete`` flag, naming the years still missing today."""
    if card.get("calendar_complete", True):
        return ""
    return calendar_warning(month) or str(_("本月发布时节假日安排尚未载入，按时办结率按周一至周五计算，可能不准确。"))


def published_month(month: dt.date) -> ReportingMonth | None:
    """The month's row if it is published (its frozen scorecard and trace), else None."""
    return ReportingMonth.objects.published().filter(month=month).first()


def is_published(month: dt.date) -> bool:
    """Whether ``month`` is published: its figures are frozen everywhere (the one question, asked
    by the pages, the API, the services and the notices' beat job alike)."""
    return ReportingMonth.objects.published().filter(month=month).exists()


_LOOK_UP = object()  # "not given": the callers that already read the month's ReportingMonth pass it on


def _complaint_rows(month: dt.date, group_by: list[str], *, where: Q | None = None,
                    department_id: int | None = None, frozen_managers: bool = False,
                    rules: RuleSettings | None = None, reporting_month=_LOOK_UP):
    """The month's complaints, attributed, aggregated in SQL by ``group_by`` (city, department, and for
    the drill-downs county, station, district or manager — the 台区经理 of the month's last day).

    ``accepted`` counts every complaint (受理口径) and ``excl_*`` those the 考核口径 leaves out,
    by reason; every KPI count counts only the assessed ones (``exclusion`` = ""). ``where`` narrows
    the complaints (a unit's subtree), ``department_id`` to one department's attributed ones;
    ``frozen_managers``: the 台区经理 as the month's publication froze them (``grid.freeze``);
    ``reporting_month``: ``published_month(month)`` when the caller has read it already."""
    rs = rules or RuleSettings.current()
    rm = published_month(month) if reporting_month is _LOOK_UP else reporting_month
    if rm is not None and facts_frozen(month):
        # A published month: the facts frozen with each complaint's attribution, where it was filed then.
        qs = SnapshotAttribution.objects.filter(reporting_month=rm).annotate(
            attr_department_id=F("department_id"), attr_rule=F("rule"))
        facts, seconds = {name: Q(**{name: True}) for name in FACTS}, F("resolution_seconds")
    else:
        # The month: a hint that takes the SLA deadline's look-ups out of PostgreSQL's per-complaint
        # work (kpis.expressions.OnTime).
        qs = with_fact_inputs(month_attributed(month, rules=rs, published=rm is not None), rs)
        facts, seconds = fact_conditions(rs, month=month), DurationSeconds("closed_at", "accepted_at")
    if where is not None:
        qs = qs.filter(where)
    if department_id is not None:
        qs = qs.filter(attr_department_id=department_id)
    fields = {"city": "city_id", "department": "attr_department_id", "county": "county_id",
              "station": "station_id", "district": "district_id"}
    if "manager" in group_by:
        qs = qs.annotate(**(frozen_manager_on(month) if frozen_managers else manager_on(month_manager_day(month))))
        group_by = [g for g in group_by if g != "manager"] + ["manager_name", "manager_staff_no"]
        fields.update(manager_name="manager_name", manager_staff_no="manager_staff_no")
    # Grouped by the exclusion as well, and merged below: the 考核口径 CASE is then evaluated once per
    # complaint (as a group key) instead of once in each of the twenty FILTERs — PostgreSQL does not
    # share a repeated expression between aggregates; on the 1M province that repetition was a
    # quarter of the month's scorecard query (issue #16).
    aggregates = {
        "n": Count("pk"),
        "repeat_complaints": Count("pk", filter=facts["repeat"]),
        "closed": Count("pk", filter=facts["closed"]),
        "on_time": Count("pk", filter=facts["on_time"]),
        "avg_resolution_seconds": Avg(seconds),
        "median_resolution_seconds": Median(seconds),
        "satisfied": Count("pk", filter=facts["satisfied"]),
        "callbacks": Count("pk", filter=facts["callback"]),
        "ack_known": Count("pk", filter=facts["ack_known"]),
        "ack_in_time": Count("pk", filter=facts["ack_in_time"]),
        **{f"rule_{r}": Count("pk", filter=Q(attr_rule=r)) for r in RULES},
    }
    keys = [fields[g] for g in group_by]
    merged: dict[tuple, dict] = {}
    for row in qs.order_by().values(*keys, "exclusion").annotate(**aggregates):
        key = tuple(row[k] for k in keys)
        out = merged.setdefault(key, {**dict(zip(keys, key)), **_EMPTY})
        out["accepted"] += row["n"]
        if row["exclusion"]:
            out[f"excl_{row['exclusion']}"] += row["n"]
        else:  # the assessed complaints: every KPI count counts only these
            out.update({name: row[name] for name in aggregates if name != "n"}, complaints=row["n"])
    return list(merged.values())


def facts_frozen(month: dt.date) -> bool:
    """Whether a published month's complaints have their KPI facts frozen (SnapshotAttribution's
    closed, on_time, …; published after that freeze existed). A month published before has them NULL:
    its figures come from the current work orders (``drill_master_data`` says so)."""
    return not SnapshotAttribution.objects.filter(reporting_month__month=month, closed__isnull=True).exists()


def month_attributed(month: dt.date, *, rules: RuleSettings | None = None, published: bool | None = None):
    """The month's complaints with ``attr_department_id``, ``attr_rule`` and ``exclusion`` (why the
    考核口径 leaves the complaint out, "" when it counts): frozen for a published month (appeals,
    verifications and re-traces cannot move it), live otherwise. ``published``: ``is_published(month)``
    when the caller knows it already."""
    qs = month_complaints(month)
    if is_published(month) if published is None else published:
        return qs.filter(frozen__isnull=False).annotate(
            attr_department_id=F("frozen__department_id"), attr_rule=F("frozen__rule"),
            exclusion=F("frozen__exclusion"))
    rules = rules or RuleSettings.current()
    return attributed(qs, default_table(rules=rules)).annotate(exclusion=exclusion_case(rules))


def month_assessed(month: dt.date, *, rules: RuleSettings, published: bool | None = None):
    """The month's complaints with ``exclusion`` only (see ``month_attributed``): frozen for a
    published month, live otherwise."""
    qs = month_complaints(month)
    if is_published(month) if published is None else published:
        return qs.filter(frozen__isnull=False).annotate(exclusion=F("frozen__exclusion"))
    return qs.annotate(exclusion=exclusion_case(rules))


def _unit_rows(month: dt.date, dept_rows, *, rules: RuleSettings, published: bool | None = None) -> dict[int, dict]:
    """City totals from the (city, department) rows — every count and the
    mean add up — plus the one figure that does not, the median, from a cheap
    query of its own (no attribution, no subqueries). One pass over the
    month's complaints instead of two."""
    units: dict[int, dict] = {}
    for row in dept_rows:
        unit = units.setdefault(row["city_id"], {**_EMPTY, "city_id": row["city_id"], "_seconds": 0.0})
        for key, value in row.items():
            if key in _EMPTY and isinstance(value, int) and not key.endswith("_seconds"):
                unit[key] += value
        if row["avg_resolution_seconds"] is not None:
            unit["_seconds"] += row["avg_resolution_seconds"] * row["closed"]
    # The 考核口径 without the attribution: a city's median does not depend on the department.
    medians = dict(month_assessed(month, rules=rules, published=published)
                   .filter(closed_at__isnull=False, exclusion="").order_by().values("city_id")
                   .annotate(m=Median(DurationSeconds("closed_at", "accepted_at"))).values_list("city_id", "m"))
    for city_id, unit in units.items():
        unit["avg_resolution_seconds"] = unit.pop("_seconds") / unit["closed"] if unit["closed"] else None
        unit["median_resolution_seconds"] = medians.get(city_id)
    return units


def _rectification_rows(month: dt.date, group_by: list[str]):
    fields = {"city": "city_id", "department": "department_id"}
    return (Rectification.objects.filter(due_on__gte=month, due_on__lte=last_day(month)).order_by()
            .values(*[fields[g] for g in group_by])
            .annotate(items=Count("pk"),
                      items_on_time=Count("pk", filter=Q(status=Rectification.Status.DONE,
                                                         closed_on__lte=F("due_on")))))


def _kpis(row: dict, customers: int, rect: dict | None) -> dict:
    hours = lambda s: rounded(s / 3600) if s is not None else None  # noqa: E731
    return {
        "accepted_complaints": row["accepted"],
        "excluded": {code: row[f"excl_{code}"] for code in Exclusion.values},
        "complaints": row["complaints"],
        "customers": customers,
        # 2 decimals like every figure (issue #14), and banded as printed: a reader checking the band
        # against the cut-offs sees the number that was banded.
        "per_10k": rounded(Decimal(row["complaints"]) * 10000 / customers, PLACES[PER_10K]) if customers else None,
        "repeat_complaints": row["repeat_complaints"],
        "repeat_rate": rate(row["repeat_complaints"], row["complaints"]),
        "closed": row["closed"],
        "on_time": row["on_time"],
        "on_time_rate": rate(row["on_time"], row["complaints"]),
        "avg_resolution_hours": hours(row["avg_resolution_seconds"]),
        "median_resolution_hours": hours(row["median_resolution_seconds"]),
        "satisfaction_rate": rate(row["satisfied"], row["callbacks"]),
        "ack_rate": rate(row["ack_in_time"], row["ack_known"]),
        "rectification_items": rect["items"] if rect else 0,
        "rectification_on_time_rate": rate(rect["items_on_time"], rect["items"]) if rect else None,
    }


_EMPTY = {"accepted": 0, **{f"excl_{code}": 0 for code in Exclusion.values}, "complaints": 0, "repeat_complaints": 0, "closed": 0, "on_time": 0, "avg_resolution_seconds": None,
          "median_resolution_seconds": None, "satisfied": 0, "callbacks": 0, "ack_known": 0, "ack_in_time": 0,
          **{f"rule_{r}": 0 for r in RULES}}


NOTHING_TO_RATE, NO_DATA = "nothing_to_rate", "no_data"


def missing_reason(code: str, figures: dict) -> str:
    """Why a KPI has no value: nothing to rate (no complaints; for the
    rectification rate, no items due — no items is not missing data), or the
    data to rate what there was is missing (no callbacks, no 用户数, no 接单时间)."""
    if code == "rectification_on_time_rate":
        return NOTHING_TO_RATE if not figures.get("rectification_items") else NO_DATA
    return NOTHING_TO_RATE if not figures.get("complaints") else NO_DATA


def score(figures: dict, definitions: list[KpiDefinition], *,
          rules: RuleSettings | None = None) -> tuple[float, dict, list[dict]]:
    """Weighted score over every active KPI: Σ weight × points / Σ weights.

    Weights are never re-spread: a KPI without a value scores the band of the
    missing-data rule (RuleSettings), so a unit cannot climb by lacking the
    data that would rate it. Returns (score, bands, the KPIs scored by rule).
    """
    rules = rules or RuleSettings.current()
    by_reason = {NOTHING_TO_RATE: rules.nothing_to_rate_band, NO_DATA: rules.missing_data_band}
    total_weight, points, bands, by_rule = Decimal(0), Decimal(0), {}, []
    for d in definitions:
        band = d.band(figures.get(d.code))
        if band is None:
            reason = missing_reason(d.code, figures)
            band = by_reason[reason]
            by_rule.append({"kpi": d.code, "band": band, "reason": reason})
        bands[d.code] = band
        total_weight += d.weight
        points += d.weight * KpiDefinition.BAND_POINTS[band]
    value = (points / total_weight) if total_weight else Decimal(0)
    return rounded(value), bands, by_rule


def month_deductions(month: dt.date) -> dict[tuple[int, int], list[dict]]:
    """The month's active 考核扣分 events by (city id, department id), as the read-out itemises them."""
    rows = (Deduction.objects.filter(month=month, status=Deduction.Status.ACTIVE)
            .select_related("kind", "work_order").order_by("occurred_on", "event_no"))
    events: dict[tuple[int, int], list[dict]] = {}
    for d in rows:
        events.setdefault((d.city_id, d.department_id), []).append({
            "event_no": d.event_no, "kind": d.kind.code, "label": d.kind.name, "points": float(d.points),
            "date": d.occurred_on.isoformat(), "reason": d.description,
            "work_order": d.work_order.order_no if d.work_order_id else None})
    return events


def with_deductions(kpi_score: float, items: list[dict]) -> dict:
    """The score after 考核扣分: the KPI score minus the events' points, never below 0."""
    points = rounded(sum(Decimal(str(i["points"])) for i in items))
    return {"kpi_score": kpi_score, "deduction_points": points, "deductions": items,
            "score": rounded(max(Decimal(0), Decimal(str(kpi_score)) - Decimal(str(points))))}


def competition_ranks(items: list[dict], key: str = "score") -> None:
    """Rank in place by descending score, ties sharing a rank (1, 2, 2, 4)."""
    ordered = sorted(items, key=lambda i: -i[key])
    previous, rank = None, 0
    for position, item in enumerate(ordered, start=1):
        if item[key] != previous:
            rank, previous = position, item[key]
        item["rank"] = rank


def compute_scorecard(month: dt.date) -> dict:
    """The scorecard of a month from current data (or the snapshot's attributions)."""
    cities = list(OrgUnit.objects.filter(level=OrgUnit.Level.CITY).order_by("sort_order", "name"))
    departments = list(Department.objects.order_by("sort_order"))
    customers = dict(District.objects.order_by().values("city_id").annotate(n=Sum("customers"))
                     .values_list("city_id", "n"))
    defs = {KpiDefinition.Level.DEPARTMENT: [], KpiDefinition.Level.UNIT: []}
    for d in KpiDefinition.objects.filter(level__in=list(defs), active=True):
        defs[d.level].append(d)
    rules = RuleSettings.current()
    # Read once here and handed down: each small read is a round trip (issue #16).
    rm = published_month(month)

    dept_rows = {(r["city_id"], r["attr_department_id"]): r
                 for r in _complaint_rows(month, ["city", "department"], rules=rules, reporting_month=rm)}
    unit_rows = _unit_rows(month, dept_rows.values(), rules=rules, published=rm is not None)
    dept_rects = {(r["city_id"], r["department_id"]): r for r in _rectification_rows(month, ["city", "department"])}
    unit_rects = {r["city_id"]: r for r in _rectification_rows(month, ["city"])}

    events = month_deductions(month)

    units, depts = [], []
    for city in cities:
        n_customers = customers.get(city.pk) or 0
        figures = _kpis(unit_rows.get(city.pk, _EMPTY), n_customers, unit_rects.get(city.pk))
        kpi_score, figures["bands"], figures["scored_by_rule"] = score(figures, defs["unit"], rules=rules)
        # The city company answers for the events of all its departments.
        units.append({"unit": city.name, **figures,
                      **with_deductions(kpi_score, [e for (c, _d), items in events.items() if c == city.pk
                                                    for e in items])})
        for dept in departments:
            row = dept_rows.get((city.pk, dept.pk), _EMPTY)
            figures = _kpis(row, n_customers, dept_rects.get((city.pk, dept.pk)))
            kpi_score, figures["bands"], figures["scored_by_rule"] = score(figures, defs["department"], rules=rules)
            figures["attribution"] = {r: row[f"rule_{r}"] for r in RULES}
            depts.append({"unit": city.name, "department": dept.name, **figures,
                          **with_deductions(kpi_score, events.get((city.pk, dept.pk), []))})
    competition_ranks(units)
    # Responsible units are ranked within their department: 运检 against 运检.
    for dept in departments:
        competition_ranks([d for d in depts if d["department"] == dept.name])
    units.sort(key=lambda u: (u["rank"], u["unit"]))
    order = {d.name: i for i, d in enumerate(departments)}
    depts.sort(key=lambda d: (order[d["department"]], d["rank"], d["unit"]))
    # Frozen with the card on publication: a later calendar load does not rewrite what was published.
    return {"month": label(month), "calendar_complete": calendar_complete(month), "units": units,
            "departments": depts}


def _with_movement(card: dict, previous: dict | None) -> dict:
    prev_units = {u["unit"]: u["rank"] for u in (previous or {}).get("units", [])}
    prev_depts = {(d["unit"], d["department"]): d["rank"] for d in (previous or {}).get("departments", [])}
    for u in card["units"]:
        u["previous_rank"] = prev_units.get(u["unit"])
        u["rank_change"] = (u["previous_rank"] - u["rank"]) if u["previous_rank"] else None
    for d in card["departments"]:
        d["previous_rank"] = prev_depts.get((d["unit"], d["department"]))
        d["rank_change"] = (d["previous_rank"] - d["rank"]) if d["previous_rank"] else None
    return card


def _has_data(month: dt.date) -> bool:
    return month_complaints(month).exists()


def month_has_data(month: dt.date) -> bool:
    """Whether ``month`` has anything to rank: complaints, or a published (frozen) scorecard. A month
    without answers 404 «该月没有数据» on the pages and in the API (issue #17): computed, it would rank
    every unit 100 points, band A."""
    return is_published(month) or _has_data(month)


def scorecard_for_month(month: dt.date) -> dict:
    """The scorecard read-out (interfaces.md), with rank movement against the month before.

    Published: the frozen snapshot. Unpublished: computed from current data and the
    month's last trace, cached per data version (see freshness). Never traces: reads
    never write (tracing runs when its inputs change, kpis.services.retrace_after_import).
    """
    rm = published_month(month)
    if rm is not None and rm.scorecard is not None:
        if "calendar_complete" not in rm.scorecard:
            # Published before the flag was frozen with the card: say what is known now.
            return {**rm.scorecard, "calendar_complete": calendar_complete(month)}
        return rm.scorecard
    return freshness.cached("scorecard", label(month), compute=lambda: _scorecard_from_data(month))


def _scorecard_from_data(month: dt.date) -> dict:
    previous_month = shift(month, -1)
    prev = published_month(previous_month)
    previous = prev.scorecard if prev else (_computed_scorecard(previous_month) if _has_data(previous_month) else None)
    return _with_movement(_computed_scorecard(month), previous)


def _computed_scorecard(month: dt.date) -> dict:
    """``compute_scorecard`` of an unpublished month, cached per data version: the month's card reads
    it, and so does the next month's rank movement, so a department page, which shows both months'
    cards, does not compute the shared one twice."""
    return freshness.cached("scorecard-computed", label(month), compute=lambda: compute_scorecard(month))


def trace_state(month: dt.date) -> dict:
    """Whether an unpublished month's incidents are current: ``traced_at`` of its last trace
    (None: nobody traced it yet, so rule 2 of attribution has not been applied)."""
    rm = ReportingMonth.objects.filter(month=month).only("traced_at", "published_at").first()
    return {"published": bool(rm and rm.is_published), "traced_at": rm.traced_at if rm else None,
            "traced": bool(rm and (rm.traced_at or rm.is_published))}


ACCOUNTABILITY, HAZARD = "accountability", "hazard"
CATEGORY_LABELS = {ACCOUNTABILITY: _("追责事件"), HAZARD: _("隐患预警")}


def category(accountable: bool) -> str:
    """An incident's category code: 追责事件 with linked complaints, 隐患预警 without."""
    return ACCOUNTABILITY if accountable else HAZARD


def with_category(incidents):
    """Annotate ``accountable``: the incident explains at least one complaint (追责事件), else 隐患预警."""
    return incidents.annotate(accountable=Exists(IncidentComplaint.objects.filter(incident=OuterRef("pk"))))


def category_counts(incidents) -> dict[str, int]:
    """{"accountability": N, "hazard": M} of an incident queryset."""
    rows = dict(with_category(incidents).order_by().values("accountable").annotate(n=Count("pk"))
                .values_list("accountable", "n"))
    return {ACCOUNTABILITY: rows.get(True, 0), HAZARD: rows.get(False, 0)}


def is_accountable(incident: dict) -> bool:
    """Whether a trace read-out's incident is a 追责事件. A month published before the
    category existed has no "accountable" key: then every incident opened an item and
    was held to account, and its frozen read-out is read that way."""
    if "accountable" in incident:
        return bool(incident["accountable"])
    return incident.get("rectification") is not None or bool(incident.get("complaints"))


def trace_for_month(month: dt.date) -> dict:
    """The trace read-out: frozen for a published month, the stored incidents otherwise
    (as the last trace left them; ``traced`` says whether there was one)."""
    rm = published_month(month)
    if rm is not None and rm.trace is not None:
        return rm.trace
    incidents = (Incident.objects.filter(month=month).select_related("district", "city", "department",
                                                                      "rectification")
                 .order_by("district_id", "kind"))
    links = _linked_order_numbers(incident__month=month)
    priority = {k: i for i, k in enumerate(Incident.LINK_PRIORITY)}
    out = []
    for inc in sorted(incidents, key=lambda i: (i.district_id, priority[i.kind])):
        rect = getattr(inc, "rectification", None)
        complaints = links.get(inc.pk, [])
        out.append({
            "district": inc.district_id, "district_name": inc.district.name, "kind": inc.kind,
            "department": inc.department.name, "unit": inc.city.name, "rule": inc.rule, "rule_text": inc.rule_text,
            "complaints": complaints, "evidence": inc.evidence,
            # 追责事件 (≥ 1 linked complaint) or 隐患预警 (none): domain.md "Hazards and accountability".
            "accountable": bool(complaints), "category": category(bool(complaints)),
            "rectification": {"due_on": rect.due_on.isoformat(), "status": rect.status} if rect else None,
        })
    return {"month": label(month), "traced": trace_state(month)["traced"], "incidents": out}


# --- Pages ---------------------------------------------------------------------

RULE_LABELS = {"appeal": "申诉改判", "explicit": "工单指定责任部门", "traced": "供电瓶颈溯源", "default": "默认归因表"}


def department_complaints(month: dt.date, *, city_id: int, department_id: int):
    """The complaints a responsible unit answers for in a month, with why (rule, incident, appeal).

    A published month lists its snapshot's complaints (SnapshotAttribution: the city and department
    they were frozen under), so the list and the card's counts stay one set when a later import moves
    a work order's 受理时间 or unit: the row still shows the order as it is now, the membership is
    the publication's. A draft month follows current data."""
    rm = published_month(month)
    if rm is not None:
        qs = WorkOrder.objects.filter(frozen__reporting_month=rm, frozen__city_id=city_id,
                                      frozen__department_id=department_id).annotate(
            attr_department_id=F("frozen__department_id"), attr_rule=F("frozen__rule"),
            exclusion=F("frozen__exclusion"))
    else:
        qs = month_attributed(month).filter(city_id=city_id, attr_department_id=department_id)
    return (qs.select_related("category", "subcategory", "detail", "district", "incident_link__incident",
                              "override__appeal")
            .order_by("accepted_at", "pk"))


def attribution_reason(order) -> str:
    rule = order.attr_rule
    if rule == "traced":
        inc = order.incident_link.incident
        return f"溯源：台区 {inc.district_id} {inc.get_kind_display()}事件（{inc.rule_text}）"
    if rule == "appeal":
        return f"申诉改判（申诉 #{order.override.appeal_id}）"
    if rule == "explicit":
        return "工单导出时已指定责任部门"
    cat = "/".join(x.name for x in (order.category, order.subcategory) if x) or "未分类"
    return f"默认归因：{cat}"


def department_trend(*, city_id: int, department_id: int, end_month: dt.date, months: int = 12) -> list[dict]:
    """Month by month figures of one responsible unit: frozen months from their
    snapshot, the others computed in one grouped query.

    Cached per data version: the grouped query reads 12 months of the city's
    complaints (~0.5 s on the 1M-order province) and every department page shows it.
    """
    return freshness.cached("department_trend", city_id, department_id, label(end_month), months,
                            compute=lambda: _department_trend(city_id=city_id, department_id=department_id,
                                                              end_month=end_month, months=months))


def _department_trend(*, city_id: int, department_id: int, end_month: dt.date, months: int) -> list[dict]:
    first = shift(end_month, -(months - 1))
    city = OrgUnit.objects.get(pk=city_id)
    dept = Department.objects.get(pk=department_id)
    snapshots = {rm.month: rm.scorecard for rm in ReportingMonth.objects.published().filter(
        month__gte=first, month__lte=end_month)}
    live = {}
    start, end = bounds(first)[0], bounds(end_month)[1]
    qs = attributed(WorkOrder.objects.filter(is_complaint=True, accepted_at__gte=start, accepted_at__lt=end,
                                             city_id=city_id), default_table())
    for row in (qs.filter(attr_department_id=department_id).order_by()
                .annotate(m=TruncMonth("accepted_at", tzinfo=LOCAL_TZ)).values("m")
                .annotate(n=Count("pk"), sat=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
                          cb=Count("pk", filter=Q(satisfaction__in=CALLED_BACK)))):
        month = row["m"].date() if hasattr(row["m"], "date") else row["m"]
        live[month.replace(day=1)] = row
    out = []
    for i in range(months):
        month = shift(first, i)
        card = snapshots.get(month)
        if card:
            d = next((d for d in card["departments"] if d["unit"] == city.name and d["department"] == dept.name), None)
            out.append({"month": label(month), "complaints": d["complaints"] if d else 0,
                        "satisfaction_rate": d["satisfaction_rate"] if d else None,
                        "score": d["score"] if d else None, "rank": d["rank"] if d else None, "published": True})
        else:
            row = live.get(month, {"n": 0, "sat": 0, "cb": 0})
            out.append({"month": label(month), "complaints": row["n"], "satisfaction_rate": rate(row["sat"], row["cb"]),
                        "score": None, "rank": None, "published": False})
    return out


# Lazy: the pages show them in the reader's language (the English switch).
KPI_LABELS = [
    ("complaints", _("投诉量")), ("per_10k", _("万户投诉量")), ("repeat_rate", _("重复投诉率(%)")),
    ("on_time_rate", _("按时办结率(%)")), ("avg_resolution_hours", _("平均办结时长(小时)")),
    ("median_resolution_hours", _("办结时长中位数(小时)")), ("satisfaction_rate", _("回访满意率(%)")),
    ("ack_rate", _("2小时接单率(%)")), ("rectification_on_time_rate", _("整改按期完成率(%)")),
]


def kpi_name(code: str, *, repeat_days: int | None = None, default: str = "") -> str:
    """A KPI's name as pages print it; the repeat rate names its look-back (RuleSettings.repeat_days),
    so that it is not read as the analysis page's 90-day 重复诉求 (issue #14)."""
    name = str(dict(KPI_LABELS).get(code, default or code))
    if code == "repeat_rate" and repeat_days is not None:
        return str(_("%(name)s（%(d)s天回溯）") % {"name": name, "d": repeat_days})
    return name


def scored_by_rule_label(reason: str, band: str) -> str:
    """What the missing-data rule did, in words: the defaults read 按满分计 / 按最低档计,
    another band chosen by the administrator is named as such."""
    if reason == NOTHING_TO_RATE:
        return str(_("无可考核数据，按满分计")) if band == "A" else str(_("无可考核数据，按%(band)s档计") % {"band": band})
    return str(_("缺少数据，按最低档计")) if band == "E" else str(_("缺少数据，按%(band)s档计") % {"band": band})


def scored_by_rule_groups(entries: list[dict] | None) -> list[dict]:
    """A row's ``scored_by_rule`` grouped for display: [{"label", "short", "kpis": [names]}], one per
    (reason, band); ``short`` (无可考核 / 缺少数据) is the folded cell's summary in the rankings."""
    names = dict(KPI_LABELS)
    groups: dict[tuple[str, str], list] = {}
    for e in entries or []:
        groups.setdefault((e["reason"], e["band"]), []).append(str(names.get(e["kpi"], e["kpi"])))
    return [{"label": scored_by_rule_label(reason, band), "reason": reason, "band": band, "kpis": kpis,
             "short": str(_("无可考核") if reason == NOTHING_TO_RATE else _("缺少数据"))}
            for (reason, band), kpis in groups.items()]


def appeal_history(appeal) -> list:
    """Every audit entry of an appeal and of the other appeals of the same complaint (or the same
    考核扣分 event), oldest first."""
    same = (Appeal.objects.filter(work_order_id=appeal.work_order_id) if appeal.work_order_id
            else Appeal.objects.filter(deduction_id=appeal.deduction_id))
    ids = [str(pk) for pk in same.values_list("pk", flat=True)]
    return list(AuditLog.objects.filter(object_type="kpis.appeal", object_id__in=ids).order_by("at", "id"))


def verification_history(order) -> list:
    """The audit entries of a complaint's 核实与定责 (analysts' and accepted appeals'), oldest first."""
    ids = [str(pk) for pk in Verification.objects.filter(work_order=order).values_list("pk", flat=True)]
    return list(AuditLog.objects.filter(object_type="kpis.verification", object_id__in=ids).order_by("at", "id"))


# --- 考核扣分 -------------------------------------------------------------------------

def deduction_list(*, month: dt.date, viewer):
    """The month's 考核扣分 events the viewer may see (a department head: their department's),
    withdrawn ones included (shown as such)."""
    scope = scoping.scope_for(viewer)
    qs = (Deduction.objects.filter(month=month)
          .select_related("kind", "city", "department", "work_order", "entered_by")
          .order_by("-occurred_on", "event_no"))
    if scope.city_ids is not None:
        qs = qs.filter(city_id__in=scope.city_ids)
    if scope.department_id is not None:
        qs = qs.filter(department_id=scope.department_id)
    return qs


def deduction_for_viewer(*, pk: int, viewer) -> Deduction:
    """One event, if the viewer may see it (``deduction_list``'s rule)."""
    event = Deduction.objects.select_related("kind", "city", "department").filter(pk=pk).first()
    if event is None:
        raise Http404
    scoping.check(scoping.scope_for(viewer), city_id=event.city_id, department_id=event.department_id)
    return event


# --- The monthly cycle ------------------------------------------------------------------

CYCLE_STEPS = [
    ("cutoff", _("数据截止")), ("draft", _("初稿")), ("appeal", _("申诉期")), ("review", _("复核")),
    ("published", _("发布")),
]


def month_cycle(month: dt.date, *, now: dt.datetime | None = None) -> dict:
    """Where ``month`` stands in the monthly cycle, each step with who and when (for the
    notices page and every month's header). A read: nothing is created for a month that
    has no row yet."""
    now = now or timezone.now()
    rm = (ReportingMonth.objects.filter(month=month).select_related("cutoff_by", "published_by").first()
          or ReportingMonth(month=month))
    appeals = dict(Appeal.objects.filter(month=month).order_by().values_list("status").annotate(n=Count("pk")))
    stage = rm.stage_at(now)
    order = [s for s, _label in CYCLE_STEPS]
    reached = {"cutoff": rm.cutoff_at is not None, "draft": rm.draft_at is not None,
               "appeal": rm.draft_at is not None, "review": stage in ("review", "published"),
               "published": rm.is_published}
    current = {"open": None, "cutoff": "cutoff", "appeal": "appeal", "review": "review",
               "published": "published"}[stage]
    late = LateData.objects.filter(month=month, included_in_version__isnull=True)
    return {
        "month": month, "label": label(month), "row": rm if rm.pk else None, "stage": stage,
        "stage_label": ReportingMonth.Stage(stage).label,
        "steps": [{"code": code, "label": text, "done": reached[code] and code != current,
                   "current": code == current} for code, text in CYCLE_STEPS],
        "step_index": order.index(current) if current else -1,
        "appeals_pending": appeals.get(Appeal.Status.PENDING, 0),
        "appeals_decided": sum(n for s, n in appeals.items() if s != Appeal.Status.PENDING),
        "window_open": stage == ReportingMonth.Stage.APPEAL,
        "traced": bool(rm.traced_at or rm.is_published), "traced_at": rm.traced_at,
        "late_data": late.count(), "late_rows": sum(late.values_list("rows_new", flat=True)),
    }


def cycle_overview(*, months: list[dt.date]) -> list[dict]:
    return [month_cycle(m) for m in months]


def late_data(month: dt.date):
    return LateData.objects.filter(month=month).select_related("imported_by").order_by("-imported_at", "-pk")


# --- What a viewer may see ----------------------------------------------------------------------------
# Every page and the API read through these: the selector applies ``accounts.scoping`` itself, so no
# caller can forget it. An object outside the viewer's scope is ``scoping.ScopeDenied`` (a 404 that is
# audited); one that does not exist is a plain 404.

def _linked_order_numbers(**where) -> dict[int, list[str]]:
    """The work order numbers of the complaints each incident explains, by incident id, in order-number
    order: one query over the IncidentComplaint links selected by ``where``."""
    links: dict[int, list[str]] = {}
    for inc_id, order_no in (IncidentComplaint.objects.filter(**where)
                             .values_list("incident_id", "work_order__order_no").order_by("work_order__order_no")):
        links.setdefault(inc_id, []).append(order_no)
    return links


def linked_order_numbers(incidents) -> dict[int, list[str]]:
    """``_linked_order_numbers`` of the given incidents (objects or ids); an incident without links is absent."""
    return _linked_order_numbers(incident__in=[getattr(i, "pk", i) for i in incidents])


def _pk(by_name: dict, name: str) -> int | None:
    obj = by_name.get(name)
    return obj.pk if obj is not None else None


def _org_by_name() -> tuple[dict[str, OrgUnit], dict[str, Department]]:
    """City companies and departments by name: a read-out names them, the scope knows their ids."""
    return ({c.name: c for c in OrgUnit.objects.filter(level=OrgUnit.Level.CITY)},
            {d.name: d for d in Department.objects.all()})


def _draft_rows(card: dict, scope: scoping.Scope, cities: dict, departments: dict) -> dict:
    """A draft ranking shows only the rows inside the scope: it is only for those who may see every unit's
    figures in it (a published one is public). The one rule for the page and the API."""
    # A county (or station) leader has no row of their own: every row is a city company's figures, which
    # sum up the other counties too (issue #15). They see the ranking once it is published.
    city_level = scope.unit is None
    return {
        **card,
        "units": [u for u in card["units"] if city_level and scope.allows(city_id=_pk(cities, u["unit"]))],
        "departments": [d for d in card["departments"] if city_level
                        and scope.allows(city_id=_pk(cities, d["unit"]), department_id=_pk(departments, d["department"]))],
    }


def _card_for_scope(month: dt.date, scope: scoping.Scope, orgs) -> dict:
    """A published ranking whole, a draft only the rows inside ``scope`` (``_draft_rows``), with
    ``published``. ``orgs()`` gives ``_org_by_name()``, read only when a scoped viewer sees a draft."""
    published = is_published(month)
    card = scorecard_for_month(month)
    if not published and not scope.is_global:
        card = _draft_rows(card, scope, *orgs())
    return {**card, "published": published}


def scorecard_for_viewer(*, month: dt.date, viewer) -> dict:
    """The scorecard read-out of ``month`` as ``viewer`` may see it (the JSON API)."""
    return _card_for_scope(month, scoping.scope_for(viewer), _org_by_name)


def scorecard_page(*, month: dt.date, viewer) -> dict:
    """``scorecard_for_viewer`` for the scorecard page: each department row whose page the viewer may open
    carries its ``url``, and ``department_names`` lists every department (the page's filter)."""
    scope = scoping.scope_for(viewer)
    cities, departments = _org_by_name()
    card = _card_for_scope(month, scope, lambda: (cities, departments))
    for u in card["units"]:
        if u["unit"] in cities and scoping.unit_allowed(scope, cities[u["unit"]]):
            u["url"] = reverse("kpis:drill", args=[cities[u["unit"]].pk]) + f"?month={label(month)}"
    for d in card["departments"]:
        if scope.allows(city_id=cities[d["unit"]].pk, department_id=departments[d["department"]].pk):
            d["url"] = reverse("kpis:department", args=[cities[d["unit"]].pk, departments[d["department"]].code]) \
                + f"?month={label(month)}"
    return {**card, "department_names": list(departments)}


def responsible_unit_for_viewer(*, city_id: int, dept_code: str, viewer) -> tuple[OrgUnit, Department]:
    """The city company and the department of a department page, if the viewer may open it."""
    try:
        city = OrgUnit.objects.get(pk=city_id, level=OrgUnit.Level.CITY)
        dept = Department.objects.get(code=dept_code)
    except (OrgUnit.DoesNotExist, Department.DoesNotExist) as exc:
        raise Http404 from exc
    scoping.check(scoping.scope_for(viewer), city_id=city.pk, department_id=dept.pk)
    return city, dept


def department_row_for_viewer(*, month: dt.date, city: OrgUnit, department: Department, viewer) -> dict | None:
    """The department page's figures: the scorecard row of ``city`` × ``department``, or None for a county
    (or station) leader while the month is a draft (``_draft_rows``' rule)."""
    card = scorecard_for_month(month)
    row = next((d for d in card["departments"] if d["unit"] == city.name and d["department"] == department.name),
               None)
    if row is not None and scoping.scope_for(viewer).unit is not None and not is_published(month):
        return None
    return row


def department_complaints_for_viewer(*, month: dt.date, city: OrgUnit, department: Department, viewer):
    """``department_complaints`` within the viewer's unit subtree: a county (or station) leader lists the
    complaints of their own subtree only."""
    # A published month whose complaints were frozen with their county and station is scoped by those
    # (where each was filed at publication); one published before that freeze by the current units.
    frozen_units = published_month(month) is not None and facts_frozen(month)
    return department_complaints(month, city_id=city.pk, department_id=department.pk).filter(
        scoping.order_q(scoping.scope_for(viewer), prefix="frozen__" if frozen_units else ""))


def incident_list(*, month: dt.date, viewer):
    """The month's incidents the viewer may see (their unit subtree; a department head: their department's),
    with 台区, unit, department and rectification item, by 台区 and kind."""
    scope = scoping.scope_for(viewer)
    qs = Incident.objects.filter(month=month).filter(scoping.district_q(scope))
    if scope.department_id is not None:
        qs = qs.filter(department_id=scope.department_id)
    return qs.select_related("district", "city", "department", "rectification").order_by("district_id", "kind")


def incident_rows(incidents):
    """The incident list's rows: ``accountable`` (the category) and ``linked`` (how many complaints)."""
    return with_category(incidents).annotate(linked=Count("links"))


def incident_for_viewer(*, pk: int, viewer) -> Incident:
    """One incident (with 台区, unit, department, rectification item) if it is inside the viewer's scope."""
    incident = (Incident.objects.select_related("district", "city", "department", "rectification")
                .filter(pk=pk).first())
    if incident is None:
        raise Http404
    if not scoping.allows_district(scoping.scope_for(viewer), incident.district,
                                   department_id=incident.department_id):
        raise scoping.ScopeDenied
    return incident


def incident_complaints(incident: Incident):
    """The complaints an incident explains, oldest first (a queryset: the incident page pages it)."""
    return WorkOrder.objects.filter(incident_link__incident=incident).select_related(
        "category", "subcategory", "detail").order_by("accepted_at")


def incident_complaints_for_viewer(incident: Incident, *, viewer):
    """The incident's complaints the viewer may list (``scoping.scoped_orders``): a department head only
    those attributed to their department, a county leader those of their county; the rest are counted
    on the page, not listed (issue #15)."""
    linked = WorkOrder.objects.filter(incident_link__incident=incident).select_related(
        "category", "subcategory", "detail")
    return scoping.scoped_orders(linked, scoping.scope_for(viewer)).order_by("accepted_at")


def appeal_list(*, viewer, status: str | None = None):
    """The appeals the viewer may see: those of their city companies and, for a department head, the ones
    they filed and the ones that would move complaints to them. ``status`` (a valid Appeal.Status) narrows."""
    scope = scoping.scope_for(viewer)
    qs = Appeal.objects.select_related("work_order", "deduction", "city", "from_department", "to_department", "filed_by")
    if scope.city_ids is not None:
        qs = qs.filter(city_id__in=scope.city_ids)
    # A county (or station) leader: the appeals on their subtree's complaints only (issue #15).
    qs = qs.filter(scoping.order_q(scope, prefix="work_order__"))
    if scope.department_id is not None:
        qs = qs.filter(Q(from_department_id=scope.department_id) | Q(to_department_id=scope.department_id))
    if status in Appeal.Status.values:
        qs = qs.filter(status=status)
    return qs


def appeal_for_viewer(*, pk: int, viewer) -> Appeal:
    """One appeal, if the viewer may see it (``appeal_list``'s rule)."""
    appeal = (Appeal.objects.select_related("work_order", "deduction", "city", "from_department", "to_department", "filed_by",
                                            "decided_by").filter(pk=pk).first())
    if appeal is None:
        raise Http404
    scope = scoping.scope_for(viewer)
    if not (scope.allows(city_id=appeal.city_id, department_id=appeal.from_department_id)
            or scope.allows(city_id=appeal.city_id, department_id=appeal.to_department_id)):
        raise scoping.ScopeDenied
    order = appeal.work_order
    if scope.unit is not None and scope.unit.pk not in (order.county_id, order.station_id):
        raise scoping.ScopeDenied  # another county's complaint
    return appeal


# --- How a score is built (issue #14: "explain the score") ----------------------------------------

def _cutoffs(d: KpiDefinition) -> list[dict]:
    op = "≤" if d.polarity == KpiDefinition.Polarity.LOWER else "≥"
    kind = kind_of(d.code)
    return [{"band": b, "op": op, "value": float(v), "text": f"{b} {op} {display(v, kind)}"}
            for b, v in (("A", d.band_a), ("B", d.band_b), ("C", d.band_c), ("D", d.band_d))]


def score_explanation(figures: dict, definitions: list[KpiDefinition], *, previous: dict | None = None,
                      tied_with: list[str] | None = None, tied_count: int | None = None,
                      rules: RuleSettings | None = None, repeat_days: int | None = None) -> dict:
    """How one row of the scorecard read-out (a unit or a responsible unit) got its score, as data
    and as sentences: each KPI's value → band (against its cut-offs, or by the missing-data rule) →
    band points × weight; Σ weighted points ÷ Σ weights = the KPI score; minus the 考核扣分 events
    (``deductions``, ``deduction_points``, when the row has them) = the score, never below 0; the
    rank, ties and the change against ``previous`` (the same row of the month before) KPI by KPI.

    Pure: reads nothing but its arguments (``rules`` only for a row without ``bands``: a figures
    dict straight from ``_kpis``). The department page and the notice's appendix both use it.
    ``tied_with``: the names of the rows with the same score the caller may show; ``tied_count``:
    how many there are in all (a department head reading a draft sees the count, not the names).
    """
    bands = figures.get("bands") or {}
    by_rule = {e["kpi"]: e for e in figures.get("scored_by_rule") or []}
    prev_bands = (previous or {}).get("bands") or {}
    lines, total_weight, weighted_sum, prev_sum = [], Decimal(0), Decimal(0), Decimal(0)
    for d in sorted(definitions, key=lambda d: (d.sort_order, d.pk or 0)):
        value = figures.get(d.code)
        band = bands.get(d.code) or d.band(value)
        rule = by_rule.get(d.code)
        if band is None:  # a bare figures dict: the missing-data rule as score() applies it
            reason = missing_reason(d.code, figures)
            rules = rules or RuleSettings.current()
            band = rules.nothing_to_rate_band if reason == NOTHING_TO_RATE else rules.missing_data_band
            rule = {"kpi": d.code, "band": band, "reason": reason}
        points = KpiDefinition.BAND_POINTS[band]
        weighted = d.weight * points
        total_weight += d.weight
        weighted_sum += weighted
        prev_band = prev_bands.get(d.code)
        prev_weighted = d.weight * KpiDefinition.BAND_POINTS[prev_band] if prev_band else None
        if prev_weighted is not None:
            prev_sum += prev_weighted
        lines.append({
            "code": d.code, "name": kpi_name(d.code, repeat_days=repeat_days, default=d.name), "value": value,
            "value_text": display(value, kind_of(d.code)), "polarity": d.polarity,
            "cutoffs": _cutoffs(d), "band": band, "points": points, "weight": float(d.weight),
            "weighted": float(weighted),
            "by_rule": str(scored_by_rule_label(rule["reason"], rule["band"])) if rule else None,
            "previous_band": prev_band,
        })
    kpi_score = rounded(weighted_sum / total_weight) if total_weight else 0.0
    for line in lines:
        # Each KPI's share of the change of the score: (weighted now − weighted then) ÷ Σ weights.
        if line["previous_band"] and total_weight:
            then = Decimal(str(line["weight"])) * KpiDefinition.BAND_POINTS[line["previous_band"]]
            line["change"] = rounded((Decimal(str(line["weighted"])) - then) / total_weight)
        else:
            line["change"] = None
    deductions = list(figures.get("deductions") or [])
    deduction_points = figures.get("deduction_points")
    if deduction_points is None:
        deduction_points = rounded(sum(Decimal(str(e["points"])) for e in deductions))
    card_kpi_score = figures.get("kpi_score", figures.get("score"))
    final = figures.get("score")
    if final is None:
        final = rounded(max(Decimal(0), Decimal(str(kpi_score)) - Decimal(str(deduction_points))))
    out = {
        "lines": lines, "total_weight": float(total_weight), "weighted_sum": float(weighted_sum),
        "kpi_score": kpi_score, "deductions": deductions, "deduction_points": deduction_points, "score": final,
        # A published month keeps the score it was published with; the definitions may have changed since.
        "definitions_changed": card_kpi_score is not None and rounded(card_kpi_score) != kpi_score,
        "card_kpi_score": card_kpi_score,
        "nothing_to_rate": not figures.get("complaints") and not deductions,
        "rank": figures.get("rank"), "previous_rank": figures.get("previous_rank"),
        "rank_change": figures.get("rank_change"),
        "tied_with": list(tied_with or []), "tied_count": tied_count if tied_count is not None else len(tied_with or []),
        "previous_score": (previous or {}).get("score"),
    }
    out["sentences"] = _explanation_sentences(out)
    return out


def _explanation_sentences(e: dict) -> list[str]:
    """The explanation in words, each sentence from the figures (nothing said that the data does not show)."""
    s = []
    if e["nothing_to_rate"]:
        s.append(str(_("本月没有归属本单位的考核口径投诉，各项指标无可评价内容，按规则参数计分（见上表「计分方式」）；"
                       "此得分和名次不反映工作成效，仅因无投诉而得。")))
    s.append(str(_("指标得分 = Σ(档位分 × 权重) ÷ Σ权重 = %(sum)s ÷ %(w)s = %(kpi)s。") % {
        "sum": display(e["weighted_sum"], SCORE), "w": display(e["total_weight"], SCORE),
        "kpi": display(e["kpi_score"], SCORE)}))
    if e["definitions_changed"]:
        s.append(str(_("该月发布时的指标得分为 %(card)s：此后考核指标的权重或界值有调整，上表按现行定义计算，"
                       "名次以发布时为准。") % {"card": display(e["card_kpi_score"], SCORE)}))
    if e["deductions"]:
        s.append(str(_("扣减考核扣分 %(n)s 项共 %(p)s 分，得分 = max(0, %(kpi)s − %(p)s) = %(score)s。") % {
            "n": len(e["deductions"]), "p": display(e["deduction_points"], SCORE),
            "kpi": display(e["card_kpi_score"] if e["definitions_changed"] else e["kpi_score"], SCORE),
            "score": display(e["score"], SCORE)}))
    if e["rank"] is not None:
        if e["tied_count"]:
            names = "、".join(e["tied_with"])
            s.append(str(_("与%(who)s同为 %(score)s 分，并列第 %(rank)s 名：同分同名次，其后的名次顺延（如 1、2、2、4）。") % {
                "who": names if names and len(e["tied_with"]) == e["tied_count"]
                else str(_("另外 %(n)s 个单位")) % {"n": e["tied_count"]},
                "score": display(e["score"], SCORE), "rank": e["rank"]}))
        if e["rank_change"] is None and e["previous_rank"] is None:
            s.append(str(_("上月无排名可比。")))
        elif e["previous_rank"] is not None:
            moved = e["rank_change"] or 0
            if moved:
                s.append(str(_("上月第 %(prev)s 名，本月第 %(rank)s 名，%(dir)s %(n)s 名。") % {
                    "prev": e["previous_rank"], "rank": e["rank"], "n": abs(moved),
                    "dir": str(_("上升")) if moved > 0 else str(_("下降"))}))
            else:
                s.append(str(_("名次与上月相同（第 %(rank)s 名）。") % {"rank": e["rank"]}))
    if e["previous_score"] is not None:
        changed = [ln for ln in e["lines"] if ln["change"]]
        parts = "；".join(f"{ln['name']} {ln['previous_band']}→{ln['band']}（{display(ln['change'], SCORE, signed=True)}）"
                         for ln in sorted(changed, key=lambda ln: -abs(ln["change"])))
        delta = Decimal(str(e["score"])) - Decimal(str(e["previous_score"]))
        s.append(str(_("得分较上月 %(prev)s 变化 %(d)s。") % {
            "prev": display(e["previous_score"], SCORE), "d": display(delta, SCORE, signed=True)})
            + (str(_("档位变化：%(parts)s。") % {"parts": parts}) if parts else str(_("各指标档位与上月相同。"))))
        s.append(str(_("名次按参与排名的各单位本月得分从高到低排定：其他单位得分的变化也会改变本单位的名次。")))
    return s


def department_score_explanation(*, month: dt.date, city: OrgUnit, department: Department, viewer) -> dict | None:
    """``score_explanation`` of a responsible unit's row for its department page: the peers it is ranked
    against (same department), the names of those tied with it that the viewer may see, and last month."""
    card = scorecard_for_month(month)
    row = next((d for d in card["departments"] if d["unit"] == city.name and d["department"] == department.name),
               None)
    if row is None:
        return None
    tied = [d["unit"] for d in card["departments"]
            if d["department"] == department.name and d["unit"] != city.name and d["score"] == row["score"]]
    visible = {d["unit"] for d in scorecard_for_viewer(month=month, viewer=viewer)["departments"]
               if d["department"] == department.name}
    previous_month = shift(month, -1)
    previous = None
    if is_published(previous_month) or _has_data(previous_month):
        previous = next((d for d in scorecard_for_month(previous_month)["departments"]
                         if d["unit"] == city.name and d["department"] == department.name), None)
    definitions = list(KpiDefinition.objects.filter(level=KpiDefinition.Level.DEPARTMENT, active=True))
    return score_explanation(row, definitions, previous=previous, tied_with=[u for u in tied if u in visible],
                             tied_count=len(tied), repeat_days=RuleSettings.current().repeat_days)


# --- early warning (issue #18): the stored risk lists, read only -----------------------------------

def risk_months() -> list[dt.date]:
    """The predicted months that have a stored risk list, latest first."""
    return list(RiskList.objects.order_by("-month").values_list("month", flat=True))


def risk_list(month: dt.date) -> RiskList | None:
    """The stored list of ``month`` (the predicted month), or None: a read never computes one."""
    return RiskList.objects.filter(month=month.replace(day=1)).first()


def risk_entries(*, risk_list: RiskList, viewer):
    """The list's 台区 the viewer may see (their city company or county subtree; a department head their
    city company's: a risk is a 台区's, not yet any department's), with city, county and station."""
    scope = scoping.scope_for(viewer)
    return (RiskEntry.objects.filter(risk_list=risk_list).filter(scoping.district_q(scope))
            .select_related("district__city", "district__county", "district__station").order_by("rank"))


def district_for_viewer(*, code: str, viewer) -> District:
    """One 台区 (with its units and feeder) if it is inside the viewer's scope: 404 otherwise."""
    district = District.objects.select_related("city", "county", "station", "feeder").filter(code=code).first()
    if district is None:
        raise Http404
    if not scoping.allows_district(scoping.scope_for(viewer), district):
        raise scoping.ScopeDenied
    return district


def risk_entry(*, risk_list: RiskList | None, district: District) -> RiskEntry | None:
    if risk_list is None:
        return None
    return RiskEntry.objects.filter(risk_list=risk_list, district=district).first()


def risk_explanation(entry: RiskEntry) -> list[dict]:
    """The entry's reasons in the active language, each ``{"group", "text", "points"}`` (points 0–1). A list
    stored before reasons were structured kept the Chinese words under ``text``; they are shown as written."""
    return [{"group": r["group"], "text": risk_reasons.text(r["reason"] if "reason" in r else r["text"]),
             "points": r["points"]} for r in entry.explanation]


def risk_feature_groups(entry: RiskEntry) -> list[dict]:
    """The stored feature values of an entry by feature group (kpis.risk.GROUPS order), each feature as
    (label, value, unit); the groups its reasons come from first, in the reasons' order, with the words and
    the probability points they account for."""
    from . import risk  # noqa: PLC0415  (numpy: only the pages that need it pay for the import)

    why = {r["group"]: r for r in risk_explanation(entry)}
    groups = []
    for group, names in risk.GROUPS.items():
        rows = []
        for name in names:
            text, unit = risk.FEATURE_LABELS[name]
            value = entry.features.get(name)
            if name in ("summer", "winter"):
                value, unit = (_("是") if value else _("否")), ""
            rows.append({"label": text, "value": value, "unit": unit})
        reason = why.get(group)
        groups.append({"group": group, "label": risk.GROUP_LABELS[group], "features": rows,
                       "reason": reason and reason["text"], "points": reason and reason["points"] * 100})
    order = list(why)
    return sorted(groups, key=lambda g: (order.index(g["group"]) if g["group"] in order else len(order)))


def district_history(*, district: District, month: dt.date, viewer) -> dict:
    """What lies behind a 台区's features, dated before ``month``: its monthly readings of the 13 months
    before it, the outages on it or its whole feeder in the 90 days before it, its grid projects, and the
    latest complaints the viewer may list (``scoping.scoped_orders``)."""
    start = bounds(month)[0]
    readings = (LoadReading.objects.filter(district=district, month__gte=shift(month, -13), month__lt=month)
                .order_by("-month"))
    on_district = Q(district=district)
    if district.feeder_id:
        on_district |= Q(district__isnull=True, feeder_id=district.feeder_id)
    outages = (Outage.objects.filter(on_district, start_at__gte=start - dt.timedelta(days=90), start_at__lt=start)
               .select_related("feeder").order_by("-start_at"))
    projects = GridProject.objects.filter(district=district).order_by("planned_on", "project_no")
    orders = scoping.scoped_orders(WorkOrder.objects.filter(district=district, is_complaint=True,
                                                            accepted_at__lt=start),
                                   scoping.scope_for(viewer))
    return {"readings": list(readings), "outages": list(outages), "projects": list(projects),
            "complaints": list(orders.select_related("category", "subcategory").order_by("-accepted_at")[:10])}
# --- drill-down below the city: counties, stations, 台区 and 台区经理 ---------------------------------

# What a unit's page lists under it: a city its counties, a county its stations, a station its 台区.
DRILL_CHILD = {OrgUnit.Level.CITY: "county", OrgUnit.Level.COUNTY: "station", OrgUnit.Level.STATION: "district"}
_UNIT_FIELD = {OrgUnit.Level.CITY: "city_id", OrgUnit.Level.COUNTY: "county_id", OrgUnit.Level.STATION: "station_id"}


def drill_unit_for_viewer(*, unit_id: int, viewer) -> OrgUnit:
    """A city, county or station whose drill-down the viewer may open (404 otherwise, ids reveal nothing)."""
    unit = OrgUnit.objects.filter(pk=unit_id, level__in=list(DRILL_CHILD)).first()
    if unit is None:
        raise Http404
    if not scoping.unit_allowed(scoping.scope_for(viewer), unit):
        scoping.deny()
    return unit


def _ranked(rows: list[dict]) -> list[dict]:
    """Ranked by 万户投诉量 ascending (fewer is better), ties sharing a rank; no 用户数 ranks last."""
    for r in rows:
        r["_key"] = -r["per_10k"] if r["per_10k"] is not None else float("-inf")
    competition_ranks(rows, key="_key")
    for r in rows:
        del r["_key"]
    return sorted(rows, key=lambda r: (r["rank"], r["name"]))


# Where a drill-down's 台区 master data and complaint facts come from (``drilldown``'s ``master_data``).
MASTER_LIVE, MASTER_FROZEN, MASTER_NOT_FROZEN = "live", "frozen", "not_frozen"
MASTER_FACTS_NOT_FROZEN = "facts_not_frozen"
MASTER_DATA_LABELS = {
    MASTER_LIVE: _("未发布，按当前数据计算"),
    MASTER_FROZEN: _("已发布，按发布时冻结的数据"),
    MASTER_NOT_FROZEN: _("已发布；投诉按发布时冻结，用户数、台区所属单位和台区经理按当前主数据（发布时未冻结）"),
    MASTER_FACTS_NOT_FROZEN: _("已发布；投诉归因、用户数和台区经理按发布时冻结，办结、及时、回访、接单、重复投诉和所属单位按当前工单（发布时未冻结）"),
}
# Added to a label when a month's complaint facts were not frozen either (published before both freezes).
FACTS_NOT_FROZEN_NOTE = _("办结、及时、回访、接单、重复投诉和所属单位按当前工单（发布时未冻结）")


def drill_master_data(month: dt.date) -> str:
    """``MASTER_FROZEN`` for a month published with its 台区 master data and complaint facts frozen,
    ``MASTER_LIVE`` for a draft, ``MASTER_NOT_FROZEN`` for a month published before the master data
    freeze existed: nothing records its 用户数, units and 台区经理 as published, so the page computes
    them from today's and says so; ``MASTER_FACTS_NOT_FROZEN`` for one published before the complaint
    facts were frozen (``facts_frozen``): its 办结, 回访 … come from the current work orders."""
    if not is_published(month):
        return MASTER_LIVE
    if not districts_frozen(month):
        return MASTER_NOT_FROZEN
    return MASTER_FROZEN if facts_frozen(month) else MASTER_FACTS_NOT_FROZEN


def master_data_label(master: str, *, facts_are_frozen: bool) -> str:
    """Where a drill-down's figures come from, in words (each exported row says it); ``master`` and
    ``facts_are_frozen`` as ``drilldown`` returns them."""
    text = MASTER_DATA_LABELS[master]
    if master == MASTER_NOT_FROZEN and not facts_are_frozen:
        return f"{text}；{FACTS_NOT_FROZEN_NOTE}"
    return str(text)


def _drill_figures(month: dt.date, unit: OrgUnit, department_id: int | None, master: str) -> dict:
    """The drill-down's rows as plain data (no model instances, no translated text: the names of
    unlinked rows are None), the same for every viewer of the same unit and department."""
    child = DRILL_CHILD[unit.level]
    in_unit = Q(**{_UNIT_FIELD[unit.level]: unit.pk})
    frozen = master == MASTER_FROZEN
    rows = {r[f"{child}_id"]: r for r in _complaint_rows(month, [child], where=in_unit,
                                                          department_id=department_id)}
    districts = month_districts(month, frozen=frozen).filter(in_unit)
    by = "code" if child == "district" else f"{child}_id"  # a work order's district_id is the 台区 code
    customers = dict(districts.values(by).annotate(n=Sum("customers")).values_list(by, "n"))
    if child == "district":
        names = {c: n or c for c, n in districts.values_list("code", "name")}
        # A complaint keeps the station it was filed under (the work order's, as imported) even when its
        # 台区 is another station's now (or was then): listed under its 台区's name, without its 用户数.
        missing = [k for k in rows if k is not None and k not in names]
        if missing:
            names.update((c, n or c) for c, n in month_districts(month, frozen=frozen).filter(code__in=missing)
                         .values_list("code", "name"))
        managers = {c: manager_label(n, s) for c, n, s in
                    districts.values_list("code", "manager_name", "manager_staff_no")}
    else:
        # A published month lists the units its frozen 台区 belonged to; a draft today's children.
        units = (OrgUnit.objects.filter(pk__in=[k for k in customers if k is not None]) if frozen
                 else OrgUnit.objects.filter(parent=unit))
        names = dict(units.values_list("pk", "name"))
        # Complaints filed under a unit that is no longer (or was not then) under this one keep its name.
        missing = [k for k in rows if k is not None and k not in names]
        if missing:
            names.update(OrgUnit.objects.filter(pk__in=missing).values_list("pk", "name"))
        managers = {}
    children = []
    for key in sorted(set(names) | set(rows), key=lambda k: (k is None, str(names.get(k) or k))):
        figures = _kpis(rows.get(key, _EMPTY), customers.get(key) or 0, None)
        name = names.get(key) or (key if child == "district" else None)
        children.append({"key": key, "name": name, "manager": managers.get(key), **figures})
    mgr_rows = _complaint_rows(month, ["manager"], where=in_unit, department_id=department_id,
                               frozen_managers=frozen)
    mgr_customers = {(n, s): c for n, s, c in districts.values("manager_name", "manager_staff_no")
                     .annotate(c=Sum("customers")).values_list("manager_name", "manager_staff_no", "c")}
    by_manager = {(r["manager_name"], r["manager_staff_no"]): r for r in mgr_rows}
    managers_out = []
    for key in set(by_manager) | set(mgr_customers):
        if key[0] is None:
            continue  # complaints without a 台区 or of a 台区 without a manager: in the children, not here
        figures = _kpis(by_manager.get(key, _EMPTY), mgr_customers.get(key) or 0, None)
        managers_out.append({"name": manager_label(*key), **figures})
    return {"child": child, "children": _ranked(children), "managers": _ranked(managers_out)}


def drill_figures(*, month: dt.date, unit: OrgUnit, department_id: int | None = None,
                  master: str | None = None) -> dict:
    """``_drill_figures``, cached per data version (``freshness.cached``: single flight, warmed up for the
    cities by ``services.warm_read_outs``). Shared by every viewer of the same unit and department: the
    unit's scope check stays with the caller (``drill_unit_for_viewer``), and a department head's key
    is their department's, so nobody reads figures counted for another scope."""
    master = master or drill_master_data(month)
    return freshness.cached("drilldown", label(month), unit.pk, department_id or "all", master,
                            compute=lambda: _drill_figures(month, unit, department_id, master))


def drilldown(*, month: dt.date, unit: OrgUnit, viewer) -> dict:
    """The figures of ``unit``'s children and of its 台区经理 for ``month``, as the scorecard computes
    them (``_complaint_rows``, ``_kpis``: 考核口径), aggregated in SQL.

    A department head's figures count their department's attributed complaints only (their scope).
    A published month never moves: complaints and attributions follow ``month_attributed``, 用户数,
    the 台区's units and the 台区经理 the month's ``FrozenDistrict`` (``grid.freeze``); a draft reads
    them live. ``master_data`` says which (``drill_master_data``: a month published before the freeze
    existed is computed from today's master data, one published before the complaint facts were
    frozen from the current work orders, and the page says so)."""
    scope = scoping.scope_for(viewer)
    master = drill_master_data(month)
    page = drill_figures(month=month, unit=unit, department_id=scope.department_id, master=master)
    for row in page["children"]:
        if row["name"] is None:
            row["name"] = _("（未关联）")
    # ``master`` already answers it but for a month published before both freezes (one EXISTS over the
    # month's snapshot rows; asked again per request it would be a scan of the month each time).
    facts = master != MASTER_FACTS_NOT_FROZEN and (master != MASTER_NOT_FROZEN or facts_frozen(month))
    return {"unit": unit, **page, "department_only": scope.department_id is not None,
            "published": master != MASTER_LIVE, "master_data": master, "facts_frozen": facts}


def seasonal_entries(*, seasonal_list, viewer):
    """A stored seasonal list's 台区 the viewer may see (their city company or county subtree; a department
    head their city company's, as the risk list), with city, county and station, riskiest first. A
    queryset: the page filters, sorts and pages it in the database, however long the list."""
    scope = scoping.scope_for(viewer)
    return (SeasonalRiskEntry.objects.filter(seasonal_list=seasonal_list).filter(scoping.district_q(scope))
            .select_related("district__city", "district__county", "district__station").order_by("rank"))


def seasonal_list_for(key: str | None) -> SeasonalRiskList | None:
    """The list ``YYYY-summer`` / ``YYYY-winter`` (the page's ``?list=``), else the latest one."""
    lists = SeasonalRiskList.objects.order_by("-year", "-season")  # winter (November) after summer (May)
    year, _sep, season = (key or "").partition("-")
    if year.isdigit() and season in SeasonalRiskList.Season.values:
        return lists.filter(year=int(year), season=season).first()
    return lists.first()

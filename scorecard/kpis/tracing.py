"""Supply-bottleneck detection (domain.md "Supply-bottleneck tracing").

Pure reads: given a month, return the incidents the grid data shows, each with
its responsible department, the rule that decided it and the evidence. The
candidate sets come from SQL (threshold filters and grouped outage counts); the
rules then run over those few hundred candidates, not over raw rows.
"""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.timezone import localtime

from scorecard.grid.models import District, GridProject, LoadReading, Outage
from scorecard.core.months import LOCAL_TZ, bounds, last_day

from .models import Incident, RuleSettings




@dataclass
class Detected:
    district: str
    city_id: int
    kind: str
    department: str  # department name
    rule: str
    evidence: dict = field(default_factory=dict)


def _num(value):
    return None if value is None else float(value)


def _project_rule(projects: list[dict], month_end: dt.date) -> tuple[str, str]:
    late = [p for p in projects if p["planned_on"] <= month_end
            and (p["commissioned_on"] is None or p["commissioned_on"] > month_end)]
    if late:
        return "基建", "project_late"
    if any(p["commissioned_on"] is not None and p["commissioned_on"] <= month_end for p in projects):
        return "运检", "persists_after_project"
    return "发展", "planning_gap"


def _outage_rule(outages: list[dict]) -> tuple[str, str]:
    if any(o["kind"] in (Outage.Kind.PLANNED, Outage.Kind.TEMPORARY) and not o["in_plan"] for o in outages):
        return "调控", "outage_not_in_plan"
    faults = sum(o["kind"] == Outage.Kind.FAULT for o in outages)
    if faults * 2 > len(outages):
        return "运检", "fault_majority"
    return "调控", "planned_majority"


def _load_incidents(month: dt.date, rs: RuleSettings) -> list[Detected]:
    readings = list(
        LoadReading.objects.filter(month=month)
        .filter(Q(max_load_pct__gte=rs.heavy_load_pct) | Q(min_voltage__lt=rs.low_voltage_v)
                | Q(max_voltage__gt=rs.over_voltage_v))
        .values("district_id", "district__city_id", "max_load_pct", "min_voltage", "max_voltage")
        .order_by("district_id")
    )
    if not readings:
        return []
    month_end = last_day(month)
    projects: dict[str, list[dict]] = {}
    for p in (GridProject.objects.filter(district_id__in=[r["district_id"] for r in readings])
              .values("district_id", "project_no", "kind", "planned_on", "commissioned_on").order_by("project_no")):
        projects.setdefault(p.pop("district_id"), []).append(p)

    found = []
    for r in readings:
        pct, vmin, vmax = r["max_load_pct"], r["min_voltage"], r["max_voltage"]
        reading = {"month": month.strftime("%Y-%m"), "max_load_pct": _num(pct), "min_voltage": _num(vmin),
                   "max_voltage": _num(vmax)}
        kinds = []
        if pct is not None and pct >= rs.overload_pct:
            kinds.append(("overload", {"overload_pct": _num(rs.overload_pct)}))
        elif pct is not None and pct >= rs.heavy_load_pct:
            kinds.append(("heavy_load", {"heavy_load_pct": _num(rs.heavy_load_pct),
                                         "overload_pct": _num(rs.overload_pct)}))
        has_load_problem = bool(kinds)
        if vmin is not None and vmin < rs.low_voltage_v:
            kinds.append(("low_voltage", {"low_voltage_v": _num(rs.low_voltage_v)}))
        if vmax is not None and vmax > rs.over_voltage_v:
            kinds.append(("over_voltage", {"over_voltage_v": _num(rs.over_voltage_v)}))
        district_projects = projects.get(r["district_id"], [])
        for kind, thresholds in kinds:
            evidence = {"reading": reading, "thresholds": thresholds}
            if kind in ("overload", "heavy_load") or (kind == "low_voltage" and has_load_problem):
                dept, rule = _project_rule(district_projects, month_end)
                evidence["projects"] = [
                    {**p, "planned_on": p["planned_on"].isoformat(),
                     "commissioned_on": p["commissioned_on"].isoformat() if p["commissioned_on"] else None}
                    for p in district_projects
                ]
                evidence["month_end"] = month_end.isoformat()
            else:
                dept, rule = "运检", "voltage_without_load" if kind == "low_voltage" else "over_voltage"
            found.append(Detected(r["district_id"], r["district__city_id"], kind, dept, rule, evidence))
    return found


def _outage_incidents(month: dt.date, rs: RuleSettings) -> list[Detected]:
    end = bounds(month)[1]
    start = end - dt.timedelta(days=rs.frequent_outage_days)
    window = Outage.objects.filter(start_at__gte=start, start_at__lt=end)
    own = (window.filter(district_id=OuterRef("code")).order_by().values("district_id")
           .annotate(n=Count("pk")).values("n"))
    feeder_wide = (window.filter(district__isnull=True, feeder_id=OuterRef("feeder_id")).order_by()
                   .values("feeder_id").annotate(n=Count("pk")).values("n"))
    candidates = list(
        District.objects.filter(
            Q(code__in=window.filter(district__isnull=False).values("district_id"))
            | Q(feeder_id__in=window.filter(district__isnull=True).values("feeder_id"))
        )
        .annotate(
            n=Coalesce(Subquery(own, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(feeder_wide, output_field=IntegerField()), Value(0))
        )
        .filter(n__gte=rs.frequent_outage_count)
        .values("code", "city_id", "feeder_id", "n")
        .order_by("code")
    )
    if not candidates:
        return []
    codes = [c["code"] for c in candidates]
    feeders = {c["feeder_id"] for c in candidates if c["feeder_id"]}
    by_district: dict[str, list[dict]] = {}
    by_feeder: dict[int, list[dict]] = {}
    tz = LOCAL_TZ
    for o in (window.filter(Q(district_id__in=codes) | Q(district__isnull=True, feeder_id__in=feeders))
              .values("outage_no", "kind", "start_at", "end_at", "in_plan", "district_id", "feeder_id",
                      feeder_name=F("feeder__name"))
              .order_by("start_at", "outage_no")):
        scope = o.pop("district_id")
        # Local time (Asia/Shanghai), like the window: the incident page and the notice print these as read.
        row = {**o, "start_at": localtime(o["start_at"], tz).isoformat(),
               "end_at": localtime(o["end_at"], tz).isoformat() if o["end_at"] else None,
               "scope": "district" if scope else "feeder"}
        (by_district.setdefault(scope, []) if scope else by_feeder.setdefault(o["feeder_id"], [])).append(row)
    found = []
    for c in candidates:
        outages = sorted(by_district.get(c["code"], []) + by_feeder.get(c["feeder_id"], []),
                         key=lambda o: (o["start_at"], o["outage_no"]))
        dept, rule = _outage_rule(outages)
        evidence = {"outages": outages, "window": [start.isoformat(), end.isoformat()],
                    "thresholds": {"count": rs.frequent_outage_count, "days": rs.frequent_outage_days}}
        found.append(Detected(c["code"], c["city_id"], "frequent_outage", dept, rule, evidence))
    return found


def detect(month: dt.date) -> list[Detected]:
    rs = RuleSettings.current()
    found = _outage_incidents(month, rs) + _load_incidents(month, rs)
    priority = {k: i for i, k in enumerate(Incident.LINK_PRIORITY)}
    return sorted(found, key=lambda d: (d.district, priority[d.kind]))

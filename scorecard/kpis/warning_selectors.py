"""预警工单 reads (issue #18): the scoped list and one order, each order's hit or miss, and the blocks the
monthly notice prints (last month's orders, this month's top risks per city). Reads never write.

Hit or miss: a warning for month M is a *hit* when the 台区 became a complaint hotspot in M — at least
``MULTI_CUSTOMER_MIN`` distinct customers complained (complaints.selectors, the threshold's one home,
the same rule the risk list is trained and scored on) — and a *miss* otherwise. It is only said once
M's data is in: the month's 数据截止 was declared, or complaints of a later month exist.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import translation

from scorecard.accounts import scoping
from scorecard.complaints.models import WorkOrder
from scorecard.complaints.selectors import MULTI_CUSTOMER_MIN, latest_month
from scorecard.core.months import bounds, current_month, label
from scorecard.grid.models import DistrictManagerAssignment
from scorecard.grid.selectors import assignments_on, month_manager_day

from . import risk_reasons
from .models import ReportingMonth, RiskEntry, RiskList, WarningAction, WarningOrder

TOP_RISKS_PER_CITY = 5


def assignment_for(*, district, month: dt.date) -> DistrictManagerAssignment | None:
    """The 台区经理 assignment (grid.DistrictManagerAssignment) that answers for ``district`` in ``month``:
    the one in effect on the month's last day (grid.selectors.month_manager_day), the day every monthly
    figure names its manager by, so that the order goes to the manager its hit or miss will be counted
    against. None when nobody holds the 台区 then."""
    return assignments_on(month_manager_day(month)).filter(district_id=district.code).order_by("-valid_from").first()


@dataclass(frozen=True)
class Outcome:
    """The 台区's actual complaints in the warning's month."""

    known: bool          # the month's data is in
    complaints: int
    customers: int       # distinct complainants

    @property
    def hit(self) -> bool | None:
        return (self.customers >= MULTI_CUSTOMER_MIN) if self.known else None


def warnings_for_viewer(*, viewer):
    """The orders the viewer may see: their unit subtree (a county or station leader: their county or
    station; a department head: their department's orders of their city company)."""
    scope = scoping.scope_for(viewer)
    qs = WarningOrder.objects.filter(scoping.district_q(scope, prefix=""))
    if scope.department_id is not None:
        qs = qs.filter(department_id=scope.department_id)
    return qs.select_related("district", "city", "county", "station", "department")


def warning_list(*, viewer, status: str = "", city_id: int | None = None, station_id: int | None = None,
                 month: dt.date | None = None):
    """The list page's rows: scoped first, then narrowed (never widened) by the filters, with the number
    of actions recorded."""
    qs = warnings_for_viewer(viewer=viewer)
    if status in WarningOrder.Status.values:
        qs = qs.filter(status=status)
    if city_id:
        qs = qs.filter(city_id=city_id)
    if station_id:
        qs = qs.filter(station_id=station_id)
    if month:
        qs = qs.filter(month=month)
    return qs.annotate(action_count=Count("actions")).order_by("-month", "due_on", "pk")


def warning_for_viewer(*, pk: int, viewer) -> WarningOrder:
    """One order inside the viewer's scope; 404 for one that does not exist, ScopeDenied (a 404 that is
    audited) for another unit's."""
    warning = (WarningOrder.objects.select_related("district", "city", "county", "station", "department",
                                                   "created_by", "acknowledged_by", "closed_by")
               .filter(pk=pk).first())
    if warning is None:
        raise Http404
    scope = scoping.scope_for(viewer)
    if not scoping.allows_district(scope, warning, department_id=warning.department_id):
        raise scoping.ScopeDenied
    return warning


def warning_actions(warning: WarningOrder) -> list[WarningAction]:
    return list(warning.actions.select_related("by").order_by("at", "pk"))


def timeline(warning: WarningOrder, actions: list[WarningAction]) -> list[dict]:
    """The order's events in time order: issued, acknowledged, each action, escalated, closed."""
    events = [{"at": warning.created_at, "what": "created", "by": warning.created_by}]
    if warning.acknowledged_at:
        events.append({"at": warning.acknowledged_at, "what": "acknowledged", "by": warning.acknowledged_by})
    events += [{"at": a.at, "what": "action", "by": a.by, "action": a} for a in actions]
    if warning.escalated_at:
        events.append({"at": warning.escalated_at, "what": "escalated", "by": None})
    if warning.closed_at:
        events.append({"at": warning.closed_at, "what": "closed", "by": warning.closed_by})
    return sorted(events, key=lambda e: e["at"])


def month_has_data(month: dt.date) -> bool:
    """Is ``month``'s complaint data complete enough to judge a warning for it?"""
    month = month.replace(day=1)
    if month >= current_month():
        return False
    if ReportingMonth.objects.filter(month=month, cutoff_at__isnull=False).exists():
        return True
    latest = latest_month()
    return latest is not None and latest > month


def outcomes(warnings) -> dict[int, Outcome]:
    """{order pk: Outcome} for the given orders: one aggregate statement per month among them (the 台区's
    complaints and distinct complainants in the order's month, counted in SQL)."""
    by_month: dict[dt.date, list] = {}
    for w in warnings:
        by_month.setdefault(w.month, []).append(w)
    out = {}
    for month, group in by_month.items():
        known = month_has_data(month)
        start, end = bounds(month)
        counts = {r["district_id"]: r for r in (
            WorkOrder.objects.filter(is_complaint=True, accepted_at__gte=start, accepted_at__lt=end,
                                     district_id__in={w.district_id for w in group})
            .values("district_id").annotate(n=Count("pk"), u=Count("customer", distinct=True)))}
        for w in group:
            row = counts.get(w.district_id) or {"n": 0, "u": 0}
            out[w.pk] = Outcome(known=known, complaints=row["n"], customers=row["u"])
    return out


# --- the notice's section 「预警与主动服务」 ---------------------------------------------------------

def notice_warning_block(month: dt.date) -> dict:
    """The orders issued for ``month`` as the notice prints them (plain JSON; every count from the
    database): how many, acknowledged, closed, escalated, the actions by kind, hits and misses."""
    orders = WarningOrder.objects.filter(month=month)
    totals = orders.aggregate(
        count=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        done=Count("pk", filter=Q(status=WarningOrder.Status.DONE)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)))
    # Apart from the totals: joining the actions there would count an order once per action.
    totals["acted"] = WarningAction.objects.filter(warning__month=month).values("warning_id").distinct().count()
    kinds = dict(WarningAction.objects.filter(warning__month=month).values("kind")
                 .annotate(n=Count("pk")).values_list("kind", "n"))
    by_kind = [{"kind": k, "count": kinds[k]} for k in WarningAction.Kind.values if kinds.get(k)]
    results = outcomes(orders.only("pk", "month", "district_id"))
    known = [o for o in results.values() if o.known]
    return {"month": label(month), "threshold": MULTI_CUSTOMER_MIN, **totals, "actions": sum(kinds.values()),
            "actions_by_kind": by_kind,
            "judged": len(known), "hits": sum(1 for o in known if o.hit),
            "misses": sum(1 for o in known if not o.hit)}


def notice_risk_block(month: dt.date, per_city: int = TOP_RISKS_PER_CITY) -> dict:
    """The stored risk list of ``month`` (the month the notice is issued in): its top ``per_city`` 台区
    of each city company, ranked in SQL (a window over the list's ranks). ``stored`` False when the
    list was not computed (the notice says so)."""
    rl = RiskList.objects.filter(month=month).first()
    if rl is None:
        return {"month": label(month), "stored": False, "model": "", "cities": []}
    rows = (RiskEntry.objects.filter(risk_list=rl)
            .annotate(city_rank=Window(RowNumber(), partition_by=[F("district__city_id")], order_by=F("rank").asc()))
            .filter(city_rank__lte=per_city)
            .values("district_id", "district__name", "district__city__name", "district__city__path",
                    "district__station__name", "rank", "probability", "reasons")
            .order_by("district__city__path", "rank"))
    cities: dict[str, dict] = {}
    # The notice is Chinese and its snapshot keeps the words it was made with (a notice renders the same
    # whenever it is rendered): the stored reasons are written here, in Chinese, whoever asks.
    with translation.override(settings.LANGUAGE_CODE):
        for r in rows:
            city = cities.setdefault(r["district__city__name"], {"city": r["district__city__name"], "rows": []})
            city["rows"].append({"code": r["district_id"], "name": r["district__name"] or "",
                                 "station": r["district__station__name"] or "", "rank": r["rank"],
                                 "probability": r["probability"],
                                 "reasons": risk_reasons.texts(list(r["reasons"] or [])[:2])})
    return {"month": label(month), "stored": True, "model": rl.model, "cities": list(cities.values())}

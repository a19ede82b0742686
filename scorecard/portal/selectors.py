"""Reads for the home page: what each role needs to see first.

- analyst (and administrator): the latest month's totals, appeals waiting for a
  decision, the month's notice status, recent imports;
- department head: their rank and score, their KPIs against the band-A target,
  their open appeals and rectification items;
- leader: their company's rank and its departments;
- auditor: the latest published notices and the latest audit entries.

Everything is narrowed by ``accounts.scoping.scope_for``. A published month is
read from its frozen snapshot; an unpublished one is computed from current data
without re-tracing (a page view must not write).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from scorecard.accounts import scoping
from scorecard.accounts.models import AuditLog
from scorecard.complaints import selectors as complaint_selectors
from scorecard.core.months import current_month
from scorecard.imports import selectors as import_selectors
from scorecard.grid.models import OrgUnit
from scorecard.kpis import selectors as kpi_selectors
from scorecard.kpis.models import Appeal, KpiDefinition, Rectification, ReportingMonth, RuleSettings
from scorecard.notices.models import Notice

KPI_NAMES = dict(kpi_selectors.KPI_LABELS)


def month_state(month: dt.date | None) -> dict:
    rm = ReportingMonth.objects.filter(month=month).first() if month else None
    now = timezone.now()
    return {
        "reporting_month": rm,
        "published": bool(rm and rm.is_published),
        "draft": bool(rm and rm.draft_at),
        # The appeal window is ReportingMonth.stage_at's (the cycle the notices page shows).
        "appeal_open": bool(rm and rm.stage_at(now) == ReportingMonth.Stage.APPEAL),
        "appeal_deadline": rm.appeal_deadline if rm else None,
    }


def scorecard(month: dt.date) -> dict:
    rm = kpi_selectors.published_month(month)
    if rm is not None and rm.scorecard is not None:
        return rm.scorecard
    return kpi_selectors.scorecard_for_month(month)


def _rectifications(scope: scoping.Scope):
    qs = Rectification.objects.exclude(status=Rectification.Status.DONE)
    if scope.city_ids is not None:
        qs = qs.filter(city_id__in=scope.city_ids)
    if scope.department_id is not None:
        qs = qs.filter(department_id=scope.department_id)
    return qs


def open_rectifications(scope: scoping.Scope, *, limit: int = 8) -> dict:
    today = timezone.localdate()
    qs = _rectifications(scope)
    counts = qs.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)),
                          due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=3))))
    items = list(qs.select_related("incident", "incident__district", "department", "city")
                 .order_by("due_on", "pk")[:limit])
    for r in items:
        r.overdue = r.due_on < today
        r.due_soon = not r.overdue and r.due_on <= today + dt.timedelta(days=3)
        r.days_left = (r.due_on - today).days
    return {**counts, "items": items}


def analyst(user, month: dt.date | None) -> dict:
    ctx = {"totals": complaint_selectors.totals(month) if month else None}
    ctx["pending_appeals"] = Appeal.objects.filter(status=Appeal.Status.PENDING).count()
    ctx["recent_appeals"] = list(kpi_selectors.appeal_list(viewer=user, status=Appeal.Status.PENDING)
                                 .order_by("filed_at")[:5])
    ctx["notices"] = list(Notice.objects.filter(month=month).order_by("-version")[:3]) if month else []
    ctx["imports"] = list(import_selectors.import_job_list(viewer=user)[:5])
    ctx["rectifications"] = open_rectifications(scoping.scope_for(user), limit=5)
    if month:
        card = scorecard(month)
        ctx["top_units"] = card["units"][:5]
    ctx["calendar_warnings"] = calendar_warnings(month)
    return ctx


def calendar_warnings(month: dt.date | None) -> list[str]:
    """Warnings for the month shown and the current month whose holiday calendar nobody loaded
    (the on-time rate then counts Monday to Friday as working days)."""
    months = sorted({m for m in (month, current_month()) if m})
    return [w for w in dict.fromkeys(kpi_selectors.calendar_warning(m) for m in months) if w]


def department_head(user, month: dt.date | None) -> dict:
    scope = scoping.scope_for(user)
    ctx = {"rectifications": open_rectifications(scope),
           "appeals": list(kpi_selectors.appeal_list(viewer=user).filter(Q(status=Appeal.Status.PENDING) | Q(
               decided_at__gte=timezone.now() - dt.timedelta(days=30))).order_by("-filed_at")[:8])}
    ctx["pending_appeals"] = sum(1 for a in ctx["appeals"] if a.status == Appeal.Status.PENDING)
    if not month:
        return ctx
    city = user.org_unit.city if user.org_unit and user.org_unit.city_id else None
    card = scorecard(month)
    row = next((d for d in card["departments"]
                if city and d["unit"] == city.name and d["department"] == user.department.name), None)
    ctx["row"] = row
    ctx["peers"] = sum(1 for d in card["departments"] if d["department"] == user.department.name)
    if row:
        defs = KpiDefinition.objects.filter(level=KpiDefinition.Level.DEPARTMENT, active=True)
        kpis, days = [], RuleSettings.current().repeat_days
        for d in defs:
            value = row.get(d.code)
            band = (row.get("bands") or {}).get(d.code) or d.band(value)
            kpis.append({"code": d.code, "name": kpi_selectors.kpi_name(d.code, repeat_days=days, default=d.name),
                         "value": value, "band": band,
                         "target": d.band_a, "lower": d.polarity == KpiDefinition.Polarity.LOWER,
                         "meets": band == "A", "weight": d.weight})
        ctx["kpis"] = kpis
    ctx["city"] = city
    return ctx


def leader(user, month: dt.date | None) -> dict:
    scope = scoping.scope_for(user)
    ctx = {"rectifications": open_rectifications(scope, limit=5)}
    if not month:
        return ctx
    card = scorecard(month)
    if scope.city_ids is None:
        ctx["units"] = card["units"]
        ctx["unit_count"] = len(card["units"])
        return ctx
    names = set(OrgUnit.objects.filter(pk__in=scope.city_ids).values_list("name", flat=True))
    ctx["unit_rows"] = [u for u in card["units"] if u["unit"] in names]
    ctx["unit_count"] = len(card["units"])
    ctx["departments"] = [d for d in card["departments"] if d["unit"] in names]
    ctx["peers"] = {}
    for d in card["departments"]:
        ctx["peers"][d["department"]] = ctx["peers"].get(d["department"], 0) + 1
    for d in ctx["departments"]:
        d["peers"] = ctx["peers"][d["department"]]
    return ctx


def auditor(user, month: dt.date | None) -> dict:
    return {
        "published": list(Notice.objects.filter(status__in=Notice.FINAL).order_by("-month", "-version")[:6]),
        "audit": list(AuditLog.objects.order_by("-at", "-id")[:8]),
        "pending_appeals": Appeal.objects.filter(status=Appeal.Status.PENDING).count(),
    }

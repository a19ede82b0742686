"""Reads of one work order (its detail page) and of the search: scoped, read-only.

Who may open an order is who may list it (``accounts.scoping.scoped_orders``): their unit subtree and,
for a department head, only the complaints attributed to their department. Any other order answers 404
exactly like one that does not exist (``scoping.ScopeDenied``, audited by the middleware). Customer
names and phone numbers are masked unless the viewer may see personal data (``core.roles``).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from scorecard.accounts import scoping
from scorecard.accounts.models import AuditLog
from scorecard.complaints import selectors as complaint_selectors
from scorecard.complaints.models import WorkOrder
from scorecard.core.months import LOCAL_TZ
from scorecard.core.roles import can_see_personal_data
from scorecard.grid.models import District
from scorecard.kpis import repeats
from scorecard.kpis import selectors as kpi_selectors
from scorecard.kpis.attribution import attributed
from scorecard.kpis.expressions import acknowledged_in_time_q, clock_annotations, on_time_q, with_deadline
from scorecard.kpis.models import RuleSettings
from scorecard.kpis.services import effective_verification



def order_for_viewer(*, order_no: str, viewer) -> WorkOrder:
    """The work order ``order_no`` if the viewer may list it; Http404 if there is none,
    ``scoping.ScopeDenied`` (a 404 too) if it is outside the viewer's scope."""
    order = (WorkOrder.objects.select_related("business_type", "category", "subcategory", "detail", "customer",
                                              "city", "county", "station", "district", "feeder", "responsible_dept")
             .filter(order_no=order_no).first())
    if order is None:
        raise Http404
    if not complaint_selectors.in_order_lists(order, viewer=viewer):
        scoping.deny()
    return order


def duration_text(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """``end - start`` as 「1天3小时20分」 (minutes dropped past a day); "" when either is missing."""
    if start is None or end is None:
        return ""
    minutes = max(int((end - start).total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d天") % {"n": days})
    if hours or days:
        parts.append(_("%(n)d小时") % {"n": hours})
    if not days:
        parts.append(_("%(n)d分") % {"n": mins})
    return "".join(parts)


def _sla(order: WorkOrder) -> dict:
    """The SLA deadline of a complaint and whether it was met, by the KPI's own SQL (``with_deadline``,
    ``on_time_q``, ``acknowledged_in_time_q``) so the page and the figures agree."""
    settings = RuleSettings.current()
    row = (with_deadline(WorkOrder.objects.filter(pk=order.pk)).annotate(**clock_annotations())
           .annotate(on_time=Case(When(on_time_q(), then=Value(True)), default=Value(False), output_field=BooleanField()),
                     ack_in_time=Case(When(acknowledged_in_time_q(settings.ack_hours), then=Value(True)),
                                      default=Value(False), output_field=BooleanField()))
           .values("deadline_date", "acc_working", "acc_clock", "on_time", "ack_in_time").first())
    deadline = None
    if row and row["deadline_date"]:
        # domain.md: by the acceptance clock time on the deadline day; accepted on a non-working day, by 24:00.
        if row["acc_working"]:
            clock = row["acc_clock"] if isinstance(row["acc_clock"], dt.time) else dt.time.fromisoformat(str(row["acc_clock"]))
            deadline = dt.datetime.combine(row["deadline_date"], clock.replace(microsecond=0), tzinfo=LOCAL_TZ)
        else:
            deadline = dt.datetime.combine(row["deadline_date"] + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    ack_due = (order.dispatched_at or order.accepted_at) + dt.timedelta(hours=settings.ack_hours)
    return {
        "working_days": order.business_type.sla_working_days,
        "deadline": deadline,
        "on_time": bool(row and row["on_time"]),
        "overdue_open": bool(deadline and order.closed_at is None and timezone.now() > deadline),
        "ack_hours": settings.ack_hours,
        "ack_due": ack_due,
        "ack_in_time": bool(row and row["ack_in_time"]),
    }


def _timeline(order: WorkOrder) -> list[dict]:
    """受理 → 派单 → 接单 → 办结 → 回访, each with its time and the time since the previous step that happened."""
    steps = [("accepted", _("受理"), order.accepted_at), ("dispatched", _("派单"), order.dispatched_at),
             ("acknowledged", _("接单"), order.acknowledged_at), ("closed", _("办结"), order.closed_at)]
    out, previous = [], None
    for key, name, at in steps:
        out.append({"key": key, "name": name, "at": at, "done": at is not None,
                    "since_previous": duration_text(previous, at) if previous else ""})
        previous = at or previous
    # 回访 carries no time in the 95598 export: its result is the step.
    out.append({"key": "visited", "name": _("回访"), "at": None, "done": bool(order.satisfaction),
                "result": order.get_satisfaction_display() if order.satisfaction else "", "since_previous": ""})
    return out


def _attribution(order: WorkOrder) -> dict | None:
    """Which department answers for the complaint and the rule that decided it (``kpis.attribution``)."""
    if not order.is_complaint:
        return None
    row = (attributed(WorkOrder.objects.filter(pk=order.pk))
           .select_related("category", "subcategory", "incident_link__incident", "override__appeal").first())
    names = repeats.department_names()
    return {"department": names.get(row.attr_department_id, ""), "department_id": row.attr_department_id,
            "rule": row.attr_rule, "rule_label": kpi_selectors.RULE_LABELS.get(row.attr_rule, row.attr_rule),
            "reason": kpi_selectors.attribution_reason(row),
            "frozen": hasattr(row, "frozen")}


def _audit_trail(order: WorkOrder, appeal_ids: list[int]) -> list[AuditLog]:
    """The audit entries about the order, its appeals the viewer may see and its customer, oldest first."""
    q = Q(object_type="complaints.workorder", object_id=str(order.pk))
    if appeal_ids:
        q |= Q(object_type="kpis.appeal", object_id__in=[str(pk) for pk in appeal_ids])
    if order.customer_id:
        q |= Q(object_type="complaints.customer", object_id=str(order.customer.pk))
    return list(AuditLog.objects.filter(q).order_by("at", "id")[:200])


def mask_text(text: str) -> str:
    """Free text (受理内容) for a viewer without personal data: digit runs of 7+ (phone, ID, account
    numbers) masked like a phone number."""
    return scoping.mask_text(text)  # the one rule for free text (accounts.scoping)


def _verification(order: WorkOrder) -> dict | None:
    """核实与定责 as the scorecard reads it (``kpis.services.effective_verification``: the analyst's, else the
    export's) and whether the complaint counts in 考核口径 (not 不属实, 无责 or 降级为意见)."""
    if not order.is_complaint:
        return None
    v = effective_verification(order)
    labels = {**dict(WorkOrder.Validity.choices), **dict(WorkOrder.Fault.choices)}
    excluded = (v["valid"] == WorkOrder.Validity.NOT_VALID or v["at_fault"] == WorkOrder.Fault.NOT_AT_FAULT
                or v["downgraded"])
    return {"valid": labels.get(v["valid"], ""), "at_fault": labels.get(v["at_fault"], ""),
            "downgraded": v["downgraded"], "from_portal": v["source"] == "portal", "counted": not excluded}


def order_detail(order: WorkOrder, *, viewer) -> dict:
    """Everything the detail page shows, for a viewer ``order_for_viewer`` let through."""
    personal = can_see_personal_data(viewer)
    appeals = list(kpi_selectors.appeal_list(viewer=viewer).filter(work_order=order)
                   .select_related("decided_by").order_by("filed_at", "pk"))
    customer = order.customer
    shown = (lambda text: text or "") if personal else mask_text
    audit = _audit_trail(order, [a.pk for a in appeals])
    for a in appeals:  # the order's few appeals and audit entries, already fetched
        a.shown_reason, a.shown_decision = shown(a.reason), shown(a.decision_reason)
    for e in audit:
        e.shown_summary = shown(e.summary)
    return {
        "order": order,
        "personal": personal,
        "customer_name": order.customer_name if personal else scoping.mask_name(order.customer_name),
        "phone": order.phone if personal else scoping.mask_phone(order.phone),
        "content": order.content if personal else mask_text(order.content),
        "sensitive": bool(customer and customer.sensitive),
        "sensitive_note": customer.sensitive_note if customer and personal else "",
        "timeline": _timeline(order),
        "sla": _sla(order) if order.is_complaint else None,
        "attribution": _attribution(order),
        "verification": _verification(order),
        "incident": getattr(getattr(order, "incident_link", None), "incident", None),
        "chain": repeats.repeat_chain(order, viewer=viewer),
        "appeals": appeals,
        "audit": audit,
    }


# --- search -------------------------------------------------------------------------------------------

MIN_PREFIX = 4  # shorter terms match exactly only: a 2-character prefix would list half the province


def search_orders(*, viewer, q: str) -> QuerySet:
    """Work orders the viewer may list whose order number, customer number or 台区 code is ``q`` (or starts
    with it, for 4+ characters), or whose 台区 name contains it; newest first. Empty for a blank ``q``."""
    q = (q or "").strip()
    scope = scoping.scope_for(viewer)
    # Department heads list complaints only (the other business types are not attributed to anyone).
    base = complaint_selectors.order_list(viewer=viewer, complaints_only=scope.department_id is not None)
    if not q:
        return base.none()
    prefix = len(q) >= MIN_PREFIX
    district_match = Q(code=q) | Q(name__icontains=q) | (Q(code__startswith=q) if prefix else Q(pk__in=[]))
    districts = District.objects.filter(district_match).filter(scoping.district_q(scope, prefix=""))
    match = Q(order_no=q) | Q(customer_id=q) | Q(district_id__in=districts.values("code"))
    if prefix:
        match |= Q(order_no__startswith=q) | Q(customer__customer_no__startswith=q)
    return base.filter(match)


def exact_order(*, viewer, q: str) -> str | None:
    """The order number ``q`` if it names exactly an order the viewer may list (the search then opens it)."""
    q = (q or "").strip()
    if not q:
        return None
    qs = complaint_selectors.order_list(viewer=viewer, complaints_only=False).filter(order_no=q)
    return q if qs.exists() else None

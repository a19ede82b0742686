"""预警工单 writes (issue #18, proactive service): issue, acknowledge, record an action, close, escalate.

Keyword-only, audited (``warning.*`` in accounts.audit), permission checked here as well as in the
views (scorecard.core.roles.can_create_warning / can_handle_warning), so a command or the API cannot
do what the page refuses. Kept beside kpis.services rather than in it: the workflow is its own.

Who is told: the order's assignees (leaders of its 供电所/县公司 and the head of its department in the
city company) when it is issued; the department head again when it runs overdue (the daily beat job
``escalate_overdue_warnings``).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scorecard.accounts import audit, notifications
from scorecard.accounts.models import Notification, User
from scorecard.core.months import label
from scorecard.core.roles import Role, can_create_warning, can_handle_warning
from scorecard.grid.models import Department, District

from .models import RiskEntry, WarningAction, WarningOrder

# The department a 台区's equipment answers to when the analyst names none (load, voltage, outages).
DEFAULT_DEPARTMENT = "yj"


def _state(w: WarningOrder) -> dict:
    return {"status": w.status, "due_on": w.due_on.isoformat(),
            "acknowledged": w.acknowledged_at is not None, "escalated": w.escalated_at is not None}


def assignees(warning: WarningOrder) -> list[User]:
    """Everyone ``can_handle_warning`` admits for this order (active users only)."""
    unit_ids = [pk for pk in (warning.county_id, warning.station_id) if pk]
    leaders = User.objects.filter(is_active=True, role=Role.LEADER, org_unit_id__in=unit_ids)
    return list(leaders) + list(department_heads_of(warning))


def department_heads_of(warning: WarningOrder):
    return User.objects.filter(is_active=True, role=Role.DEPARTMENT_HEAD, department_id=warning.department_id,
                               org_unit__city_id=warning.city_id)


def _url(warning: WarningOrder) -> str:
    return reverse("kpis:warning", args=[warning.pk])


def _what(warning: WarningOrder) -> str:
    return _("%(code)s %(name)s（%(month)s）") % {"code": warning.district_id, "name": warning.district.name,
                                                "month": label(warning.month)}


def create_warning(*, user, district: District, month: dt.date, due_on: dt.date,
                   department: Department | None = None, manager_name: str = "", manager_staff_no: str = "",
                   note: str = "") -> WarningOrder:
    """Issue a 预警工单 for ``district`` in ``month`` (the month the risk is for). If the month's stored
    risk list has the 台区, its probability, rank and reasons go onto the order."""
    if not can_create_warning(user):
        raise PermissionDenied
    month = month.replace(day=1)
    today = timezone.localdate()
    if due_on < today:
        raise ValidationError(_("处理期限不能早于今天"))
    department = department or Department.objects.get(code=DEFAULT_DEPARTMENT)
    entry = (RiskEntry.objects.filter(risk_list__month=month, district_id=district.code)
             .only("rank", "probability", "reasons").first())
    warning = WarningOrder(
        month=month, district=district, city_id=district.city_id, county_id=district.county_id,
        station_id=district.station_id, department=department, manager_name=manager_name.strip(),
        manager_staff_no=manager_staff_no.strip(), note=note.strip(), due_on=due_on, created_by=user,
        created_at=timezone.now(), probability=entry.probability if entry else None,
        risk_rank=entry.rank if entry else None, reasons=entry.reasons if entry else [])
    with transaction.atomic():
        try:
            with transaction.atomic():
                warning.save()
        except IntegrityError as exc:
            raise ValidationError(_("该台区本月已有预警工单")) from exc
        audit.record(user=user, action="warning.create", obj=warning,
                     summary=f"预警工单 {district.code} {label(month)}，期限 {due_on.isoformat()}",
                     after=_state(warning) | {"district": district.code, "department": department.name,
                                              "risk_rank": warning.risk_rank})
        with translation.override(settings.LANGUAGE_CODE):
            notifications.notify(
                users=assignees(warning), kind=Notification.Kind.WARNING_ASSIGNED,
                title=_("新的预警工单：%(what)s") % {"what": _what(warning)},
                body=_("该台区下月可能成为投诉热点，请在 %(due)s 前确认并开展主动服务（巡视、负荷调整、改造申请或客户走访）。")
                % {"due": due_on.isoformat()} + (f"\n{warning.note}" if warning.note else ""),
                url=_url(warning))
    return warning


def _check(user, warning: WarningOrder) -> None:
    if not can_handle_warning(user, warning):
        raise PermissionDenied


@transaction.atomic
def acknowledge_warning(*, user, warning: WarningOrder) -> WarningOrder:
    """The assignee confirms they have the order. An escalated order stays escalated (it is still late)."""
    _check(user, warning)
    warning = WarningOrder.objects.select_for_update().get(pk=warning.pk)
    if warning.acknowledged_at is not None or warning.status == WarningOrder.Status.DONE:
        raise ValidationError(_("该预警工单已确认"))
    before = _state(warning)
    warning.acknowledged_by, warning.acknowledged_at = user, timezone.now()
    if warning.status == WarningOrder.Status.PENDING:
        warning.status = WarningOrder.Status.IN_PROGRESS
    warning.save(update_fields=["acknowledged_by", "acknowledged_at", "status"])
    audit.record(user=user, action="warning.acknowledge", obj=warning, summary=f"确认预警工单 {warning}",
                 before=before, after=_state(warning))
    return warning


@transaction.atomic
def record_warning_action(*, user, warning: WarningOrder, kind: str, text: str,
                          at: dt.datetime | None = None) -> WarningAction:
    """One action taken (巡视, 负荷调整, 改造申请, 客户走访), on an acknowledged order not yet closed."""
    _check(user, warning)
    warning = WarningOrder.objects.select_for_update().get(pk=warning.pk)
    if kind not in WarningAction.Kind.values:
        raise ValidationError(_("未知措施类型：%(k)s") % {"k": kind})
    if not text.strip():
        raise ValidationError(_("请填写措施内容"))
    if warning.acknowledged_at is None:
        raise ValidationError(_("请先确认预警工单"))
    if warning.status == WarningOrder.Status.DONE:
        raise ValidationError(_("预警工单已办结"))
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError(_("实施时间不能晚于现在"))
    action = WarningAction.objects.create(warning=warning, kind=kind, text=text.strip(), at=at, by=user)
    audit.record(user=user, action="warning.action", obj=warning,
                 summary=f"{warning} {action.get_kind_display()}：{action.text}"[:300],
                 after={"kind": kind, "at": at.isoformat()})
    return action


@transaction.atomic
def close_warning(*, user, warning: WarningOrder, outcome: str) -> WarningOrder:
    """办结 with the outcome in words; at least one action must have been recorded."""
    _check(user, warning)
    warning = WarningOrder.objects.select_for_update().get(pk=warning.pk)
    if warning.status == WarningOrder.Status.DONE:
        raise ValidationError(_("预警工单已办结"))
    if warning.acknowledged_at is None:
        raise ValidationError(_("请先确认预警工单"))
    if not warning.actions.exists():
        raise ValidationError(_("办结前请至少记录一项处理措施"))
    if not outcome.strip():
        raise ValidationError(_("请填写处理结果"))
    before = _state(warning)
    warning.status, warning.outcome = WarningOrder.Status.DONE, outcome.strip()
    warning.closed_by, warning.closed_at = user, timezone.now()
    warning.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
    audit.record(user=user, action="warning.close", obj=warning, summary=f"办结预警工单 {warning}",
                 before=before, after=_state(warning) | {"outcome": warning.outcome[:200]})
    return warning


def escalate_overdue_warnings(*, today: dt.date | None = None) -> int:
    """Daily job: open orders past their due date become 已逾期升级 and the head of their department in
    the city company is told, one digest per head. Each order escalates once (its status changes).
    Returns the number of orders escalated."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(WarningOrder.objects.select_for_update()
                   .filter(status__in=[WarningOrder.Status.PENDING, WarningOrder.Status.IN_PROGRESS],
                           due_on__lt=today)
                   .select_related("district").order_by("due_on", "pk"))
        if not due:
            return 0
        now = timezone.now()
        digests: dict[int, tuple[User, list[WarningOrder]]] = {}
        for w in due:
            before = _state(w)
            w.status, w.escalated_at = WarningOrder.Status.ESCALATED, now
            w.save(update_fields=["status", "escalated_at"])
            audit.record(action="warning.escalate", obj=w, username="system",
                         summary=f"预警工单 {w} 逾期（期限 {w.due_on.isoformat()}）升级至部门负责人",
                         before=before, after=_state(w))
            for head in department_heads_of(w):
                digests.setdefault(head.pk, (head, []))[1].append(w)
        with translation.override(settings.LANGUAGE_CODE):
            for _pk, (head, orders) in sorted(digests.items()):
                lines = [_("%(what)s，处理期限 %(due)s，%(state)s") % {
                    "what": _what(w), "due": w.due_on.isoformat(),
                    "state": _("已确认未办结") if w.acknowledged_at else _("未确认")} for w in orders]
                notifications.notify(
                    users=[head], kind=Notification.Kind.WARNING_ESCALATED,
                    title=_("%(n)s 张预警工单已逾期") % {"n": len(orders)}, body="\n".join(lines),
                    url=_url(orders[0]) if len(orders) == 1 else reverse("kpis:warnings") + "?status=escalated")
    return len(due)

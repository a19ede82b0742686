"""Writes of the kpis app: tracing a month, publishing it, appeals, rectification, calendar."""
import dataclasses
import datetime as dt
import statistics

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scorecard.accounts import audit, notifications
from scorecard.complaints.freeze import freeze_month as freeze_profile
from scorecard.complaints.freeze import unfreeze_month as unfreeze_profile
from scorecard.grid.freeze import freeze_month as freeze_districts
from scorecard.grid.freeze import unfreeze_month as unfreeze_districts
from scorecard.complaints.selectors import (
    analysis_lists,
    late_rows,
    latest_month,
    profile_changes,
    profile_readout,
    shared_customer_lists,
)
from scorecard.core import freshness
from scorecard.core.tasks import enqueue
from scorecard.core.months import LOCAL_TZ, default_month, label, last_day, parse_month, shift
from scorecard.core.numbers import half_up
from scorecard.core.roles import can_enter_deduction, can_file_appeal, can_set_verification
from scorecard.core.signals import attribution_changed
from scorecard.complaints.models import WorkOrder
from scorecard.grid.models import Department, OrgUnit

from . import calendar as workcal
from . import risk, seasonal
from .attribution import attributed, month_complaints
from .expressions import FACTS, exclusion_case, frozen_facts
from .models import (
    SeasonalRiskEntry,
    SeasonalRiskList,
    Appeal,
    AttributionOverride,
    CalendarYear,
    Deduction,
    DeductionKind,
    Incident,
    IncidentComplaint,
    KpiDefinition,
    LateData,
    Rectification,
    ReportingMonth,
    RiskEntry,
    RiskList,
    RuleSettings,
    SnapshotAttribution,
    Verification,
    WorkCalendar,
    WorkingDayOverride,
)
from .selectors import (
    compute_scorecard,
    department_trend,
    drill_figures,
    is_published,
    month_has_data,
    scorecard_for_month,
    trace_for_month,
)
from .tracing import detect


class MonthPublished(Exception):
    """The month is published: its figures are frozen and may not be recomputed."""

    def __init__(self, month: dt.date):
        super().__init__(_("%(month)s 已发布，数据已冻结，不能重新计算") % {"month": label(month)})
        self.month = month


# Which complaints a kind of incident explains (domain.md "Linked complaints").
def _link_filter(kind: str):
    outage = Q(subcategory__name="频繁停电")
    low = Q(detail__name="低电压")
    return {
        "frequent_outage": outage | Q(category__name="停送电"),
        "overload": low | outage,
        "heavy_load": low,
        "low_voltage": low,
        "over_voltage": Q(detail__name="过电压"),
    }[kind]


def lock_month(month: dt.date) -> ReportingMonth:
    """The month's row, created if missing and locked FOR UPDATE until the transaction ends.

    It serialises the writers of one month (traces, cutoff, publication): a second trace of
    the same month waits for the first instead of colliding on ``incident_unique``. Call it
    inside a transaction. (SQLite has no row locks; its single writer serialises anyway.)
    """
    month = month.replace(day=1)
    try:
        with transaction.atomic():
            ReportingMonth.objects.get_or_create(month=month)
    except IntegrityError:
        pass  # created by a concurrent writer between our read and our insert: lock theirs
    return ReportingMonth.objects.select_for_update().get(month=month)


@transaction.atomic
def trace_month(*, month: dt.date, user=None, reason: str = "") -> list[Incident]:
    """Detect the month's incidents from current grid data and link its complaints.

    A write, run when its inputs change (an import, a rule edit, a draft, an analyst's
    button, ``trace_bottlenecks --write``), never by a read. Serialised per month by
    ``lock_month``; records ``traced_at`` and an audit entry.

    Incidents are upserted on (台区, month, kind) so that a re-trace keeps their
    rectification items and progress; incidents the data no longer shows are
    removed with their links. Rectification items are decided after linking:
    only incidents with linked complaints (追责事件) get one — see _sync_rectifications.
    """
    month = month.replace(day=1)
    rm = lock_month(month)
    if rm.is_published:
        raise MonthPublished(month)
    incidents = _trace(month)
    rm.traced_at = timezone.now()
    rm.save(update_fields=["traced_at"])  # a figure model: bumps the data version (freshness)
    freshness.bump()  # the incident rows were written in bulk, without signals
    freshness.schedule_warm_up([month])  # after the commit (an import's re-trace, a publication, a rule edit)
    audit.record(user=user, action="month.trace", obj=rm, summary=f"溯源 {label(month)}：{len(incidents)} 起事件",
                 after={"incidents": len(incidents), "reason": reason})
    return incidents


def _trace(month: dt.date) -> list[Incident]:
    rs = RuleSettings.current()
    departments = {d.name: d.pk for d in Department.objects.all()}
    detected = detect(month)
    existing = {(i.district_id, i.kind): i for i in Incident.objects.filter(month=month)}
    keep = set()
    due_on = last_day(month) + dt.timedelta(days=rs.rectification_days)
    to_create, to_update = [], []
    for d in detected:
        key = (d.district, d.kind)
        keep.add(key)
        inc = existing.get(key)
        if inc is None:
            to_create.append(Incident(district_id=d.district, month=month, kind=d.kind, city_id=d.city_id,
                                      department_id=departments[d.department], rule=d.rule, evidence=d.evidence))
        elif (inc.department_id, inc.rule, inc.evidence, inc.city_id) != (
                departments[d.department], d.rule, d.evidence, d.city_id):
            inc.department_id, inc.rule, inc.evidence, inc.city_id = (
                departments[d.department], d.rule, d.evidence, d.city_id)
            to_update.append(inc)
    stale = [i.pk for k, i in existing.items() if k not in keep]
    if stale:
        Incident.objects.filter(pk__in=stale).delete()
    Incident.objects.bulk_create(to_create, batch_size=1000)
    Incident.objects.bulk_update(to_update, ["department", "rule", "evidence", "city"], batch_size=1000)

    incidents = list(Incident.objects.filter(month=month).only("pk", "district_id", "kind", "city_id",
                                                               "department_id"))
    linked = _link_complaints(month, incidents)
    _sync_rectifications(month, incidents, linked=linked, rectify_hazards=rs.rectify_hazards, due_on=due_on)
    return incidents


def _untouched(item: Rectification) -> bool:
    """Nobody has worked on the item yet: still open, no owner, no evidence, no closing date."""
    return (item.status == Rectification.Status.OPEN and item.owner_id is None and item.closed_on is None
            and not item.closing_evidence.strip())


def _sync_rectifications(month: dt.date, incidents: list[Incident], *, linked: set[int], rectify_hazards: bool,
                         due_on: dt.date) -> None:
    """Open, move or withdraw the month's rectification items after the complaints are linked.

    domain.md "Hazards and accountability": an incident with ≥ 1 linked complaint is a
    追责事件 and gets an item; one without is a 隐患预警 and gets none, unless
    RuleSettings.rectify_hazards says so. Re-tracing follows the links both ways: an
    incident that gains links gains an item; one that lost them loses its item only
    while nobody has touched it. An item already in progress or done is kept: a
    department has acted on it (an owner, evidence, a closing date — and the audit log
    points at it), and deleting it would erase that record and that unit's on-time
    figure without anyone deciding so; it stays visible on the incident as a hazard's item.
    """
    rects = {r.incident_id: r for r in Rectification.objects.filter(incident__month=month)}
    new_rects, moved, withdrawn = [], [], []
    for inc in incidents:
        r = rects.get(inc.pk)
        wanted = inc.pk in linked or rectify_hazards
        if r is None:
            if wanted:
                new_rects.append(Rectification(incident=inc, city_id=inc.city_id, department_id=inc.department_id,
                                               due_on=due_on))
        elif not wanted and _untouched(r):
            withdrawn.append(r.pk)
        # A rectification item follows its incident's responsible unit until work on it starts.
        elif r.status == Rectification.Status.OPEN and (r.department_id, r.city_id) != (inc.department_id,
                                                                                        inc.city_id):
            r.department_id, r.city_id = inc.department_id, inc.city_id
            moved.append(r)
    if withdrawn:
        Rectification.objects.filter(pk__in=withdrawn).delete()
    Rectification.objects.bulk_create(new_rects, batch_size=1000)
    Rectification.objects.bulk_update(moved, ["department", "city"], batch_size=1000)


def _link_complaints(month: dt.date, incidents: list[Incident]) -> set[int]:
    """Link each complaint of the month to at most one incident (LINK_PRIORITY order).

    Only the difference to the stored links is written: re-tracing unchanged
    data (every read of an unpublished month does it) then writes nothing.
    Returns the ids of the incidents that have at least one linked complaint.
    """
    complaints = month_complaints(month)
    by_kind: dict[str, dict[str, int]] = {}
    for inc in incidents:
        by_kind.setdefault(inc.kind, {})[inc.district_id] = inc.pk
    wanted: dict[int, int] = {}
    for kind in Incident.LINK_PRIORITY:
        districts = by_kind.get(kind)
        if not districts:
            continue
        rows = (complaints.filter(district_id__in=list(districts)).filter(_link_filter(kind))
                .values_list("pk", "district_id"))
        for pk, code in rows:
            wanted.setdefault(pk, districts[code])
    existing = dict(IncidentComplaint.objects.filter(incident__month=month)
                    .values_list("work_order_id", "incident_id"))
    stale = [pk for pk, inc in existing.items() if wanted.get(pk) != inc]
    if stale:
        IncidentComplaint.objects.filter(work_order_id__in=stale).delete()
    IncidentComplaint.objects.bulk_create(
        [IncidentComplaint(work_order_id=pk, incident_id=inc) for pk, inc in wanted.items()
         if existing.get(pk) != inc],
        batch_size=2000)
    return set(wanted.values())


# --- Re-tracing when inputs change ---------------------------------------------

def months_to_retrace(*, kind: str, months: list[dt.date]) -> list[dt.date]:
    """The unpublished months whose trace an import of ``kind`` may have changed.

    Work orders: the months the file's orders are dated in. Grid data (台区, loads,
    outages, projects): also every unpublished month traced before, since a load reading
    or an outage counts in the 60-day window of the months after it and a project decides
    the department of every later month.
    """
    if kind == "events":
        return []  # 考核扣分 events feed the score, not the trace: nothing to re-trace
    wanted = {m.replace(day=1) for m in months}
    if kind != "workorders":
        wanted |= set(ReportingMonth.objects.unpublished().filter(traced_at__isnull=False)
                      .values_list("month", flat=True))
    published = set(ReportingMonth.objects.published().values_list("month", flat=True))
    return sorted(wanted - published)


def retrace_after_import(*, kind: str, months: list[dt.date], user=None, result=None, source: str = "") -> dict:
    """What an import that has committed sets off: re-trace the unpublished months it touched,
    and record rows dated in a published month as late data (补录) instead of moving its figures."""
    traced = []
    for month in months_to_retrace(kind=kind, months=months):
        if kind != "workorders" or month_complaints(month).exists():
            trace_month(month=month, user=user, reason=f"import:{kind}")
            traced.append(month)
    late = []
    if kind == "workorders":
        for month in sorted({m.replace(day=1) for m in months}):
            if is_published(month):
                rows = late_rows(month)
                late.append(LateData.objects.create(
                    month=month, kind=kind, source=source[:255], sha256=getattr(result, "sha256", "") or "",
                    imported_by=user, rows_new=rows["new"]["count"], rows_changed=rows["changed"]["count"],
                    rows_gone=rows["gone"]["count"], changes=profile_changes(month)))
    for item in late:
        audit.record(user=user, action="month.late_data", obj=item,
                     summary=f"{label(item.month)} 已发布，导入的数据记为补录（新增 {item.rows_new}，变更 {item.rows_changed}）",
                     after={"source": item.source, "new": item.rows_new, "changed": item.rows_changed,
                            "gone": item.rows_gone, "changes": item.changes})
    return {"traced": traced, "late": late}


def retrace_unpublished(*, reason: str, user=None) -> list[dt.date]:
    """Re-trace every unpublished month traced before (a rule or threshold changed)."""
    months = list(ReportingMonth.objects.unpublished().filter(traced_at__isnull=False)
                  .order_by("month").values_list("month", flat=True))
    for month in months:
        trace_month(month=month, user=user, reason=reason)
    return months


# --- The monthly cycle ----------------------------------------------------------

@transaction.atomic
def declare_cutoff(*, month: dt.date, user=None, auto: bool = False) -> ReportingMonth:
    """数据截止: the month's data is declared complete (once; later calls change nothing)."""
    rm = lock_month(month)
    if rm.cutoff_at is None:
        rm.cutoff_at, rm.cutoff_by, rm.cutoff_auto = timezone.now(), user, auto
        rm.save(update_fields=["cutoff_at", "cutoff_by", "cutoff_auto"])
        audit.record(user=user, action="month.cutoff", obj=rm,
                     summary=f"{label(rm.month)} 数据截止" + ("（生成初稿时自动声明）" if auto else ""),
                     after={"auto": auto})
    return rm


def publish_blockers(rm: ReportingMonth, now: dt.datetime | None = None) -> list[str]:
    """Why publishing now would cut the cycle short (empty: nothing stands in the way)."""
    now = now or timezone.now()
    reasons = []
    if rm.stage_at(now) == ReportingMonth.Stage.APPEAL:
        reasons.append(_("申诉期尚未结束（截止 %(deadline)s）") % {
            "deadline": timezone.localtime(rm.appeal_deadline, LOCAL_TZ).strftime("%Y-%m-%d %H:%M")})
    pending = sorted(a.subject for a in Appeal.objects.filter(month=rm.month, status=Appeal.Status.PENDING)
                     .select_related("work_order", "deduction"))
    if pending:
        reasons.append(_("尚有未处理的申诉：%(orders)s") % {"orders": "、".join(pending)})
    return reasons


@transaction.atomic
def publish_month(*, month: dt.date, user, reason: str = "", correction: bool = False) -> ReportingMonth:
    """Freeze a month: its scorecard, trace, every complaint's attribution, the complaint
    profile's rows and the 台区 master data of its drill-down.

    Refused inside the appeal window or with undecided appeals (code ``early_publish``)
    unless ``reason`` is given: it is recorded, and the undecided appeals are closed as
    such (not rejected). ``correction``: the month was re-opened by
    ``reopen_for_correction`` in this transaction and is frozen again from current data.
    """
    rm = lock_month(month)
    if rm.is_published:
        raise MonthPublished(month)
    reason = reason.strip()
    blockers = [] if correction else publish_blockers(rm)
    if blockers and not reason:
        raise ValidationError(_("现在发布会缩短申诉流程：%(why)s。如确需提前发布，请填写理由。")
                              % {"why": "；".join(blockers)}, code="early_publish", params={"why": blockers})
    now = timezone.now()
    for appeal in Appeal.objects.select_for_update().filter(month=month, status=Appeal.Status.PENDING):
        appeal.status, appeal.decided_by, appeal.decided_at = Appeal.Status.CLOSED, user, now
        appeal.decision_reason = _("月份已提前发布，申诉未处理即关闭。发布理由：%(r)s") % {"r": reason}
        appeal.save()
        audit.record(user=user, action="appeal.close", obj=appeal, summary=f"{appeal.subject} 申诉随发布关闭",
                     after={"status": appeal.status, "reason": reason})
        notifications.appeal_decided(appeal)
    trace_month(month=month, user=user, reason="publish")
    rm.refresh_from_db()
    rm.scorecard = scorecard_for_month(month)
    rm.trace = trace_for_month(month)
    # Each complaint's attribution and, computed in SQL as the live figures compute them, its KPI facts
    # and where it was filed: the drill-down of a published month reads these, never the work order.
    rules = RuleSettings.current()
    facts = [f"fact_{name}" for name in FACTS]
    frozen = frozen_facts(attributed(month_complaints(month)).annotate(exclusion=exclusion_case(rules)), rules,
                          month=month).values_list(
        "pk", "city_id", "attr_department_id", "attr_rule", "incident_link__incident_id", "exclusion",
        "county_id", "station_id", "district_id", "fact_resolution_seconds", *facts)
    SnapshotAttribution.objects.bulk_create(
        (SnapshotAttribution(reporting_month=rm, work_order_id=pk, city_id=city, department_id=dept, rule=rule,
                             incident_id=inc, exclusion=excl, county_id=county, station_id=station,
                             district_id=district, resolution_seconds=seconds, **dict(zip(FACTS, flags)))
         for pk, city, dept, rule, inc, excl, county, station, district, seconds, *flags
         in frozen.iterator(chunk_size=5000)),
        batch_size=5000,
    )
    freeze_profile(month=month)  # the complaint rows the month's profile reads (complaints.freeze)
    freeze_districts(month=month)  # 用户数, units and 台区经理 the drill-down reads (grid.freeze)
    rm.published_at, rm.published_by = now, user
    if not correction:
        rm.publish_reason = reason if blockers else ""
    rm.save()
    audit.record(user=user, action="month.correct" if correction else "month.publish", obj=rm,
                 summary=f"{'更正' if correction else '发布'} {label(month)} 考核结果"
                 + (f"（提前发布：{reason}）" if blockers else ""),
                 after={"units": len(rm.scorecard["units"]), "incidents": len(rm.trace["incidents"]),
                        "early_reason": reason if blockers else ""})
    return rm


def reopen_for_correction(*, month: dt.date) -> ReportingMonth:
    """Inside the caller's transaction: the published month as if it were not, so that it can be
    re-traced and frozen again from current data (a correction version). Whoever calls this
    either publishes again in the same transaction or rolls it back (the correction draft)."""
    rm = lock_month(month)
    if not rm.is_published:
        raise ValidationError(_("%(month)s 尚未发布，无需更正") % {"month": label(month)})
    SnapshotAttribution.objects.filter(reporting_month=rm).delete()
    unfreeze_profile(month=month)
    unfreeze_districts(month=month)
    rm.published_at, rm.scorecard, rm.trace = None, None, None
    rm.save(update_fields=["published_at", "scorecard", "trace"])
    return rm


@transaction.atomic
def open_draft(*, month: dt.date, at: dt.datetime | None = None) -> ReportingMonth:
    """A draft notice exists: the appeal window opens (the first draft only starts the clock)."""
    rm = lock_month(month)
    if rm.draft_at is None:
        at = at or timezone.now()
        rs = RuleSettings.current()
        rm.draft_at = at
        rm.appeal_deadline = working_days_after(at, rs.appeal_working_days)
        rm.save(update_fields=["draft_at", "appeal_deadline"])
        notifications.appeal_window_opened(rm)
    return rm


def working_days_after(at: dt.datetime, days: int) -> dt.datetime:
    overrides = dict(WorkingDayOverride.objects.values_list("date", "is_working_day"))
    return workcal.deadline(timezone.localtime(at, LOCAL_TZ), days, overrides)


# --- Appeals ----------------------------------------------------------------

def _current_attribution(order) -> tuple[int, int, str]:
    row = attributed(type(order).objects.filter(pk=order.pk)).values_list("city_id", "attr_department_id",
                                                                         "attr_rule").get()
    return row


def _appeal_window(month: dt.date, now: dt.datetime) -> None:
    """Refuse unless the month's appeal window is open at ``now`` (ReportingMonth.stage_at)."""
    rm = ReportingMonth.objects.filter(month=month).first()
    if rm is None or rm.draft_at is None:
        raise ValidationError(_("%(month)s 的通报草稿尚未生成，申诉期未开始") % {"month": label(month)})
    if rm.stage_at(now) != ReportingMonth.Stage.APPEAL:
        raise ValidationError(_("%(month)s 的申诉期已于 %(deadline)s 结束") % {
            "month": label(month), "deadline": timezone.localtime(rm.appeal_deadline).strftime("%Y-%m-%d %H:%M")})


def effective_verification(order) -> dict:
    """The complaint's 核实与定责 as the scorecard reads it: the analyst's Verification if any, else
    the export's columns. {"valid", "at_fault", "downgraded", "source"} (source: "portal"/"import")."""
    v = Verification.objects.filter(work_order=order).first()
    if v is not None:
        return {"valid": v.valid, "at_fault": v.at_fault, "downgraded": v.downgraded, "source": "portal"}
    return {"valid": order.valid, "at_fault": order.at_fault, "downgraded": order.downgraded, "source": "import"}


@transaction.atomic
def file_appeal(*, user, reason: str, order=None, to_department: Department | None = None,
                kind: str = Appeal.Kind.DEPARTMENT, deduction: Deduction | None = None, attachment=None,
                now: dt.datetime | None = None) -> Appeal:
    """A department head disputes, within the month's appeal window, the department a complaint is
    attributed to (``kind`` department, with ``to_department``), its verification (not_at_fault:
    ask for 无责; not_valid: ask for 不属实), or a 考核扣分 event of their department (deduction)."""
    now = now or timezone.now()
    if kind not in Appeal.Kind.values:
        raise ValidationError(_("未知的申诉事项：%(k)s") % {"k": kind})
    if not reason.strip():
        raise ValidationError(_("请填写申诉理由"))
    if kind == Appeal.Kind.DEDUCTION:
        if deduction is None:
            raise ValidationError(_("请指明申诉的考核扣分事件"))
        if deduction.status != Deduction.Status.ACTIVE:
            raise ValidationError(_("该扣分事件已撤销"))
        month, city_id, dept_id = deduction.month, deduction.city_id, deduction.department_id
        subject, duplicate = deduction.event_no, Appeal.objects.filter(deduction=deduction)
    else:
        if order is None:
            raise ValidationError(_("请指明申诉的工单"))
        month = parse_month(order.accepted_at)
        city_id, dept_id, _rule = _current_attribution(order)
        subject, duplicate = order.order_no, Appeal.objects.filter(work_order=order)
    _appeal_window(month, now)
    if not can_file_appeal(user, city_id=city_id, department_id=dept_id):
        raise PermissionDenied(_("只能对归属本部门的投诉或本部门的扣分事件提出申诉"))
    if kind == Appeal.Kind.DEPARTMENT:
        if to_department is None:
            raise ValidationError(_("请选择建议的责任部门"))
        if to_department.pk == dept_id:
            raise ValidationError(_("建议的责任部门与当前责任部门相同"))
    else:
        to_department = None
    if kind == Appeal.Kind.NOT_AT_FAULT and effective_verification(order)["at_fault"] == "无责":
        raise ValidationError(_("该投诉已认定为无责"))
    if kind == Appeal.Kind.NOT_VALID and effective_verification(order)["valid"] == "不属实":
        raise ValidationError(_("该投诉已认定为不属实"))
    if duplicate.filter(status=Appeal.Status.PENDING).exists():
        raise ValidationError(_("%(s)s 已有待处理的申诉") % {"s": subject})
    appeal = Appeal.objects.create(kind=kind, work_order=order if kind != Appeal.Kind.DEDUCTION else None,
                                   deduction=deduction if kind == Appeal.Kind.DEDUCTION else None, month=month,
                                   city_id=city_id, from_department_id=dept_id, to_department=to_department,
                                   reason=reason.strip(), filed_by=user,
                                   **({"attachment": attachment} if attachment else {}))
    audit.record(user=user, action="appeal.file", obj=appeal, summary=f"{subject} 申诉（{appeal.get_kind_display()}）",
                 after={"kind": kind, "from": dept_id, "to": to_department.pk if to_department else None,
                        "reason": appeal.reason})
    notifications.appeal_filed(appeal)
    return appeal


def _apply_accepted(appeal: Appeal, *, user, now: dt.datetime) -> None:
    """What an accepted appeal changes, by kind: the attribution, the verification or the event."""
    if appeal.kind == Appeal.Kind.DEPARTMENT:
        AttributionOverride.objects.update_or_create(
            work_order=appeal.work_order, defaults={"department": appeal.to_department, "appeal": appeal})
    elif appeal.kind == Appeal.Kind.DEDUCTION:
        Deduction.objects.filter(pk=appeal.deduction_id).update(status=Deduction.Status.WITHDRAWN)
        freshness.bump()  # a queryset update sends no signal
    else:
        current = effective_verification(appeal.work_order)
        change = {"at_fault": "无责"} if appeal.kind == Appeal.Kind.NOT_AT_FAULT else {"valid": "不属实"}
        Verification.objects.update_or_create(work_order=appeal.work_order, defaults={
            "valid": current["valid"], "at_fault": current["at_fault"], "downgraded": current["downgraded"],
            **change, "reason": _("申诉采纳：%(r)s") % {"r": appeal.decision_reason}, "set_by": user,
            "set_at": now, "appeal": appeal})


@transaction.atomic
def decide_appeal(*, user, appeal: Appeal, accept: bool, reason: str) -> Appeal:
    # Lock the appeal row only: its work order and deduction are nullable (outer joins, which
    # PostgreSQL refuses to lock) and are read, not changed, through it.
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("work_order", "deduction").get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise ValidationError(_("该申诉已处理"))
    if is_published(appeal.month):
        raise MonthPublished(appeal.month)
    if not reason.strip():
        raise ValidationError(_("请填写处理意见"))
    before = {"status": appeal.status, "department": appeal.from_department_id}
    if appeal.kind != Appeal.Kind.DEPARTMENT and appeal.work_order_id:
        before["verification"] = effective_verification(appeal.work_order)
    now = timezone.now()
    appeal.status = Appeal.Status.ACCEPTED if accept else Appeal.Status.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = user, now, reason.strip()
    appeal.save()
    if accept:
        _apply_accepted(appeal, user=user, now=now)
    after = {"status": appeal.status, "kind": appeal.kind, "reason": appeal.decision_reason,
             "department": appeal.to_department_id if accept and appeal.to_department_id else appeal.from_department_id}
    if appeal.kind != Appeal.Kind.DEPARTMENT and appeal.work_order_id:
        after["verification"] = effective_verification(appeal.work_order)
    audit.record(user=user, action="appeal.accept" if accept else "appeal.reject", obj=appeal,
                 summary=f"{appeal.subject} 申诉（{appeal.get_kind_display()}）{'采纳' if accept else '驳回'}",
                 before=before, after=after)
    notifications.appeal_decided(appeal)
    if accept:
        # The draft the departments are reading is now out of date: it is rendered again
        # (notices listens; kpis does not import notices).
        month = appeal.month
        transaction.on_commit(lambda: attribution_changed.send(sender=Appeal, month=month, user=user))
        freshness.schedule_warm_up([month])
    return appeal


def warm_read_outs(*, months: list[dt.date]) -> int:
    """Compute the read-outs the pages use under the current data version, then mark it ready
    (core.freshness: pages serve the previous version, 「数据更新中」, until this is done).

    The months touched and the month the pages open on; for each, the scorecard (and the month
    before's, which a department page reads), the complaint profile and the analysis page's lists
    of the province and of every city, and every city's drill-down over all departments
    (the figures shared by every viewer: scoping and the rendered HTML stay at request time). Published months answer from their snapshot at once.
    For the month the pages open on, also every city × department's 12-month trend (the
    department page's heaviest part); other months' trends are left to their first visitor.
    Returns the version warmed.
    """
    opens_on = default_month(latest_month())
    targets = sorted({m.replace(day=1) for m in months} | {opens_on})
    cities = list(OrgUnit.objects.filter(level=OrgUnit.Level.CITY).order_by("path"))
    departments = list(Department.objects.order_by("pk").values_list("pk", flat=True))
    with freshness.warming_up() as version:
        for month in targets:
            previous_month = shift(month, -1)
            if month_has_data(previous_month):  # a department page compares with last month's card
                scorecard_for_month(previous_month)
            scorecard_for_month(month)
            for unit in [None, *cities]:
                window = profile_readout(month, unit)["window"]
                analysis_lists(window, unit)
                shared_customer_lists(window, unit)
            for city in cities:  # the drill-down the scorecard's city names open (all departments)
                drill_figures(month=month, unit=city)
        for city in cities:
            for department_id in departments:
                department_trend(city_id=city.pk, department_id=department_id, end_month=opens_on)
    freshness.mark_ready(version)
    return version


# --- Verification (核实与定责) -----------------------------------------------------

def _before_cutoff(month: dt.date, what: str) -> None:
    rm = ReportingMonth.objects.filter(month=month).first()
    if rm is not None and rm.is_published:
        raise MonthPublished(month)
    if rm is not None and rm.cutoff_at is not None:
        raise ValidationError(_("%(month)s 已数据截止，不能再%(what)s；如有异议请通过申诉处理")
                              % {"month": label(month), "what": what})


@transaction.atomic
def set_verification(*, user, order, valid: str, at_fault: str, downgraded: bool, reason: str) -> Verification:
    """An analyst's 核实与定责 of a complaint, with a reason, before the month's cutoff (audited).
    After the cutoff only an accepted appeal changes it (the departments have seen the draft)."""
    if not can_set_verification(user):
        raise PermissionDenied(_("只有分析人员可以核实定责"))
    if not order.is_complaint:
        raise ValidationError(_("%(o)s 不是投诉工单") % {"o": order.order_no})
    if valid not in ("", *WorkOrder.Validity.values):
        raise ValidationError(_("是否属实只能是 属实/不属实 或空白"))
    if at_fault not in ("", *WorkOrder.Fault.values):
        raise ValidationError(_("是否有责只能是 有责/无责 或空白"))
    if not reason.strip():
        raise ValidationError(_("请填写核实说明"))
    month = parse_month(order.accepted_at)
    lock_month(month)  # serialises with cutoff and publication of the month
    _before_cutoff(month, _("修改核实结果"))
    before = effective_verification(order)
    verification, _created = Verification.objects.update_or_create(work_order=order, defaults={
        "valid": valid, "at_fault": at_fault, "downgraded": bool(downgraded), "reason": reason.strip(),
        "set_by": user, "set_at": timezone.now(), "appeal": None})
    audit.record(user=user, action="complaint.verify", obj=verification,
                 summary=f"{order.order_no} 核实定责：{valid or '未核实'}/{at_fault or '未定责'}"
                 + ("/降级为意见" if downgraded else ""),
                 before=before, after={"valid": valid, "at_fault": at_fault, "downgraded": bool(downgraded),
                                       "reason": verification.reason})
    return verification


# --- Deductions (考核扣分) ---------------------------------------------------------

DEDUCTION_FIELDS = ("kind", "city", "department", "occurred_on", "points", "description", "evidence", "work_order")


def _deduction_values(event: Deduction) -> dict:
    return {"kind": event.kind_id, "city": event.city_id, "department": event.department_id,
            "occurred_on": event.occurred_on.isoformat(), "points": str(event.points),
            "description": event.description, "evidence": event.evidence, "work_order": event.work_order_id}


@transaction.atomic
def save_deduction(*, user, event_no: str, kind: DeductionKind, city, department: Department,
                   occurred_on: dt.date, description: str, points=None, evidence: str = "", work_order=None,
                   source: str = "portal", create_only: bool = True) -> tuple[Deduction, str]:
    """Enter a 考核扣分 event (an analyst, in the portal or by ``import_data events``), audited.

    ``create_only`` (the portal): an existing 事件编号 is an error. Otherwise (the import, keyed by
    事件编号) an existing event is updated, or left alone when nothing differs, so that re-importing
    a file changes nothing; its status (an appeal may have withdrawn it) is never touched.
    Returns (event, "created" | "updated" | "unchanged"). Refused when the event's month, or the
    month it moves from, is published: a published month's figures never move."""
    if not can_enter_deduction(user):
        raise PermissionDenied(_("只有分析人员可以录入考核扣分"))
    event_no = event_no.strip()
    if not event_no:
        raise ValidationError(_("请填写事件编号"))
    if not description.strip():
        raise ValidationError(_("请填写事件说明"))
    points = kind.default_points if points in (None, "") else points
    if points <= 0:
        raise ValidationError(_("扣分必须大于 0"))
    month = occurred_on.replace(day=1)
    if is_published(month):
        raise MonthPublished(month)
    event = Deduction.objects.select_for_update().filter(event_no=event_no).first()
    if event is not None and create_only:
        raise ValidationError(_("事件编号 %(n)s 已存在") % {"n": event_no})
    values = {"kind": kind, "city": city, "department": department, "occurred_on": occurred_on, "points": points,
              "description": description.strip(), "evidence": evidence.strip(), "work_order": work_order}
    if event is None:
        event = Deduction.objects.create(event_no=event_no, entered_by=user, **values)
        outcome, before = "created", None
    else:
        if is_published(event.month):
            raise MonthPublished(event.month)
        before = _deduction_values(event)
        for name, value in values.items():
            setattr(event, name, value)
        if _deduction_values(event) == before:
            return event, "unchanged"
        event.save()
        outcome = "updated"
    audit.record(user=user, action="deduction.record" if outcome == "created" else "deduction.update", obj=event,
                 summary=f"{event_no} {kind.name} {city.name}·{department.name} 扣 {points} 分",
                 before=before, after={**_deduction_values(event), "source": source})
    return event, outcome


def record_deduction(**kwargs) -> Deduction:
    """A new event entered in the portal (``save_deduction`` with create_only)."""
    return save_deduction(**kwargs, create_only=True)[0]


# --- Rectification ------------------------------------------------------------

@transaction.atomic
def update_rectification(*, user, item: Rectification, status: str, closed_on: dt.date | None = None,
                         evidence: str = "") -> Rectification:
    if status not in Rectification.Status.values:
        raise ValidationError(_("未知状态：%(s)s") % {"s": status})
    if status == Rectification.Status.DONE and (closed_on is None or not evidence.strip()):
        raise ValidationError(_("完成整改需填写完成日期和整改说明"))
    before = {"status": item.status, "closed_on": item.closed_on.isoformat() if item.closed_on else None}
    item.status = status
    item.closed_on = closed_on if status == Rectification.Status.DONE else None
    item.closing_evidence = evidence.strip()
    item.save()
    audit.record(user=user, action="rectification.update", obj=item, before=before,
                 after={"status": item.status, "closed_on": item.closed_on.isoformat() if item.closed_on else None})
    return item


# --- Calendar ---------------------------------------------------------------

@transaction.atomic
def rebuild_calendar() -> int:
    """Materialise chinese-calendar + overrides into WorkCalendar (≈ 12k rows)."""
    overrides = dict(WorkingDayOverride.objects.values_list("date", "is_working_day"))
    WorkCalendar.objects.all().delete()
    rows = [WorkCalendar(date=d, is_working_day=w, seq=s) for d, w, s in workcal.calendar_rows(overrides)]
    WorkCalendar.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclasses.dataclass
class CalendarLoad:
    """What ``load_calendar`` did (or, with errors, why it did nothing)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years: list[int] = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def load_calendar(*, days: dict[dt.date, tuple[bool, str]], source: str, rows: int = 0, user=None,
                  dry_run: bool = False) -> CalendarLoad:
    """Load a year's holidays and 调休 working days, read from a file by ``imports.calendar``.

    ``days`` maps each date to (is_working_day, note). Each day upserts a WorkingDayOverride
    (日期 → 休/班); each year in it is marked as loaded (CalendarYear), which is what makes its
    months' on-time rate trustworthy when chinese-calendar has no data for it. The WorkCalendar
    is rebuilt once for the whole file (bulk writes send no per-row signal).
    """
    result = CalendarLoad(rows=rows)
    result.years = sorted({d.year for d in days})
    existing = {o.date: o for o in WorkingDayOverride.objects.filter(date__in=list(days))}
    changed = []
    for day, (working, note) in sorted(days.items()):
        old = existing.get(day)
        if old is None:
            result.created += 1
        elif (old.is_working_day, old.note) != (working, note):
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        changed.append(WorkingDayOverride(date=day, is_working_day=working, note=note))
    new_years = sorted(set(result.years) - set(CalendarYear.objects.filter(year__in=result.years)
                                                .values_list("year", flat=True)))
    if dry_run:
        return result
    with transaction.atomic():
        if changed:
            WorkingDayOverride.objects.bulk_create(changed, update_conflicts=True, unique_fields=["date"],
                                                   update_fields=["is_working_day", "note"])
            rebuild_calendar()
        for year in new_years:
            CalendarYear.objects.create(year=year, loaded_by=user if getattr(user, "pk", None) else None,
                                        note=_("由 %(f)s 载入") % {"f": source})
        if changed or new_years:
            freshness.bump()  # bulk writes send no model signal: cached read-outs must see the new calendar
            audit.record(user=user, action="calendar.load", obj=None,
                         summary=f"载入节假日安排 {source}（{'、'.join(map(str, result.years))}年）",
                         after={"file": source, "years": result.years, "created": result.created,
                                "updated": result.updated, "unchanged": result.unchanged})
    return result


def appeal_window_open(month: dt.date, now: dt.datetime | None = None) -> bool:
    # One home for the rule: ReportingMonth.stage_at (the cycle the pages show).
    rm = ReportingMonth.objects.filter(month=month).first()
    return bool(rm and rm.stage_at(now or timezone.now()) == ReportingMonth.Stage.APPEAL)


@transaction.atomic
def calibrate_bands(*, month: dt.date, code: str = "per_10k", user=None) -> dict[str, tuple]:
    """Set a KPI's four cut-offs, at both levels, to the quintiles of ``month``'s values.

    For a data set whose scale is not a real province's: the demo packs about two
    hundred times a real province's complaints per customer into its 台区 (so that
    every page has something to show), and against domain.md's cut-offs (≈0.4
    complaints per 10,000 customers) every unit would sit in band E, which tells a
    reader nothing. Quintiles spread the units over A–E again. Production keeps the
    configured cut-offs; administrators edit them in the admin. Audited, like an edit there.
    Returns {level: (A, B, C, D)} for the levels that had values.
    """

    month = month.replace(day=1)
    trace_month(month=month)  # departments' figures follow the traced attribution
    card = compute_scorecard(month)
    values = {KpiDefinition.Level.UNIT: [u[code] for u in card["units"]],
              KpiDefinition.Level.DEPARTMENT: [d[code] for d in card["departments"]]}
    result = {}
    for level, raw in values.items():
        known = sorted(float(v) for v in raw if v is not None)
        if len(known) < 5:
            continue  # too few to cut into five bands
        definition = KpiDefinition.objects.select_for_update().get(level=level, code=code)
        cuts = [half_up(q) for q in statistics.quantiles(known, n=5, method="inclusive")]
        if definition.polarity == KpiDefinition.Polarity.HIGHER:
            cuts.reverse()  # A is the highest cut-off when higher is better
        before = [str(getattr(definition, f"band_{b}")) for b in "abcd"]
        definition.band_a, definition.band_b, definition.band_c, definition.band_d = cuts
        definition.save(update_fields=["band_a", "band_b", "band_c", "band_d"])
        result[level] = tuple(cuts)
        audit.record(user=user, action="kpi.calibrate", obj=definition,
                     summary=f"按 {label(month)} 数据的五分位校准 {definition} 的档位界值",
                     before={"bands": before}, after={"bands": [str(c) for c in cuts], "month": label(month)})
    return result


def compute_risk_list(*, month: dt.date, user=None, reason: str = "") -> RiskList:
    """Compute and store the early-warning list of ``month`` (the predicted month) from data dated
    before it (kpis.risk), replacing the month's previous list; audited as ``risk.compute``.

    Run by the beat job on the 1st (kpis.compute_risk_list for the month that starts), on demand
    (``early_warning --write``). ``data_version`` is the version current when the inputs were read.
    """
    month = month.replace(day=1)
    version = freshness.current()
    result = risk.predict(month)
    with transaction.atomic():
        previous = RiskList.objects.select_for_update().filter(month=month).first()
        before = ({"data_version": previous.data_version, "model": previous.model,
                   "created_at": previous.created_at.isoformat()} if previous else None)
        rl, _created = RiskList.objects.update_or_create(month=month, defaults={
            "data_version": version, "model": result.model, "created_at": timezone.now(),
            "backtest": result.backtest, "folds": result.folds})
        rl.entries.all().delete()
        RiskEntry.objects.bulk_create(
            [RiskEntry(risk_list=rl, district_id=e["code"], rank=e["rank"], probability=e["probability"],
                       reasons=e["reasons"], features=e["features"], explanation=e["explanation"])
             for e in result.entries], batch_size=2000)
        top = result.entries[0] if result.entries else None
        audit.record(user=user, action="risk.compute", obj=rl,
                     summary=f"风险清单 {label(month)}：{len(result.entries)} 个台区，模型 {result.model}",
                     before=before, after={"data_version": version, "model": result.model,
                                           "districts": len(result.entries), "reason": reason,
                                           "top": top and {"code": top["code"], "probability": top["probability"]}})
    return rl


def request_risk_list(*, month: dt.date, user=None) -> None:
    """Send the computation of ``month``'s risk list to a worker once the caller's transaction commits
    (the worker's ``compute_risk_list`` is the audited write)."""
    enqueue("kpis.compute_risk_list", month.replace(day=1).isoformat(),
            f"requested by {getattr(user, 'username', '') or 'command'}")


def _check_season(season: str) -> None:
    if season not in SeasonalRiskList.Season.values:
        raise ValidationError(f"season: {season!r} is not summer or winter")


def compute_seasonal_list(*, season: str, year: int, user=None, reason: str = "") -> SeasonalRiskList:
    """Compute and store the 迎峰度夏 (``summer``) or 迎峰度冬 (``winter``) risk list of ``year``
    (kpis.seasonal's rule), replacing the previous one's entries; audited as ``seasonal.compute``. Run by
    the beat job on May 1st and November 1st (kpis.compute_seasonal_list) and on demand."""
    _check_season(season)
    version = freshness.current()
    rows = seasonal.rows(season, year)
    with transaction.atomic():
        previous = SeasonalRiskList.objects.select_for_update().filter(season=season, year=year).first()
        before = {"data_version": previous.data_version, "districts": previous.entries.count()} if previous else None
        sl, _created = SeasonalRiskList.objects.update_or_create(season=season, year=year, defaults={
            "data_version": version, "created_at": timezone.now()})
        sl.entries.all().delete()
        SeasonalRiskEntry.objects.bulk_create(
            [SeasonalRiskEntry.from_row(sl, rank, row) for rank, row in enumerate(rows, start=1)], batch_size=1000)
        audit.record(user=user, action="seasonal.compute", obj=sl,
                     summary=f"迎峰风险清单 {year} {season}：{len(rows)} 个台区",
                     before=before, after={"data_version": version, "districts": len(rows), "reason": reason})
    return sl


def request_seasonal_list(*, season: str, year: int, user=None) -> None:
    """Send the computation of a seasonal list to a worker once the caller's transaction commits (the
    worker's ``compute_seasonal_list`` is the audited write), as the beat job does in May and November."""
    _check_season(season)
    enqueue("kpis.compute_seasonal_list", season, year,
            f"requested by {getattr(user, 'username', '') or 'command'}")

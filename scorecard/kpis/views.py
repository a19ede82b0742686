"""Scorecard, department, incident and appeal pages. Thin: parse, check scope, call, render."""
import datetime as dt
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from scorecard.accounts import scoping
from scorecard.accounts.decorators import role_required
from scorecard.complaints import selectors as complaint_selectors
from scorecard.core import roles
from scorecard.accounts.exports import export
from scorecard.core.exports import FORMATS
from scorecard.core.months import current_month, default_month, label, parse_month
from scorecard.core.numbers import display, kind_of
from scorecard.core.uploads import upload_limit

from scorecard.core import freshness, responses

from scorecard.grid.models import OrgUnit

from . import charts, repeats, selectors, services
from .filters import AppealFilter, DepartmentComplaintFilter, IncidentFilter, RiskFilter, SeasonalFilter
from .forms import (
    AppealDecisionForm,
    AppealForm,
    DeductionAppealForm,
    DeductionForm,
    RectificationForm,
    VerificationForm,
)
from .models import Appeal, SeasonalRiskEntry, SeasonalRiskList
from .tables import (
    AppealTable,
    DeductionTable,
    DepartmentComplaintTable,
    DepartmentTable,
    DrillTable,
    IncidentComplaintTable,
    IncidentTable,
    RiskTable,
    SeasonalTable,
    ManagerTable,
    UnitTable,
    excluded_text,
)


def with_month(view):
    """Pass the ``?month=YYYY-MM`` of the request (default: ``core.months.default_month``, the
    latest month with data) as ``month``; a malformed one answers 400 naming the parameter."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        value = request.GET.get("month")
        if not value:
            month = default_month(complaint_selectors.latest_month())
        else:
            try:
                month = parse_month(value)
            except ValueError as exc:
                return HttpResponseBadRequest(f"month: {exc}", content_type="text/plain; charset=utf-8")
        return view(request, *args, month=month, **kwargs)

    return wrapper


def _scorecard_tables(request, month: dt.date) -> dict:
    # A draft's rows narrowed to the viewer's scope, department rows linked to the pages they may open.
    card = selectors.scorecard_page(month=month, viewer=request.user)
    published, departments = card["published"], card["department_names"]
    units, depts = card["units"], card["departments"]
    dept_filter = request.GET.get("dept")
    if dept_filter in departments:
        depts = [d for d in depts if d["department"] == dept_filter]
    days = repeats.repeat_days()
    unit_table = UnitTable(units, prefix="u-", repeat_days=days)
    dept_table = DepartmentTable(depts, prefix="d-", repeat_days=days)
    RequestConfig(request, paginate=False).configure(unit_table)
    RequestConfig(request, paginate=False).configure(dept_table)
    return {
        "month": month, "month_label": label(month), "published": published,
        "unit_table": unit_table, "dept_table": dept_table, "departments": list(departments),
        "dept_filter": dept_filter if dept_filter in departments else "",
        "calendar_warning": selectors.card_calendar_warning(month, card),
    }


@login_required
@with_month
def scorecard_view(request, *, month: dt.date):
    if not selectors.month_has_data(month):
        return responses.no_data(request, month=month, title=_("考核排名"), latest=complaint_selectors.latest_month())
    fmt = request.GET.get("export")
    # The file is named from this fixed pair, never from the raw parameter (issue #15).
    which = "departments" if request.GET.get("table") == "departments" else "units"
    if fmt in FORMATS:
        context = _scorecard_tables(request, month)
        table = context["unit_table"] if which == "units" else context["dept_table"]
        return export(request, table, fmt, f"scorecard-{which}-{label(month)}")
    # Rendering the two tables (~3,000 cells) is most of the page's cost: the HTML is kept per
    # data version, viewer scope, language and query string (freshness.fragment).
    body = freshness.fragment(request, "scorecard", viewer=scoping.viewer_key(request.user), compute=lambda: render_to_string(
        "kpis/_scorecard_body.html", _scorecard_tables(request, month), request))
    return render(request, "kpis/scorecard.html", {"body": body, "month": month})


@login_required
@with_month
def department_view(request, city_id: int, dept_code: str, *, month: dt.date):
    city, dept = selectors.responsible_unit_for_viewer(city_id=city_id, dept_code=dept_code, viewer=request.user)
    if not selectors.month_has_data(month):
        return responses.no_data(request, month=month, title=f"{city.name} · {dept.name}",
                                 latest=complaint_selectors.latest_month())
    window_open = services.appeal_window_open(month)

    def context():
        row = selectors.department_row_for_viewer(month=month, city=city, department=dept, viewer=request.user)
        # A county (or station) leader lists the complaints of their own subtree only; each row carries its
        # repeat link (the earlier complaint and who handled it), computed in SQL.
        complaints = repeats.with_repeat_of(
            selectors.department_complaints_for_viewer(month=month, city=city, department=dept, viewer=request.user),
            viewer=request.user)
        filters = DepartmentComplaintFilter(request.GET, queryset=complaints)  # narrows, never widens
        table = DepartmentComplaintTable(
            filters.qs, show_personal=roles.can_see_personal_data(request.user),
            can_appeal=roles.can_file_appeal(request.user) and window_open, reason=selectors.attribution_reason,
            can_verify=roles.can_set_verification(request.user),
            names={"departments": repeats.department_names(),
                   "cities": dict(OrgUnit.objects.filter(level=OrgUnit.Level.CITY).values_list("pk", "name"))},
            prefix="c-")
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        # A KPI without a value shows what the missing-data rule scored it, not a bare dash.
        by_rule = {e["kpi"]: selectors.scored_by_rule_label(e["reason"], e["band"])
                   for e in (row or {}).get("scored_by_rule") or []}
        trend = selectors.department_trend(city_id=city.pk, department_id=dept.pk, end_month=month)
        return {
            "month": month, "month_label": label(month), "city": city, "dept": dept, "row": row,
            "complaints": table, "complaint_filter": filters, "repeat_days": repeats.repeat_days(), "trend": trend,
            "trend_described": charts.describe_trend(trend),
            "can_appeal": roles.can_file_appeal(request.user) and window_open,
            "can_set_verification": roles.can_set_verification(request.user),
            "excluded_text": excluded_text((row or {}).get("excluded")),
            "kpis": [(selectors.kpi_name(code, repeat_days=repeats.repeat_days()),
                      display(row.get(code), kind_of(code)) if row.get(code) is not None else None,
                      row.get("bands", {}).get(code), by_rule.get(code))
                     for code, _name in selectors.KPI_LABELS] if row else [],
            "rule_groups": selectors.scored_by_rule_groups(row.get("scored_by_rule")) if row else [],
            "explanation": selectors.department_score_explanation(month=month, city=city, department=dept,
                                                                  viewer=request.user) if row else None,
        }

    # 50 complaint rows a page: the HTML is kept per data version, viewer, language, query string
    # and whether the appeal window is open (it closes by the clock, not by a data change).
    body = freshness.fragment(request, "department", window_open, viewer=scoping.viewer_key(request.user), compute=lambda: render_to_string(
        "kpis/_department_body.html", context(), request))
    return render(request, "kpis/department.html", {"body": body, "city": city, "dept": dept, "month": month})


@login_required
@with_month
def incident_list(request, *, month: dt.date):
    scoped = selectors.incident_list(month=month, viewer=request.user)
    qs = selectors.incident_rows(scoped)

    def context():
        filters = IncidentFilter(request.GET, queryset=qs)  # narrows the scoped queryset, never widens it
        table = IncidentTable(filters.qs.order_by("district_id", "kind"))
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        counts = selectors.category_counts(scoped)  # the month in the viewer's scope, before the filters
        return {"month_label": label(month), "table": table, "filter": filters,
                "accountable_count": counts[selectors.ACCOUNTABILITY], "hazard_count": counts[selectors.HAZARD]}

    fmt = request.GET.get("export")
    if fmt in FORMATS:
        return export(request, context()["table"], fmt, f"incidents-{label(month)}")
    # Incidents and rectification items change only with the data version (traces, saves).
    body = freshness.fragment(request, "incidents", viewer=scoping.viewer_key(request.user), compute=lambda: render_to_string(
        "kpis/_incident_list_body.html", context(), request))
    return render(request, "kpis/incident_list.html", {"body": body, "month": month})


@login_required
def incident_detail(request, pk: int):
    incident = selectors.incident_for_viewer(pk=pk, viewer=request.user)
    rect = getattr(incident, "rectification", None)
    can_edit = roles.can_update_rectification(request.user, rect)
    form = RectificationForm(request.POST or None, instance_status=rect.status if rect else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.update_rectification(user=request.user, item=rect, status=form.cleaned_data["status"],
                                              closed_on=form.cleaned_data["closed_on"],
                                              evidence=form.cleaned_data["evidence"])
                messages.success(request, _("整改状态已更新"))
                return redirect("kpis:incident", pk=pk)
            except ValidationError as exc:
                form.add_error(None, exc)
    linked_count = selectors.incident_complaints(incident).count()
    table = IncidentComplaintTable(selectors.incident_complaints_for_viewer(incident, viewer=request.user))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "kpis/incident_detail.html", {
        "incident": incident, "rect": rect, "table": table, "linked_count": linked_count,
        # Listed or not, every linked complaint is counted: the rest belong to other departments/units.
        "other_count": linked_count - table.paginator.count, "evidence": incident.evidence,
        "form": form, "can_edit": can_edit, "accountable": bool(linked_count),
        "rectify_hazards": services.RuleSettings.current().rectify_hazards,
    })


@login_required
def appeal_inbox(request):
    status = request.GET.get("status", "pending")
    qs = selectors.appeal_list(viewer=request.user, status=status)  # an unknown status lists every status
    filters = AppealFilter(request.GET, queryset=qs)  # narrows the scoped queryset, never widens it
    table = AppealTable(filters.qs.order_by("-filed_at"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        # Named from the model's statuses, never from the raw parameter (issue #15).
        return export(request, table, fmt, f"appeals-{status if status in Appeal.Status.values else 'all'}")
    return render(request, "kpis/appeal_inbox.html", {"table": table, "status": status, "filter": filters,
                                                      "statuses": Appeal.Status.choices})


@upload_limit("attachment")
@login_required
def appeal_create(request, order_id: int):
    order = complaint_selectors.complaint_for_viewer(pk=order_id, viewer=request.user)  # 404 for another city's
    if not roles.can_file_appeal(request.user):
        raise PermissionDenied
    if not complaint_selectors.in_order_lists(order, viewer=request.user):
        scoping.deny()  # another department's complaint: not theirs to see, let alone appeal
    form = AppealForm(request.POST or None, request.FILES or None, exclude_department=request.user.department_id)
    if request.method == "POST" and form.is_valid():
        filed = _file_appeal(request, form, order=order, kind=form.cleaned_data["kind"],
                             to_department=form.cleaned_data["to_department"])
        if filed is not None:
            return filed
    return render(request, "kpis/appeal_form.html", {
        "order": order, "form": form, "verification": services.effective_verification(order)})


def _file_appeal(request, form, **subject):
    """File the appeal of a valid form (``subject``: what it is about) and redirect to it; None when
    the service refused it (the reason is added to the form, the page is shown again)."""
    try:
        appeal = services.file_appeal(user=request.user, reason=form.cleaned_data["reason"],
                                      attachment=form.cleaned_data.get("attachment"), **subject)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("申诉已提交，等待指挥中心处理"))
    return redirect("kpis:appeal", pk=appeal.pk)


@upload_limit("attachment")
@login_required
def deduction_appeal_create(request, pk: int):
    """A department head appeals a 考核扣分 event of their own department (in the appeal window)."""
    if not roles.can_file_appeal(request.user):
        raise PermissionDenied
    event = selectors.deduction_for_viewer(pk=pk, viewer=request.user)
    form = DeductionAppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        filed = _file_appeal(request, form, kind=Appeal.Kind.DEDUCTION, deduction=event)
        if filed is not None:
            return filed
    return render(request, "kpis/deduction_appeal_form.html", {"event": event, "form": form})


@login_required
def verify_complaint(request, order_id: int):
    """核实与定责 of one complaint by an analyst, with a reason (before the month's cutoff)."""
    if not roles.can_set_verification(request.user):
        raise PermissionDenied
    order = complaint_selectors.complaint_for_viewer(pk=order_id, viewer=request.user)
    current = services.effective_verification(order)
    form = VerificationForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_verification(user=request.user, order=order, valid=form.cleaned_data["valid"],
                                      at_fault=form.cleaned_data["at_fault"],
                                      downgraded=form.cleaned_data["downgraded"], reason=form.cleaned_data["reason"])
            messages.success(request, _("已保存 %(o)s 的核实定责") % {"o": order.order_no})
            return redirect("kpis:verify", order_id=order.pk)
        except (ValidationError, services.MonthPublished) as exc:
            form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])))
    return render(request, "kpis/verify_form.html", {
        "order": order, "form": form, "current": current, "history": selectors.verification_history(order)})


@login_required
@with_month
def deduction_list(request, *, month: dt.date):
    """The month's 考核扣分 events the viewer may see; analysts enter new ones here."""
    qs = selectors.deduction_list(month=month, viewer=request.user)
    table = DeductionTable(qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        return export(request, table, fmt, f"deductions-{label(month)}")
    can_enter = roles.can_enter_deduction(request.user)
    form = DeductionForm(initial={"occurred_on": month}) if can_enter else None
    return render(request, "kpis/deduction_list.html", {
        "table": table, "month": month, "month_label": label(month), "form": form,
        "can_appeal": roles.can_file_appeal(request.user) and services.appeal_window_open(month)})


@login_required
@require_POST
def deduction_create(request):
    if not roles.can_enter_deduction(request.user):
        raise PermissionDenied
    form = DeductionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            event = services.record_deduction(
                user=request.user, event_no=data["event_no"], kind=data["kind"], city=data["city"],
                department=data["department"], occurred_on=data["occurred_on"], points=data["points"],
                description=data["description"], evidence=data["evidence"],
                work_order=data["order_no"])
            messages.success(request, _("已录入扣分事件 %(n)s") % {"n": event.event_no})
            return redirect(reverse("kpis:deductions") + f"?month={label(event.month)}")
        except (ValidationError, services.MonthPublished) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{' '.join(e)}"
                                         for f, e in form.errors.items()))
    return redirect("kpis:deductions")


@login_required
def appeal_detail(request, pk: int):
    appeal = selectors.appeal_for_viewer(pk=pk, viewer=request.user)
    can_decide = roles.can_decide_appeal(request.user, appeal)
    form = AppealDecisionForm()
    history = selectors.appeal_history(appeal)
    # The reasons are free text and may quote a customer's phone: masked outside the analyst role.
    shown = (lambda text: text or "") if roles.can_see_personal_data(request.user) else scoping.mask_text
    return render(request, "kpis/appeal_detail.html", {"appeal": appeal, "form": form, "can_decide": can_decide,
                                                       "history": history, "reason": shown(appeal.reason),
                                                       "decision_reason": shown(appeal.decision_reason)})


@require_POST
@role_required(roles.can_decide_appeal)  # before the lookup: a 403 for every id, so ids reveal nothing
def appeal_decide(request, pk: int):
    appeal = selectors.appeal_for_viewer(pk=pk, viewer=request.user)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果并填写处理意见"))
        return redirect("kpis:appeal", pk=pk)
    try:
        services.decide_appeal(user=request.user, appeal=appeal, accept=form.cleaned_data["decision"] == "accept",
                               reason=form.cleaned_data["reason"])
        messages.success(request, _("申诉已处理"))
    except (ValidationError, services.MonthPublished) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("kpis:appeal", pk=pk)


def _cycle_month(request) -> dt.date:
    try:
        return parse_month(request.POST.get("month", ""))
    except ValueError as exc:
        raise ValidationError(f"month: {exc}") from exc


@login_required
@require_POST
def trace(request):
    """An analyst traces a month by hand (the button of 「尚未溯源」)."""
    if not roles.can_trace(request.user):
        raise PermissionDenied
    try:
        month = _cycle_month(request)
        incidents = services.trace_month(month=month, user=request.user, reason="manual")
    except (ValidationError, services.MonthPublished) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("kpis:scorecard")
    messages.success(request, _("已溯源 %(month)s：%(n)s 起供电瓶颈事件") % {"month": label(month), "n": len(incidents)})
    return redirect(reverse("kpis:incidents") + f"?month={label(month)}")


@login_required
@require_POST
def cutoff(request):
    """数据截止: an analyst declares the month's data complete."""
    if not roles.can_run_cycle(request.user):
        raise PermissionDenied
    try:
        month = _cycle_month(request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("notices:list")
    services.declare_cutoff(month=month, user=request.user)
    messages.success(request, _("已声明 %(month)s 数据截止") % {"month": label(month)})
    return redirect(reverse("notices:list") + f"?month={label(month)}")


# --- early warning (issue #18): the stored risk list, read only; an analyst may ask a worker for one ---

def _risk_month(request) -> dt.date:
    """``?month=YYYY-MM`` (the predicted month); default the latest stored list's, else this month."""
    value = request.GET.get("month")
    if value:
        return parse_month(value)
    months = selectors.risk_months()
    return months[0] if months else current_month()


@login_required
def risk_list(request):
    try:
        month = _risk_month(request)
    except ValueError as exc:
        return HttpResponseBadRequest(f"month: {exc}", content_type="text/plain; charset=utf-8")
    stored = selectors.risk_list(month)
    context = {"month": month, "month_label": label(month), "stored": stored, "months": selectors.risk_months(),
               "can_compute": roles.is_analyst(request.user)}
    if stored is not None:
        scope = scoping.scope_for(request.user)
        filters = RiskFilter(request.GET, queryset=selectors.risk_entries(risk_list=stored, viewer=request.user))
        filters.filters["unit"].queryset = scoping.units_for(scope)
        valid = not (filters.is_bound and not filters.is_valid())
        table = RiskTable(filters.qs if valid else filters.queryset.none(), month_label=label(month),
                          can_issue=roles.can_create_warning(request.user))
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        context.update({"table": table, "filter": filters, "backtest": stored.backtest})
    return render(request, "kpis/risk_list.html", context)


@login_required
@require_POST
def risk_compute(request):
    """An analyst asks a worker to compute a month's list (the task the beat job sends on the 1st)."""
    if not roles.is_analyst(request.user):
        raise PermissionDenied
    try:
        month = parse_month(request.POST.get("month", ""))
    except ValueError as exc:
        return HttpResponseBadRequest(f"month: {exc}", content_type="text/plain; charset=utf-8")
    services.request_risk_list(month=month, user=request.user)
    messages.success(request, _("已提交计算 %(month)s 的风险清单，完成后刷新本页即可查看") % {"month": label(month)})
    return redirect(reverse("kpis:risk") + f"?month={label(month)}")


@login_required
def risk_district(request, code: str):
    """One 台区's probability, its reasons and the stored feature values behind them."""
    district = selectors.district_for_viewer(code=code, viewer=request.user)
    try:
        month = _risk_month(request)
    except ValueError as exc:
        return HttpResponseBadRequest(f"month: {exc}", content_type="text/plain; charset=utf-8")
    stored = selectors.risk_list(month)
    entry = selectors.risk_entry(risk_list=stored, district=district)
    return render(request, "kpis/risk_district.html", {
        "district": district, "month": month, "month_label": label(month), "stored": stored, "entry": entry,
        "explanation": selectors.risk_explanation(entry) if entry else [],
        "groups": selectors.risk_feature_groups(entry) if entry else [],
        "history": selectors.district_history(district=district, month=month, viewer=request.user)})
# Lazy: read when a page is rendered, in the reader's language (a module-level gettext would fix the
# language of whoever imported the module first).
CHILD_HEADERS = {"county": gettext_lazy("县级单位"), "station": gettext_lazy("供电所"), "district": gettext_lazy("台区")}


@login_required
@with_month
def drill_view(request, unit_id: int, *, month: dt.date):
    """A city's counties, a county's stations, a station's 台区, and the unit's 台区经理, ranked; with
    ``?export=csv|xlsx`` (``&table=managers`` for the 台区经理) the same rows as a file."""
    unit = selectors.drill_unit_for_viewer(unit_id=unit_id, viewer=request.user)
    page = selectors.drilldown(month=month, unit=unit, viewer=request.user)
    scope = scoping.scope_for(request.user)
    # Each exported row says where its figures come from (the page says it above the tables).
    basis = selectors.master_data_label(page["master_data"], facts_are_frozen=page["facts_frozen"])
    for row in page["children"]:
        row["basis"] = basis
        if page["child"] != "district" and row["key"] is not None:
            row["url"] = reverse("kpis:drill", args=[row["key"]]) + f"?month={label(month)}"
    for row in page["managers"]:
        row["basis"] = basis
    days = repeats.repeat_days()
    children = DrillTable(page["children"], prefix="c-", repeat_days=days,
                          name_header=CHILD_HEADERS[page["child"]], show_manager=page["child"] == "district")
    managers = ManagerTable(page["managers"], prefix="m-", repeat_days=days)
    RequestConfig(request, paginate=False).configure(children)
    RequestConfig(request, paginate=False).configure(managers)
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        # The file is named from this fixed vocabulary, never from the raw parameter (issue #15).
        which = "managers" if request.GET.get("table") == "managers" else page["child"]
        return export(request, managers if which == "managers" else children, fmt,
                      f"drill-{unit.pk}-{which}-{label(month)}")
    # The path above the unit, as far as the viewer may go up.
    ancestors = [u for u in OrgUnit.objects.filter(pk__in=[int(p) for p in unit.path.strip("/").split("/")][:-1])
                 .exclude(level=OrgUnit.Level.PROVINCE).order_by("path") if scoping.unit_allowed(scope, u)]
    return render(request, "kpis/drilldown.html", {
        "unit": unit, "month": month, "month_label": label(month), "children": children, "managers": managers,
        "ancestors": ancestors, "published": page["published"], "department_only": page["department_only"],
        "master_data": page["master_data"], "facts_frozen": page["facts_frozen"],
        "child_header": CHILD_HEADERS[page["child"]]})


@login_required
def seasonal_list(request):
    """The stored 迎峰度夏/迎峰度冬 risk lists (kpis.seasonal), the viewer's 台区 only, filtered, sorted and
    paged in the database; ``?export=csv|xlsx`` the same rows as a file. A read: computing is the
    worker's (seasonal_compute, the beat job)."""
    lists = list(SeasonalRiskList.objects.order_by("-year", "-season"))
    chosen = selectors.seasonal_list_for(request.GET.get("list"))
    scope = scoping.scope_for(request.user)
    filters = SeasonalFilter(request.GET, queryset=selectors.seasonal_entries(seasonal_list=chosen,
                                                                              viewer=request.user)
                             if chosen else SeasonalRiskEntry.objects.none())
    units = scoping.units_for(scope)
    filters.filters["city"].queryset = units.filter(level=OrgUnit.Level.CITY)
    filters.filters["county"].queryset = units.filter(level=OrgUnit.Level.COUNTY)
    valid = not (filters.is_bound and not filters.is_valid())
    fmt = request.GET.get("export")
    if fmt in FORMATS and chosen is not None:
        # The rows the page lists (the viewer's 台区, the filters, the sort), every page of them, as a file.
        rows = SeasonalTable(filters.qs if valid else filters.queryset.none())
        RequestConfig(request, paginate=False).configure(rows)
        return export(request, rows, fmt, f"seasonal-{chosen.year}-{chosen.season}")
    table = SeasonalTable(filters.qs if valid else filters.queryset.none())
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    this_year = current_month().year
    return render(request, "kpis/seasonal_list.html", {
        "lists": lists, "chosen": chosen, "table": table, "filter": filters,
        "can_compute": roles.is_analyst(request.user), "seasons": SeasonalRiskList.Season.choices,
        "years": [this_year + 1, this_year, this_year - 1]})


@login_required
@require_POST
def seasonal_compute(request):
    """An analyst asks a worker to compute a seasonal list (the task the beat job sends in May and November)."""
    if not roles.is_analyst(request.user):
        raise PermissionDenied
    season = request.POST.get("season", "")
    year = request.POST.get("year", "")
    if season not in SeasonalRiskList.Season.values or not year.isdigit() or not 1900 <= int(year) <= 2100:
        return HttpResponseBadRequest("season/year: summer or winter of a year 1900–2100",
                                      content_type="text/plain; charset=utf-8")
    services.request_seasonal_list(season=season, year=int(year), user=request.user)
    messages.success(request, _("已提交计算 %(year)s %(season)s 风险清单，完成后刷新本页即可查看") % {
        "year": year, "season": SeasonalRiskList.Season(season).label})
    return redirect(reverse("kpis:seasonal") + f"?list={int(year)}-{season}")

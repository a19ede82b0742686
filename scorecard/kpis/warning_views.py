"""预警工单 pages (issue #18): the scoped list, one order with its timeline, issuing one (from the risk list:
``?district=<code>&month=YYYY-MM``) and the assignee's buttons. Thin: parse, check, call, render."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scorecard.accounts import scoping
from scorecard.accounts.decorators import role_required
from scorecard.core import roles
from scorecard.core.months import label, parse_month
from scorecard.grid.models import District, OrgUnit

from . import warning_selectors as selectors
from . import warning_services as services
from .models import RiskEntry, WarningOrder
from .warning_forms import WarningActionForm, WarningCloseForm, WarningCreateForm

PER_PAGE = 50


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _month(data):
    """The ``month`` of a query or form (YYYY-MM), None when missing or malformed (the form says why)."""
    try:
        return parse_month(data.get("month") or "")
    except ValueError:
        return None


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
def warning_list(request):
    scope = scoping.scope_for(request.user)
    status = request.GET.get("status", "")
    city_id, station_id = _int(request.GET.get("city")), _int(request.GET.get("station"))
    try:
        month = parse_month(request.GET["month"]) if request.GET.get("month") else None
    except ValueError:
        month = None
    units = scoping.units_for(scope)
    qs = selectors.warning_list(viewer=request.user, status=status, city_id=city_id, station_id=station_id,
                                month=month)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    results = selectors.outcomes(page.object_list)
    rows = [{"w": w, "outcome": results[w.pk]} for w in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "kpis/warning_list.html", {
        "page": page, "rows": rows, "status": status, "statuses": WarningOrder.Status.choices,
        "cities": units.filter(level=OrgUnit.Level.CITY), "stations": units.filter(level=OrgUnit.Level.STATION),
        "city_id": city_id, "station_id": station_id, "month_value": label(month) if month else "",
        "query": query.urlencode(), "can_create": roles.can_create_warning(request.user)})


@login_required
def warning_detail(request, pk: int):
    warning = selectors.warning_for_viewer(pk=pk, viewer=request.user)
    actions = selectors.warning_actions(warning)
    can_handle = roles.can_handle_warning(request.user, warning) and warning.is_open
    return render(request, "kpis/warning_detail.html", {
        "w": warning, "timeline": selectors.timeline(warning, actions),
        "outcome": selectors.outcomes([warning])[warning.pk], "can_handle": can_handle,
        "can_acknowledge": can_handle and warning.acknowledged_at is None,
        "can_act": can_handle and warning.acknowledged_at is not None,
        "can_close": can_handle and warning.acknowledged_at is not None and bool(actions),
        "action_form": WarningActionForm(), "close_form": WarningCloseForm()})


@role_required(roles.can_create_warning)
def warning_create(request):
    """GET: the form, filled from ``?district=&month=`` (the risk list's 「生成预警工单」); POST: issue."""
    district = District.objects.select_related("city", "county", "station").filter(
        code=(request.POST if request.method == "POST" else request.GET).get("district") or "").first()
    month = _month(request.POST if request.method == "POST" else request.GET)
    # The assignee shown to the analyst: the 台区's 供电所 (copied onto the order by the service) and the
    # 台区经理 in office for the month, prefilled so that the analyst checks rather than types them.
    assignment = selectors.assignment_for(district=district, month=month) if district and month else None
    if request.method == "POST":
        form = WarningCreateForm(request.POST)
    else:
        form = WarningCreateForm(initial={
            "district": request.GET.get("district", ""), "month": request.GET.get("month", ""),
            "due_on": WarningCreateForm.default_due(), "department": services.DEFAULT_DEPARTMENT,
            "manager_name": assignment.name if assignment else "",
            "manager_staff_no": assignment.staff_no if assignment else ""})
    if form.is_bound and form.is_valid():
        if district is None:
            form.add_error("district", _("没有该台区"))
        else:
            try:
                warning = services.create_warning(
                    user=request.user, district=district, month=form.cleaned_data["month"],
                    due_on=form.cleaned_data["due_on"], department=form.cleaned_data["department"],
                    manager_name=form.cleaned_data["manager_name"],
                    manager_staff_no=form.cleaned_data["manager_staff_no"], note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("预警工单已发出"))
                return redirect("kpis:warning", pk=warning.pk)
    entry = RiskEntry.objects.filter(risk_list__month=month, district=district).first() if district and month else None
    return render(request, "kpis/warning_form.html", {"form": form, "district": district, "entry": entry,
                                                       "assignment": assignment, "month": month})


def _handled(view):
    """POST only, by someone who may handle some order (403 for every other role before the lookup, so ids
    reveal nothing); the order looked up in the viewer's scope (404 outside); 403 if not addressed to them."""
    @require_POST
    @role_required(roles.can_handle_warning)
    def wrapped(request, pk: int):
        warning = selectors.warning_for_viewer(pk=pk, viewer=request.user)
        if not roles.can_handle_warning(request.user, warning):
            raise PermissionDenied
        try:
            view(request, warning)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("kpis:warning", pk=pk)
    wrapped.__name__ = view.__name__
    return wrapped


@_handled
def warning_acknowledge(request, warning):
    services.acknowledge_warning(user=request.user, warning=warning)
    messages.success(request, _("已确认预警工单"))


@_handled
def warning_action(request, warning):
    form = WarningActionForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("请选择措施类型并填写措施内容"))
    services.record_warning_action(user=request.user, warning=warning, kind=form.cleaned_data["kind"],
                                   text=form.cleaned_data["text"], at=form.cleaned_data["at"])
    messages.success(request, _("处理措施已记录"))


@_handled
def warning_close(request, warning):
    form = WarningCloseForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("请填写处理结果"))
    services.close_warning(user=request.user, warning=warning, outcome=form.cleaned_data["outcome"])
    messages.success(request, _("预警工单已办结"))

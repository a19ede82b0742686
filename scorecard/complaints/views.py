"""The complaint analysis page and the drill-down order list (thin: selectors do the work).

Scoping (``accounts.scoping``): a leader
picks their own unit or one below it, a department head sees their city's
figures and, in order lists, only the complaints attributed to their department;
any other unit is a 404. Customer names and phone numbers are shown in full to
analysts only.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import LazyPaginator, RequestConfig

from scorecard.accounts import scoping
from scorecard.accounts import selectors as account_selectors
from scorecard.accounts.decorators import role_required
from scorecard.accounts.exports import export
from scorecard.core.months import default_month
from scorecard.core.roles import can_flag_sensitive, can_see_personal_data
from scorecard.grid.models import OrgUnit
from scorecard.core import freshness, responses

from . import charts as charts_text
from . import selectors
from .services import set_customer_sensitive
from .filters import AnalysisForm, OrderFilter
from .tables import (HotspotData, HotspotTable, HotTopicTable, OrderTable, RepeatDemandTable, RisingTable,
                     SensitiveCustomerTable, orders_url)

EXPORT_FORMATS = ("csv", "xlsx")
HOTSPOT_TABLES = {
    "multi": ("multi_customer_districts", "多客户投诉台区"),
    "consecutive": ("consecutive_month_districts", "连续两月投诉台区"),
    "lastyear": ("same_month_last_year_districts", "去年同月投诉台区"),
}


def _requested_unit(request, scope: scoping.Scope) -> OrgUnit | None:
    """The ``unit`` parameter if the user may see it, else the user's own unit (None = the province).

    Parsed here, before the form, so that a unit outside the scope (or one that
    does not exist) is a 404 rather than a silently ignored form error."""
    raw = (request.GET.get("unit") or "").strip()
    if raw.isdigit():
        try:
            return account_selectors.unit_for_viewer(pk=int(raw), viewer=request.user)
        except OrgUnit.DoesNotExist:
            scoping.deny()  # audited like a unit outside the scope: ids reveal nothing
    if scope.is_global:
        return None
    unit = scoping.default_unit(scope)
    if not scoping.unit_allowed(scope, unit):
        raise PermissionDenied  # a role that needs a unit, but none is set: fail closed
    return unit


def _export(request, table, name: str):
    fmt = request.GET.get("_export")
    if fmt in EXPORT_FORMATS:
        # The one export path of the product: streamed, formula-looking cells (=cmd|...) neutralised,
        # BOM for Excel, in the background above a size (accounts.exports).
        return export(request, table, fmt, name)
    return None


@login_required
def analysis(request):
    scope = scoping.scope_for(request.user)
    unit = _requested_unit(request, scope)
    form = AnalysisForm(request.GET or None)
    form.fields["unit"].queryset = scoping.units_for(scope)
    if not scope.is_global:
        form.fields["unit"].empty_label = None  # "全省" is not theirs to pick
    month = None
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"]
    latest = selectors.latest_month()
    month = month or default_month(latest)
    if not selectors.month_has_data(month):
        return responses.no_data(request, month=month, title=_("投诉分析"), latest=latest)
    # The month's figures and the rising-complaint lists are a few grouped queries over the month:
    # computed once per data version, like the scorecard.
    figures = selectors.profile_readout(month, unit)
    params = {"month": figures["month"], "unit": unit.pk if unit else None}
    if request.GET.get("_export") in EXPORT_FORMATS and request.GET.get("_table") in HOTSPOT_TABLES:
        key = request.GET["_table"]
        return _export(request, _hotspot_table(request, key, figures, params),
                       f"{HOTSPOT_TABLES[key][1]}-{figures['month']}")
    # The page's content depends on the month, the unit, the viewer's scope and role (department heads'
    # customer lists, masked names, the unit picker), the language and the query string (sort and page
    # links): its HTML is kept per data version for exactly those (freshness.fragment).
    body = freshness.fragment(request, "analysis", viewer=scoping.viewer_key(request.user), compute=lambda: render_to_string(
        "complaints/_analysis_body.html",
        _analysis_context(request, form, month, unit, figures, params), request))
    return render(request, "complaints/analysis.html", {"body": body})


def _hotspot_table(request, key: str, figures: dict, params: dict) -> HotspotTable:
    table = HotspotTable(HotspotData(list(figures["hotspots"][HOTSPOT_TABLES[key][0]])), params=params,
                         prefix=f"{key}-")
    RequestConfig(request, paginate={"per_page": 20}).configure(table)
    return table


def _analysis_context(request, form, month, unit, figures, params) -> dict:
    hotspot_tables = [{"key": key, "title": title, "table": _hotspot_table(request, key, figures, params),
                       "count": len(figures["hotspots"][field])} for key, (field, title) in HOTSPOT_TABLES.items()]

    proactive = {
        **selectors.analysis_lists(figures["window"], unit),
        # repeat_demands, sensitive_customers: a department head's only of their department's customers.
        **selectors.customer_lists(figures["window"], unit, viewer=request.user),
    }
    personal = can_see_personal_data(request.user)
    regional = proactive["regional_demands"]
    level_name = dict(OrgUnit.Level.choices).get(regional["level"], "")
    tables = {
        "regional_units": RisingTable(regional["units"], params=params, link_param="unit", prefix="ru-"),
        "regional_feeders": RisingTable(regional["feeders"], params=params, link_param="feeder", link_key="name",
                                       prefix="rf-"),
        "hot_topics": HotTopicTable(proactive["hot_topics"], params=params, link_param="subcategory", prefix="ht-"),
        "repeat": RepeatDemandTable(proactive["repeat_demands"], params=params, prefix="rp-",
                                    show_personal=personal),
        "sensitive": SensitiveCustomerTable(proactive["sensitive_customers"], params=params, prefix="sc-",
                                            show_personal=personal),
    }
    # LazyPaginator: no COUNT(*) over the grouped query (it would compute the groups twice).
    RequestConfig(request, paginate={"per_page": 10, "paginator_class": LazyPaginator}).configure(tables["repeat"])
    RequestConfig(request, paginate={"per_page": 10, "paginator_class": LazyPaginator}).configure(tables["sensitive"])

    voltage = selectors.voltage_details()
    charts = {
        "categories": [{"name": c["name"], "value": c["count"], "share": float(c["share"]),
                        "url": orders_url(params, category=c["id"])} for c in figures["categories"]],
        "subcategories": [{"name": s["name"], "value": s["count"], "share": float(s["share"]),
                           "url": orders_url(params, subcategory=s["id"])} for s in figures["subcategories"][:12]],
        "hourly": [{"value": n, "url": orders_url(params, hour=h), "peak": h in figures["peak_hours"][:3]}
                   for h, n in enumerate(figures["hourly"])],
        "peaks": figures["peak_hours"][:3],
        "described": charts_text.describe(figures),  # each chart's aria-label
        # The charts' own words, translated here (the page's language is part of its cache key).
        "labels": {"share": _("{name}：{value} 件（{share}%）"), "count": _("{name}：{value} 件"),
                   "hour": _("{h}时"), "axis": _("件数"), "peak": _("高峰 {c}")},
    }
    return {
        "form": form,
        "f": figures,
        "unit": unit,
        "params": params,
        "total_url": orders_url(params),
        "voltage_links": [{"name": name, "count": figures["voltage_customers"][name],
                           "url": orders_url(params, detail=d.pk) if d else ""} for name, d in voltage.items()],
        "hotspot_tables": hotspot_tables,
        "tables": tables,
        "regional_level": level_name,
        "charts": charts,
    }


@login_required
def order_list(request):
    scope = scoping.scope_for(request.user)
    if request.GET.get("unit"):
        _requested_unit(request, scope)  # 404 for a unit outside the scope
    # Department heads see complaints only (theirs); the other business types are not attributed.
    complaints_only = request.GET.get("types") != "all" or scope.department_id is not None
    base = selectors.order_list(viewer=request.user, complaints_only=complaints_only)
    personal = can_see_personal_data(request.user)

    def listing():
        filterset = OrderFilter(request.GET or None, queryset=base)
        filterset.filters["unit"].queryset = scoping.units_for(scope)
        # Invalid parameters (an unknown category id; a bad month is a 400 before: core.params) show the form's errors and no rows,
        # rather than silently widening the list.
        valid = not (filterset.is_bound and not filterset.is_valid())
        qs = filterset.qs if valid else filterset.queryset.none()
        month = filterset.form.cleaned_data.get("month") if valid and filterset.is_bound else None
        late, show_late = None, False
        if month and complaints_only and selectors.is_frozen(month):
            qs, late, show_late = _frozen_listing(request, scope, base, filterset, month)
        table = OrderTable(qs, show_personal=personal, late=show_late)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        return {"filter": filterset, "table": table, "complaints_only": complaints_only, "late": late,
                "show_late": show_late}

    if request.GET.get("_export") in EXPORT_FORMATS:
        return _export(request, listing()["table"], "工单清单")

    def render_listing():
        # Two parts around the customer panel (which holds a per-user CSRF token and stays live).
        context = listing()
        return {"head": render_to_string("complaints/_order_list_head.html", context, request),
                "body": render_to_string("complaints/_order_list_body.html", context, request)}

    # The filter form (hundreds of unit and category options) and 50 rows of 15 cells are most of the
    # page's cost: their HTML is kept per data version, viewer scope, language and query string.
    parts = freshness.fragment(request, "orders", viewer=scoping.viewer_key(request.user), compute=render_listing)
    customer_no = request.GET.get("customer") or ""
    # A customer with no orders in the user's listing is not theirs to see.
    customer = selectors.customer_for_viewer(customer_no=customer_no, viewer=request.user, orders=base)
    return render(request, "complaints/order_list.html", {
        "head": parts["head"],
        "body": parts["body"],
        "customer": customer,
        "masked_customer_name": (customer.name if personal else scoping.mask_name(customer.name)) if customer else "",
        # The analyst's note may quote a phone number: masked for everyone else (issue #15).
        "sensitive_note": (customer.sensitive_note if personal else scoping.mask_text(customer.sensitive_note))
        if customer else "",
        "can_flag": can_flag_sensitive(request.user),
    })


def _frozen_listing(request, scope, base, filterset, month):
    """The list of a published (frozen) month: the orders of its freeze, filtered on their frozen values
    (so a figure's count and its list agree), or with ``?late=1`` its 补录 (new or changed since the
    freeze, current values). Returns (orders, late counts, showing late)."""
    late = selectors.late_querysets(month)
    counts = {kind: qs.count() for kind, qs in late.items()}
    counts["total"] = counts["new"] + counts["changed"]
    if request.GET.get("late") == "1":
        return selectors.late_orders(filterset.qs, late), counts, True
    frozen = OrderFilter(request.GET, queryset=selectors.month_complaints(month))
    frozen.filters["unit"].queryset = scoping.units_for(scope)
    return selectors.frozen_orders(base, frozen.qs), counts, False


@login_required
def unit_options(request):
    """The unit picker's data: the units the viewer may pick, in tree order (accounts.selectors.unit_options)."""
    # Chinese names as UTF-8, not \uXXXX escapes: a third of the bytes for a province's 600 units.
    return JsonResponse({"units": account_selectors.unit_options(viewer=request.user)},
                        json_dumps_params={"ensure_ascii": False})


@login_required
def feeder_options(request):
    """The 线路 picker's data: feeders whose name contains ``q`` (at most 30), of the viewer's city companies."""
    return JsonResponse({"feeders": account_selectors.feeder_options(viewer=request.user, q=request.GET.get("q", ""))},
                        json_dumps_params={"ensure_ascii": False})


@require_POST
@role_required(can_flag_sensitive)
def customer_sensitive(request, customer_no: str):
    customer = selectors.customer_for_viewer(customer_no=customer_no, viewer=request.user)
    if customer is None:
        raise Http404
    sensitive = request.POST.get("sensitive") == "1"
    set_customer_sensitive(customer_no=customer.customer_no, sensitive=sensitive,
                           note=request.POST.get("note", ""), by=request.user)
    messages.success(request, _("已标记为敏感客户：%s") % customer_no if sensitive
                     else _("已取消敏感客户标记：%s") % customer_no)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = orders_url({}, customer=customer_no)
    return redirect(target)

"""The complaint analysis page and the drill-down order list (thin: selectors do the work).

Kept apart from ``views.py`` (imports). For now every logged-in user may pick
any unit; role scoping will supply the unit a user may see.
"""
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from scorecard.grid.models import OrgUnit

from . import selectors
from .customer_services import set_customer_sensitive
from .filters import MonthField, OrderFilter, UnitChoiceField
from .models import Customer
from .tables import (HotspotTable, HotTopicTable, OrderTable, RepeatDemandTable, RisingTable, SensitiveCustomerTable,
                     orders_url)

EXPORT_FORMATS = ("csv", "xlsx")
HOTSPOT_TABLES = {
    "multi": ("multi_customer_districts", "多客户投诉台区"),
    "consecutive": ("consecutive_month_districts", "连续两月投诉台区"),
    "lastyear": ("same_month_last_year_districts", "去年同月投诉台区"),
}


class AnalysisForm(forms.Form):
    month = MonthField(label="月份", required=False)
    unit = UnitChoiceField(label="单位", queryset=OrgUnit.objects.order_by("path"), required=False,
                           empty_label="全省")


def _default_month() -> date:
    latest = selectors.latest_month()
    if latest:
        return latest
    return (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)


def _export(request, table, name: str):
    fmt = request.GET.get("_export")
    if fmt in EXPORT_FORMATS and TableExport.is_valid_format(fmt):
        return TableExport(fmt, table, exclude_columns=()).response(f"{name}.{fmt}")
    return None


@login_required
def analysis(request):
    form = AnalysisForm(request.GET or None)
    month, unit = None, None
    if form.is_bound and form.is_valid():
        month, unit = form.cleaned_data["month"], form.cleaned_data["unit"]
    month = month or _default_month()
    figures = selectors.profile_figures(month, unit)
    params = {"month": figures["month"], "unit": unit.pk if unit else None}

    hotspot_tables = []
    for key, (field, title) in HOTSPOT_TABLES.items():
        table = HotspotTable(figures["hotspots"][field], params=params, prefix=f"{key}-")
        RequestConfig(request, paginate={"per_page": 20}).configure(table)
        if request.GET.get("_table") == key:
            response = _export(request, table, f"{title}-{figures['month']}")
            if response:
                return response
        hotspot_tables.append({"key": key, "title": title, "table": table, "count": len(figures["hotspots"][field])})

    proactive = selectors.proactive_service(figures["window"], unit)
    regional = proactive["regional_demands"]
    level_name = dict(OrgUnit.Level.choices).get(regional["level"], "")
    tables = {
        "regional_units": RisingTable(regional["units"], params=params, link_param="unit", prefix="ru-"),
        "regional_feeders": RisingTable(regional["feeders"], params=params, link_param="feeder", prefix="rf-"),
        "hot_topics": HotTopicTable(proactive["hot_topics"], params=params, link_param="subcategory", prefix="ht-"),
        "repeat": RepeatDemandTable(proactive["repeat_demands"], params=params, prefix="rp-"),
        "sensitive": SensitiveCustomerTable(proactive["sensitive_customers"], params=params, prefix="sc-"),
    }
    RequestConfig(request, paginate={"per_page": 10}).configure(tables["repeat"])
    RequestConfig(request, paginate={"per_page": 10}).configure(tables["sensitive"])

    voltage = selectors.voltage_details()
    charts = {
        "categories": [{"name": c["name"], "value": c["count"], "share": float(c["share"]),
                        "url": orders_url(params, category=c["id"])} for c in figures["categories"]],
        "subcategories": [{"name": s["name"], "value": s["count"], "share": float(s["share"]),
                           "url": orders_url(params, subcategory=s["id"])} for s in figures["subcategories"][:12]],
        "hourly": [{"value": n, "url": orders_url(params, hour=h), "peak": h in figures["peak_hours"][:3]}
                   for h, n in enumerate(figures["hourly"])],
        "peaks": figures["peak_hours"][:3],
    }
    return render(request, "complaints/analysis.html", {
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
    })


@login_required
def order_list(request):
    complaints_only = request.GET.get("types") != "all"
    filterset = OrderFilter(request.GET or None, queryset=selectors.order_list(complaints_only=complaints_only))
    # Invalid parameters (an unknown category id, month 2018-13) show the form's errors and no rows,
    # rather than silently widening the list.
    qs = filterset.queryset.none() if filterset.is_bound and not filterset.is_valid() else filterset.qs
    table = OrderTable(qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    response = _export(request, table, "工单清单")
    if response:
        return response
    customer_no = request.GET.get("customer") or ""
    customer = Customer.objects.filter(customer_no=customer_no).first() if customer_no else None
    return render(request, "complaints/order_list.html", {
        "filter": filterset,
        "table": table,
        "customer": customer,
        "masked_customer_name": selectors.mask_name(customer.name) if customer else "",
        "complaints_only": complaints_only,
        "can_flag": request.user.is_analyst,
    })


@login_required
@require_POST
def customer_sensitive(request, customer_no: str):
    if not request.user.is_analyst:
        raise PermissionDenied(_("只有指挥中心分析员可以标记敏感客户"))
    customer = get_object_or_404(Customer, customer_no=customer_no)
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

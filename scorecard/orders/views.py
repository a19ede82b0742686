"""The work-order detail page and the search results (thin: selectors do the work and the scoping)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django_tables2 import RequestConfig

from scorecard.complaints.tables import OrderTable
from scorecard.core.roles import can_file_appeal, can_see_personal_data

from . import selectors


@login_required
def detail(request, order_no: str):
    order = selectors.order_for_viewer(order_no=order_no, viewer=request.user)
    context = selectors.order_detail(order, viewer=request.user)
    context["can_appeal"] = order.is_complaint and can_file_appeal(request.user) and not any(
        a.is_pending for a in context["appeals"])
    return render(request, "orders/detail.html", context)


@login_required
def search(request):
    q = (request.GET.get("q") or "").strip()
    # An exact order number opens the order (what a box for order numbers is mostly used for).
    if q and "page" not in request.GET and (found := selectors.exact_order(viewer=request.user, q=q)):
        return redirect("orders:detail", order_no=found)
    table = OrderTable(selectors.search_orders(viewer=request.user, q=q),
                       show_personal=can_see_personal_data(request.user))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "orders/search.html", {"q": q, "table": table})

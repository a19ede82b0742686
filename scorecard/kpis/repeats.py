"""Repeat chains (issue #13): which earlier complaint a repeat complaint repeats, and who handled it.

The rule is the repeat-rate KPI's (``expressions.is_repeat``, domain.md "repeat complaint"): a complaint
repeats the complaints of the same customer accepted in the ``RuleSettings.repeat_days`` days before it
(by 受理时间, that instant excluded), whatever month they fall in. "Who handled it" is the earlier order's
attributed department (``attribution.attributed``: frozen for a published month) and its unit.

Reads only, everything in SQL: the chain of one order is one query; a list of orders gets the latest
earlier complaint and the count as correlated subqueries (no query per row). Scoped: the earlier
complaints shown are those the viewer may list (``accounts.scoping.scoped_orders``); the others are
only counted (``hidden``), so a department head learns that an earlier complaint exists, not whose.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateTimeField, ExpressionWrapper, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from scorecard.accounts import scoping
from scorecard.complaints.models import WorkOrder
from scorecard.grid.models import Department

from .attribution import attributed, default_table
from .models import RuleSettings


def repeat_days() -> int:
    """The look-back of a repeat complaint (RuleSettings.repeat_days; the KPI's, 30 days by default)."""
    return RuleSettings.current().repeat_days


def _visible_attributed(queryset: QuerySet, scope: scoping.Scope) -> QuerySet:
    """``queryset`` narrowed to what ``scope`` may list, annotated with ``attr_department_id``/``attr_rule``.

    A department head's scoping already annotates the attribution (it filters on it); annotating twice
    would clash."""
    if scope.department_id is not None:
        return scoping.scoped_orders(queryset, scope)
    return attributed(queryset.filter(scoping.order_q(scope)), default_table())


def _earlier(days: int) -> QuerySet:
    """The complaints an outer work order repeats (correlated on OuterRef)."""
    start = ExpressionWrapper(OuterRef("accepted_at") - dt.timedelta(days=days), output_field=DateTimeField())
    return WorkOrder.objects.filter(is_complaint=True, customer_id=OuterRef("customer_id"),
                                    accepted_at__lt=OuterRef("accepted_at"), accepted_at__gte=start)


def with_repeat_of(queryset: QuerySet, *, viewer, days: int | None = None) -> QuerySet:
    """Annotate work orders with their repeat link: ``repeat_count`` (earlier complaints of the customer in
    the look-back, all of them: the KPI's count), and of the latest one the viewer may see
    ``repeat_of_no``, ``repeat_of_at``, ``repeat_of_dept_id`` (its attributed department) and
    ``repeat_of_city_id``. NULL / 0 for a first complaint."""
    days = repeat_days() if days is None else days
    scope = scoping.scope_for(viewer)
    count = (_earlier(days).order_by().values("customer_id").annotate(n=Count("pk")).values("n")[:1])
    latest = _visible_attributed(_earlier(days), scope).order_by("-accepted_at", "-pk")
    return queryset.annotate(
        repeat_count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        repeat_of_no=Subquery(latest.values("order_no")[:1]),
        repeat_of_at=Subquery(latest.values("accepted_at")[:1]),
        repeat_of_dept_id=Subquery(latest.values("attr_department_id")[:1]),
        repeat_of_city_id=Subquery(latest.values("city_id")[:1]),
    )


def department_names() -> dict[int, str]:
    """Department names by id (five rows): what an ``attr_department_id`` is shown as."""
    return dict(Department.objects.values_list("pk", "name"))


def repeat_chain(order: WorkOrder, *, viewer, days: int | None = None) -> dict:
    """The repeat chain around ``order``: ``earlier`` (the complaints it repeats, newest first) and
    ``later`` (the complaints that repeat it, oldest first), each row with the order number, 受理时间,
    办结时间, category, unit names and the attributed department; ``hidden`` = how many of them the
    viewer may not see; ``days`` = the look-back. One query for the rows, one for the count.
    """
    days = repeat_days() if days is None else days
    empty = {"days": days, "earlier": [], "later": [], "hidden": 0, "is_repeat": False}
    if not order.is_complaint or not order.customer_id:
        return empty
    window = dt.timedelta(days=days)
    around = (WorkOrder.objects.filter(is_complaint=True, customer_id=order.customer_id)
              .filter(Q(accepted_at__gte=order.accepted_at - window, accepted_at__lt=order.accepted_at)
                      | Q(accepted_at__gt=order.accepted_at, accepted_at__lte=order.accepted_at + window))
              .exclude(pk=order.pk))
    rows = list(_visible_attributed(around, scoping.scope_for(viewer))
                .values("pk", "order_no", "accepted_at", "closed_at", "satisfaction", "category__name",
                        "subcategory__name", "city__name", "county__name", "station__name", "attr_department_id",
                        "attr_rule")
                .order_by("accepted_at", "pk"))
    names = department_names()
    for row in rows:  # the chain's few rows, already fetched: names from a five-entry dict
        row["department"] = names.get(row["attr_department_id"], "")
    total = around.count()
    earlier = [r for r in rows if r["accepted_at"] < order.accepted_at]
    return {"days": days, "earlier": earlier[::-1], "later": [r for r in rows if r["accepted_at"] > order.accepted_at],
            "hidden": total - len(rows), "is_repeat": around.filter(accepted_at__lt=order.accepted_at).exists()}

"""Reads of the grid master data: who managed a 台区 on a day (the 台区经理 history).

The rule has one home here: a month's figures name the 台区经理 in office on the month's last day
(``month_manager_day``), so a 台区 belongs to exactly one manager in a month, complaints and
customers alike, and a manager who took over on the 20th answers for the whole month.
"""
import datetime as dt

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from scorecard.core.months import LOCAL_TZ, last_day

from .models import District, DistrictFreeze, DistrictManagerAssignment, FrozenDistrict


def month_manager_day(month: dt.date) -> dt.date:
    """The day whose 台区经理 answers for ``month``: its last day."""
    return last_day(month)


def today() -> dt.date:
    return timezone.now().astimezone(LOCAL_TZ).date()


def assignments_on(day: dt.date) -> QuerySet:
    """The assignments in effect on ``day`` (at most one per 台区)."""
    return DistrictManagerAssignment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


def manager_on(day: dt.date, district_ref: str = "district_id") -> dict:
    """Annotations ``manager_name`` / ``manager_staff_no``: the manager of the row's 台区 (``district_ref``
    names the 台区 code column of the annotated queryset) on ``day``; null where none was in office."""
    held = assignments_on(day).filter(district_id=OuterRef(district_ref)).order_by()
    return {"manager_name": Subquery(held.values("name")[:1]),
            "manager_staff_no": Subquery(held.values("staff_no")[:1])}


def frozen_manager_on(month: dt.date, district_ref: str = "district_id") -> dict:
    """``manager_on`` as a published month froze it (``grid.freeze``): the 台区经理 recorded for the row's
    台区 in the month's ``FrozenDistrict``; null where none was in office then."""
    held = FrozenDistrict.objects.filter(month=month, code=OuterRef(district_ref)).order_by()
    return {"manager_name": Subquery(held.values("manager_name")[:1]),
            "manager_staff_no": Subquery(held.values("manager_staff_no")[:1])}


def districts_frozen(month: dt.date) -> bool:
    """Whether ``month``'s 台区 master data was frozen (published after the freeze existed)."""
    return DistrictFreeze.objects.filter(month=month).exists()


def month_districts(month: dt.date, *, frozen: bool) -> QuerySet:
    """The 台区 master data a month's figures divide by, with ``code``, ``name``, ``city_id``, ``county_id``,
    ``station_id``, ``customers``, ``manager_name`` and ``manager_staff_no`` alike: the month's freeze
    (``frozen``) or the live 台区 with the manager of the month's last day."""
    if frozen:
        return FrozenDistrict.objects.filter(month=month).order_by()
    return District.objects.order_by().annotate(**manager_on(month_manager_day(month), "code"))


def manager_label(name: str | None, staff_no: str | None) -> str | None:
    """How a manager is named everywhere (pages, the early-warning JSON): 「姓名（工号）」, or the name alone."""
    if not name:
        return None
    return f"{name}（{staff_no}）" if staff_no else name


def current_managers() -> dict[str, str]:
    """台区 code → the label of its manager in office today (every 台区 in one read)."""
    return {code: manager_label(name, staff_no) for code, name, staff_no in
            assignments_on(today()).values_list("district_id", "name", "staff_no")}


def district_history(code: str) -> QuerySet:
    """A 台区's managers, latest first."""
    return DistrictManagerAssignment.objects.filter(district_id=code).order_by("-valid_from")

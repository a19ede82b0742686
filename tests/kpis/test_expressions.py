"""kpis.expressions: the month hint of the on-time condition (OnTime's ``window``) changes how
PostgreSQL finds the SLA deadline, never the answer."""
import json

import pytest
from django.db import connection
from django.db.models import BooleanField, Case, Count, Value, When

from scorecard.complaints.models import WorkOrder
from scorecard.core.months import parse_month
from scorecard.kpis import calendar as workcal
from scorecard.kpis.expressions import clock_annotations, on_time_q, with_deadline
from scorecard.kpis.models import WorkCalendar

from tests.fixtures.factories import city, local, order

pytestmark = pytest.mark.django_db

OCTOBER = parse_month("2024-10")
# 2024: National Day 10-01..10-07 off, Saturday 10-12 a make-up working day. SLA: 投诉 4, 举报 9.
CASES = [
    # (accepted, closed, business type, on time) — derived by hand, checked against workcal.deadline.
    ("2024-10-01 09:00", "2024-10-11 23:59", "投诉", True),  # a holiday: by 24:00 of Oct 8, 9, 10, 11
    ("2024-10-01 09:00", "2024-10-12 00:00", "投诉", True),  # 24:00 itself
    ("2024-10-01 09:00", "2024-10-12 00:01", "投诉", False),
    ("2024-10-12 10:00", "2024-10-17 10:00", "投诉", True),  # the make-up Saturday works: 14, 15, 16, 17
    ("2024-10-12 10:00", "2024-10-18 10:00", "投诉", False),
    ("2024-10-31 15:00", "2024-11-06 15:00", "投诉", True),  # the window's last day, deadline past it
    ("2024-10-31 15:00", "2024-11-06 15:01", "投诉", False),
    ("2024-10-31 10:00", "2024-11-13 10:00", "举报", True),  # the longest SLA: 9 working days on
    ("2024-10-31 10:00", "2024-11-14 10:00", "举报", False),
    ("2024-10-10 10:00", "2024-10-15 10:00", "投诉", True),  # Thursday: 11, the make-up 12, 14, 15
    ("2024-10-10 10:00", "2024-10-16 10:00", "投诉", False),
    ("2024-10-15 10:00", "2024-10-21 09:00", "投诉", True),  # 16, 17, 18, 21
    ("2024-10-15 08:00", None, "投诉", False),  # open: never on time
    # Outside the window: the arrays do not hold these days, the subquery answers.
    ("2024-09-30 15:00", "2024-10-11 15:00", "投诉", True),
    ("2024-09-30 15:00", "2024-10-11 15:30", "投诉", False),
    ("2024-11-01 10:00", "2024-11-07 10:00", "投诉", True),
    ("2024-11-01 10:00", "2024-11-07 10:01", "投诉", False),
]
SLA = {"投诉": 4, "举报": 9}


def _orders():
    cs = city("国网长沙供电公司")
    return {order(accepted=a, closed=c, business_type=bt, city_unit=cs).order_no: (a, c, bt, ok)
            for a, c, bt, ok in CASES}


def _base():
    return with_deadline(WorkOrder.objects.all()).annotate(**clock_annotations())


def _with_on_time(month):
    return _base().annotate(
        on=Case(When(on_time_q(month=month), then=Value(True)), default=Value(False), output_field=BooleanField()))


def _on_time(month) -> dict[str, bool]:
    return dict(_with_on_time(month).values_list("order_no", "on"))


def test_the_month_hint_gives_every_answer_the_subquery_gives():
    cases = _orders()
    expected = {no: ok for no, (_a, _c, _bt, ok) in cases.items()}
    # The hand-derived cases agree with the Python deadline the explanations use.
    assert expected == {no: c is not None and local(c) <= workcal.deadline(local(a), SLA[bt])
                        for no, (a, c, bt, _ok) in cases.items()}
    assert _on_time(None) == expected
    assert _on_time(OCTOBER) == expected
    # A hint naming another month only moves which rows take the subquery.
    assert _on_time(parse_month("2024-11")) == expected


def test_days_missing_from_the_calendar_read_as_the_subquery_reads_them():
    cases = _orders()
    # A hole before Oct 10 (the holiday Oct 5) and one in the deadlines (Mon Oct 21): arrays
    # aggregated over the rows that exist would shift by a day after Oct 5, and Oct 10's deadline
    # would become Oct 16.
    WorkCalendar.objects.filter(date__in=[local("2024-10-05 00:00").date(), local("2024-10-21 00:00").date()]).delete()
    unhinted = _on_time(None)
    assert _on_time(OCTOBER) == unhinted
    assert [unhinted[no] for no, (a, c, *_rest) in cases.items() if a == "2024-10-10 10:00"] == [True, False]
    due_21 = next(no for no, (a, c, *_rest) in cases.items() if a == "2024-10-15 10:00" and c)
    assert unhinted[due_21] is False  # a deadline the calendar does not know is never met


def _fallback_loops(queryset) -> int:
    """How often PostgreSQL ran the correlated deadline subquery (its calendar row is aliased c1)."""
    def walk(node):
        if node.get("Alias") == "c1":
            yield node["Actual Loops"]
        for child in node.get("Plans", []):
            yield from walk(child)

    plan = json.loads(queryset.explain(format="json", analyze=True))[0]["Plan"]
    return sum(walk(plan))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the hint is PostgreSQL's (SQLite keeps the portable form)")
def test_within_the_window_postgresql_never_runs_the_subquery():
    _orders()
    counted = lambda month, **where: (_base().filter(**where).order_by()  # noqa: E731
                                      .values("city_id").annotate(n=Count("pk", filter=on_time_q(month=month))))
    october = {"accepted_at__gte": local("2024-10-01 00:00"), "accepted_at__lt": local("2024-11-01 00:00")}
    assert _fallback_loops(counted(None, **october)) == 12  # unhinted: once per closed complaint
    assert _fallback_loops(counted(OCTOBER, **october)) == 0
    # Out of the window, each closed complaint takes it: the two of Sep 30 and the two of Nov 1.
    assert _fallback_loops(counted(OCTOBER)) == 4

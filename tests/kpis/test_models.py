"""scorecard.kpis.models.ReportingMonth: "is this month published" (the predicate, in Python and in SQL)
and the appeal window (``stage_at``), the one definition each that the pages, services and tasks ask."""
import datetime as dt

import pytest
from django.utils import timezone

from scorecard.kpis import selectors, services
from scorecard.kpis.models import ReportingMonth
from scorecard.portal import selectors as dashboard

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = dt.date(2018, 3, 1), dt.date(2018, 4, 1), dt.date(2018, 5, 1)
DRAFT_AT = dt.datetime(2018, 4, 2, 9, 0, tzinfo=dt.timezone.utc)
DEADLINE = dt.datetime(2018, 4, 9, 9, 0, tzinfo=dt.timezone.utc)
SECOND = dt.timedelta(seconds=1)


def test_it_says_whether_a_month_is_published_in_python_and_in_sql():
    ReportingMonth.objects.create(month=MARCH, published_at=timezone.now())
    ReportingMonth.objects.create(month=APRIL, draft_at=timezone.now())
    assert ReportingMonth.objects.get(month=MARCH).is_published
    assert not ReportingMonth.objects.get(month=APRIL).is_published
    assert list(ReportingMonth.objects.published().values_list("month", flat=True)) == [MARCH]
    assert list(ReportingMonth.objects.unpublished().values_list("month", flat=True)) == [APRIL]


def test_it_answers_the_selectors_the_same_way():
    ReportingMonth.objects.create(month=MARCH, published_at=timezone.now())
    ReportingMonth.objects.create(month=APRIL)
    assert selectors.is_published(MARCH) and selectors.published_month(MARCH).month == MARCH
    assert not selectors.is_published(APRIL) and selectors.published_month(APRIL) is None
    assert not selectors.is_published(MAY) and selectors.published_month(MAY) is None  # no row: not published


@pytest.mark.parametrize("now, stage", [
    (DRAFT_AT, ReportingMonth.Stage.APPEAL),
    (DEADLINE - SECOND, ReportingMonth.Stage.APPEAL),
    (DEADLINE, ReportingMonth.Stage.APPEAL),           # the deadline itself is inside the window
    (DEADLINE + SECOND, ReportingMonth.Stage.REVIEW),
])
def test_it_closes_the_appeal_window_by_the_clock(now, stage):
    rm = ReportingMonth(month=MARCH, draft_at=DRAFT_AT, appeal_deadline=DEADLINE)
    assert rm.stage_at(now) == stage
    # publish_blockers asks the same question (and names the deadline).
    blocked = any("申诉期" in reason for reason in services.publish_blockers(rm, now))
    assert blocked == (stage == ReportingMonth.Stage.APPEAL)


def test_it_has_no_appeal_window_before_a_draft_or_once_published():
    assert ReportingMonth(month=MARCH).stage_at(DRAFT_AT) == ReportingMonth.Stage.OPEN
    assert ReportingMonth(month=MARCH, cutoff_at=DRAFT_AT).stage_at(DRAFT_AT) == ReportingMonth.Stage.CUTOFF
    published = ReportingMonth(month=MARCH, draft_at=DRAFT_AT, appeal_deadline=DEADLINE, published_at=DEADLINE)
    assert published.stage_at(DEADLINE - SECOND) == ReportingMonth.Stage.PUBLISHED


@pytest.mark.parametrize("deadline_from_now, published, appeal_open", [
    (dt.timedelta(hours=1), False, True),
    (-dt.timedelta(hours=1), False, False),
    (dt.timedelta(hours=1), True, False),
])
def test_it_is_the_home_pages_appeal_window_too(deadline_from_now, published, appeal_open):
    now = timezone.now()
    ReportingMonth.objects.create(month=MARCH, draft_at=now - dt.timedelta(days=3),
                                  appeal_deadline=now + deadline_from_now, published_at=now if published else None)
    state = dashboard.month_state(MARCH)
    assert state["appeal_open"] is appeal_open and state["published"] is published
    assert services.appeal_window_open(MARCH) is appeal_open

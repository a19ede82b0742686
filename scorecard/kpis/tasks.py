"""Celery tasks of the kpis app: thin, they call one service (sent on commit: scorecard.core.tasks)."""
import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError

from scorecard.core.months import current_month

from . import reminders, services, warning_services

logger = logging.getLogger(__name__)


@shared_task(name="kpis.retrace_unpublished", acks_late=True,
             autoretry_for=(DatabaseOperationalError,), retry_backoff=2, max_retries=3)
def retrace_unpublished(reason: str) -> list[str]:
    """A rule or threshold changed: re-trace every unpublished month that was traced before."""
    return [m.isoformat() for m in services.retrace_unpublished(reason=reason)]


@shared_task(name="kpis.warm_read_outs", acks_late=True,
             autoretry_for=(DatabaseOperationalError,), retry_backoff=2, max_retries=3)
def warm_read_outs(months: list[str], version: int) -> int:
    """Sent by core.freshness.schedule_warm_up after a change of data (``version``: the one it announced)."""
    return services.warm_read_outs(months=[dt.date.fromisoformat(m) for m in months])


# The beat entry (accounts migration 0004) names the task by this string, which predates its move here.
@shared_task(name="accounts.remind_rectifications")
def remind_rectifications() -> int:
    return reminders.remind_rectifications()


@shared_task(name="kpis.compute_risk_list", acks_late=True,
             autoretry_for=(DatabaseOperationalError,), retry_backoff=2, max_retries=3)
def compute_risk_list(month: str | None = None, reason: str = "beat") -> str:
    """The early-warning list of ``month`` (YYYY-MM-DD of its first day). Without one — the beat job
    on the 1st (kpis migration 0012) — the month that starts today, Shanghai time: it is predicted
    from the complete months before it."""
    target = dt.date.fromisoformat(month) if month else current_month()
    return services.compute_risk_list(month=target, reason=reason).month.isoformat()


@shared_task(name="kpis.escalate_overdue_warnings", acks_late=True,
             autoretry_for=(DatabaseOperationalError,), retry_backoff=2, max_retries=3)
def escalate_overdue_warnings() -> int:
    """The daily beat job (kpis migration 0013): overdue 预警工单 go to the department head."""
    return warning_services.escalate_overdue_warnings()


@shared_task(name="kpis.compute_seasonal_list", acks_late=True,
             autoretry_for=(DatabaseOperationalError,), retry_backoff=2, max_retries=3)
def compute_seasonal_list(season: str | None = None, year: int | None = None, reason: str = "beat") -> str:
    """The seasonal risk list. Without arguments — the beat job on May 1st / November 1st (kpis migration
    0015) — the season that starts next month: 迎峰度夏 in May, 迎峰度冬 otherwise, of this year."""
    month = current_month()
    season = season or ("summer" if month.month <= 6 else "winter")
    sl = services.compute_seasonal_list(season=season, year=year or month.year, reason=reason)
    return f"{sl.year}-{sl.season}"

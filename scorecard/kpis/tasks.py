"""Celery tasks of the kpis app: thin, they call one service."""
import logging

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError
from django.db import transaction

logger = logging.getLogger(__name__)


def delay_on_commit(task, *args) -> None:
    """Send ``task`` once the current transaction commits; a broker that is down is logged,
    not raised into the edit that caused it (the next import or draft re-traces anyway)."""
    def send():
        try:
            task.delay(*args)
        except Exception:  # kombu raises several kinds for a dead broker
            logger.warning("could not enqueue %s%r", task.name, args, exc_info=True)

    transaction.on_commit(send)


@shared_task(name="kpis.retrace_unpublished", acks_late=True,
             autoretry_for=(DatabaseOperationalError,), retry_backoff=2, max_retries=3)
def retrace_unpublished(reason: str) -> list[str]:
    """A rule or threshold changed: re-trace every unpublished month that was traced before."""
    from .services import retrace_unpublished as run

    return [m.isoformat() for m in run(reason=reason)]


# The beat entry (accounts migration 0004) names the task by this string, which predates its move here.
@shared_task(name="accounts.remind_rectifications")
def remind_rectifications() -> int:
    return reminders.remind_rectifications()

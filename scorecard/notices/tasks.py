"""Celery tasks of the notices app: thin, they take primary keys and call services."""
import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import OperationalError as DatabaseOperationalError

from scorecard.core.months import previous_month
from scorecard.core.tasks import TransactionAwareTask
from scorecard.kpis.selectors import is_published

from . import services

logger = logging.getLogger(__name__)

# Hard limit kills a stuck render; NOTICE_STALE_SECONDS (600) is larger, so the
# sweeper never takes over a render that may still be alive.
SOFT_TIME_LIMIT = 240
HARD_TIME_LIMIT = 300


class NoticeTask(TransactionAwareTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once the task gives up (retries exhausted or a non-transient error).
        notice_id = args[0] if args else kwargs.get("notice_id")
        if notice_id is not None:
            services.mark_failed(notice_id=notice_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    bind=True, base=NoticeTask, name="notices.generate_notice",
    acks_late=True, reject_on_worker_lost=True,
    # Transient: the database busy or restarting, the media volume briefly unavailable.
    autoretry_for=(DatabaseOperationalError, OSError), retry_backoff=2, retry_backoff_max=60, retry_jitter=False,
    max_retries=3, soft_time_limit=SOFT_TIME_LIMIT, time_limit=HARD_TIME_LIMIT,
)
def generate_notice(self, notice_id: int) -> dict:
    notice = services.render_notice(notice_id=notice_id)
    return {"id": notice.pk, "status": notice.status, "file": notice.file.name, "sha256": notice.sha256}


@shared_task(name="notices.generate_previous_month")
def generate_previous_month() -> dict | None:
    """The beat job (1st of the month, 02:00 Asia/Shanghai): the previous month's draft.

    A month already published is left alone: a correction needs an analyst's note.
    """
    month = previous_month()
    if is_published(month):
        logger.info("notice for %s already published; nothing to generate", month)
        return None
    notice = services.request_generation(month=month, user=None)
    return {"id": notice.pk, "month": month.isoformat(), "status": notice.status}


@shared_task(name="notices.resubmit_stale")
def resubmit_stale() -> list[int]:
    """Beat, every minute: send requests the broker never got, and renders whose worker died."""
    return services.resubmit_stale()


@worker_ready.connect
def _resubmit_on_worker_start(sender=None, **kwargs):
    # A worker that starts after a crash or a broker outage picks up what was left.
    try:
        sent = services.resubmit_stale()
        if sent:
            logger.warning("resubmitted notices %s at worker start", sent)
    except Exception:  # never keep a worker from starting
        logger.exception("could not resubmit pending notices at worker start")

"""The base of every Celery task, and how the services send one (pretix's TransactionAwareTask).

A task sent from inside a transaction must wait for its commit: the worker would otherwise look for
rows that do not exist yet, or act on a change that is then rolled back. ``enqueue_on_commit`` does
that, and a broker that is down is logged rather than raised into the edit that sent the task (the
callers that must tell the user pass ``on_broker_error``).

Services name their task (``enqueue("notices.generate_notice", pk)``) instead of importing their
tasks module: the tasks import the services they call, so an import back would be a cycle.
Task names are the stable interface anyway (the beat schedule refers to them).
"""
import logging
from collections.abc import Callable

from celery import current_app
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

# What a dead or unreachable broker raises when a task is sent (kombu and the socket underneath).
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError)


class TransactionAwareTask(DjangoTask):
    """Every task of the project (scorecard/celery.py makes it the app's task class)."""

    def send_now(self, *args, retry_policy: dict | None = None, **kwargs):
        """Send at once (the caller knows there is nothing to wait for); raises BROKER_ERRORS."""
        options = {"retry": True, "retry_policy": retry_policy} if retry_policy else {}
        return self.apply_async(args, kwargs, **options)

    def enqueue_on_commit(self, *args, retry_policy: dict | None = None,
                          on_broker_error: Callable[[Exception], None] | None = None, **kwargs) -> None:
        """Send once the current transaction commits (at once when there is none)."""
        def send():
            try:
                self.send_now(*args, retry_policy=retry_policy, **kwargs)
            except BROKER_ERRORS as exc:
                logger.warning("could not enqueue %s%r: %s", self.name, args, exc)
                if on_broker_error is not None:
                    on_broker_error(exc)

        transaction.on_commit(send)


def task(name: str) -> TransactionAwareTask:
    """The registered task called ``name``.

    A worker imports every app's tasks module when it starts; a web process has imported only those
    something needed, so the first lookup of an unknown name runs the same autodiscovery."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue(name: str, *args, **options) -> None:
    """``task(name).enqueue_on_commit(*args, **options)``: how a service sends its task."""
    task(name).enqueue_on_commit(*args, **options)

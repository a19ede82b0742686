"""Celery tasks of the accounts app: thin, they call the service."""
from celery import shared_task


@shared_task(name="accounts.remind_rectifications")
def remind_rectifications() -> int:
    from .notifications import remind_rectifications as remind

    return remind()

from celery import shared_task

from . import exports


# An export of a million rows takes minutes, never an hour: the limits stop a runaway one.
@shared_task(name="accounts.run_export", soft_time_limit=1800, time_limit=1900)
def run_export(job_id: int) -> str:
    return exports.run_export(job_id=job_id).status

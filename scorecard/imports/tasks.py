from celery import shared_task
from django.conf import settings

from . import services


# Time limits (issue #15): past the soft one the import stops, rolls back and its job says why
# (services.run_import_job); the hard one, a minute later, ends a worker that did not stop.
@shared_task(name="complaints.run_import", soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
             time_limit=settings.IMPORT_TIME_LIMIT)
def run_import(job_id: int) -> str:
    return services.run_import_job(job_id=job_id).status

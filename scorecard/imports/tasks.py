from celery import shared_task

from . import services


@shared_task(name="complaints.run_import")
def run_import(job_id: int) -> str:
    return services.run_import_job(job_id=job_id).status

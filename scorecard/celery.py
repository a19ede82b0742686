import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

# Every task is a TransactionAwareTask: sent from a transaction, it waits for the commit.
app = Celery("scorecard", task_cls="scorecard.core.tasks:TransactionAwareTask")
# All Celery settings live in Django settings under the CELERY_ prefix so that
# one environment (DATABASE_URL, CELERY_BROKER_URL, ...) configures both.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="scorecard.health")
def health():
    """Report what the worker sees: its database and the seeded departments.

    A round trip through the broker, the worker and the result backend; the test
    harness and operators (README "Production") use it to prove a worker is
    connected to the right database.
    """
    # This module is imported by scorecard/__init__.py before Django's apps are loaded: models only here.
    from django.db import connection
    from scorecard.grid.models import Department  # (see above)

    return {
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "departments": sorted(Department.objects.values_list("code", flat=True)),
    }

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

app = Celery("scorecard")
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
    from django.db import connection

    from scorecard.grid.models import Department

    return {
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "departments": sorted(Department.objects.values_list("code", flat=True)),
    }

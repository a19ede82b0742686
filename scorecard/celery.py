import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

app = Celery("scorecard")
# All Celery settings live in Django settings under the CELERY_ prefix so that
# one environment (DATABASE_URL, CELERY_BROKER_URL, ...) configures both.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

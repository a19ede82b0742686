"""The monthly early-warning list as a beat row an administrator can edit in the admin
(django-celery-beat's DatabaseScheduler reads it)."""
from django.db import migrations

TASK_NAME = "投诉风险清单"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 03:00 on the 1st, Shanghai time: the month that starts, predicted from the complete months before it
    # (an hour after the notice draft of the previous month, so the two do not share the night's worker).
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_month="1", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "kpis.compute_risk_list", "crontab": crontab, "interval": None, "enabled": True,
                  "description": "每月1日03:00（北京时间）用此前各月数据计算本月投诉风险清单（含回测）"})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0011_risk_list"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

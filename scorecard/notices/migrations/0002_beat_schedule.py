"""The beat schedule of the notices, as rows an administrator can edit in the admin
(django-celery-beat's DatabaseScheduler reads them)."""
from django.db import migrations

DRAFT_TASK = "月度通报草稿"
SWEEP_TASK = "通报任务补发"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 02:00 on the 1st of every month, Shanghai time: the previous month's draft.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_month="1", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=DRAFT_TASK,
        defaults={"task": "notices.generate_previous_month", "crontab": crontab, "interval": None,
                  "enabled": True, "description": "每月1日02:00（北京时间）生成上月通报草稿"})
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=SWEEP_TASK,
        defaults={"task": "notices.resubmit_stale", "interval": every_minute, "crontab": None, "enabled": True,
                  "description": "补发队列不可用时未提交的通报生成任务，以及执行中断的任务"})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[DRAFT_TASK, SWEEP_TASK]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

"""The daily rectification reminder as a beat row an administrator can edit in the
admin (django-celery-beat's DatabaseScheduler reads it)."""
from django.db import migrations

TASK_NAME = "整改到期提醒"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 08:00 every day, Shanghai time: before the working day starts.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_month="*", month_of_year="*", day_of_week="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "accounts.remind_rectifications", "crontab": crontab, "interval": None, "enabled": True,
                  "description": "每天08:00（北京时间）提醒部门负责人3天内到期和已逾期的整改事项"})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notification"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

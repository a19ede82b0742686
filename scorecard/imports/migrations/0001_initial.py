# ImportJob moved out of complaints (complaints.0006 drops it from complaints' state); the table
# complaints_importjob is kept as it is, so existing jobs and their files stay where they were.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("complaints", "0005_frozen_complaint_profile_freeze"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=20, verbose_name="数据类型")),
                        ("file", models.FileField(max_length=300, upload_to="imports/%Y/%m/", verbose_name="文件")),
                        ("original_name", models.CharField(blank=True, max_length=255, verbose_name="原文件名")),
                        ("dry_run", models.BooleanField(default=False, verbose_name="仅校验")),
                        ("status", models.CharField(choices=[("pending", "排队中"), ("running", "导入中"), ("succeeded", "成功"), ("failed", "失败")], default="pending", max_length=10, verbose_name="状态")),
                        ("rows_total", models.PositiveIntegerField(default=0, verbose_name="总行数")),
                        ("rows_done", models.PositiveIntegerField(default=0, verbose_name="已处理行数")),
                        ("created", models.PositiveIntegerField(default=0, verbose_name="新增")),
                        ("updated", models.PositiveIntegerField(default=0, verbose_name="更新")),
                        ("errors", models.JSONField(blank=True, default=list, verbose_name="错误")),
                        ("message", models.TextField(blank=True, verbose_name="说明")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="完成时间")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name="上传人")),
                    ],
                    options={"verbose_name": "导入任务", "verbose_name_plural": "导入任务", "ordering": ["-created_at"],
                             "db_table": "complaints_importjob"},
                ),
            ],
            database_operations=[],
        ),
    ]

# DataVersion moved down from kpis (kpis.0009 drops it from kpis' state); the table is kept as it is.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("kpis", "0008_calendar_year")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataVersion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("version", models.BigIntegerField(default=0)),
                        ("changed_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"verbose_name": "数据版本", "verbose_name_plural": "数据版本", "db_table": "kpis_dataversion"},
                ),
            ],
            database_operations=[],
        ),
    ]

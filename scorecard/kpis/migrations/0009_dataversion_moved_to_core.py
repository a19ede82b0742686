# DataVersion now lives in core (core.0001 took over its table); only kpis' state forgets it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("kpis", "0008_calendar_year"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="DataVersion")],
                                            database_operations=[]),
    ]

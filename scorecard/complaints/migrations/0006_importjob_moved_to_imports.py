# ImportJob now lives in the imports app (imports.0001 took over its table); only complaints' state forgets it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_frozen_complaint_profile_freeze"), ("imports", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ImportJob")],
                                            database_operations=[]),
    ]

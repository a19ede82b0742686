from django.db import migrations

from scorecard.complaints.taxonomy import DEPARTMENTS


def seed(apps, schema_editor):
    Department = apps.get_model("grid", "Department")
    for order, (code, name) in enumerate(DEPARTMENTS):
        Department.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("grid", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

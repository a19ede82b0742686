from django.db import migrations


# The five departments as they were when this migration was written (scorecard.grid.departments is the
# live list); a migration carries its data so that it never changes or imports a higher app.
DEPARTMENTS = [("yx", "营销"), ("yj", "运检"), ("fz", "发展"), ("jj", "基建"), ("tk", "调控")]


def seed(apps, schema_editor):
    Department = apps.get_model("grid", "Department")
    for order, (code, name) in enumerate(DEPARTMENTS):
        Department.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("grid", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

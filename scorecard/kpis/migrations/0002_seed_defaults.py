from django.db import migrations

from scorecard.kpis.calendar import calendar_rows
from scorecard.kpis.defaults import DEFAULT_ATTRIBUTION, kpi_definitions


def seed(apps, schema_editor):
    Department = apps.get_model("grid", "Department")
    Category = apps.get_model("complaints", "Category")
    RuleSettings = apps.get_model("kpis", "RuleSettings")
    DefaultAttribution = apps.get_model("kpis", "DefaultAttribution")
    KpiDefinition = apps.get_model("kpis", "KpiDefinition")
    WorkCalendar = apps.get_model("kpis", "WorkCalendar")
    depts = {d.name: d for d in Department.objects.all()}
    if not RuleSettings.objects.exists():
        RuleSettings.objects.create(fallback_department=depts["营销"])
    for cat_name, pattern, dept in DEFAULT_ATTRIBUTION:
        category = Category.objects.get(name=cat_name) if cat_name else None
        DefaultAttribution.objects.update_or_create(
            category=category, subcategory_pattern=pattern, defaults={"department": depts[dept]})
    for row in kpi_definitions():
        KpiDefinition.objects.update_or_create(level=row.pop("level"), code=row.pop("code"), defaults=row)
    WorkCalendar.objects.all().delete()
    WorkCalendar.objects.bulk_create(
        (WorkCalendar(date=d, is_working_day=w, seq=s) for d, w, s in calendar_rows({})), batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0001_initial"),
        ("grid", "0002_seed_departments"),
        ("complaints", "0002_seed_taxonomy"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

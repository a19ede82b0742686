from django.db import migrations

from scorecard.complaints.taxonomy import BUSINESS_TYPES, CATEGORIES


def seed(apps, schema_editor):
    BusinessType = apps.get_model("complaints", "BusinessType")
    Category = apps.get_model("complaints", "Category")
    SubCategory = apps.get_model("complaints", "SubCategory")
    Detail = apps.get_model("complaints", "Detail")
    for order, (name, is_complaint, sla) in enumerate(BUSINESS_TYPES):
        BusinessType.objects.update_or_create(
            name=name, defaults={"counts_as_complaint": is_complaint, "sla_working_days": sla, "sort_order": order}
        )
    for c_order, (cat_name, subs) in enumerate(CATEGORIES.items()):
        cat, _ = Category.objects.update_or_create(name=cat_name, defaults={"sort_order": c_order})
        for s_order, (sub_name, details) in enumerate(subs.items()):
            sub, _ = SubCategory.objects.update_or_create(category=cat, name=sub_name, defaults={"sort_order": s_order})
            for d_order, detail in enumerate(details):
                Detail.objects.update_or_create(subcategory=sub, name=detail, defaults={"sort_order": d_order})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

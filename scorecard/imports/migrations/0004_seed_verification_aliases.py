"""The verification columns (投诉核实与定责) as exports name and spell them; data the
administrator edits in the admin afterwards (audited), like 0003."""
from django.db import migrations

HEADER_ALIASES = [
    ("workorders", "是否属实", ["属实情况", "核实结果", "是否属实投诉"]),
    ("workorders", "是否有责", ["定责结果", "责任认定", "是否责任投诉"]),
    ("workorders", "是否降级", ["降级", "降级为意见", "是否降级为意见"]),
]
VALUE_ALIASES = [
    ("workorders", "是否属实", "属实", ["Y", "属实投诉"]),
    ("workorders", "是否属实", "不属实", ["N", "不属实投诉"]),
    ("workorders", "是否有责", "有责", ["Y", "有责投诉", "责任投诉"]),
    ("workorders", "是否有责", "无责", ["N", "无责投诉", "非责任投诉"]),
    ("workorders", "是否降级", "是", ["Y", "已降级"]),
    ("workorders", "是否降级", "否", ["N", "未降级"]),
]


def seed(apps, schema_editor):
    HeaderAlias = apps.get_model("imports", "HeaderAlias")
    ValueAlias = apps.get_model("imports", "ValueAlias")
    for kind, header, aliases in HEADER_ALIASES:
        for alias in aliases:
            HeaderAlias.objects.get_or_create(kind=kind, alias=alias, defaults={"header": header})
    for kind, header, value, aliases in VALUE_ALIASES:
        for alias in aliases:
            ValueAlias.objects.get_or_create(kind=kind, header=header, alias=alias, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_seed_aliases")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

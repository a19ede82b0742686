"""The import profile of issue #13: how provincial 95598 and marketing systems name columns and
spell values. Data, not code: administrators edit it in the admin afterwards (audited)."""
from django.db import migrations

# (kind, standard header, aliases); kind "" = every kind that has the column.
HEADER_ALIASES = [
    ("workorders", "工单编号", ["工单号", "工单编码"]),
    ("workorders", "受理时间", ["受理日期", "来电时间"]),
    ("workorders", "业务类型", ["业务类别", "工单类型"]),
    ("workorders", "客户编号", ["用户编号", "户号"]),
    ("workorders", "客户名称", ["用户名称", "户名"]),
    ("workorders", "联系电话", ["联系方式", "来电号码"]),
    ("", "地市单位", ["供电单位", "地市公司"]),
    ("", "县级单位", ["县公司"]),
    ("", "供电所", ["所属供电所"]),
    ("", "台区编号", ["台区编码"]),
    ("", "线路名称", ["所属线路"]),
    ("workorders", "派单时间", ["派发时间", "派工时间"]),
    ("workorders", "办结时间", ["归档时间", "办结日期"]),
    ("workorders", "回访满意度", ["回访结果", "满意度"]),
    ("workorders", "受理内容", ["诉求内容", "受理描述"]),
    ("", "一级分类", ["投诉一级分类"]),
    ("", "二级分类", ["投诉二级分类"]),
    ("", "三级分类", ["投诉三级分类"]),
    ("taxonomy", "默认责任部门", ["责任部门", "默认部门"]),
]

# (kind, standard header, standard value ("" = blank), aliases)
VALUE_ALIASES = [
    ("workorders", "回访满意度", "满意", ["非常满意"]),
    ("workorders", "回访满意度", "基本满意", ["比较满意"]),
    ("workorders", "回访满意度", "不满意", ["非常不满意"]),
    ("workorders", "回访满意度", "", ["未回访", "无法联系"]),
    ("workorders", "责任部门", "营销", ["营销部", "市场营销部"]),
    ("workorders", "责任部门", "运检", ["运维检修部", "运检部", "设备部"]),
    ("workorders", "责任部门", "发展", ["发展策划部", "发展部"]),
    ("workorders", "责任部门", "基建", ["建设部", "基建部"]),
    ("workorders", "责任部门", "调控", ["调控中心", "电力调度控制中心"]),
    ("taxonomy", "默认责任部门", "营销", ["营销部", "市场营销部"]),
    ("taxonomy", "默认责任部门", "运检", ["运维检修部", "运检部", "设备部"]),
    ("taxonomy", "默认责任部门", "发展", ["发展策划部", "发展部"]),
    ("taxonomy", "默认责任部门", "基建", ["建设部", "基建部"]),
    ("taxonomy", "默认责任部门", "调控", ["调控中心", "电力调度控制中心"]),
    ("workorders", "业务类型", "投诉", ["投诉工单"]),
    ("", "二级分类", "电费电价", ["电价电费"]),
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
    dependencies = [("imports", "0002_import_profiles")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

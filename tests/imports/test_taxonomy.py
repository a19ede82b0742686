"""``import_data taxonomy FILE``: the official classification list in one go; idempotent and audited."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scorecard.accounts.models import AuditLog
from scorecard.complaints.models import Category, Detail, SubCategory
from scorecard.imports.services import import_file
from scorecard.kpis.models import DefaultAttribution

from tests.fixtures.import_files import WO_HEADER, wo, write_table

pytestmark = pytest.mark.django_db

HEADER = ["一级分类", "二级分类", "三级分类", "默认责任部门"]
ROWS = [
    ["营业", "电费电价", "", "营销"],  # known entry, a new default
    ["营业", "新装增容", "", ""],  # new sub-category
    ["营业", "新装增容", "办理超时", ""],  # its new detail
    ["供电质量", "频繁停电", "", ""],  # known, unchanged
    ["用电安全", "", "", "运维检修部"],  # new category, default by the seeded alias of 运检
    ["用电安全", "私拉乱接", "", ""],
]


def _table():
    return (sorted(Category.objects.values_list("name", "sort_order")),
            sorted(SubCategory.objects.values_list("category__name", "name", "sort_order")),
            sorted(Detail.objects.values_list("subcategory__name", "name", "sort_order")),
            sorted(DefaultAttribution.objects.values_list("category__name", "subcategory_pattern", "department__name"),
                   key=str))


def test_the_list_loads_and_a_reimport_changes_nothing(tmp_path):
    path = write_table(tmp_path / "taxonomy.csv", ["投诉一级分类", "投诉二级分类", "投诉三级分类", "责任部门"], ROWS)
    defaults = DefaultAttribution.objects.count()
    out = StringIO()
    call_command("import_data", "taxonomy", str(path), stdout=out, stderr=StringIO())
    # created: the rows whose entry is new; updated: a known entry that got its default department.
    assert out.getvalue().splitlines()[0] == "taxonomy taxonomy.csv: rows 6, created 4, updated 1, unchanged 1"
    last = Category.objects.order_by("-sort_order").first()
    assert last.name == "用电安全" and SubCategory.objects.get(name="新装增容").category.name == "营业"
    assert Detail.objects.get(name="办理超时").subcategory.name == "新装增容"
    assert DefaultAttribution.objects.get(category__name="用电安全", subcategory_pattern="").department.name == "运检"
    assert DefaultAttribution.objects.get(category__name="营业", subcategory_pattern="电费电价").department.name == "营销"
    assert DefaultAttribution.objects.count() == defaults + 2
    before = _table()

    out = StringIO()
    call_command("import_data", "taxonomy", str(path), stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines()[0] == "taxonomy taxonomy.csv: rows 6, created 0, updated 0, unchanged 6"
    assert _table() == before
    entries = AuditLog.objects.filter(action="import.commit", after__kind="taxonomy").order_by("pk")
    assert [(e.after["created"], e.after["unchanged"]) for e in entries] == [(4, 1), (0, 6)]


def test_a_work_order_of_an_unknown_entry_suggests_importing_the_taxonomy(tmp_path, units):
    orders = write_table(tmp_path / "o.csv", WO_HEADER, [wo(cat="营业", sub="新装增容", det="办理超时")])
    result = import_file(kind="workorders", path=orders)
    assert [str(e) for e in result.errors] == [
        "row 2, 二级分类: 二级分类“新装增容”不属于一级分类“营业”（如为新分类，请先导入分类目录：import_data taxonomy）"]
    assert import_file(kind="taxonomy", path=write_table(tmp_path / "t.csv", HEADER, ROWS)).ok
    assert import_file(kind="workorders", path=orders).ok


def test_a_bad_list_imports_nothing_and_names_its_rows(tmp_path):
    rows = [["营业", "新装增容", "", "营销"], ["营业", "新装增容", "超时", "运检"], ["", "孤儿", "", ""],
            ["营业", "", "超时", ""], ["营业", "新装增容", "", ""], ["营业", "其他", "", "客服部"]]
    before = _table()
    err = StringIO()
    with pytest.raises(CommandError, match="5 处错误"):
        call_command("import_data", "taxonomy", str(write_table(tmp_path / "t.csv", HEADER, rows)),
                     stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 3, 默认责任部门: 默认责任部门与第 2 行不同：同一个二级分类只能有一个默认部门",
        "row 4, 一级分类: 一级分类不能为空",
        "row 5, 三级分类: 填写了三级分类，但二级分类为空",
        "row 6, 一级分类: 分类 营业/新装增容 在文件中重复：第 2 行已出现",
        "row 7, 默认责任部门: 默认责任部门只能是 营销/运检/发展/基建/调控，不能是“客服部”",
    ]
    assert _table() == before


def test_a_dry_run_counts_and_writes_nothing(tmp_path):
    before = _table()
    result = import_file(kind="taxonomy", path=write_table(tmp_path / "t.csv", HEADER, ROWS), dry_run=True)
    assert result.ok and (result.created, result.updated, result.unchanged) == (4, 1, 1)
    assert _table() == before

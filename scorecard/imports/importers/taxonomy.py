"""KIND ``taxonomy``: the official classification list (一级/二级/三级分类), and the default departments.

The list has hundreds of entries: this loads it in one go instead of one admin form per entry.
Each row names an entry by its path (一级分类, optionally 二级分类, optionally 三级分类); missing
levels are created, known ones kept as they are (their sort order too), nothing is deleted, so a
re-import changes nothing. 默认责任部门 goes to the default attribution table
(``kpis.DefaultAttribution``), which works by sub-category: a row's department is the default of
its 二级分类 (of its 一级分类 when it has none); a blank leaves the table alone.

Counts are per row: created when the row's entry is new, updated when only its default
department changed, unchanged otherwise.
"""
from __future__ import annotations

from scorecard.complaints.models import Category, Detail, SubCategory
from scorecard.grid.models import Department
from scorecard.kpis.models import DefaultAttribution

from .base import Column, Importer

_MAX = 30  # the names' max_length in complaints.models


class TaxonomyImporter(Importer):
    kind = "taxonomy"
    columns = (
        Column("category", "一级分类", required=True),
        Column("subcategory", "二级分类"),
        Column("detail", "三级分类"),
        Column("department", "默认责任部门"),
    )
    absorbs_values = frozenset({"department"})

    def prepare(self) -> None:
        self.departments = dict(Department.objects.values_list("name", "pk"))
        self.department_names = list(self.departments)
        self.merged("department", self.departments)
        self.default_of: dict[tuple, tuple[int, int]] = {}  # (category, subcategory) → (department, first row)
        self.records: list[tuple] = []
        self.created = self.updated = self.unchanged = 0

    def parse(self, row: int, cells: list):
        category, subcategory, detail, department = (c if isinstance(c, str) else str(c) for c in self.take(cells))
        ok = True
        for fld, value in (("category", category), ("subcategory", subcategory), ("detail", detail)):
            if len(value) > _MAX:
                self.error(row, fld, f"长度 {len(value)} 超过上限 {_MAX}")
                ok = False
        if not category:
            self.error(row, "category", "一级分类不能为空")
            ok = False
        if detail and not subcategory:
            self.error(row, "detail", "填写了三级分类，但二级分类为空")
            ok = False
        path = (category, subcategory, detail)
        if ok and not self.check_duplicate(row, path, "category", "分类 " + "/".join(p for p in path if p)):
            ok = False
        dept_id = None
        if department:
            dept_id = self.departments.get(department)
            if dept_id is None:
                self.error(row, "department",
                           f"默认责任部门只能是 {'/'.join(self.department_names)}，不能是“{department}”")
                ok = False
            elif ok:
                first = self.default_of.setdefault((category, subcategory), (dept_id, row))
                if first[0] != dept_id:
                    self.error(row, "department", f"默认责任部门与第 {first[1]} 行不同：同一个"
                                                  f"{'二级分类' if subcategory else '一级分类'}只能有一个默认部门")
                    ok = False
        if not ok:
            return None
        return (category, subcategory, detail, dept_id)

    def write(self, records: list) -> None:
        self.records.extend(records)  # a list of hundreds: written at the end, in file order

    def finish(self) -> None:
        categories = {c.name: c for c in Category.objects.all()}
        subcategories = {(s.category_id, s.name): s for s in SubCategory.objects.all()}
        details = {(d.subcategory_id, d.name): d for d in Detail.objects.all()}
        defaults = {(d.category_id, d.subcategory_pattern): d for d in DefaultAttribution.objects.all()}
        next_order: dict[object, int] = {}

        def order(parent, siblings) -> int:
            if parent not in next_order:
                next_order[parent] = max([s.sort_order for s in siblings] or [-1]) + 1
            next_order[parent] += 1
            return next_order[parent] - 1

        for name, sub_name, det_name, dept_id in self.records:
            created = False
            cat = categories.get(name)
            if cat is None:
                cat = categories[name] = Category.objects.create(
                    name=name, sort_order=order("categories", categories.values()))
                created = True
            sub = det = None
            if sub_name:
                sub = subcategories.get((cat.pk, sub_name))
                if sub is None:
                    siblings = [s for (c, _), s in subcategories.items() if c == cat.pk]
                    sub = subcategories[(cat.pk, sub_name)] = SubCategory.objects.create(
                        category=cat, name=sub_name, sort_order=order(("sub", cat.pk), siblings))
                    created = True
            if det_name:
                det = details.get((sub.pk, det_name))
                if det is None:
                    siblings = [d for (s, _), d in details.items() if s == sub.pk]
                    det = details[(sub.pk, det_name)] = Detail.objects.create(
                        subcategory=sub, name=det_name, sort_order=order(("det", sub.pk), siblings))
                    created = True
            changed = False
            if dept_id is not None:
                rule = defaults.get((cat.pk, sub_name))
                if rule is None:
                    defaults[(cat.pk, sub_name)] = DefaultAttribution.objects.create(
                        category=cat, subcategory_pattern=sub_name, department_id=dept_id)
                    changed = True
                elif rule.department_id != dept_id:
                    rule.department_id = dept_id
                    rule.save(update_fields=["department"])
                    changed = True
            # A row creates something only if its deepest level is new (a new level implies new
            # levels below it); a new or changed default on a known entry is an update.
            if created:
                self.created += 1
            elif changed:
                self.updated += 1
            else:
                self.unchanged += 1

    def counts(self):
        return self.created, self.updated, self.unchanged

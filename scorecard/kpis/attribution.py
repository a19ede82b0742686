"""Which department answers for a complaint (domain.md "Attribution").

1. an accepted appeal (AttributionOverride) — the outcome of the workflow;
2. an explicit 责任部门 in the export;
3. the department of the traced bottleneck incident the complaint is linked to;
4. the default table by (sub-)category, then the fallback department.

The rule table is tiny, so it is resolved in Python into a CASE expression;
applying it to a month's complaints happens in SQL.
"""
import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, Case, F, QuerySet, Value, When
from django.db.models.functions import Coalesce

from scorecard.complaints.models import SubCategory, WorkOrder
from scorecard.core.months import bounds

from .expressions import rule_case
from .models import DefaultAttribution, RuleSettings

RULES = ("explicit", "traced", "default", "appeal")


@dataclass(frozen=True)
class DefaultTable:
    by_subcategory: dict[int, int]
    by_category: dict[int, int]
    fallback: int

    def department_for(self, *, category_id: int | None, subcategory_id: int | None) -> int:
        if subcategory_id in self.by_subcategory:
            return self.by_subcategory[subcategory_id]
        if category_id in self.by_category:
            return self.by_category[category_id]
        return self.fallback

    def case(self) -> Case:
        whens = []
        for dept in sorted(set(self.by_subcategory.values())):
            ids = sorted(s for s, d in self.by_subcategory.items() if d == dept)
            whens.append(When(subcategory_id__in=ids, then=Value(dept)))
        for dept in sorted(set(self.by_category.values())):
            ids = sorted(c for c, d in self.by_category.items() if d == dept)
            # Only reached when no sub-category rule matched (When order matters).
            whens.append(When(category_id__in=ids, then=Value(dept)))
        return Case(*whens, default=Value(self.fallback), output_field=BigIntegerField())


def _specificity(rule: DefaultAttribution, sub_name: str, sub_category_id: int) -> int:
    """0 = no match; higher = more specific (exact > prefix > category only)."""
    if rule.category_id is not None and rule.category_id != sub_category_id:
        return 0
    pattern = rule.subcategory_pattern
    bonus = 1 if rule.category_id is not None else 0
    if not pattern:
        return 2 if rule.category_id is not None else 0
    if pattern.endswith("*"):
        return 4 + bonus if sub_name.startswith(pattern[:-1]) else 0
    return 6 + bonus if sub_name == pattern else 0


def default_table(*, rules=None) -> DefaultTable:
    """The default attribution (rule 4) as SQL can read it; ``rules``: RuleSettings when the caller
    has read them already (they name the fallback department)."""
    fallback = (rules or RuleSettings.current()).fallback_department_id
    defaults = list(DefaultAttribution.objects.all())
    by_sub = {}
    for sub in SubCategory.objects.values("id", "name", "category_id"):
        scored = [(_specificity(r, sub["name"], sub["category_id"]), r.department_id) for r in defaults]
        best = max(scored, default=(0, None))
        if best[0]:
            by_sub[sub["id"]] = best[1]
    by_cat = {r.category_id: r.department_id for r in defaults if r.category_id and not r.subcategory_pattern}
    return DefaultTable(by_sub, by_cat, fallback)


def month_complaints(month: dt.date) -> QuerySet:
    start, end = bounds(month)
    return WorkOrder.objects.filter(is_complaint=True, accepted_at__gte=start, accepted_at__lt=end)


def attributed(queryset: QuerySet, table: DefaultTable | None = None) -> QuerySet:
    """Annotate work orders with ``attr_department_id`` and ``attr_rule``.

    A complaint of a published month keeps the attribution frozen at
    publication (SnapshotAttribution); the others follow the rules on current data.
    """
    table = table or default_table()
    return queryset.annotate(
        attr_department_id=Coalesce(
            F("frozen__department_id"),
            F("override__department_id"),
            F("responsible_dept_id"),
            F("incident_link__incident__department_id"),
            table.case(),
            output_field=BigIntegerField(),
        ),
        attr_rule=Coalesce(F("frozen__rule"), rule_case()),
    )


def department_complaints(queryset, department_id: int):
    """The complaints of ``queryset`` attributed to ``department_id`` (a department head's scope)."""
    return attributed(queryset.filter(is_complaint=True)).filter(attr_department_id=department_id)

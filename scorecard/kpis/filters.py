"""django-filter sets of the kpis lists: narrow what the scope already allows."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from django.db.models import Q

from scorecard.complaints.filters import UnitFilter
from scorecard.complaints.models import Category, WorkOrder
from scorecard.complaints.selectors import unit_q
from scorecard.grid.models import Department, OrgUnit

from .models import Appeal, Incident, Rectification, RiskEntry, SeasonalRiskEntry
from .selectors import ACCOUNTABILITY, CATEGORY_LABELS, RULE_LABELS


class IncidentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Incident.Kind.choices, empty_label=_("全部类型"))
    department = django_filters.ModelChoiceFilter(label=_("责任部门"), queryset=Department.objects.order_by("sort_order"),
                                                  empty_label=_("全部部门"))
    status = django_filters.ChoiceFilter(label=_("整改状态"), field_name="rectification__status",
                                         choices=Rectification.Status.choices, empty_label=_("全部状态"))
    district = django_filters.CharFilter(label=_("台区编号"), field_name="district__code", lookup_expr="icontains")
    # 追责事件 / 隐患预警: whether the incident explains any complaint (needs the ``accountable`` annotation).
    category = django_filters.ChoiceFilter(label=_("事件类别"), choices=list(CATEGORY_LABELS.items()),
                                           empty_label=_("全部类别"), method="filter_category")

    class Meta:
        model = Incident
        fields = ["category", "kind", "department", "status", "district"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(accountable=value == ACCOUNTABILITY)


class AppealFilter(django_filters.FilterSet):
    order = django_filters.CharFilter(label=_("工单编号"), field_name="work_order__order_no", lookup_expr="icontains")
    city = django_filters.ModelChoiceFilter(label=_("地市单位"), queryset=OrgUnit.objects.filter(level="city")
                                            .order_by("sort_order", "name"), empty_label=_("全部单位"))
    from_department = django_filters.ModelChoiceFilter(label=_("原责任部门"),
                                                       queryset=Department.objects.order_by("sort_order"),
                                                       empty_label=_("全部部门"))
    month = django_filters.DateFilter(label=_("月份"), field_name="month", method="filter_month",
                                      widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                                      input_formats=["%Y-%m"])

    class Meta:
        model = Appeal
        fields = ["order", "city", "from_department", "month"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))


class DepartmentComplaintFilter(django_filters.FilterSet):
    """The department page's complaints: narrows the responsible unit's (already scoped) month."""

    RULES = list(RULE_LABELS.items())
    STATES = [("open", _("未办结")), ("closed", _("已办结"))]

    order = django_filters.CharFilter(label=_("工单编号"), field_name="order_no", lookup_expr="icontains")
    category = django_filters.ModelChoiceFilter(label=_("一级分类"), queryset=Category.objects.order_by("sort_order"),
                                                empty_label=_("全部"))
    district = django_filters.CharFilter(label=_("台区编号"), field_name="district_id", lookup_expr="icontains")
    rule = django_filters.ChoiceFilter(label=_("归因依据"), choices=RULES, field_name="attr_rule", empty_label=_("全部"))
    state = django_filters.ChoiceFilter(label=_("办结"), choices=STATES, method="filter_state", empty_label=_("全部"))
    repeat = django_filters.BooleanFilter(label=_("只看重复投诉"), method="filter_repeat",
                                          widget=forms.CheckboxInput)

    class Meta:
        model = WorkOrder
        fields = []

    def filter_state(self, queryset, name, value):
        return queryset.filter(closed_at__isnull=value == "open") if value else queryset

    def filter_repeat(self, queryset, name, value):
        return queryset.filter(repeat_count__gt=0) if value else queryset


def district_code_or_name(queryset, name, value):
    """Entries whose 台区 code or name contains ``value`` (the risk and seasonal lists' 台区 box)."""
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(Q(district__code__icontains=value) | Q(district__name__icontains=value))


class RiskFilter(django_filters.FilterSet):
    """The risk list: by unit (a city company, county or station: its subtree; the view narrows the choices
    to the viewer's units) and by 台区 code or name."""

    unit = UnitFilter(label=_("单位"), queryset=OrgUnit.objects.order_by("path"), method="filter_unit")
    district = django_filters.CharFilter(label=_("台区编号/名称"), method=district_code_or_name)

    class Meta:
        model = RiskEntry
        fields = []

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit_q(value, prefix="district__")) if value else queryset


class SeasonalFilter(django_filters.FilterSet):
    """The seasonal list (the season itself is the list picked, ``?list=``): by city company and county
    (the view narrows the choices to the viewer's units), by risk and by project status."""

    RISKS = [("overload", _("过载")), ("heavy_load", _("重载")), ("low_voltage", _("低电压"))]

    city = django_filters.ModelChoiceFilter(label=_("地市公司"), field_name="district__city",
                                            queryset=OrgUnit.objects.filter(level="city").order_by("sort_order", "name"),
                                            empty_label=_("全部地市"))
    county = django_filters.ModelChoiceFilter(label=_("县公司"), field_name="district__county",
                                              queryset=OrgUnit.objects.filter(level="county").order_by("path"),
                                              empty_label=_("全部县公司"))
    risk = django_filters.ChoiceFilter(label=_("风险"), choices=RISKS, method="filter_risk", empty_label=_("全部风险"))
    project = django_filters.ChoiceFilter(label=_("改造项目"), field_name="project_status",
                                          choices=SeasonalRiskEntry.ProjectStatus.choices, empty_label=_("全部"))
    district = django_filters.CharFilter(label=_("台区编号/名称"), method=district_code_or_name)

    class Meta:
        model = SeasonalRiskEntry
        fields = []

    def filter_risk(self, queryset, name, value):
        if value == "low_voltage":
            return queryset.filter(low_voltage=True)
        return queryset.filter(load_risk=value) if value else queryset

"""django-filter sets of the kpis lists: narrow what the scope already allows."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from scorecard.grid.models import Department, OrgUnit

from .models import Appeal, Incident, Rectification
from .selectors import ACCOUNTABILITY, CATEGORY_LABELS


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

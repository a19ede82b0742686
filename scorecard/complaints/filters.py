"""The drill-down filter: every figure of the analysis page links to the orders behind it
through these query parameters (month, unit, category, subcategory, detail, district, hour,
customer, feeder)."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from scorecard.core.months import parse_month
from scorecard.grid.models import OrgUnit

from . import selectors
from .models import Category, Detail, SubCategory, WorkOrder


def unit_label(unit: OrgUnit) -> str:
    depth = max(unit.path.count("/") - 2, 0)
    return "\u3000" * depth + unit.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="month") from exc


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class OrderFilter(django_filters.FilterSet):
    month = MonthFilter(label=_("月份"), method="filter_month")
    unit = UnitFilter(label=_("单位"), queryset=OrgUnit.objects.order_by("path"), method="filter_unit")
    category = django_filters.ModelChoiceFilter(label=_("一级分类"), queryset=Category.objects.all())
    subcategory = django_filters.ModelChoiceFilter(label=_("二级分类"),
                                                   queryset=SubCategory.objects.select_related("category"))
    detail = django_filters.ModelChoiceFilter(label=_("三级分类"),
                                              queryset=Detail.objects.select_related("subcategory__category"))
    district = django_filters.CharFilter(label=_("台区编号"), field_name="district_id")
    hour = django_filters.NumberFilter(label=_("受理时段(时)"), method="filter_hour",
                                       widget=forms.NumberInput(attrs={"min": 0, "max": 23}))
    customer = django_filters.CharFilter(label=_("客户编号"), field_name="customer_id")
    # By id: a province has thousands of feeders, too many for a drop-down; links carry the id.
    feeder = django_filters.NumberFilter(label=_("线路ID"), field_name="feeder_id")

    class Meta:
        model = WorkOrder
        fields = []

    def filter_month(self, queryset, name, value):
        return queryset.filter(selectors.month_window(value).q()) if value else queryset

    def filter_unit(self, queryset, name, value):
        return queryset.filter(selectors.unit_q(value)) if value else queryset

    def filter_hour(self, queryset, name, value):
        if value is None:
            return queryset
        if not 0 <= value <= 23:
            return queryset.none()
        return queryset.annotate(local_hour=selectors.local_hour()).filter(local_hour=int(value))


class AnalysisForm(forms.Form):
    """The analysis page's month and unit; the page narrows ``unit`` to the viewer's units (scoping.units_for)."""
    month = MonthField(label="月份", required=False)
    unit = UnitChoiceField(label="单位", queryset=OrgUnit.objects.order_by("path"), required=False,
                           empty_label="全省")

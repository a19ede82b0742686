"""The drill-down filter: every figure of the analysis page links to the orders behind it
through these query parameters (month, unit, category, subcategory, detail, district, hour,
customer, feeder)."""
import django_filters
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from scorecard.accounts.selectors import unit_choice_label
from scorecard.core.months import parse_month
from scorecard.grid.models import Feeder, OrgUnit

from . import selectors
from .models import Category, Detail, SubCategory, WorkOrder


class PickerMedia:
    """Tom Select (npm, NPM_STATIC_FILES) and the page script that turns marked selects into pickers."""

    css = {"all": ["tom-select/tom-select.default.min.css"]}
    js = ["tom-select/tom-select.complete.min.js", "js/pickers.js"]


class UnitPicker(forms.Select):
    """The searchable hierarchical unit picker (city → county → station; issue #14).

    Renders only the empty choice and the chosen unit: the hundreds of others come from the scoped JSON
    endpoint ``analysis:units`` when the page's script (js/pickers.js) turns the select into a Tom Select,
    so no page carries 600 options or pays the query for them."""

    Media = PickerMedia

    def __init__(self, attrs=None):
        super().__init__({"data-picker": "unit", "data-url": reverse_lazy("analysis:units"),
                          "data-placeholder": _("全部"), **(attrs or {})})

    def optgroups(self, name, value, attrs=None):
        iterator, full = self.choices, self.choices
        chosen = [v for v in value if str(v).isdigit()]
        choices = [("", iterator.field.empty_label)] if iterator.field.empty_label is not None else []
        choices += [iterator.choice(unit) for unit in iterator.queryset.filter(pk__in=chosen)]
        self.choices = choices
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = full


class UnitChoiceField(forms.ModelChoiceField):
    """A unit among those the page allows (the view narrows ``queryset`` to the viewer's); shown with its
    parent when its name is not unique (several 黄土供电所 in a province)."""

    widget = UnitPicker

    def label_from_instance(self, obj):
        duplicate = OrgUnit.objects.filter(name=obj.name).exclude(pk=obj.pk).exists()
        return unit_choice_label(obj.name, obj.parent.name if obj.parent_id else None, duplicate=duplicate)


class FeederPicker(forms.TextInput):
    """线路 by name: a text box that js/pickers.js turns into a search over ``analysis:feeders``."""

    Media = PickerMedia

    def __init__(self, attrs=None):
        super().__init__({"data-picker": "feeder", "data-url": reverse_lazy("analysis:feeders"),
                          "data-placeholder": _("全部"), "placeholder": _("线路名称"), **(attrs or {})})


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
    # By name (a province has thousands of feeders: typed and searched, not a drop-down); links carry the name.
    feeder = django_filters.ModelChoiceFilter(label=_("线路"), queryset=Feeder.objects.all(), to_field_name="name",
                                              widget=FeederPicker)

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

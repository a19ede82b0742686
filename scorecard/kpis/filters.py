"""django-filter sets of the kpis lists: narrow what the scope already allows."""
import django_filters
from django.utils.translation import gettext_lazy as _

from scorecard.grid.models import Department

from .models import Incident, Rectification


class IncidentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Incident.Kind.choices, empty_label=_("全部类型"))
    department = django_filters.ModelChoiceFilter(label=_("责任部门"), queryset=Department.objects.order_by("sort_order"),
                                                  empty_label=_("全部部门"))
    status = django_filters.ChoiceFilter(label=_("整改状态"), field_name="rectification__status",
                                         choices=Rectification.Status.choices, empty_label=_("全部状态"))
    district = django_filters.CharFilter(label=_("台区编号"), field_name="district__code", lookup_expr="icontains")

    class Meta:
        model = Incident
        fields = ["kind", "department", "status", "district"]

"""Forms of the 预警工单 pages (issue #18)."""
import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scorecard.core.months import parse_month
from scorecard.grid.models import Department

from .models import WarningAction


class MonthField(forms.Field):
    widget = forms.TextInput(attrs={"maxlength": 7, "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM")) from exc


class WarningCreateForm(forms.Form):
    district = forms.CharField(label=_("台区编号"), max_length=40)
    month = MonthField(label=_("预警月份（YYYY-MM）"))
    due_on = forms.DateField(label=_("处理期限"), widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.order_by("sort_order"),
                                        to_field_name="code")
    manager_name = forms.CharField(label=_("台区经理"), max_length=40, required=False)
    manager_staff_no = forms.CharField(label=_("台区经理工号"), max_length=40, required=False)
    note = forms.CharField(label=_("预警说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    @staticmethod
    def default_due() -> dt.date:
        # A week: long enough for a patrol and a visit, short enough to act before the month's peak.
        return timezone.localdate() + dt.timedelta(days=7)


class WarningActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("措施类型"), choices=WarningAction.Kind.choices)
    text = forms.CharField(label=_("措施内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    at = forms.DateTimeField(label=_("实施时间（不填为现在）"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class WarningCloseForm(forms.Form):
    outcome = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

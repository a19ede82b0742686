from django import forms
from django.utils.translation import gettext_lazy as _

from scorecard.core.uploads import limit_bytes
from scorecard.grid.models import Department

from .models import Rectification

ALLOWED_ATTACHMENT_EXT = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".zip")


class AppealForm(forms.Form):
    to_department = forms.ModelChoiceField(Department.objects.all(), label=_("应归属的责任部门"))
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    attachment = forms.FileField(label=_("附件（可选）"), required=False)

    def __init__(self, *args, exclude_department=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_department:
            self.fields["to_department"].queryset = Department.objects.exclude(pk=exclude_department)

    def clean_attachment(self):
        f = self.cleaned_data.get("attachment")
        if f:
            if not f.name.lower().endswith(ALLOWED_ATTACHMENT_EXT):
                raise forms.ValidationError(_("附件格式仅支持 PDF、图片、Word、Excel 或 ZIP"))
            # The file itself; the request around it was checked before reading (core.uploads).
            limit = limit_bytes("attachment")
            if f.size > limit:
                raise forms.ValidationError(_("附件不能超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)})
        return f


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理结果"), choices=[("accept", _("采纳（改判责任部门）")),
                                                              ("reject", _("驳回"))], widget=forms.RadioSelect)
    reason = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class RectificationForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Rectification.Status.choices)
    closed_on = forms.DateField(label=_("完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label=_("整改说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, instance_status=None, **kwargs):
        super().__init__(*args, **kwargs)
        if instance_status:
            self.fields["status"].initial = instance_status

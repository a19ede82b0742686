from django import forms
from django.utils.translation import gettext_lazy as _

from scorecard.core.uploads import limit_bytes
from scorecard.grid.models import Department

from scorecard.complaints.models import WorkOrder
from scorecard.grid.models import OrgUnit

from .models import Appeal, DeductionKind, Rectification

ALLOWED_ATTACHMENT_EXT = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".zip")


class AppealForm(forms.Form):
    # A complaint's appeal disputes its department or its verification (无责, 不属实): most real
    # appeals dispute the verification. Deductions have their own form (DeductionAppealForm).
    kind = forms.ChoiceField(label=_("申诉事项"), widget=forms.RadioSelect, initial=Appeal.Kind.DEPARTMENT,
                             required=False,  # absent: the department (the form's only question before #13)
                             choices=[c for c in Appeal.Kind.choices if c[0] != Appeal.Kind.DEDUCTION])
    to_department = forms.ModelChoiceField(Department.objects.all(), label=_("应归属的责任部门"), required=False,
                                           empty_label=_("（改判责任部门时必选）"))
    reason = forms.CharField(label=_("申诉理由及证据说明"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    attachment = forms.FileField(label=_("证据附件（可选）"), required=False)

    def __init__(self, *args, exclude_department=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_department:
            self.fields["to_department"].queryset = Department.objects.exclude(pk=exclude_department)

    def clean_kind(self):
        return self.cleaned_data["kind"] or Appeal.Kind.DEPARTMENT

    def clean(self):
        data = super().clean()
        if data.get("kind") == Appeal.Kind.DEPARTMENT and not data.get("to_department"):
            self.add_error("to_department", _("改判责任部门的申诉须选择应归属的责任部门"))
        return data

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


class DeductionAppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由及证据说明"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    attachment = forms.FileField(label=_("证据附件（可选）"), required=False)
    clean_attachment = AppealForm.clean_attachment


class VerificationForm(forms.Form):
    valid = forms.ChoiceField(label=_("是否属实"), required=False,
                              choices=[("", _("未核实")), *WorkOrder.Validity.choices])
    at_fault = forms.ChoiceField(label=_("是否有责"), required=False,
                                 choices=[("", _("未定责")), *WorkOrder.Fault.choices])
    downgraded = forms.BooleanField(label=_("降级为意见"), required=False)
    reason = forms.CharField(label=_("核实说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DeductionForm(forms.Form):
    event_no = forms.CharField(label=_("事件编号"), max_length=40)
    kind = forms.ModelChoiceField(DeductionKind.objects.filter(active=True), label=_("事件类型"), empty_label=None)
    city = forms.ModelChoiceField(OrgUnit.objects.filter(level=OrgUnit.Level.CITY), label=_("地市单位"),
                                  empty_label=None)
    department = forms.ModelChoiceField(Department.objects.all(), label=_("责任部门"), empty_label=None)
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    points = forms.DecimalField(label=_("扣分（空白按事件类型默认分值）"), required=False, max_digits=5,
                                decimal_places=2, min_value=0.01)
    order_no = forms.CharField(label=_("关联工单编号（可选）"), required=False, max_length=40)
    description = forms.CharField(label=_("事件说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    evidence = forms.CharField(label=_("证据（文号、链接、截图说明等）"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def clean_order_no(self) -> WorkOrder | None:
        """The related work order itself (None when left blank)."""
        order_no = self.cleaned_data["order_no"].strip()
        if not order_no:
            return None
        order = WorkOrder.objects.filter(order_no=order_no).first()
        if order is None:
            raise forms.ValidationError(_("没有工单编号为 %(n)s 的工单") % {"n": order_no})
        return order


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理结果"), choices=[("accept", _("采纳")),
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

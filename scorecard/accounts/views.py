"""The audit log page (auditors and administrators, read-only) and the password change pages."""
import django_filters
import django_tables2 as tables
from django import forms
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from scorecard.core.exports import FORMATS
from scorecard.core.roles import can_read_audit

from . import audit, selectors
from .exports import export
from .decorators import role_required
from .models import AuditLog

class AuditFilter(django_filters.FilterSet):
    # A labelled choice (accounts.audit.ACTION_LABELS), not a free-text field that needs the codes.
    action = django_filters.ChoiceFilter(label=_("操作"), field_name="action", choices=audit.action_choices,
                                         empty_label=_("全部"))
    username = django_filters.CharFilter(label=_("用户名"), field_name="username", lookup_expr="icontains")
    since = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label=_("截止日期"), field_name="at", lookup_expr="date__lte",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    q = django_filters.CharFilter(label=_("摘要包含"), field_name="summary", lookup_expr="icontains")

    class Meta:
        model = AuditLog
        fields = []


class AuditTable(tables.Table):
    at = tables.Column(verbose_name=_("时间"))
    username = tables.Column(verbose_name=_("用户名"))
    action = tables.Column(verbose_name=_("操作"))
    object_type = tables.Column(verbose_name=_("对象类型"))
    object_id = tables.Column(verbose_name=_("对象"))
    summary = tables.Column(verbose_name=_("摘要"))
    ip = tables.Column(verbose_name=_("IP"))

    class Meta:
        attrs = {"class": "data"}
        order_by = ("-at",)
        empty_text = _("没有符合条件的审计记录。")

    def render_at(self, value):
        return localtime(value).strftime("%Y-%m-%d %H:%M:%S")

    value_at = render_at

    def render_action(self, value):
        return audit.action_label(value)

    def value_action(self, value):
        # The export keeps the code beside the words, for scripts that filter on it.
        return f"{audit.action_label(value)}（{value}）"

    def render_object_type(self, value):
        return audit.object_type_label(value)

    value_object_type = render_object_type


@require_safe
@role_required(can_read_audit)
def audit_log(request):
    """Read-only by construction: the page has no form that posts, and AuditLog refuses updates and deletes."""
    filterset = AuditFilter(request.GET or None, queryset=selectors.audit_log_list(viewer=request.user))
    qs = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    table = AuditTable(qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        return export(request, table, fmt, "audit-log")
    return render(request, "accounts/audit_log.html", {"filter": filterset, "table": table})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (old password + the AUTH_PASSWORD_VALIDATORS), with an audit entry."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(user=self.request.user, action="password_changed", summary="修改密码",
                     ip=audit.client_ip(self.request))
        return response

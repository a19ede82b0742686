from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from scorecard.core.admin import ReadOnlyAdminMixin

from . import audit
from .models import AuditLog, User


class ActionFilter(admin.SimpleListFilter):
    """The admin's 操作 filter by label (accounts.audit.ACTION_LABELS), not by code."""

    title = _("操作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return audit.action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "org_unit", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("角色与范围"), {"fields": ("role", "org_unit", "department", "email_notifications")}),
    )
    autocomplete_fields = ("org_unit",)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: an audit trail nobody can edit."""

    list_display = ("at", "username", "action_text", "object_type_text", "object_id", "summary")
    list_filter = (ActionFilter,)
    search_fields = ("username", "summary", "object_id")
    date_hierarchy = "at"

    @admin.display(description=_("操作"), ordering="action")
    def action_text(self, obj):
        return audit.action_label(obj.action)

    @admin.display(description=_("对象类型"), ordering="object_type")
    def object_type_text(self, obj):
        return audit.object_type_label(obj.object_type)

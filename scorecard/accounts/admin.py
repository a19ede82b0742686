from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "org_unit", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("角色与范围"), {"fields": ("role", "org_unit", "department", "email_notifications")}),
    )
    autocomplete_fields = ("org_unit",)


from .models import AuditLog  # noqa: E402


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("username", "summary", "object_id")
    date_hierarchy = "at"

    # Read-only for everyone, superusers included: an audit trail nobody can edit.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

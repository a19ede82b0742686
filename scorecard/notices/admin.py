from django.contrib import admin

from scorecard.core.admin import ReadOnlyAdminMixin

from . import services
from .models import Notice, NoticeSettings


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: notices change only through the services (published files are immutable)."""

    list_display = ("month", "version", "number", "status", "progress", "sha256", "generated_at", "published_at",
                    "published_by")
    list_filter = ("status",)
    search_fields = ("sha256", "number")


@admin.register(NoticeSettings)
class NoticeSettingsAdmin(admin.ModelAdmin):
    """One row: the 版头, 主送, 版记 and contact of every notice rendered from now on (published
    files keep what they were published with)."""

    list_display = ("__str__", "issuer", "recipients", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")
    fields = ("mark", "issuer", "recipients", "copy_to", "distributor", "contact", "updated_by", "updated_at")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not NoticeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_notice_settings(obj=obj, user=request.user)

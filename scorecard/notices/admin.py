from django.contrib import admin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Read-only: notices change only through the services (published files are immutable)."""

    list_display = ("month", "version", "number", "status", "progress", "sha256", "generated_at", "published_at",
                    "published_by")
    list_filter = ("status",)
    search_fields = ("sha256", "number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

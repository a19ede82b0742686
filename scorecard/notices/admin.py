from django.contrib import admin

from scorecard.core.admin import ReadOnlyAdminMixin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: notices change only through the services (published files are immutable)."""

    list_display = ("month", "version", "number", "status", "progress", "sha256", "generated_at", "published_at",
                    "published_by")
    list_filter = ("status",)
    search_fields = ("sha256", "number")

from django.contrib import admin

from scorecard.accounts.audit import AuditedAdminMixin

from .models import HeaderAlias, ImportJob, ValueAlias


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "original_name", "status", "rows_done", "created", "updated", "created_at")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ImportJob._meta.fields]


class _AliasAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Import profiles change how every later file reads: each add, change and delete is audited
    with the row before and after (the next import reads the tables afresh)."""

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action: one audited delete per row.
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(HeaderAlias)
class HeaderAliasAdmin(_AliasAdmin):
    list_display = ("alias", "header", "kind")
    list_filter = ("kind", "header")
    search_fields = ("alias", "header")


@admin.register(ValueAlias)
class ValueAliasAdmin(_AliasAdmin):
    list_display = ("header", "alias", "value", "kind")
    list_filter = ("kind", "header")
    search_fields = ("alias", "value")

from django.contrib import admin

from scorecard.accounts.audit import AuditedAdminMixin

from scorecard.grid.models import DistrictManagerAssignment

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


@admin.register(DistrictManagerAssignment)
class DistrictManagerAssignmentAdmin(_AliasAdmin):
    """台区经理任职 (grid's model, registered here where the audit is: grid sits below accounts). The
    ``districts`` import writes the history; an administrator corrects a past row here, audited
    with the row before and after like the profiles."""

    list_display = ("district", "name", "staff_no", "valid_from", "valid_to")
    search_fields = ("district__code", "name", "staff_no")
    list_filter = (("valid_to", admin.EmptyFieldListFilter),)
    date_hierarchy = "valid_from"
    raw_id_fields = ("district",)
    ordering = ("district", "-valid_from")

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scorecard.accounts.audit import AuditedAdminMixin

from scorecard.core.admin import ReadOnlyAdminMixin

from . import risk_reasons
from .models import (
    Appeal, CalendarYear, Deduction, DeductionKind, DefaultAttribution, Incident, KpiDefinition, Rectification,
    ReportingMonth, RuleSettings, Verification, WarningAction, WarningOrder, WorkingDayOverride,
)


@admin.register(RuleSettings)
class RuleSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "overload_pct", "heavy_load_pct", "low_voltage_v", "over_voltage_v",
                    "frequent_outage_count", "frequent_outage_days", "rectification_days", "rectify_hazards",
                    "appeal_working_days", "nothing_to_rate_band", "missing_data_band", "exclude_not_valid",
                    "exclude_not_at_fault", "exclude_downgraded")

    # One row: the rules have no history of their own; published months keep
    # their frozen figures, so a change applies to unpublished months only.
    def has_add_permission(self, request):
        return not RuleSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DefaultAttribution)
class DefaultAttributionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("category", "subcategory_pattern", "department")
    list_filter = ("department", "category")
    list_editable = ("department",)


@admin.register(KpiDefinition)
class KpiDefinitionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "level", "code", "polarity", "weight", "band_a", "band_b", "band_c", "band_d", "active")
    list_filter = ("level", "active")
    list_editable = ("weight", "band_a", "band_b", "band_c", "band_d", "active")


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    date_hierarchy = "date"

    def delete_queryset(self, request, queryset):
        # One delete per row so the calendar is rebuilt through the model signal.
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Years whose holidays were loaded. Loading is ``import_data calendar FILE`` (it writes the
    day overrides too); a row added here only vouches that the overrides already entered are complete."""

    list_display = ("year", "loaded_by", "loaded_at", "note")
    readonly_fields = ("loaded_by", "loaded_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.loaded_by = request.user
        super().save_model(request, obj, form, change)


class RectificationInline(admin.StackedInline):
    model = Rectification
    extra = 0
    raw_id_fields = ("owner",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("month", "district", "kind", "city", "department", "rule")
    list_filter = ("month", "kind", "department")
    search_fields = ("district__code",)
    raw_id_fields = ("district", "city")
    readonly_fields = ("evidence",)
    inlines = [RectificationInline]


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "city", "from_department", "to_department", "status", "filed_at", "decided_at")
    list_filter = ("status", "kind", "month")
    raw_id_fields = ("work_order", "deduction", "city", "filed_by", "decided_by")
    # Decisions go through the appeals page so that they are audited and applied.
    readonly_fields = ("status", "decided_by", "decided_at", "decision_reason")


@admin.register(DeductionKind)
class DeductionKindAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The kinds of 考核扣分 events and their default points: editable, audited."""

    list_display = ("name", "code", "default_points", "active", "sort_order", "description")
    list_editable = ("default_points", "active", "sort_order")


@admin.register(Deduction)
class DeductionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: events are entered on the 考核扣分 page or by ``import_data events`` (audited with
    the analyst) and withdrawn only by an accepted appeal."""

    list_display = ("event_no", "occurred_on", "kind", "city", "department", "points", "status", "entered_by")
    list_filter = ("month", "kind", "status", "department")
    search_fields = ("event_no", "description")


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: 核实定责 is set on its page before the cutoff, or by an accepted appeal (both audited)."""

    list_display = ("work_order", "valid", "at_fault", "downgraded", "set_by", "set_at", "appeal")
    list_filter = ("valid", "at_fault", "downgraded")
    search_fields = ("work_order__order_no",)
    raw_id_fields = ("work_order", "appeal")


@admin.register(ReportingMonth)
class ReportingMonthAdmin(admin.ModelAdmin):
    list_display = ("month", "draft_at", "appeal_deadline", "published_at", "published_by")
    readonly_fields = ("published_at", "published_by", "scorecard", "trace")

    def has_delete_permission(self, request, obj=None):
        return False  # a published month is frozen for good


class WarningActionInline(admin.TabularInline):
    """What the assignee recorded: only through the order's page (kpis.warning_services, audited)."""

    model = WarningAction
    extra = 0
    fields = ("kind", "text", "at", "by", "recorded_at")
    readonly_fields = fields

    # An inline's permissions take the parent object too (ReadOnlyAdminMixin's are the ModelAdmin's).
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WarningOrder)
class WarningOrderAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """预警工单 (issue #18). Issuing, acknowledging, acting, closing and escalating go through
    kpis.warning_services (permission-checked, audited, the assignees told), so the admin neither adds
    nor deletes an order and shows the workflow's fields read-only; only the due date and the note may
    be corrected here, each change audited with its before and after (AuditedAdminMixin)."""

    list_display = ("month", "district", "city", "station", "department", "status", "due_on", "created_by",
                    "acknowledged_at", "closed_at")
    list_filter = ("status", "month", "department", "city")
    search_fields = ("district__code", "district__name", "manager_name", "manager_staff_no")
    date_hierarchy = "month"
    list_select_related = ("district", "city", "station", "department", "created_by")
    fields = ("month", "district", "city", "county", "station", "department", "manager_name", "manager_staff_no",
              "due_on", "note", "probability", "risk_rank", "reasons_text", "status", "created_by", "created_at",
              "acknowledged_by", "acknowledged_at", "escalated_at", "closed_by", "closed_at", "outcome")
    readonly_fields = tuple(f for f in fields if f not in ("due_on", "note"))
    inlines = [WarningActionInline]

    @admin.display(description=_("主要原因"))
    def reasons_text(self, obj):
        # The stored reasons are codes and figures: written out in the reader's language, as on the pages.
        return risk_reasons.joined(obj.reasons) or "—"

    def has_add_permission(self, request):
        return False  # kpis:warning_create: the risk's figures copied, the assignees notified

    def has_delete_permission(self, request, obj=None):
        return False  # the order, its actions and its hit/miss are the record of the proactive work


admin.site.site_header = _("95598投诉管控考核平台 · 管理")

from django.contrib import admin

from .models import Department, District, Feeder, GridProject, LoadReading, OrgUnit, Outage


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "parent", "city")
    list_filter = ("level",)
    search_fields = ("name",)
    raw_id_fields = ("parent",)
    readonly_fields = ("city", "path")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order")


@admin.register(Feeder)
class FeederAdmin(admin.ModelAdmin):
    list_display = ("name", "city")
    search_fields = ("name",)
    list_select_related = ("city",)
    raw_id_fields = ("city",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "city", "county", "feeder", "capacity_kva", "customers")
    search_fields = ("code", "name")
    list_filter = ("city",)
    list_select_related = ("city", "county", "feeder")
    raw_id_fields = ("city", "county", "station", "feeder")


@admin.register(LoadReading)
class LoadReadingAdmin(admin.ModelAdmin):
    list_display = ("district", "month", "max_load_pct", "min_voltage", "max_voltage")
    list_filter = ("month",)
    search_fields = ("district__code",)
    raw_id_fields = ("district",)


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    list_display = ("outage_no", "feeder", "district", "kind", "start_at", "end_at", "in_plan")
    list_filter = ("kind", "in_plan")
    search_fields = ("outage_no", "feeder__name", "district__code")
    raw_id_fields = ("feeder", "district")


@admin.register(GridProject)
class GridProjectAdmin(admin.ModelAdmin):
    list_display = ("project_no", "district", "kind", "planned_on", "commissioned_on")
    search_fields = ("project_no", "district__code")
    raw_id_fields = ("district",)

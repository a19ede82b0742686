from django.contrib import admin

from .models import BusinessType, Category, Customer, Detail, SubCategory, WorkOrder


@admin.register(BusinessType)
class BusinessTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "counts_as_complaint", "sla_working_days", "sort_order")
    list_editable = ("sla_working_days",)


class SubCategoryInline(admin.TabularInline):
    model = SubCategory
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_order")
    inlines = [SubCategoryInline]


class DetailInline(admin.TabularInline):
    model = Detail
    extra = 0


@admin.register(SubCategory)
class SubCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "sort_order")
    list_filter = ("category",)
    inlines = [DetailInline]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("customer_no", "name", "district", "sensitive")
    list_filter = ("sensitive",)
    search_fields = ("customer_no", "name")
    raw_id_fields = ("district",)


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("order_no", "accepted_at", "business_type", "category", "subcategory", "city", "district")
    list_filter = ("business_type", "category")
    search_fields = ("order_no", "customer__customer_no", "district__code")
    date_hierarchy = "accepted_at"
    raw_id_fields = ("customer", "city", "county", "station", "district", "feeder")
    list_select_related = ("business_type", "category", "subcategory", "city", "district")
    show_full_result_count = False  # a COUNT(*) over a million rows on every page is not worth it

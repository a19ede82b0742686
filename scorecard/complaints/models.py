"""95598 work orders and their taxonomy.

The taxonomy is data (seeded by a migration from domain.md, editable in the
admin). An import that names a value the taxonomy does not know is an error
naming the row; it never creates a category silently.
"""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scorecard.grid.models import Department, District, Feeder, OrgUnit


class BusinessType(models.Model):
    name = models.CharField(_("业务类型"), max_length=20, unique=True)
    # Only 投诉 counts in complaint figures; stored as data so the rule is visible.
    counts_as_complaint = models.BooleanField(_("计入投诉"), default=False)
    sla_working_days = models.PositiveSmallIntegerField(_("办结时限(工作日)"), default=4)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("业务类型")
        verbose_name_plural = _("业务类型")
        ordering = ["sort_order"]

    def __str__(self):
        return self.name


class Category(models.Model):
    name = models.CharField(_("一级分类"), max_length=30, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("一级分类")
        verbose_name_plural = _("一级分类")
        ordering = ["sort_order"]

    def __str__(self):
        return self.name


class SubCategory(models.Model):
    category = models.ForeignKey(Category, verbose_name=_("一级分类"), on_delete=models.PROTECT,
                                 related_name="subcategories")
    name = models.CharField(_("二级分类"), max_length=30)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("二级分类")
        verbose_name_plural = _("二级分类")
        ordering = ["category__sort_order", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="subcategory_unique_in_category")]

    def __str__(self):
        return f"{self.category.name}/{self.name}"


class Detail(models.Model):
    subcategory = models.ForeignKey(SubCategory, verbose_name=_("二级分类"), on_delete=models.PROTECT,
                                    related_name="details")
    name = models.CharField(_("三级分类"), max_length=30)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("三级分类")
        verbose_name_plural = _("三级分类")
        ordering = ["subcategory__category__sort_order", "subcategory__sort_order", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["subcategory", "name"], name="detail_unique_in_subcategory")]

    def __str__(self):
        return f"{self.subcategory}/{self.name}"


class Customer(models.Model):
    customer_no = models.CharField(_("客户编号"), max_length=40, unique=True)
    name = models.CharField(_("客户名称"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    district = models.ForeignKey(District, to_field="code", db_column="district_code", null=True, blank=True,
                                 verbose_name=_("台区"), on_delete=models.SET_NULL, related_name="+")
    # An analyst flags a sensitive customer; their new orders are highlighted.
    sensitive = models.BooleanField(_("敏感客户"), default=False)
    sensitive_note = models.CharField(_("敏感说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")

    def __str__(self):
        return self.customer_no


class WorkOrder(models.Model):
    class Satisfaction(models.TextChoices):
        SATISFIED = "满意", _("满意")
        BASICALLY = "基本满意", _("基本满意")
        DISSATISFIED = "不满意", _("不满意")

    # 投诉核实与定责 as the source system exported it (blank: not verified there). An analyst's
    # decision in the portal (kpis.Verification) takes precedence; kpis decides what counts.
    class Validity(models.TextChoices):
        VALID = "属实", _("属实")
        NOT_VALID = "不属实", _("不属实")

    class Fault(models.TextChoices):
        AT_FAULT = "有责", _("有责")
        NOT_AT_FAULT = "无责", _("无责")

    order_no = models.CharField(_("工单编号"), max_length=40, unique=True)
    # Indexes cost every import: a million-row upsert maintains each of them.
    # The foreign keys below carry db_index=False where a composite index of
    # Meta.indexes (filtered by month as every figure is) already leads with
    # the column, or where nothing filters on the column alone. county and
    # station keep theirs: scoping filters a county leader's orders by them.
    accepted_at = models.DateTimeField(_("受理时间"))
    business_type = models.ForeignKey(BusinessType, db_index=False, verbose_name=_("业务类型"), on_delete=models.PROTECT)
    # Copied from the business type on import: every complaint figure filters
    # on it, and a boolean in the (is_complaint, accepted_at) index keeps the
    # month's complaints one index range scan away.
    is_complaint = models.BooleanField(_("投诉"), default=False, editable=False)
    category = models.ForeignKey(Category, db_index=False, verbose_name=_("一级分类"), null=True, blank=True, on_delete=models.PROTECT)
    subcategory = models.ForeignKey(SubCategory, db_index=False, verbose_name=_("二级分类"), null=True, blank=True,
                                    on_delete=models.PROTECT)
    detail = models.ForeignKey(Detail, db_index=False, verbose_name=_("三级分类"), null=True, blank=True, on_delete=models.PROTECT)
    customer = models.ForeignKey(Customer, db_index=False, to_field="customer_no", db_column="customer_no", null=True, blank=True,
                                 verbose_name=_("客户"), on_delete=models.PROTECT, related_name="orders")
    customer_name = models.CharField(_("客户名称"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    city = models.ForeignKey(OrgUnit, db_index=False, verbose_name=_("地市单位"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(OrgUnit, verbose_name=_("县级单位"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(OrgUnit, verbose_name=_("供电所"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, db_index=False, to_field="code", db_column="district_code", null=True, blank=True,
                                 verbose_name=_("台区"), on_delete=models.PROTECT, related_name="orders")
    feeder = models.ForeignKey(Feeder, db_index=False, verbose_name=_("线路"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    responsible_dept = models.ForeignKey(Department, db_index=False, verbose_name=_("责任部门(导入)"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    satisfaction = models.CharField(_("回访满意度"), max_length=10, choices=Satisfaction.choices, blank=True)
    content = models.TextField(_("受理内容"), blank=True)
    valid = models.CharField(_("是否属实"), max_length=4, choices=Validity.choices, blank=True)
    at_fault = models.CharField(_("是否有责"), max_length=4, choices=Fault.choices, blank=True)
    downgraded = models.BooleanField(_("降级为意见"), default=False)
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("95598工单")
        verbose_name_plural = _("95598工单")
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("accepted_at")),
                                   name="workorder_closed_after_accepted"),
            models.CheckConstraint(condition=Q(satisfaction__in=["", "满意", "基本满意", "不满意"]),
                                   name="workorder_satisfaction_valid"),
        ]
        indexes = [
            # Covering on PostgreSQL (INCLUDE; SQLite builds the plain two-column index): a month's
            # complaint profile (totals, categories, hours, voltage customers, hotspot 台区, unit
            # filters) is then read from the index alone, without visiting the table's pages.
            models.Index(fields=["is_complaint", "accepted_at"], name="wo_complaint_accepted_idx",
                         include=["district", "customer", "category", "subcategory", "detail", "city", "county",
                                  "station"]),
            models.Index(fields=["city", "accepted_at"], name="wo_city_accepted_idx"),
            models.Index(fields=["district", "accepted_at"], name="wo_district_accepted_idx"),
            models.Index(fields=["customer", "accepted_at"], name="wo_customer_accepted_idx"),
            models.Index(fields=["subcategory", "accepted_at"], name="wo_subcat_accepted_idx"),
        ]

    def __str__(self):
        return self.order_no


class ProfileFreeze(models.Model):
    """The header of a month's frozen complaint rows: the month is frozen iff this row exists.

    Written by ``complaints.freeze.freeze_month`` (inside the kpis publish transaction, and
    again for a correction version); read by every profile selector (one unique-index lookup).
    """

    month = models.DateField(_("月份"), unique=True)
    frozen_at = models.DateTimeField(_("冻结时间"))
    rows = models.PositiveIntegerField(_("冻结工单数"), default=0)

    class Meta:
        verbose_name = _("投诉画像快照")
        verbose_name_plural = _("投诉画像快照")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="profile_freeze_first_day")]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class FrozenComplaint(models.Model):
    """A narrow copy of one complaint as a published month's figures read it.

    The freeze of month M copies every complaint accepted in the windows M's
    read-outs look at (M, M−1, the 90 repeat-demand days ending at M's end, and
    M−12), so that the profile selectors run unchanged over these rows. Field
    names and the db columns the raw hotspot SQL reads are those of WorkOrder.
    A row outlives its work order (``work_order`` is set NULL, ``order_no``
    stays): a published figure never changes because a row was deleted.
    """

    freeze_month = models.DateField(_("冻结月份"))
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("工单"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    order_no = models.CharField(_("工单编号"), max_length=40)
    accepted_at = models.DateTimeField(_("受理时间"))
    # Always True: filters written for WorkOrder (is_complaint=True) apply unchanged.
    is_complaint = models.BooleanField(_("投诉"), default=True, editable=False)
    category = models.ForeignKey(Category, db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    subcategory = models.ForeignKey(SubCategory, db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    detail = models.ForeignKey(Detail, db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    customer = models.ForeignKey(Customer, db_index=False, to_field="customer_no", db_column="customer_no",
                                 null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(OrgUnit, db_index=False, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(OrgUnit, db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    station = models.ForeignKey(OrgUnit, db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    district = models.ForeignKey(District, db_index=False, to_field="code", db_column="district_code", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    feeder = models.ForeignKey(Feeder, db_index=False, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    # The columns copied from WorkOrder, by field name (work_order and freeze_month are set by the freeze).
    COPIED = ("order_no", "accepted_at", "is_complaint", "category", "subcategory", "detail", "customer", "city",
              "county", "station", "district", "feeder")

    class Meta:
        verbose_name = _("冻结投诉")
        verbose_name_plural = _("冻结投诉")
        indexes = [models.Index(fields=["freeze_month", "accepted_at"], name="frozen_month_accepted_idx")]

    def __str__(self):
        return f"{self.freeze_month:%Y-%m} {self.order_no}"

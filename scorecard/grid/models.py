"""Organisation and grid: who is ranked, and the network complaints come from.

Org units form a tree (省 → 地市 → 县 → 供电所). Each unit carries a
materialised ``path`` of primary keys ("/1/4/17/") so that "everything in this
company's subtree" is one indexed prefix filter, the query every scoped page
and every figure of a city company runs.
"""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省公司")
        CITY = "city", _("地市公司")
        COUNTY = "county", _("县公司")
        STATION = "station", _("供电所")

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # The city company a unit belongs to (itself for a city): complaints and
    # scores are always rolled up to this level, so store it rather than walk.
    city = models.ForeignKey(
        "self", verbose_name=_("地市公司"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_in_parent"),
            # Imports name city companies by name alone, so a name must be unambiguous.
            models.UniqueConstraint(fields=["name"], condition=Q(level="city"), name="orgunit_unique_city_name"),
            models.UniqueConstraint(fields=["level"], condition=Q(level="province"), name="orgunit_single_province"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        city_id = self.pk if self.level == self.Level.CITY else (self.parent.city_id if self.parent_id else None)
        if path != self.path or city_id != self.city_id:
            self.path, self.city_id = path, city_id
            OrgUnit.objects.filter(pk=self.pk).update(path=path, city_id=city_id)

    def subtree(self):
        return OrgUnit.objects.filter(path__startswith=self.path)


class Department(models.Model):
    """The five departments whose service duties are ranked (seeded, stable codes)."""

    code = models.SlugField(_("代码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("专业部门")
        verbose_name_plural = _("专业部门")
        ordering = ["sort_order"]

    def __str__(self):
        return self.name


class Feeder(models.Model):
    """A 10 kV line (线路). Outage exports name feeders without a unit, so names are unique."""

    name = models.CharField(_("线路名称"), max_length=100, unique=True)
    city = models.ForeignKey(OrgUnit, verbose_name=_("地市公司"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="feeders")

    class Meta:
        verbose_name = _("线路")
        verbose_name_plural = _("线路")
        ordering = ["name"]

    def __str__(self):
        return self.name


class District(models.Model):
    """A 台区: the transformer area a customer is supplied from."""

    code = models.CharField(_("台区编号"), max_length=40, unique=True)
    name = models.CharField(_("台区名称"), max_length=100, blank=True)
    city = models.ForeignKey(OrgUnit, verbose_name=_("地市公司"), on_delete=models.PROTECT, related_name="districts")
    county = models.ForeignKey(OrgUnit, verbose_name=_("县公司"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(OrgUnit, verbose_name=_("供电所"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    feeder = models.ForeignKey(Feeder, verbose_name=_("线路"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="districts")
    capacity_kva = models.PositiveIntegerField(_("配变容量(kVA)"), null=True, blank=True)
    customers = models.PositiveIntegerField(_("用户数"), default=0)

    class Meta:
        verbose_name = _("台区")
        verbose_name_plural = _("台区")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}".strip()


class LoadReading(models.Model):
    """Monthly maximum load rate and voltage extremes of a 台区."""

    district = models.ForeignKey(District, to_field="code", db_column="district_code",
                                 verbose_name=_("台区"), on_delete=models.CASCADE, related_name="readings")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    max_load_pct = models.DecimalField(_("最大负载率(%)"), max_digits=7, decimal_places=2, null=True, blank=True)
    min_voltage = models.DecimalField(_("最低电压(V)"), max_digits=6, decimal_places=1, null=True, blank=True)
    max_voltage = models.DecimalField(_("最高电压(V)"), max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("负载电压月数据")
        verbose_name_plural = _("负载电压月数据")
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], name="reading_unique_district_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="reading_month_first_day"),
        ]
        indexes = [models.Index(fields=["month"], name="reading_month_idx")]


class Outage(models.Model):
    class Kind(models.TextChoices):
        PLANNED = "planned", _("计划")
        TEMPORARY = "temporary", _("临时")
        FAULT = "fault", _("故障")

    outage_no = models.CharField(_("停电编号"), max_length=40, unique=True)
    feeder = models.ForeignKey(Feeder, verbose_name=_("线路"), on_delete=models.PROTECT, related_name="outages")
    # Blank district = the whole feeder was out (every 台区 on it is affected).
    district = models.ForeignKey(District, to_field="code", db_column="district_code", null=True, blank=True,
                                 verbose_name=_("台区"), on_delete=models.PROTECT, related_name="outages")
    kind = models.CharField(_("停电类型"), max_length=10, choices=Kind.choices)
    start_at = models.DateTimeField(_("开始时间"))
    end_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    in_plan = models.BooleanField(_("纳入月度计划"), default=False)

    class Meta:
        verbose_name = _("停电记录")
        verbose_name_plural = _("停电记录")
        constraints = [
            models.CheckConstraint(condition=Q(end_at__isnull=True) | Q(end_at__gte=F("start_at")),
                                   name="outage_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["feeder", "start_at"], name="outage_feeder_start_idx"),
            models.Index(fields=["district", "start_at"], name="outage_district_start_idx"),
            models.Index(fields=["start_at"], name="outage_start_idx"),
        ]


class GridProject(models.Model):
    project_no = models.CharField(_("项目编号"), max_length=40, unique=True)
    district = models.ForeignKey(District, to_field="code", db_column="district_code",
                                 verbose_name=_("台区"), on_delete=models.PROTECT, related_name="projects")
    kind = models.CharField(_("项目类型"), max_length=50, blank=True)
    planned_on = models.DateField(_("计划投运日期"))
    commissioned_on = models.DateField(_("实际投运日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("电网项目")
        verbose_name_plural = _("电网项目")
        indexes = [models.Index(fields=["district", "planned_on"], name="project_district_plan_idx")]


class DistrictManagerAssignment(models.Model):
    """Who was a 台区's 台区经理, and when: [valid_from, valid_to), valid_to null = still in office.

    History is kept rather than overwritten because a month's figures name the manager who held the
    台区 then (``scorecard.grid.selectors.manager_on``), and a change must not move past complaints
    onto the successor. The ``districts`` import closes the current row and opens the next one.
    """

    district = models.ForeignKey(District, to_field="code", db_column="district_code", verbose_name=_("台区"),
                                 on_delete=models.CASCADE, related_name="manager_assignments")
    name = models.CharField(_("台区经理"), max_length=50)
    staff_no = models.CharField(_("工号"), max_length=40, blank=True)
    valid_from = models.DateField(_("任职日期"))
    valid_to = models.DateField(_("卸任日期"), null=True, blank=True,
                                help_text=_("空表示现任；当天起由下一任接任"))

    class Meta:
        verbose_name = _("台区经理任职")
        verbose_name_plural = _("台区经理任职")
        ordering = ["district", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["district"], condition=Q(valid_to__isnull=True),
                                    name="manager_one_current_per_district"),
            models.UniqueConstraint(fields=["district", "valid_from"], name="manager_unique_district_from"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                                   name="manager_to_after_from"),
        ]
        indexes = [models.Index(fields=["district", "valid_from"], name="manager_district_from_idx"),
                   models.Index(fields=["staff_no"], name="manager_staff_idx")]

    def __str__(self):
        return f"{self.name}（{self.staff_no}）" if self.staff_no else self.name

    @property
    def label(self) -> str:
        return str(self)


class DistrictFreeze(models.Model):
    """The header of a published month's frozen 台区 master data: the month's was frozen iff this row exists.

    Written by ``grid.freeze.freeze_month`` inside the kpis publish transaction (and again for a
    correction version). A month published before the freeze existed has no header: its drill-down
    says that 用户数, the 台区's units and the 台区经理 are today's, not the publication's.
    """

    month = models.DateField(_("月份"), unique=True)
    frozen_at = models.DateTimeField(_("冻结时间"))
    rows = models.PositiveIntegerField(_("冻结台区数"), default=0)

    class Meta:
        verbose_name = _("台区主数据快照")
        verbose_name_plural = _("台区主数据快照")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="district_freeze_first_day")]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class FrozenDistrict(models.Model):
    """One 台区 as a published month's drill-down reads it: its 用户数, city, county and station, and the
    台区经理 of the month's last day (``selectors.month_manager_day``), as they were at publication.

    ``code`` is the 台区 code, not a foreign key: a frozen row outlives a 台区 renamed, moved or
    deleted later, and joins the work orders' ``district_code`` as the live table does.
    """

    month = models.DateField(_("冻结月份"))
    code = models.CharField(_("台区编号"), max_length=40)
    name = models.CharField(_("台区名称"), max_length=100, blank=True)
    city = models.ForeignKey(OrgUnit, db_index=False, verbose_name=_("地市公司"), on_delete=models.PROTECT,
                             related_name="+")
    county = models.ForeignKey(OrgUnit, db_index=False, verbose_name=_("县公司"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(OrgUnit, db_index=False, verbose_name=_("供电所"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    customers = models.PositiveIntegerField(_("用户数"), default=0)
    # NULL where nobody was in office on the month's last day (as ``manager_on`` reads it live).
    manager_name = models.CharField(_("台区经理"), max_length=50, null=True, blank=True)
    manager_staff_no = models.CharField(_("工号"), max_length=40, null=True, blank=True)

    class Meta:
        verbose_name = _("冻结台区")
        verbose_name_plural = _("冻结台区")
        constraints = [models.UniqueConstraint(fields=["month", "code"], name="frozen_district_month_code")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.code}"

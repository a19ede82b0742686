"""Attribution, bottleneck tracing, scoring rules, snapshots and appeals.

Everything domain.md marks *configurable* lives here as data (thresholds,
the default attribution table, KPI definitions with bands, working-day
overrides), edited in the admin and read by the same services that the pages,
the commands and the PDF notice use.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scorecard.complaints.models import Category, WorkOrder
from scorecard.grid.models import Department, District, OrgUnit


# Why a rule chose the department, in the words of the notice (the only way a rule reaches the
# screen: its code, e.g. fault_majority, is never shown; English via the locale).
RULE_TEXT = {
    "project_late": _("台区改造项目计划期内未投运，建设滞后"),
    "persists_after_project": _("改造项目已投运，瓶颈仍然存在，运维管控不到位"),
    "planning_gap": _("无改造项目或项目计划晚于当月，规划缺口"),
    "voltage_without_load": _("非负载原因的低电压，运维调压不到位"),
    "over_voltage": _("过电压，运维调压不到位"),
    "outage_not_in_plan": _("计划/临时停电未纳入月度停电计划，停电计划管控失效"),
    "fault_majority": _("故障停电占多数，设备运维不到位"),
    "planned_majority": _("计划停电占多数，停电安排统筹不足"),
}


class RuleSettings(models.Model):
    """The thresholds of the tracing rules and the windows of the workflow (one row)."""

    overload_pct = models.DecimalField(_("过载阈值(负载率%)"), max_digits=6, decimal_places=2, default=Decimal("100"))
    heavy_load_pct = models.DecimalField(_("重载阈值(负载率%)"), max_digits=6, decimal_places=2, default=Decimal("80"))
    low_voltage_v = models.DecimalField(_("低电压阈值(V, 低于)"), max_digits=6, decimal_places=1,
                                        default=Decimal("198.0"))
    over_voltage_v = models.DecimalField(_("过电压阈值(V, 高于)"), max_digits=6, decimal_places=1,
                                         default=Decimal("235.4"))
    frequent_outage_count = models.PositiveSmallIntegerField(_("频繁停电次数(不少于)"), default=3)
    frequent_outage_days = models.PositiveSmallIntegerField(_("频繁停电统计天数"), default=60)
    rectification_days = models.PositiveSmallIntegerField(_("整改期限(月末后天数)"), default=30)
    # domain.md "Hazards and accountability": an incident without linked complaints is a
    # 隐患预警 and opens no rectification item — unless this is switched on.
    rectify_hazards = models.BooleanField(
        _("隐患预警也生成整改项"), default=False,
        help_text=_("关闭时只有关联了投诉的追责事件生成整改项；开启后无关联投诉的隐患预警也生成整改项。"))
    appeal_working_days = models.PositiveSmallIntegerField(_("申诉期限(通报草稿后工作日)"), default=5)
    ack_hours = models.PositiveSmallIntegerField(_("接单时限(小时)"), default=2)
    repeat_days = models.PositiveSmallIntegerField(_("重复投诉回溯天数"), default=30)
    fallback_department = models.ForeignKey(Department, verbose_name=_("未匹配时的默认责任部门"),
                                            on_delete=models.PROTECT, related_name="+")
    # What a KPI without a value scores (weights are never re-spread, so missing
    # data must score something): full marks when there was nothing to rate, the
    # lowest band when there was something to rate but its data is missing.
    BAND_CHOICES = [(b, b) for b in "ABCDE"]
    nothing_to_rate_band = models.CharField(_("无可考核数据时的得分档位(当月无投诉/无整改事项)"), max_length=1,
                                            choices=BAND_CHOICES, default="A")
    missing_data_band = models.CharField(_("缺少数据时的得分档位(有投诉但无回访/用户数/接单时间等)"), max_length=1,
                                         choices=BAND_CHOICES, default="E")
    # 考核口径: which verified complaints the scorecard KPIs leave out. The complaint profile
    # always counts every accepted complaint (受理口径).
    exclude_not_valid = models.BooleanField(_("考核口径剔除不属实投诉"), default=True)
    exclude_not_at_fault = models.BooleanField(_("考核口径剔除无责投诉"), default=True)
    exclude_downgraded = models.BooleanField(_("考核口径剔除降级为意见的投诉"), default=True)

    class Meta:
        verbose_name = _("规则参数")
        verbose_name_plural = _("规则参数")

    def __str__(self):
        return str(_("规则参数"))

    @classmethod
    def current(cls) -> "RuleSettings":
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            # The defaults, unsaved: reading the rules must not write them (the seed migration
            # and the admin store the row).
            obj = cls(fallback_department=Department.objects.get(code="yx"))
        return obj


class DefaultAttribution(models.Model):
    """Rule 3 of attribution: the default department by (sub-)category.

    A row names a category and optionally a sub-category, either exactly or as
    a prefix ending in ``*`` (domain.md's "抢修*"). The most specific row wins:
    exact sub-category, then prefix, then the category alone; anything still
    unmatched goes to RuleSettings.fallback_department.
    """

    category = models.ForeignKey(Category, verbose_name=_("一级分类"), null=True, blank=True, on_delete=models.CASCADE)
    subcategory_pattern = models.CharField(_("二级分类(可用*结尾表示前缀)"), max_length=30, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("责任部门"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("默认归因规则")
        verbose_name_plural = _("默认归因规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "subcategory_pattern"], name="default_attr_unique"),
            models.CheckConstraint(condition=Q(category__isnull=False) | ~Q(subcategory_pattern=""),
                                   name="default_attr_not_empty"),
        ]

    def __str__(self):
        return f"{self.category or '*'} / {self.subcategory_pattern or '*'} → {self.department}"


class KpiDefinition(models.Model):
    """One scored KPI: polarity, weight and the four cut-offs of the five bands A–E."""

    class Level(models.TextChoices):
        DEPARTMENT = "department", _("责任单位(地市×部门)")
        UNIT = "unit", _("地市公司")

    class Polarity(models.TextChoices):
        LOWER = "lower", _("越低越好")
        HIGHER = "higher", _("越高越好")

    level = models.CharField(_("考核层级"), max_length=12, choices=Level.choices)
    code = models.SlugField(_("指标代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=40)
    polarity = models.CharField(_("方向"), max_length=6, choices=Polarity.choices)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    # Values at least this good earn the band: A ≥/≤ band_a, B ≥/≤ band_b ... else E.
    band_a = models.DecimalField(_("A档界值"), max_digits=10, decimal_places=2)
    band_b = models.DecimalField(_("B档界值"), max_digits=10, decimal_places=2)
    band_c = models.DecimalField(_("C档界值"), max_digits=10, decimal_places=2)
    band_d = models.DecimalField(_("D档界值"), max_digits=10, decimal_places=2)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    BAND_POINTS = {"A": 100, "B": 80, "C": 60, "D": 40, "E": 20}
    CODES = ("per_10k", "repeat_rate", "on_time_rate", "avg_resolution_hours", "median_resolution_hours",
             "satisfaction_rate", "ack_rate", "rectification_on_time_rate", "complaints")

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["level", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="kpi_unique_code_per_level"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="kpi_weight_non_negative"),
            # Cut-offs must run in the direction of the polarity, or bands overlap.
            models.CheckConstraint(
                condition=(Q(polarity="lower") & Q(band_a__lte=models.F("band_b")) & Q(band_b__lte=models.F("band_c"))
                           & Q(band_c__lte=models.F("band_d")))
                | (Q(polarity="higher") & Q(band_a__gte=models.F("band_b")) & Q(band_b__gte=models.F("band_c"))
                   & Q(band_c__gte=models.F("band_d"))),
                name="kpi_bands_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()} · {self.name}"

    def band(self, value) -> str | None:
        if value is None:
            return None
        value = Decimal(str(value))
        cutoffs = [("A", self.band_a), ("B", self.band_b), ("C", self.band_c), ("D", self.band_d)]
        for letter, cut in cutoffs:
            if (self.polarity == self.Polarity.LOWER and value <= cut) or (
                self.polarity == self.Polarity.HIGHER and value >= cut
            ):
                return letter
        return "E"


class WorkingDayOverride(models.Model):
    """Corrections to chinese-calendar (or years it does not cover yet)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_working_day else '休息日'}"


class CalendarYear(models.Model):
    """A year whose holidays and 调休 working days an administrator has loaded
    (``import_data calendar``): for years chinese-calendar has no data for, the
    calendar is only trusted — and the on-time rate only reliable — once such a row exists."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("载入人"))
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已载入节假日安排的年份")
        verbose_name_plural = _("已载入节假日安排的年份")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class ReportingMonthQuerySet(models.QuerySet):
    # "Is this month published" in SQL: the one predicate, as ReportingMonth.is_published is in Python.
    def published(self):
        return self.filter(published_at__isnull=False)

    def unpublished(self):
        return self.filter(published_at__isnull=True)


class ReportingMonth(models.Model):
    """The state of one month in the monthly cycle (``stage``):

        open → cutoff (数据截止) → appeal (初稿 + 申诉期) → review (复核) → published (发布)

    Each step is a service of kpis.services, by a named user (or recorded as automatic),
    audited. The row is also the month's lock: tracing and publication take it FOR UPDATE,
    so two traces of one month never run at once.
    """

    class Stage(models.TextChoices):
        OPEN = "open", _("数据收集中")
        CUTOFF = "cutoff", _("数据已截止")
        APPEAL = "appeal", _("初稿·申诉期")
        REVIEW = "review", _("复核")
        PUBLISHED = "published", _("已发布")

    month = models.DateField(_("月份"), unique=True)
    cutoff_at = models.DateTimeField(_("数据截止时间"), null=True, blank=True)
    cutoff_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("数据截止声明人"))
    # True when ``notice generate`` declared the cutoff because nobody had (recorded as such).
    cutoff_auto = models.BooleanField(_("生成初稿时自动截止"), default=False)
    traced_at = models.DateTimeField(_("最近溯源时间"), null=True, blank=True)
    draft_at = models.DateTimeField(_("首份草稿时间"), null=True, blank=True)
    appeal_deadline = models.DateTimeField(_("申诉截止时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("发布人"))
    # Why the month was published inside the appeal window or with undecided appeals (blank otherwise).
    publish_reason = models.TextField(_("提前发布理由"), blank=True)
    # The frozen read-outs of a published month (scorecard, trace), exactly as published.
    scorecard = models.JSONField(_("考核快照"), null=True, blank=True, editable=False)
    trace = models.JSONField(_("溯源快照"), null=True, blank=True, editable=False)

    objects = ReportingMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核月份")
        verbose_name_plural = _("考核月份")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="reporting_month_first_day")]

    def __str__(self):
        return self.month.strftime("%Y-%m")

    @property
    def is_published(self) -> bool:
        """Publication froze the month's figures (a correction re-freezes it in one transaction)."""
        return self.published_at is not None

    def stage_at(self, now) -> str:
        """Where the month stands in the cycle at ``now`` (the appeal window closes by the clock).

        The one definition of the appeal window: open (``Stage.APPEAL``) from the first draft
        until ``appeal_deadline``, deadline included, and never once published."""
        if self.is_published:
            return self.Stage.PUBLISHED
        if self.draft_at is not None:
            return self.Stage.APPEAL if self.appeal_deadline and now <= self.appeal_deadline else self.Stage.REVIEW
        return self.Stage.CUTOFF if self.cutoff_at is not None else self.Stage.OPEN


class Incident(models.Model):
    class Kind(models.TextChoices):
        FREQUENT_OUTAGE = "frequent_outage", _("频繁停电")
        OVERLOAD = "overload", _("过载")
        HEAVY_LOAD = "heavy_load", _("重载")
        LOW_VOLTAGE = "low_voltage", _("低电压")
        OVER_VOLTAGE = "over_voltage", _("过电压")

    # The order in which a complaint is linked when its 台区 has several incidents.
    LINK_PRIORITY = ["frequent_outage", "overload", "heavy_load", "low_voltage", "over_voltage"]

    district = models.ForeignKey(District, to_field="code", db_column="district_code", on_delete=models.PROTECT,
                                 related_name="incidents", verbose_name=_("台区"))
    month = models.DateField(_("月份"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("地市单位"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="incidents",
                                   verbose_name=_("责任部门"))
    rule = models.CharField(_("判定规则"), max_length=40)
    evidence = models.JSONField(_("证据"), default=dict)
    detected_at = models.DateTimeField(_("识别时间"), auto_now=True)

    class Meta:
        verbose_name = _("供电瓶颈事件")
        verbose_name_plural = _("供电瓶颈事件")
        ordering = ["month", "district_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["district", "month", "kind"], name="incident_unique")]
        indexes = [models.Index(fields=["month", "city", "department"], name="incident_month_unit_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.district_id} {self.get_kind_display()}"

    @property
    def rule_text(self) -> str:
        return str(RULE_TEXT.get(self.rule) or _("其他规则"))


class IncidentComplaint(models.Model):
    """A complaint linked to the incident that explains it (at most one per complaint)."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="incident_link")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")

    class Meta:
        verbose_name = _("事件关联投诉")
        verbose_name_plural = _("事件关联投诉")


class Rectification(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        IN_PROGRESS = "in_progress", _("整改中")
        DONE = "done", _("已完成")

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="rectification")
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("地市单位"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("责任部门"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("负责人"))
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)
    closing_evidence = models.TextField(_("整改说明"), blank=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due_on"]
        indexes = [models.Index(fields=["due_on", "city", "department"], name="rect_due_unit_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | Q(closed_on__isnull=False),
                                   name="rect_done_has_date"),
        ]


class Verification(models.Model):
    """An analyst's 核实与定责 of one complaint (属实/不属实, 有责/无责, 降级为意见), set in the portal
    with a reason before the month's cutoff, or by an accepted appeal. It takes precedence over
    what the work-order export said (WorkOrder.valid / at_fault / downgraded); a re-import never
    overwrites it. Every change is audited (kpis.services.set_verification)."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="verification",
                                      verbose_name=_("工单"))
    valid = models.CharField(_("是否属实"), max_length=4, choices=WorkOrder.Validity.choices, blank=True)
    at_fault = models.CharField(_("是否有责"), max_length=4, choices=WorkOrder.Fault.choices, blank=True)
    downgraded = models.BooleanField(_("降级为意见"), default=False)
    reason = models.TextField(_("核实说明"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("核实人"))
    set_at = models.DateTimeField(_("核实时间"))
    appeal = models.ForeignKey("Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("来自申诉"))

    class Meta:
        verbose_name = _("投诉核实")
        verbose_name_plural = _("投诉核实")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="verification_has_reason")]


# Why a complaint is left out of the 考核口径 (the codes of Exclusion, in precedence order).
class Exclusion(models.TextChoices):
    NOT_VALID = "not_valid", _("不属实")
    NOT_AT_FAULT = "not_at_fault", _("无责")
    DOWNGRADED = "downgraded", _("降级为意见")


class DeductionKind(models.Model):
    """A kind of 考核扣分 event (越级投诉, 媒体曝光 …) with its default points; editable data."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("事件类型"), max_length=30, unique=True)
    default_points = models.DecimalField(_("默认扣分"), max_digits=5, decimal_places=2)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("扣分事件类型")
        verbose_name_plural = _("扣分事件类型")
        ordering = ["sort_order", "name"]
        constraints = [models.CheckConstraint(condition=Q(default_points__gte=0), name="deduction_kind_points_ge_0")]

    def __str__(self):
        return self.name


class Deduction(models.Model):
    """One 考核扣分 event: unit, department, date, points, evidence and who entered it.

    The month is the event's date's month; the score of the (unit, department) for that month is
    its KPI score minus the points of its active events (never below 0), the city's score minus
    all its departments' events. An accepted appeal withdraws the event (status), never deletes it.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        WITHDRAWN = "withdrawn", _("申诉撤销")

    event_no = models.CharField(_("事件编号"), max_length=40, unique=True)
    kind = models.ForeignKey(DeductionKind, on_delete=models.PROTECT, related_name="events", verbose_name=_("事件类型"))
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("地市单位"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门"))
    occurred_on = models.DateField(_("发生日期"))
    month = models.DateField(_("考核月份"), editable=False)
    points = models.DecimalField(_("扣分"), max_digits=5, decimal_places=2)
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("关联工单"))
    description = models.TextField(_("事件说明"))
    evidence = models.TextField(_("证据"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("录入人"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核扣分")
        verbose_name_plural = _("考核扣分")
        ordering = ["-occurred_on", "event_no"]
        indexes = [models.Index(fields=["month", "city", "department"], name="deduction_month_unit_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="deduction_points_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="deduction_month_first_day"),
        ]

    def __str__(self):
        return f"{self.event_no} {self.kind}"

    def save(self, *args, **kwargs):
        # One home for the month of an event: the month of its date.
        self.month = self.occurred_on.replace(day=1)
        super().save(*args, **kwargs)


class AttributionOverride(models.Model):
    """The outcome of an accepted appeal: the complaint answers to another department."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="override")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    appeal = models.OneToOneField("Appeal", on_delete=models.PROTECT, related_name="override")

    class Meta:
        verbose_name = _("申诉改判")
        verbose_name_plural = _("申诉改判")


class Appeal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("已驳回")
        # Still pending when an analyst published the month early (with a recorded reason):
        # closed undecided, not silently rejected; it can be raised again for a correction.
        CLOSED = "closed", _("发布时未处理")

    # What the appeal asks for: another department (the attribution), or the complaint judged
    # 无责 / 不属实 (the verification), or a 考核扣分 event withdrawn.
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("改判责任部门")
        NOT_AT_FAULT = "not_at_fault", _("认定无责")
        NOT_VALID = "not_valid", _("认定不属实")
        DEDUCTION = "deduction", _("撤销考核扣分")

    kind = models.CharField(_("申诉事项"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="appeals", verbose_name=_("工单"))
    deduction = models.ForeignKey(Deduction, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="appeals", verbose_name=_("考核扣分"))
    month = models.DateField(_("月份"))
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("地市单位"))
    from_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("原责任部门"))
    to_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("建议责任部门"))
    reason = models.TextField(_("申诉理由"))
    attachment = models.FileField(_("附件"), upload_to="appeals/%Y/%m/", blank=True, max_length=300)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("申诉人"))
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)

    class Meta:
        verbose_name = _("归因申诉")
        verbose_name_plural = _("归因申诉")
        ordering = ["-filed_at"]
        constraints = [
            # One open appeal per complaint: a second would race the first decision.
            models.UniqueConstraint(fields=["work_order"], condition=Q(status="pending"),
                                    name="appeal_one_pending_per_order"),
            models.UniqueConstraint(fields=["deduction"], condition=Q(status="pending"),
                                    name="appeal_one_pending_per_deduction"),
            # A department appeal names the department; a deduction appeal names the event; the others the order.
            models.CheckConstraint(
                condition=(Q(kind="deduction") & Q(deduction__isnull=False) & Q(work_order__isnull=True))
                | (~Q(kind="deduction") & Q(work_order__isnull=False) & Q(deduction__isnull=True)),
                name="appeal_subject_matches_kind"),
            models.CheckConstraint(condition=~Q(kind="department") | Q(to_department__isnull=False),
                                   name="appeal_department_named"),
            models.CheckConstraint(condition=Q(status="pending") | ~Q(decision_reason=""),
                                   name="appeal_decision_has_reason"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="appeal_month_status_idx")]

    def __str__(self):
        subject = self.work_order.order_no if self.work_order_id else (self.deduction.event_no if self.deduction_id else "")
        return f"{subject} {self.get_kind_display()} {self.get_status_display()}"

    @property
    def subject(self) -> str:
        """What the appeal is about, as the pages and the audit log name it (工单编号 or 事件编号)."""
        return self.work_order.order_no if self.work_order_id else self.deduction.event_no

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class SnapshotAttribution(models.Model):
    """The attribution of every complaint of a published month, frozen at publication."""

    reporting_month = models.ForeignKey(ReportingMonth, on_delete=models.PROTECT, related_name="attributions")
    # One row per complaint: a complaint belongs to exactly one month.
    work_order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="frozen")
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=10)
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Why the complaint was left out of the 考核口径 at publication (Exclusion; "" = counted).
    exclusion = models.CharField(max_length=12, blank=True, default="")
    # The complaint's KPI facts at publication (expressions.frozen_facts) and where it was filed: the
    # drill-down of a published month aggregates these, so a later re-import of the work order moves
    # nothing. NULL on the rows of months published before they were frozen (their figures are
    # computed from the current work orders, and the page says so).
    county = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, db_index=False, to_field="code", db_column="district_code", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    closed = models.BooleanField(null=True)
    on_time = models.BooleanField(null=True)
    repeat = models.BooleanField(null=True)
    resolution_seconds = models.FloatField(null=True)
    satisfied = models.BooleanField(null=True)
    callback = models.BooleanField(null=True)
    ack_known = models.BooleanField(null=True)
    ack_in_time = models.BooleanField(null=True)

    class Meta:
        indexes = [models.Index(fields=["reporting_month", "city", "department"], name="snapshot_attr_unit_idx")]


class WorkCalendar(models.Model):
    """The working-day calendar as a table, so SLA deadlines are computed in SQL.

    ``seq`` counts the working days up to and including ``date``; a non-working
    day carries the count of the working day before it. The Nth working day
    after any date d is then the working day whose seq is seq(d) + N. Rebuilt
    from chinese-calendar plus WorkingDayOverride whenever an override changes.
    """

    date = models.DateField(primary_key=True)
    is_working_day = models.BooleanField()
    seq = models.PositiveIntegerField(db_index=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]


class LateData(models.Model):
    """补录: an import that brought rows dated in a month that was already published.

    The rows are kept (the work orders are upserted as usual) but the month's figures stay
    those of its snapshot; they enter only through a correction version, whose publication
    fills ``included_in_version``. ``changes`` are the figures a correction would change,
    as measured right after this import (published vs current).
    """

    month = models.DateField(_("月份"), db_index=True)
    kind = models.CharField(_("数据类型"), max_length=20)
    source = models.CharField(_("文件"), max_length=255, blank=True)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("导入人"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows_new = models.PositiveIntegerField(_("新增投诉"), default=0)
    rows_changed = models.PositiveIntegerField(_("变更投诉"), default=0)
    rows_gone = models.PositiveIntegerField(_("移出投诉"), default=0)
    changes = models.JSONField(_("影响的指标"), default=list, blank=True)
    included_in_version = models.PositiveSmallIntegerField(_("已纳入更正版"), null=True, blank=True)

    class Meta:
        verbose_name = _("补录数据")
        verbose_name_plural = _("补录数据")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.kind} {self.source}"


class RiskList(models.Model):
    """The early-warning list of one predicted month (issue #18; computed by kpis.risk from data dated
    before the month). One row per month: recomputing replaces its entries, audited as risk.compute."""

    month = models.DateField(_("预测月份"), unique=True)
    data_version = models.BigIntegerField(_("数据版本"))
    model = models.CharField(_("模型"), max_length=40)
    created_at = models.DateTimeField(_("计算时间"))
    backtest = models.JSONField(_("回测"), default=list)
    # The backtest's folds: fold key (kpis.risk.fold_key, a digest of the model and of its inputs) → the
    # top ranked 台区 codes. A later list whose fold has the same key takes its ranking instead of training again.
    folds = models.JSONField(_("回测折"), default=dict, blank=True)

    class Meta:
        verbose_name = _("投诉风险清单")
        verbose_name_plural = _("投诉风险清单")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.model}"


class RiskEntry(models.Model):
    risk_list = models.ForeignKey(RiskList, on_delete=models.CASCADE, related_name="entries")
    district = models.ForeignKey(District, to_field="code", db_column="district_code", on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("台区"))
    rank = models.PositiveIntegerField(_("排名"))
    probability = models.FloatField(_("成为热点台区的概率"))
    # Each reason a code and its numbers ({"code": "load_rising", "value": 96.2}), put into words when shown,
    # in the viewer's language (kpis.risk_reasons); lists computed before that hold Chinese words.
    reasons = models.JSONField(_("主要原因"), default=list)
    # What the reasons page shows, stored at compute time so that a read never recomputes: every feature
    # value of the predicted month (kpis.risk.FEATURES, missing readings None) and, per reason (same
    # order as ``reasons``), its feature group, the reason and how many probability points it accounts
    # for ({"group", "reason", "points"}; older lists: {"group", "text", "points"}, the Chinese words).
    features = models.JSONField(_("特征值"), default=dict)
    explanation = models.JSONField(_("原因构成"), default=list)

    class Meta:
        verbose_name = _("风险台区")
        verbose_name_plural = _("风险台区")
        ordering = ["risk_list", "rank"]
        constraints = [models.UniqueConstraint(fields=["risk_list", "rank"], name="risk_entry_unique_rank"),
                       models.UniqueConstraint(fields=["risk_list", "district"], name="risk_entry_unique_district")]


class WarningOrder(models.Model):
    """预警工单 (issue #18): a 台区 at risk of becoming a complaint hotspot in ``month``, handed to the
    供电所 that runs it (and its 台区经理) before the complaints come. Made by an analyst from the month's
    risk list (kpis.warnings.create_warning copies the entry's probability and reasons: a recomputed list
    replaces its entries, the warning keeps what it was issued on) or for any 台区.

    The 台区's units are copied at creation: the order stays with the station it was given to when the
    master data changes later. ``department`` is the department that answers for the 台区's equipment
    (运检 unless the analyst says otherwise): its head is told when the order runs overdue."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        IN_PROGRESS = "in_progress", _("处理中")
        ESCALATED = "escalated", _("已逾期升级")
        DONE = "done", _("已完成")

    month = models.DateField(_("预警月份"))
    district = models.ForeignKey(District, to_field="code", db_column="district_code", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("台区"))
    city = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("地市单位"))
    county = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("县公司"))
    station = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("供电所"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("责任部门"))
    manager_name = models.CharField(_("台区经理"), max_length=40, blank=True)
    manager_staff_no = models.CharField(_("台区经理工号"), max_length=40, blank=True)
    # From the risk list the order was made from (None: an analyst's order for a 台区 not on it).
    probability = models.FloatField(_("成为热点台区的概率"), null=True, blank=True)
    risk_rank = models.PositiveIntegerField(_("风险排名"), null=True, blank=True)
    reasons = models.JSONField(_("主要原因"), default=list, blank=True)   # the entry's, as stored (codes or words)
    note = models.TextField(_("预警说明"), blank=True)
    due_on = models.DateField(_("处理期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("确认人"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期升级时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("办结人"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)

    class Meta:
        verbose_name = _("预警工单")
        verbose_name_plural = _("预警工单")
        ordering = ["-month", "due_on", "pk"]
        indexes = [models.Index(fields=["month", "city"], name="warning_month_city_idx"),
                   models.Index(fields=["status", "due_on"], name="warning_status_due_idx")]
        constraints = [
            # One order per 台区 and month: a second one would split the actions and count the hit twice.
            models.UniqueConstraint(fields=["month", "district"], name="warning_unique_district_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="warning_month_first_day"),
            models.CheckConstraint(condition=~Q(status="done") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                                   name="warning_done_has_outcome"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.district_id}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def probability_pct(self) -> float | None:
        """The probability as a percentage (printed with the rate format)."""
        return None if self.probability is None else self.probability * 100


class WarningAction(models.Model):
    """What the assignee did about a 预警工单, one row per action (the order page's timeline)."""

    class Kind(models.TextChoices):
        PATROL = "patrol", _("巡视")
        LOAD = "load", _("负荷调整")
        RETROFIT = "retrofit", _("改造申请")
        VISIT = "visit", _("客户走访")

    warning = models.ForeignKey(WarningOrder, on_delete=models.CASCADE, related_name="actions",
                                verbose_name=_("预警工单"))
    kind = models.CharField(_("措施类型"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("措施内容"))
    at = models.DateTimeField(_("实施时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预警处理措施")
        verbose_name_plural = _("预警处理措施")
        ordering = ["warning", "at", "pk"]


class SeasonalRiskList(models.Model):
    """A seasonal risk list (issue #18: kpis.seasonal's rule), computed in May for 迎峰度夏 and in
    November for 迎峰度冬; recomputing replaces its entries, audited as seasonal.compute."""

    class Season(models.TextChoices):
        SUMMER = "summer", _("迎峰度夏")
        WINTER = "winter", _("迎峰度冬")

    season = models.CharField(_("季节"), max_length=10, choices=Season.choices)
    year = models.PositiveIntegerField(_("年份"))
    data_version = models.BigIntegerField(_("数据版本"))
    created_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("迎峰风险清单")
        verbose_name_plural = _("迎峰风险清单")
        ordering = ["-year", "season"]
        constraints = [models.UniqueConstraint(fields=["season", "year"], name="seasonal_risk_unique")]

    def __str__(self):
        return f"{self.year} {self.season}"


class SeasonalRiskEntry(models.Model):
    """One 台区 of a seasonal list, a row each (not a JSON list on the list) so that the page scopes,
    filters, sorts and pages in the database. The figures and the relieving projects are those of the
    computation (kpis.seasonal.rows): the list keeps what it was computed on."""

    class LoadRisk(models.TextChoices):
        OVERLOAD = "overload", _("过载")
        HEAVY_LOAD = "heavy_load", _("重载")

    class ProjectStatus(models.TextChoices):
        IN_TIME = "in_time", _("项目按期投运")
        LATE = "late", _("项目不能按期投运")
        NONE = "none", _("无改造项目")

    seasonal_list = models.ForeignKey(SeasonalRiskList, on_delete=models.CASCADE, related_name="entries")
    district = models.ForeignKey(District, to_field="code", db_column="district_code", on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("台区"))
    rank = models.PositiveIntegerField(_("排名"))
    load_risk = models.CharField(_("负载风险"), max_length=12, choices=LoadRisk.choices, blank=True)
    low_voltage = models.BooleanField(_("低电压风险"), default=False)
    last_peak = models.FloatField(_("上一季最大负载率"), null=True)
    trend = models.FloatField(_("负载率增长"), null=True, blank=True)  # None: no readings to compare
    expected_peak = models.FloatField(_("预计峰值负载率"), null=True)
    last_vmin = models.FloatField(_("上一季最低电压"), null=True)
    low_voltage_months = models.PositiveIntegerField(_("低电压月数"), default=0)
    project_status = models.CharField(_("改造项目"), max_length=8, choices=ProjectStatus.choices)
    projects = models.JSONField(_("改造项目明细"), default=list)

    class Meta:
        verbose_name = _("迎峰风险台区")
        verbose_name_plural = _("迎峰风险台区")
        ordering = ["seasonal_list", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["seasonal_list", "rank"], name="seasonal_entry_unique_rank"),
            models.UniqueConstraint(fields=["seasonal_list", "district"], name="seasonal_entry_unique_district")]

    @classmethod
    def from_row(cls, seasonal_list: SeasonalRiskList, rank: int, row: dict) -> "SeasonalRiskEntry":
        """An entry from one of kpis.seasonal.rows' dicts."""
        kinds = row["kinds"]
        load = next((k for k in kinds if k in cls.LoadRisk.values), "")
        return cls(seasonal_list=seasonal_list, district_id=row["code"], rank=rank, load_risk=load,
                   low_voltage="low_voltage" in kinds, last_peak=row["last_peak"], trend=row["trend"],
                   expected_peak=row["expected_peak"], last_vmin=row["last_vmin"],
                   low_voltage_months=row["low_voltage_months"] or 0,
                   project_status=row.get("project_status") or cls.ProjectStatus.NONE, projects=row["projects"])

    @property
    def risk_labels(self) -> list[str]:
        labels = [self.get_load_risk_display()] if self.load_risk else []
        return labels + ([str(_("低电压"))] if self.low_voltage else [])

from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from scorecard.accounts.scoping import mask_name
from scorecard.complaints.links import order_link
from scorecard.core.numbers import CHANGE, COUNT, HOURS, PER_10K, RATE, SCORE, VOLTAGE, display
from scorecard.core.tables import FigureColumn

from . import risk_reasons
from .models import Appeal, Deduction, Exclusion, Incident, SeasonalRiskEntry
from .selectors import CATEGORY_LABELS, category, scored_by_rule_groups

# Dates and times never wrap (app.css: td.datetime), nor do city company names in the rankings.
DATE_CELL = {"td": {"class": "datetime"}}
NOWRAP = {"td": {"class": "nowrap"}, "th": {"class": "nowrap"}}


def _pct(value):
    return display(value, RATE)


class RankChangeColumn(tables.Column):
    def render(self, value):
        if value is None or value == 0:
            return "—" if value is None else "→"
        return format_html('<span class="{}">{}{}</span>', "up" if value > 0 else "down",
                           "↑" if value > 0 else "↓", abs(value))

    def value(self, value):
        return value


class RateColumn(FigureColumn):
    kind = RATE


class ScoreColumn(FigureColumn):
    """A score. With ``badge`` (the total 得分 only), a row with nothing to rate says so beside its score."""

    kind = SCORE

    def __init__(self, *args, badge: bool = False, **kwargs):
        self.badge = badge
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        # Full marks for having nothing to rate is not a silent first place (issue #14); once per row.
        if (self.badge and isinstance(record, dict) and not record.get("complaints")
                and not record.get("deductions")):
            return format_html('{} <span class="badge info" title="{}">{}</span>', display(value, SCORE),
                               _("本月没有考核口径投诉，各项指标按「无可考核数据」规则计分"), _("无可评价"))
        return display(value, SCORE)


class ScoredByRuleColumn(tables.Column):
    """The KPIs a row had no value for and that were scored by the missing-data rule."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("default", "—")
        super().__init__(*args, **kwargs)

    def render(self, value):
        groups = scored_by_rule_groups(value)
        if not groups:
            return "—"
        # Folded: the summary (「缺少数据 2项」, a line per reason) keeps the ranking within 1366 px;
        # the full list opens on click.
        summary = format_html_join(mark_safe("<br>"), "{}", ((_("%(label)s %(n)s项") % {
            "label": g["short"], "n": len(g["kpis"])},) for g in groups))
        items = format_html_join(mark_safe("<br>"), '<span class="rule {}">{}：{}</span>',
                                 ((g["reason"], g["label"], "、".join(g["kpis"])) for g in groups))
        return format_html('<details class="rules"><summary>{}</summary>{}</details>', summary, items)

    def value(self, value):
        return "；".join(f"{g['label']}：{'、'.join(g['kpis'])}" for g in scored_by_rule_groups(value))


EXCLUSION_LABELS = dict(Exclusion.choices)


class ExcludedColumn(tables.Column):
    """How many accepted complaints the 考核口径 left out, and why (不属实 · 无责 · 降级为意见)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("default", {})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return excluded_text(value) or "—"

    def value(self, value):
        return excluded_text(value)


def excluded_text(excluded: dict | None) -> str:
    return " · ".join(f"{EXCLUSION_LABELS[code]} {n}" for code, n in (excluded or {}).items() if n)


class DeductionColumn(tables.Column):
    """The points of a row's 考核扣分 events ("—" without any)."""

    def render(self, value):
        return f"−{display(value, SCORE)}" if value else "—"

    def value(self, value):
        return value


class RepeatDaysMixin:
    """The repeat-rate header names its look-back (RuleSettings.repeat_days), so 「重复」 here is not
    read as the analysis page's 90-day 重复诉求 (issue #14)."""

    def __init__(self, *args, repeat_days: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if repeat_days is not None and "repeat_rate" in self.columns:
            column = self.columns["repeat_rate"].column  # the instance's deep copy, not the class's
            column.verbose_name = _("重复投诉率%%（%(d)s天回溯）") % {"d": repeat_days}
            column.attrs = {**column.attrs, "th": {**column.attrs.get("th", {}), "title": _(
                "同一客户在此前 %(d)s 天内另有投诉即为重复投诉（规则参数「重复投诉回溯天数」）") % {"d": repeat_days}}}


class DeductionItemsColumn(tables.Column):
    """The 考核扣分 events behind ``deduction_points``, itemised with their reasons: in the exports
    only (the page links each row to its department page, which lists them)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("default", [])
        kwargs.setdefault("visible", False)
        super().__init__(*args, **kwargs)

    def value(self, value):
        return "；".join(f"{d['event_no']} {d['label']} −{display(d['points'], SCORE)}：{d['reason']}"
                        for d in value or [])


class UnitTable(RepeatDaysMixin, tables.Table):
    rank = tables.Column(_("排名"))
    unit = tables.Column(_("地市公司"), attrs=NOWRAP)
    accepted_complaints = FigureColumn(_("受理口径投诉量"), kind=COUNT, default=0)
    complaints = FigureColumn(_("考核口径投诉量"), kind=COUNT)
    excluded = ExcludedColumn(_("剔除"))
    customers = FigureColumn(_("用户数"), kind=COUNT)
    per_10k = FigureColumn(_("万户投诉量"), kind=PER_10K)
    repeat_rate = RateColumn(_("重复投诉率%"))
    on_time_rate = RateColumn(_("按时办结率%"))
    avg_resolution_hours = FigureColumn(_("平均办结时长(h)"), kind=HOURS)
    satisfaction_rate = RateColumn(_("满意率%"))
    kpi_score = ScoreColumn(_("指标得分"), default=None)
    deduction_points = DeductionColumn(_("考核扣分"), default=0)
    deductions = DeductionItemsColumn(_("扣分明细"))
    score = ScoreColumn(_("得分"), badge=True)
    scored_by_rule = ScoredByRuleColumn(_("按规则计分的指标"))
    rank_change = RankChangeColumn(_("名次变化"))

    class Meta:
        attrs = {"class": "data ranking"}
        order_by = "rank"

    def render_unit(self, value, record):
        url = record.get("url")  # the city's drill-down (counties, stations, 台区经理)
        return format_html('<a href="{}">{}</a>', url, value) if url else value

    def value_unit(self, value):
        return value


class DepartmentTable(RepeatDaysMixin, tables.Table):
    department = tables.Column(_("专业部门"))
    rank = tables.Column(_("部门内排名"))
    unit = tables.Column(_("地市公司"), attrs=NOWRAP)
    accepted_complaints = FigureColumn(_("受理口径投诉量"), kind=COUNT, default=0)
    complaints = FigureColumn(_("考核口径投诉量"), kind=COUNT)
    excluded = ExcludedColumn(_("剔除"))
    repeat_rate = RateColumn(_("重复投诉率%"))
    on_time_rate = RateColumn(_("按时办结率%"))
    median_resolution_hours = FigureColumn(_("办结时长中位数(h)"), kind=HOURS)
    satisfaction_rate = RateColumn(_("满意率%"))
    ack_rate = RateColumn(_("2小时接单率%"))
    rectification_on_time_rate = RateColumn(_("整改按期率%"))
    kpi_score = ScoreColumn(_("指标得分"), default=None)
    deduction_points = DeductionColumn(_("考核扣分"), default=0)
    deductions = DeductionItemsColumn(_("扣分明细"))
    score = ScoreColumn(_("得分"), badge=True)
    scored_by_rule = ScoredByRuleColumn(_("按规则计分的指标"))
    rank_change = RankChangeColumn(_("名次变化"))

    class Meta:
        attrs = {"class": "data ranking"}

    def render_unit(self, value, record):
        url = record.get("url")
        return format_html('<a href="{}">{}</a>', url, value) if url else value

    def value_unit(self, value):
        return value


KIND_LABELS = dict(Incident.Kind.choices)


class IncidentTable(tables.Table):
    district = tables.Column(_("台区"), accessor="district_id")
    category = tables.Column(_("事件类别"), accessor="accountable", order_by=("-accountable",))
    kind = tables.Column(_("类型"))
    city = tables.Column(_("地市单位"), accessor="city__name", order_by="city__name")
    department = tables.Column(_("责任部门"), accessor="department__name", order_by="department__sort_order")
    linked = FigureColumn(_("关联投诉"), kind=COUNT, orderable=True)
    due_on = tables.DateColumn(format="Y-m-d", verbose_name=_("整改期限"), accessor="rectification__due_on",
                               attrs=DATE_CELL)
    status = tables.Column(_("整改状态"), accessor="rectification__status")

    class Meta:
        model = Incident
        fields = ("district", "category", "kind", "city", "department", "linked", "due_on", "status")
        attrs = {"class": "data"}

    def render_district(self, value, record):
        return format_html('<a href="{}">{} {}</a>', reverse("kpis:incident", args=[record.pk]), value,
                           record.district.name)

    def value_district(self, value):
        return value

    def render_category(self, value):
        return format_html('<span class="badge {}">{}</span>', "bad" if value else "info",
                           CATEGORY_LABELS[category(value)])

    def value_category(self, value):
        return str(CATEGORY_LABELS[category(value)])

    def render_status(self, record):
        return record.rectification.get_status_display()


class OrderCellsMixin:
    """The order number as a link to its page and the category path (一级/二级/三级), for the tables of
    work orders (incident page, department page); exports get the plain text."""

    def render_order_no(self, value):
        return order_link(value)

    def value_order_no(self, value):
        return value

    def render_category(self, record):
        return "/".join(x.name for x in (record.category, record.subcategory, record.detail) if x) or "—"

    def value_category(self, record):
        return self.render_category(record)


class IncidentComplaintTable(OrderCellsMixin, tables.Table):
    """The complaints an incident explains (incident page): paged and sortable, each order number a link
    to its page. Rows come from ``selectors.incident_complaints_for_viewer`` (scoped)."""

    order_no = tables.Column(_("工单编号"), attrs=NOWRAP)
    accepted_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("受理时间"), attrs=DATE_CELL)
    category = tables.Column(_("分类"), accessor="category__name", order_by=("category__sort_order",
                                                                              "subcategory__sort_order"))

    class Meta:
        attrs = {"class": "data"}
        order_by = ("accepted_at",)
        empty_text = _("没有关联投诉。")


class AppealTable(tables.Table):
    order = tables.Column(_("工单/扣分事件"), accessor="subject", order_by=("work_order__order_no", "deduction__event_no"))
    kind = tables.Column(_("申诉事项"))
    city = tables.Column(_("地市单位"), accessor="city__name")
    from_department = tables.Column(_("原责任部门"), accessor="from_department__name")
    to_department = tables.Column(_("建议责任部门"), accessor="to_department__name")
    filed_by = tables.Column(_("申诉人"), accessor="filed_by__username")
    filed_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("申诉时间"), attrs=DATE_CELL)
    status = tables.Column(_("状态"))

    class Meta:
        model = Appeal
        fields = ("order", "kind", "city", "from_department", "to_department", "filed_by", "filed_at", "status")
        attrs = {"class": "data"}

    def render_order(self, value, record):
        # A work order links to its page; a deduction event (事件编号) is no order number.
        subject = order_link(value) if record.work_order_id else value
        return format_html('{} <a href="{}">{}</a>', subject, reverse("kpis:appeal", args=[record.pk]),
                           _("申诉 #%(pk)s") % {"pk": record.pk})

    def value_order(self, value):
        return value


class DepartmentComplaintTable(OrderCellsMixin, tables.Table):
    """The complaints a responsible unit answers for (department page): why each counts against it and,
    for a repeat complaint, the earlier complaint it repeats and who handled that one (``repeats``).

    Rows come from ``selectors.department_complaints_for_viewer`` + ``repeats.with_repeat_of``; names of
    the earlier order's city and department come from the small dicts ``names`` (no query per row)."""

    order_no = tables.Column(_("工单编号"), attrs=NOWRAP)
    accepted_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("受理时间"), attrs=DATE_CELL)
    category = tables.Column(_("分类"), accessor="subcategory__name", order_by=("category__sort_order",
                                                                                 "subcategory__sort_order"))
    district = tables.Column(_("台区"), accessor="district_id", default="—")
    customer_name = tables.Column(_("客户"), attrs={"td": {"class": "nowrap"}}, default="—")
    closed_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("办结时间"), attrs=DATE_CELL)
    reason = tables.Column(_("归因依据"), accessor="attr_rule", order_by=("attr_rule",))
    exclusion = tables.Column(_("考核口径"), order_by=("exclusion",))
    repeat = tables.Column(_("重复（前次投诉及处理单位）"), accessor="repeat_count", order_by=("-repeat_count",))
    appeal = tables.Column("", accessor="pk", orderable=False, exclude_from_export=True)

    class Meta:
        attrs = {"class": "data dept-complaints"}
        order_by = ("accepted_at",)
        empty_text = _("本月没有归属本单位的投诉。")

    def __init__(self, *args, show_personal: bool, can_appeal: bool, names: dict, reason,
                 can_verify: bool = False, **kwargs):
        self.show_personal, self.can_appeal, self.names, self.reason_of = show_personal, can_appeal, names, reason
        self.can_verify = can_verify
        super().__init__(*args, **kwargs)

    def render_exclusion(self, value):
        if not value:
            return _("计入")
        return format_html('<span class="badge info">{}：{}</span>', _("剔除"), EXCLUSION_LABELS.get(value, value))

    def value_exclusion(self, value):
        return str(EXCLUSION_LABELS.get(value, value)) if value else str(_("计入"))

    def render_customer_name(self, value):
        return value if self.show_personal else mask_name(value)

    def value_customer_name(self, value):
        return self.render_customer_name(value)

    def render_closed_at(self, value):
        return localtime(value).strftime("%Y-%m-%d %H:%M") if value else _("未办结")

    def render_reason(self, record):
        text = self.reason_of(record)
        if record.attr_rule == "traced":
            return format_html('<a href="{}">{}</a>', reverse("kpis:incident", args=[record.incident_link.incident_id]),
                               text)
        return text

    def value_reason(self, record):
        return self.reason_of(record)

    def _repeat_text(self, record) -> tuple[str, str]:
        if not record.repeat_count:
            return "", ""
        if not record.repeat_of_no:
            return "", str(_("早前投诉不在您的查看范围内"))
        where = "·".join(x for x in (self.names["cities"].get(record.repeat_of_city_id, ""),
                                     self.names["departments"].get(record.repeat_of_dept_id, "")) if x)
        when = localtime(record.repeat_of_at).strftime("%Y-%m-%d")
        more = _("（共%(n)s件）") % {"n": record.repeat_count} if record.repeat_count > 1 else ""
        return record.repeat_of_no, f"{when} {where}{more}"

    def render_repeat(self, record):
        no, text = self._repeat_text(record)
        if not text:
            return "—"
        if not no:
            return format_html('<span class="muted">{}</span>', text)
        return format_html('<span class="badge warn">{}</span> {} {}', _("重复"), order_link(no), text)

    def value_repeat(self, record):
        no, text = self._repeat_text(record)
        return f"{no} {text}".strip()

    def render_appeal(self, value):
        links = []
        if self.can_appeal:
            links.append(format_html('<a class="button" href="{}">{}</a>', reverse("kpis:appeal_new", args=[value]),
                                     _("申诉")))
        if self.can_verify:
            links.append(format_html('<a class="button" href="{}">{}</a>', reverse("kpis:verify", args=[value]),
                                     _("核实定责")))
        return mark_safe(" ".join(links))
class DeductionTable(tables.Table):
    event_no = tables.Column(_("事件编号"))
    occurred_on = tables.DateColumn(format="Y-m-d", verbose_name=_("发生日期"), attrs=DATE_CELL)
    kind = tables.Column(_("事件类型"), accessor="kind__name", order_by="kind__sort_order")
    city = tables.Column(_("地市单位"), accessor="city__name", order_by="city__sort_order")
    department = tables.Column(_("责任部门"), accessor="department__name", order_by="department__sort_order")
    points = tables.Column(_("扣分"))
    description = tables.Column(_("事件说明"), orderable=False)
    evidence = tables.Column(_("证据"), orderable=False)
    work_order = tables.Column(_("关联工单"), accessor="work_order__order_no", default="—")
    entered_by = tables.Column(_("录入人"), accessor="entered_by__username")
    status = tables.Column(_("状态"))

    class Meta:
        model = Deduction
        fields = ("event_no", "occurred_on", "kind", "city", "department", "points", "description", "evidence",
                  "work_order", "entered_by", "status")
        attrs = {"class": "data"}

    def render_work_order(self, value):
        return order_link(value)

    def value_work_order(self, value):
        return value

    def render_points(self, value):
        return f"−{display(value, SCORE)}"

    def value_points(self, value):
        return value


class RiskTable(tables.Table):
    """The risk list (issue #18): one stored RiskEntry a row, the 台区 linked to its reasons page."""

    rank = tables.Column(_("全省排名"), attrs={"td": {"class": "num"}})
    district = tables.Column(_("台区"), accessor="district_id", order_by="district_id")
    station = tables.Column(_("供电所"), accessor="district__station__name", order_by="district__station__name",
                            default="—")
    county = tables.Column(_("县公司"), accessor="district__county__name", order_by="district__county__name",
                           default="—")
    city = tables.Column(_("地市公司"), accessor="district__city__name", order_by="district__city__name")
    probability = tables.Column(_("成为热点台区的概率"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    reasons = tables.Column(_("主要原因"), orderable=False)
    # An analyst turns a risk into a 预警工单 from its row (kpis:warning_create, filled from the query).
    issue = tables.Column("", accessor="district_id", orderable=False, exclude_from_export=True)

    class Meta:
        attrs = {"class": "data", "id": "risk-table"}
        order_by = "rank"

    def __init__(self, *args, month_label: str = "", can_issue: bool = False, **kwargs):
        self.month_label = month_label
        super().__init__(*args, **kwargs)
        if not can_issue:
            self.columns.hide("issue")

    def render_issue(self, value):
        url = reverse("kpis:warning_create") + "?" + urlencode({"district": value, "month": self.month_label})
        return format_html('<a class="button secondary" href="{}">{}</a>', url, _("生成预警工单"))

    def render_district(self, value, record):
        url = reverse("kpis:risk_district", args=[value]) + f"?month={self.month_label}"
        return format_html('<a href="{}">{} {}</a>', url, value, record.district.name)

    def value_district(self, value):
        return value

    def render_probability(self, value):
        return display(value * 100, RATE, unit="%")

    def value_probability(self, value):
        return value

    # Stored as codes and numbers (or, in lists computed before that, Chinese words): written in the
    # viewer's language here and in the export.
    def render_reasons(self, value):
        return risk_reasons.joined(value) or "—"

    def value_reasons(self, value):
        return risk_reasons.joined(value)
class _LinkedName(tables.Column):
    def render(self, value, record):
        url = record.get("url")
        return format_html('<a href="{}">{}</a>', url, value) if url else value

    def value(self, value):
        return str(value)


class _DrillFiguresTable(RepeatDaysMixin, tables.Table):
    """The rank and the five figures every drill-down ranking shows (kpis.selectors.drilldown), ranked by
    万户投诉量; each table adds its own name columns and places them with ``Meta.sequence``."""

    rank = tables.Column(_("排名"))
    complaints = FigureColumn(_("考核口径投诉量"), kind=COUNT)
    customers = FigureColumn(_("用户数"), kind=COUNT)
    per_10k = FigureColumn(_("万户投诉量"), kind=PER_10K)
    repeat_rate = RateColumn(_("重复投诉率%"))
    on_time_rate = RateColumn(_("按时办结率%"))
    # In the exports only: where the row's figures come from (a file travels without the page's note).
    basis = tables.Column(_("数据口径"), visible=False, default="")

    class Meta:
        attrs = {"class": "data"}


class DrillTable(_DrillFiguresTable):
    """A unit's counties, stations or 台区."""

    name = _LinkedName(_("单位"), attrs=NOWRAP)
    manager = tables.Column(_("台区经理"), default="—")
    accepted_complaints = FigureColumn(_("受理口径投诉量"), kind=COUNT, default=0)

    class Meta(_DrillFiguresTable.Meta):
        sequence = ("rank", "name", "manager", "accepted_complaints", "...")

    def __init__(self, *args, name_header=None, show_manager=False, **kwargs):
        super().__init__(*args, **kwargs)
        if name_header:
            self.columns["name"].column.verbose_name = name_header
        if not show_manager:  # counties and stations have no 台区经理 of their own: neither on the page nor in the file
            self.columns.hide("manager")
            self.columns["manager"].column.exclude_from_export = True


class ManagerTable(_DrillFiguresTable):
    """The 台区经理 of a unit, each with the 台区 they held on the month's last day."""

    name = tables.Column(_("台区经理"), attrs=NOWRAP)

    class Meta(_DrillFiguresTable.Meta):
        sequence = ("rank", "name", "...")

class SeasonalTable(tables.Table):
    """A seasonal risk list (issue #18): one stored SeasonalRiskEntry a row, riskiest first; the figures by
    their kind (core.numbers), the relieving projects with whether they commission before the season."""

    rank = FigureColumn(_("排名"), kind=COUNT)
    district = tables.Column(_("台区"), accessor="district_id", order_by="district_id")
    station = tables.Column(_("供电所"), accessor="district__station__name", order_by="district__station__name",
                            default="—")
    county = tables.Column(_("县公司"), accessor="district__county__name", order_by="district__county__name",
                           default="—")
    city = tables.Column(_("地市公司"), accessor="district__city__name", order_by="district__city__name",
                         attrs=NOWRAP)
    # empty_values=(): a low-voltage-only row has no load risk ("") and must still say 低电压.
    risk = tables.Column(_("风险"), accessor="load_risk", order_by=("load_risk", "-low_voltage"), empty_values=())
    last_peak = FigureColumn(_("上一季最大负载率(%)"), kind=RATE)
    trend = FigureColumn(_("负载率增长(百分点)"), kind=CHANGE)
    expected_peak = FigureColumn(_("预计峰值负载率(%)"), kind=RATE)
    last_vmin = FigureColumn(_("上一季最低电压(V)"), kind=VOLTAGE)
    # The status and, under it, each relieving project on a line of its own (one column: fits 1366 px).
    project_status = tables.Column(_("改造项目"), order_by=("project_status", "rank"))

    class Meta:
        model = SeasonalRiskEntry
        fields = ()
        attrs = {"class": "data", "id": "seasonal-table"}
        order_by = "rank"

    def render_district(self, value, record):
        return format_html("{}<br>{}", value, record.district.name)

    def value_district(self, value):
        return value

    def render_risk(self, value, record):
        labels = record.risk_labels
        return format_html_join(mark_safe("<br>"), '<span class="nowrap">{}</span>', ((x,) for x in labels)) \
            if labels else "—"

    def value_risk(self, value, record):
        return "、".join(record.risk_labels)

    def render_project_status(self, value, record):
        css = {"in_time": "ok", "late": "bad"}.get(record.project_status, "warn")
        badge = format_html('<span class="badge {}">{}</span>', css, record.get_project_status_display())
        if not record.projects:
            return badge
        # Number, then date and verdict, on lines of their own: the column stays narrow enough for 1366 px.
        lines = format_html_join("", '<br>{}<br><span class="nowrap">{} · {}</span>', (
            (p["project_no"], p["commissioned_on"] and _("%(d)s已投运") % {"d": p["commissioned_on"]}
             or _("计划%(d)s") % {"d": p["planned_on"]}, _("及时") if p["in_time"] else _("不及时"))
            for p in record.projects))
        return format_html("{}{}", badge, lines)

    def value_project_status(self, value, record):
        return "；".join([record.get_project_status_display(), *(p["project_no"] for p in record.projects)])

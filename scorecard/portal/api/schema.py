"""The API's contract (issue #17): every field each endpoint returns and every status code it
answers with, each with its body, for drf-spectacular's OpenAPI description (/api/v1/schema/).

These serializers describe; they do not build the answers (the selectors' dicts are returned as
they are, the same ones the read-out commands print). A field added to a read-out is allowed by
the schema (objects stay open, no ``additionalProperties: false``) but should be described here:
tests/portal/test_api_contract.py checks real answers against the schema and schemathesis checks
the rest.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from scorecard.core.months import YEARS

# YYYY-MM within core.months.YEARS (1900–2100): what core.months.parse_month accepts, checked for
# every request by core.params (tests/portal/test_api_contract.py holds the two together).
MONTH_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0?[1-9]|1[0-2])$"
# The parameter may also be empty (``?month=``, an emptied month picker): the default month.
MONTH_PARAMETER_PATTERN = r"^((19[0-9]{2}|20[0-9]{2}|2100)-(0?[1-9]|1[0-2]))?$"


class MonthField(serializers.RegexField):
    def __init__(self, **kw):
        super().__init__(MONTH_PATTERN, help_text="月份 YYYY-MM", **kw)


MONTH = OpenApiParameter(
    "month", OpenApiTypes.STR, required=False, pattern=MONTH_PARAMETER_PATTERN,
    description=f"月份 YYYY-MM（{YEARS[0]} 至 {YEARS[1]} 年），例如 2024-07；缺省或为空时为有数据的最近一个月。"
                "格式或范围不对返回 400；该月没有任何数据返回 404（不会返回一份全是满分的排名）。",
    examples=[OpenApiExample("2024-07", value="2024-07")])


def _rate(help_text: str, **kw):
    return serializers.FloatField(allow_null=True, help_text=help_text, **kw)


# Functions, not shared instances: a DRF field binds to the one serializer it is declared in.
def _band():
    return serializers.ChoiceField(choices=["A", "B", "C", "D", "E"], allow_null=True)


class ScoredByRule(serializers.Serializer):  # a class: one component, used by both kinds of row
    kpi = serializers.CharField(help_text="指标代码")
    band = _band()
    reason = serializers.ChoiceField(choices=["nothing_to_rate", "no_data"],
                                     help_text="nothing_to_rate：无可考核数据；no_data：缺少数据")


class Deduction(serializers.Serializer):  # a class: one component, used by both kinds of row
    event_no = serializers.CharField(help_text="事件编号")
    kind = serializers.CharField(help_text="扣分类型代码")
    label = serializers.CharField(help_text="扣分类型")
    points = serializers.FloatField(help_text="扣分")
    date = serializers.DateField(help_text="发生日期")
    reason = serializers.CharField(help_text="说明")
    work_order = serializers.CharField(allow_null=True, help_text="关联工单编号")


def _figures() -> dict:
    """The figures a unit row and a department row share (kpis.selectors.compute_scorecard). The
    受理口径 and 考核扣分 fields are absent from snapshots published before they existed."""
    old = {"required": False}
    return {
        "unit": serializers.CharField(help_text="地市单位"),
        "accepted_complaints": serializers.IntegerField(help_text="受理口径投诉量（核减前）", **old),
        "excluded": serializers.DictField(child=serializers.IntegerField(), **old,
                                          help_text="核减的投诉：not_valid 不属实、not_at_fault 无责、downgraded 降级为意见"),
        "complaints": serializers.IntegerField(),
        "customers": serializers.IntegerField(),
        "per_10k": _rate("万户投诉量"),
        "repeat_complaints": serializers.IntegerField(),
        "repeat_rate": _rate("重复投诉率 %；无投诉为 null"),
        "closed": serializers.IntegerField(),
        "on_time": serializers.IntegerField(),
        "on_time_rate": _rate("按时办结率 %"),
        "avg_resolution_hours": _rate("平均办结时长（小时）"),
        "median_resolution_hours": _rate("办结时长中位数（小时）"),
        "satisfaction_rate": _rate("回访满意率 %"),
        "ack_rate": _rate("2小时接单率 %"),
        "rectification_items": serializers.IntegerField(),
        "rectification_on_time_rate": _rate("整改按期完成率 %"),
        "score": serializers.FloatField(help_text="得分：指标得分减考核扣分，不低于 0"),
        "kpi_score": serializers.FloatField(help_text="指标得分", **old),
        "deduction_points": serializers.FloatField(help_text="考核扣分合计", **old),
        "deductions": serializers.ListField(child=Deduction(), help_text="考核扣分事件", **old),
        "bands": serializers.DictField(child=_band(), help_text="各指标的档次"),
        "scored_by_rule": serializers.ListField(child=ScoredByRule(), help_text="无数据、按规则计分的指标"),
        "rank": serializers.IntegerField(),
        "previous_rank": serializers.IntegerField(allow_null=True),
        "rank_change": serializers.IntegerField(allow_null=True, help_text="较上月上升的名次（负数为下降）"),
    }


UNIT_ROW = inline_serializer("ScorecardUnit", _figures())
DEPARTMENT_ROW = inline_serializer("ScorecardDepartment", {
    **_figures(),
    "department": serializers.CharField(help_text="专业部门"),
    "attribution": inline_serializer("Attribution", {
        "explicit": serializers.IntegerField(help_text="工单指定"), "traced": serializers.IntegerField(help_text="溯源"),
        "default": serializers.IntegerField(help_text="默认归属表"), "appeal": serializers.IntegerField(help_text="申诉改判"),
    }),
})
SCORECARD = inline_serializer("Scorecard", {
    "month": MonthField(),
    "calendar_complete": serializers.BooleanField(help_text="节假日日历是否覆盖该月（按时办结率按工作日计）"),
    "units": serializers.ListField(child=UNIT_ROW),
    "departments": serializers.ListField(child=DEPARTMENT_ROW),
    "published": serializers.BooleanField(help_text="已发布：冻结快照，所有用户可见"),
})

def _share():
    return serializers.FloatField(help_text="占比 %")


PROFILE = inline_serializer("Profile", {
    "month": MonthField(),
    "unit": serializers.CharField(allow_null=True, help_text="单位名称；null 为全省"),
    "total": serializers.IntegerField(help_text="投诉总量"),
    "previous_month_total": serializers.IntegerField(help_text="上月投诉总量"),
    "mom_change_pct": _rate("环比 %；上月为 0 时为 null"),
    "last_year_total": serializers.IntegerField(help_text="去年同月投诉总量"),
    "yoy_change_pct": _rate("同比 %；去年同月为 0 时为 null"),
    "categories": serializers.ListField(child=inline_serializer("ProfileCategory", {
        "name": serializers.CharField(), "count": serializers.IntegerField(), "share": _share()})),
    "subcategories": serializers.ListField(child=inline_serializer("ProfileSubcategory", {
        "category": serializers.CharField(), "name": serializers.CharField(), "count": serializers.IntegerField(),
        "share": _share()})),
    "voltage_customers": serializers.DictField(child=serializers.IntegerField(),
                                               help_text="电压异常客户数（按客户去重），按细类"),
    "hotspots": inline_serializer("ProfileHotspots", {
        key: serializers.ListField(child=serializers.CharField(), help_text=text) for key, text in (
            ("multi_customer_districts", "多客户投诉台区编号"),
            ("consecutive_month_districts", "连续两月投诉台区编号"),
            ("same_month_last_year_districts", "去年同月投诉台区编号"))}),
    "hourly": serializers.ListField(child=serializers.IntegerField(), min_length=24, max_length=24,
                                    help_text="0–23 时各时段的投诉件数（北京时间）"),
    "peak_hours": serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=23),
                                        help_text="投诉最多的时段，从多到少"),
})

INCIDENT = inline_serializer("Incident", {
    "id": serializers.IntegerField(), "month": MonthField(), "district": serializers.CharField(),
    "district_name": serializers.CharField(), "kind": serializers.CharField(),
    "unit": serializers.CharField(), "department": serializers.CharField(), "rule": serializers.CharField(),
    "rule_text": serializers.CharField(), "complaints": serializers.ListField(child=serializers.CharField()),
    "evidence": serializers.DictField(help_text="证据链：读数、停电、项目与阈值"),
    "rectification": inline_serializer("Rectification", {
        "due_on": serializers.DateField(), "status": serializers.CharField(),
        "closed_on": serializers.DateField(allow_null=True)}, allow_null=True),
    "accountable": serializers.BooleanField(help_text="有关联投诉：追责事件；否则为隐患预警"),
    "category": serializers.ChoiceField(choices=["accountability", "hazard"]),
})
INCIDENT_LIST = inline_serializer("IncidentList", {
    "month": MonthField(), "incidents": serializers.ListField(child=INCIDENT)})

# --- the error bodies ------------------------------------------------------------------------------

DETAIL = inline_serializer("Error", {"detail": serializers.CharField(help_text="说明")})
PARAMETER_ERROR = inline_serializer("ParameterError", {
    "month": serializers.ListField(child=serializers.CharField(), required=False),
    "unit": serializers.ListField(child=serializers.CharField(), required=False),
})


def errors(*codes: int) -> dict:
    """The error responses of an operation, each with its body."""
    described = {
        400: OpenApiResponse(PARAMETER_ERROR, description="参数无效：以参数名为键，值为说明列表，例如 "
                                                          "{\"month\": [\"月份格式应为 YYYY-MM…\"]}"),
        401: OpenApiResponse(DETAIL, description="未认证：缺少或无效的令牌（响应头 WWW-Authenticate: Token）"),
        403: OpenApiResponse(DETAIL, description="已认证但无权使用接口（停用的账号、会话请求缺少 CSRF）"),
        404: OpenApiResponse(DETAIL, description="不存在、不在用户范围内，或该月没有数据"),
    }
    return {code: described[code] for code in codes}

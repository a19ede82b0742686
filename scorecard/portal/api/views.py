"""The read-only JSON API (/api/v1/) for the company's other systems.

Same figures as the pages and the read-out commands (interfaces.md), and the
same scoping (``accounts.scoping``): a department head gets their own rows of
a draft scorecard, a leader their company subtree; an object outside the scope
is a 404. Views are thin: parse, call the selectors (they apply the scope,
the same selectors as the pages), return.
"""
import datetime as dt
import functools

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from scorecard.accounts import scoping
from scorecard.accounts import selectors as account_selectors
from scorecard.accounts.middleware import record_denied
from scorecard.complaints import selectors as complaint_selectors
from scorecard.grid.models import OrgUnit
from scorecard.kpis import selectors as kpi_selectors
from scorecard.kpis.models import Incident
from scorecard.core.months import default_month, label, no_data_message, parse_month

from .schema import INCIDENT, INCIDENT_LIST, MONTH, PROFILE, SCORECARD, errors


def exception_handler(exc, context):
    """DRF's handler, plus the audit entry for objects outside the user's scope
    (DRF answers Http404 itself, so the middleware never sees the exception)."""
    if isinstance(exc, scoping.ScopeDenied):
        record_denied(context["request"]._request, status=404, reason="out of scope")
    return drf_exception_handler(exc, context)


def _month(request, *, must_have_data: bool = True) -> dt.date:
    """The ``month`` parameter (already checked by core.params: a bad one never gets here; the
    ValidationError is for a view called without the middleware). A month without any data is a
    404 saying so: its figures would be a ranking of perfect scores that nobody earned."""
    value = request.query_params.get("month")
    if not value:
        month = default_month(complaint_selectors.latest_month())
    else:
        try:
            month = parse_month(value)
        except ValueError as exc:
            raise ValidationError({"month": [str(exc)]}) from exc
    if must_have_data and not kpi_selectors.month_has_data(month):
        raise NotFound(no_data_message(month))
    return month


READ = errors(400, 401, 403, 404)


class ScorecardView(APIView):
    @extend_schema(
        operation_id="scorecard", summary="考核排名（地市公司与责任单位）", parameters=[MONTH],
        description="与 `manage.py scorecard --json` 相同的结构。已发布月份为冻结快照，所有用户可见；"
                    "草稿月份只返回用户范围内的行。该月没有任何数据时返回 404。",
        responses={200: SCORECARD, **READ},
    )
    def get(self, request):
        month = _month(request)
        # The page's rule: a published ranking whole, a draft only the rows inside the user's scope.
        return Response(kpi_selectors.scorecard_for_viewer(month=month, viewer=request.user))


class ProfileView(APIView):
    @extend_schema(
        operation_id="profile", summary="投诉画像", parameters=[MONTH, OpenApiParameter(
            "unit", OpenApiTypes.INT, required=False,
            description="单位 ID（地市/县公司/供电所）；缺省为全省，范围受限的用户缺省为本单位。"
                        "不是整数返回 400；不存在或在范围外返回 404。")],
        description="与 `manage.py complaint_profile --json` 相同的结构。范围外的单位返回 404；"
                    "该月没有任何数据时返回 404。",
        responses={200: PROFILE, **READ},
    )
    def get(self, request):
        raw = (request.query_params.get("unit") or "").strip()
        if raw and not raw.isdigit():
            raise ValidationError({"unit": [_("单位 ID 应为整数（收到 %(value)s）") % {"value": repr(raw)}]})
        month = _month(request)
        scope = scoping.scope_for(request.user)
        if raw:
            try:
                unit = account_selectors.unit_for_viewer(pk=int(raw), viewer=request.user)  # ScopeDenied: 404
            except OrgUnit.DoesNotExist as exc:
                raise NotFound(_("unit: 没有这个单位")) from exc
        else:
            unit = scoping.default_unit(scope)
            if not scoping.unit_allowed(scope, unit):
                raise scoping.ScopeDenied
        return Response(complaint_selectors.complaint_profile(month, unit))


def _incident_json(inc: Incident, complaints: list[str]) -> dict:
    rect = getattr(inc, "rectification", None)
    return {
        "id": inc.pk, "month": label(inc.month), "district": inc.district_id, "district_name": inc.district.name,
        "kind": inc.kind, "unit": inc.city.name, "department": inc.department.name, "rule": inc.rule,
        "rule_text": inc.rule_text, "complaints": complaints, "evidence": inc.evidence,
        "accountable": bool(complaints), "category": kpi_selectors.category(bool(complaints)),
        "rectification": {"due_on": rect.due_on.isoformat(), "status": rect.status,
                          "closed_on": rect.closed_on.isoformat() if rect.closed_on else None} if rect else None,
    }


class IncidentListView(APIView):
    @extend_schema(operation_id="incidents_list", summary="供电瓶颈事件列表", parameters=[MONTH],
                   description="某月的供电瓶颈溯源事件（证据链、关联投诉工单号、整改项），按用户范围过滤。"
                               "没有事件的月份返回空列表（隐患预警不需要投诉，一个月没有投诉也可能有事件）。",
                   responses={200: INCIDENT_LIST, **errors(400, 401, 403)})
    def get(self, request):
        month = _month(request, must_have_data=False)
        incidents = list(kpi_selectors.incident_list(month=month, viewer=request.user))
        links = kpi_selectors.linked_order_numbers(incidents)
        return Response({"month": label(month),
                         "incidents": [_incident_json(i, links.get(i.pk, [])) for i in incidents]})


class IncidentDetailView(APIView):
    @extend_schema(operation_id="incident_detail", summary="供电瓶颈事件详情",
                   responses={200: INCIDENT, **errors(401, 403, 404)},
                   description="范围外的事件与不存在的事件一样返回 404。")
    def get(self, request, pk: int):
        inc = kpi_selectors.incident_for_viewer(pk=pk, viewer=request.user)  # 404 outside the scope too
        return Response(_incident_json(inc, kpi_selectors.linked_order_numbers([inc]).get(inc.pk, [])))


@functools.cache
def _endpoints() -> tuple[dict, ...]:
    """The API's operations as the OpenAPI schema states them (the same summaries as /api/v1/docs/),
    computed once per process: the URL conf does not change while it runs."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return tuple(
        {"operation": op.get("operationId", ""), "method": method.upper(), "path": path,
         "summary": op.get("summary", ""),
         "parameters": [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]}
        for path, ops in schema.get("paths", {}).items() for method, op in ops.items()
    )


class IndexView(APIView):
    @extend_schema(operation_id="index", summary="接口目录",
                   description="本接口列出 /api/v1/ 下的所有接口（方法、路径、说明、查询参数），以及 OpenAPI 模式与文档页的地址。",
                   responses={200: inline_serializer("ApiIndex", {
                       "version": serializers.CharField(), "schema": serializers.CharField(),
                       "docs": serializers.CharField(),
                       "endpoints": serializers.ListField(child=inline_serializer("ApiEndpoint", {
                           "operation": serializers.CharField(), "method": serializers.CharField(),
                           "path": serializers.CharField(), "summary": serializers.CharField(),
                           "parameters": serializers.ListField(child=serializers.CharField())}))}),
                           **errors(401, 403)})
    def get(self, request):
        return Response({"version": "v1", "schema": reverse("api:schema"), "docs": reverse("api:docs"),
                         "endpoints": list(_endpoints())})


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
def not_found(request, *args, **kwargs):
    """Any other path under /api/: a JSON 404 (not the site's HTML page), whatever the method."""
    return Response({"detail": _("接口不存在：%(path)s（可用的接口见 /api/v1/schema/）") % {"path": request.path}},
                    status=404)

"""The audit log: one call per change, from the services that make changes."""
from typing import Any

from django.apps import apps
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from scorecard.core import clientip

from .models import AuditLog

# Every action the code records, with the words a reader sees (the audit page, its filter, the
# appeal history). One registry: tests/accounts/test_audit_labels.py fails for an action code
# passed to ``record`` that has no label here, so a new one cannot reach the screen as a code.
ACTION_LABELS = {
    "login": _("登录"), "logout": _("退出"), "login_failed": _("登录失败"), "locked_out": _("账号锁定"),
    "access_denied": _("拒绝访问"), "password_changed": _("修改密码"),
    "config.add": _("新增配置"), "config.change": _("修改配置"), "config.delete": _("删除配置"),
    "import.commit": _("导入数据"), "import.dry_run": _("试导入（校验通过）"), "import.failed": _("导入失败"),
    "customer.sensitive": _("标记敏感客户"), "customer.unsensitive": _("取消敏感客户"),
    "calendar.load": _("载入节假日安排"), "kpi.calibrate": _("校准考核档位"),
    "month.trace": _("瓶颈溯源"), "month.cutoff": _("数据截止"), "month.late_data": _("补录数据"),
    "risk.compute": _("计算投诉风险清单"), "seasonal.compute": _("计算迎峰度夏/度冬风险清单"), "month.publish": _("发布月度考核"), "month.correct": _("发布更正"),
    "appeal.file": _("提交申诉"), "appeal.accept": _("采纳申诉"), "appeal.reject": _("驳回申诉"),
    "appeal.close": _("申诉随发布关闭"),
    "rectification.update": _("更新整改"),
    "warning.create": _("发起预警工单"), "warning.acknowledge": _("确认预警工单"),
    "warning.action": _("记录预警处理措施"), "warning.close": _("办结预警工单"),
    "warning.escalate": _("预警工单逾期升级"),
    "complaint.verify": _("核实定责"), "deduction.record": _("录入考核扣分"),
    "deduction.update": _("修改考核扣分"),
    "export.start": _("开始后台导出"),
    "notice.generate": _("申请生成通报"), "notice.render": _("生成通报文件"), "notice.publish": _("发布通报"),
    "notice.download": _("下载通报"), "notice.snapshot": _("下载通报数据快照"), "notice.verify": _("核验通报文件"),
    "notice.requirements": _("填写通报工作要求"), "notice.settings": _("修改通报公文设置"),
}


def action_label(code: str) -> str:
    """The words for an action code; a code recorded before its label existed reads 其他操作."""
    return str(ACTION_LABELS.get(code) or _("其他操作"))


def action_choices() -> list[tuple[str, str]]:
    """(code, label) of every action, by label: the audit page's 操作 filter."""
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])


def object_type_label(object_type: str) -> str:
    """An entry's object type ("kpis.appeal") as the model's verbose name (申诉)."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return str(_("其他对象"))


def record(*, user=None, action: str, obj: Any = None, summary: str = "", before: dict | None = None,
           after: dict | None = None, ip: str | None = None, username: str | None = None) -> AuditLog:
    """``username`` defaults to the user's; pass it for events without a known user (a failed login)."""
    return AuditLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=(username if username is not None else getattr(user, "username", "") or "")[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        summary=summary[:300],
        before=before,
        after=after,
        ip=ip,
    )


def _snapshot(obj) -> dict:
    return {k: (str(v) if v is not None and not isinstance(v, (int, float, bool, str)) else v)
            for k, v in model_to_dict(obj).items()}


class AuditedAdminMixin:
    """ModelAdmin mixin: every add/change/delete of configuration goes into the
    audit log with its state before and after (Django's own LogEntry keeps
    only a message, not the values)."""

    def save_model(self, request, obj, form, change):
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record(user=request.user, action="config.change" if change else "config.add", obj=obj,
               summary=str(obj), before=before, after=_snapshot(obj), ip=client_ip(request))

    def delete_model(self, request, obj):
        before = _snapshot(obj)
        record(user=request.user, action="config.delete", obj=obj, summary=str(obj), before=before,
               ip=client_ip(request))
        super().delete_model(request, obj)


def client_ip(request) -> str | None:
    """The client's address behind the trusted proxies (``core.clientip``): the same as django-axes locks on."""
    return clientip.client_ip(request)

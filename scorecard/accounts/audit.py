"""The audit log: one call per change, from the services that make changes."""
from typing import Any

from django.forms.models import model_to_dict

from scorecard.core import clientip

from .models import AuditLog


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

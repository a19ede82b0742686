"""The audit log: one call per change, from the services that make changes."""
from typing import Any

from .models import AuditLog


def record(*, user=None, action: str, obj: Any = None, summary: str = "", before: dict | None = None,
           after: dict | None = None, ip: str | None = None) -> AuditLog:
    return AuditLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None and hasattr(obj, "_meta") else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        summary=summary[:300],
        before=before,
        after=after,
        ip=ip,
    )

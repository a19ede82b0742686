"""Reads of the accounts app for the pages: org units, the audit log, notifications.

Each takes the viewer and applies what they may see itself (``scoping``), so no page forgets it.
"""
from django.db.models import QuerySet
from django.http import Http404

from scorecard.grid.models import OrgUnit

from . import scoping
from .models import AuditLog, Notification


def unit_for_viewer(*, pk: int, viewer) -> OrgUnit:
    """The org unit ``pk`` if the viewer may look at its figures (``scoping.unit_allowed``), else
    ``scoping.ScopeDenied``. ``OrgUnit.DoesNotExist`` if there is none: the analysis page denies it like a
    unit outside the scope (audited), the API answers a plain 404."""
    unit = OrgUnit.objects.get(pk=pk)
    if not scoping.unit_allowed(scoping.scope_for(viewer), unit):
        raise scoping.ScopeDenied
    return unit


def audit_log_list(*, viewer) -> QuerySet:
    """The audit log, newest first: it records every unit's users, so only a whole-province viewer reads it
    (the page lets in auditors and administrators); nothing for anyone else."""
    if not scoping.scope_for(viewer).is_global:
        return AuditLog.objects.none()
    return AuditLog.objects.all()


def audit_actions(*, viewer) -> list[str]:
    """The actions that occur in the viewer's audit log (the page's filter choices), sorted."""
    return sorted(audit_log_list(viewer=viewer).order_by().values_list("action", flat=True).distinct())


def notification_list(*, viewer, unread: bool = False) -> QuerySet:
    """The viewer's own notifications (newest first); ``unread``: only those not read yet."""
    qs = Notification.objects.filter(user=viewer)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_for_viewer(*, pk, viewer) -> Notification:
    """One of the viewer's own notifications; Http404 for anyone else's (or none)."""
    note = Notification.objects.filter(pk=pk, user=viewer).first()
    if note is None:
        raise Http404
    return note

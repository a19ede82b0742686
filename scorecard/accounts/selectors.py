"""Reads of the accounts app for the pages: org units, the audit log, notifications.

Each takes the viewer and applies what they may see itself (``scoping``), so no page forgets it.
"""
from django.db.models import QuerySet
from django.http import Http404

from scorecard.grid.models import Feeder, OrgUnit

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


def unit_choice_label(name: str, parent_name: str | None, *, duplicate: bool) -> str:
    """A unit as a picker shows it: its name, and its parent's when the name occurs more than once among the
    units offered (黄土供电所 in several counties: 「黄土供电所（宁乡县供电公司）」)."""
    return f"{name}（{parent_name}）" if duplicate and parent_name else name


def unit_options(*, viewer) -> list[dict]:
    """The org units the viewer may pick (``scoping.units_for``), in tree order, as the searchable unit
    picker reads them: ``id``, ``name``, ``label`` (duplicate names disambiguated with the parent),
    ``level``, ``depth`` (0 = the shallowest offered) and ``ancestors`` (names above it, for searching
    「长沙 黄土」). The province itself is not offered: the empty choice 「全部」 stands for it.

    Two queries whatever the number of units (the units; the names of ancestors outside the list)."""
    rows = list(scoping.units_for(scoping.scope_for(viewer)).exclude(level=OrgUnit.Level.PROVINCE)
                .values("id", "name", "level", "parent_id", "path"))
    names = {r["id"]: r["name"] for r in rows}
    ancestor_ids = {int(p) for r in rows for p in r["path"].strip("/").split("/")[:-1]} - set(names)
    names.update(OrgUnit.objects.filter(pk__in=ancestor_ids).exclude(level=OrgUnit.Level.PROVINCE)
                 .values_list("pk", "name"))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["name"]] = counts.get(r["name"], 0) + 1
    levels = dict(OrgUnit.Level.choices)
    top = min((r["path"].count("/") for r in rows), default=0)
    out = []
    for r in rows:  # shaping the fetched rows: no query in this loop
        above = [names[int(p)] for p in r["path"].strip("/").split("/")[:-1] if int(p) in names]
        out.append({
            "id": r["id"], "name": r["name"], "level": r["level"], "level_label": str(levels[r["level"]]),
            "label": unit_choice_label(r["name"], names.get(r["parent_id"]), duplicate=counts[r["name"]] > 1),
            "depth": r["path"].count("/") - top, "ancestors": " › ".join(above),
        })
    return out


def feeder_options(*, viewer, q: str, limit: int = 30) -> list[dict]:
    """Feeders (线路) whose name contains ``q``, of the city companies the viewer may see, by name: what the
    线路 picker offers as one types. A feeder without a city company is offered to whole-province viewers only."""
    scope = scoping.scope_for(viewer)
    qs = Feeder.objects.filter(name__icontains=q.strip()) if q.strip() else Feeder.objects.all()
    if scope.city_ids is not None:
        qs = qs.filter(city_id__in=scope.city_ids)
    return [{"id": name, "label": f"{name}（{city}）" if city else name, "name": name}
            for name, city in qs.order_by("name").values_list("name", "city__name")[:limit]]

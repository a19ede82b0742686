"""The daily reminder of rectification items coming due or overdue (a Celery beat job).

Rectification items are kpis' data; accounts' ``notify`` delivers the message, so this job
lives here, above both, and accounts knows nothing of rectifications.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scorecard.accounts import notifications
from scorecard.accounts.models import Notification, ReminderSent

from .models import Rectification

DUE_SOON_DAYS = 3


def remind_rectifications(*, today: dt.date | None = None) -> int:
    """Daily job: tell department heads about their open rectification items that are
    due within DUE_SOON_DAYS days or overdue — once per item and state, in one
    digest notification per user and state. Returns the number of notifications."""
    today = today or timezone.localdate()
    items = (Rectification.objects.exclude(status=Rectification.Status.DONE)
             .filter(due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
             .select_related("incident", "incident__district", "city", "department").order_by("due_on", "pk"))
    candidates = {f"rect:{r.pk}:{'overdue' if r.due_on < today else 'due'}": r for r in items}
    already = set(ReminderSent.objects.filter(key__in=list(candidates)).values_list("key", flat=True))
    fresh = {k: r for k, r in candidates.items() if k not in already}
    if not fresh:
        return 0
    # (city, department) → the department heads whose scope it is.
    heads = defaultdict(list)
    for u in notifications.department_heads().select_related("org_unit"):
        heads[(u.org_unit.city_id, u.department_id)].append(u)
    digests: dict[tuple[int, str], list] = defaultdict(list)
    for key, r in fresh.items():
        state = key.rsplit(":", 1)[1]
        for u in heads.get((r.city_id, r.department_id), []):
            digests[(u.pk, state)].append(r)
    users = {u.pk: u for group in heads.values() for u in group}
    count = 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for (user_pk, state), rects in sorted(digests.items()):
            lines = [_("%(district)s %(name)s（%(kind)s），整改期限 %(due)s") % {
                "district": r.incident.district_id, "name": r.incident.district.name,
                "kind": r.incident.get_kind_display(), "due": r.due_on.isoformat()} for r in rects]
            if state == "overdue":
                kind, title = Notification.Kind.RECTIFICATION_OVERDUE, _("%(n)s 项整改已逾期") % {"n": len(rects)}
            else:
                kind, title = Notification.Kind.RECTIFICATION_DUE, _("%(n)s 项整改将在3天内到期") % {"n": len(rects)}
            url = reverse("kpis:incident", args=[rects[0].incident_id]) if len(rects) == 1 else reverse("home")
            notifications.notify(users=[users[user_pk]], kind=kind, title=title, body="\n".join(lines), url=url)
            count += 1
        ReminderSent.objects.bulk_create([ReminderSent(key=k) for k in fresh], ignore_conflicts=True)
    return count

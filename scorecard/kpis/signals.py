"""What the kpis app does when its inputs change (derived data is written then, never on a read)."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from scorecard.core.signals import data_imported

from .models import RuleSettings, WorkingDayOverride
from scorecard.core.tasks import enqueue


@receiver([post_save, post_delete], sender=WorkingDayOverride)
def _rebuild_calendar(sender, **kwargs):
    # SLA deadlines are computed in SQL from WorkCalendar, so an override only
    # takes effect once the table is rebuilt — in the same transaction as the edit.
    from .services import rebuild_calendar

    rebuild_calendar()


@receiver(data_imported)
def _after_import(sender, *, kind, months, user=None, result=None, source="", **kwargs):
    # Sent after the import committed. Synchronous on purpose: a command-line import
    # followed by a read-out must show traced figures (interfaces: import_data re-traces
    # the months it touched before it exits); a web import runs in the worker anyway.
    from .services import retrace_after_import

    retrace_after_import(kind=kind, months=months, user=user, result=result, source=source)


@receiver(post_save, sender=RuleSettings)
def _rules_changed(sender, instance, raw=False, **kwargs):
    # Thresholds decide which incidents exist: re-trace the open months in the worker,
    # once the edit is committed (the admin request does not wait for 13 traces).
    if raw:
        return
    enqueue("kpis.retrace_unpublished", "rules")

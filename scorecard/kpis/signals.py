from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import WorkingDayOverride


@receiver([post_save, post_delete], sender=WorkingDayOverride)
def _rebuild_calendar(sender, **kwargs):
    # SLA deadlines are computed in SQL from WorkCalendar, so an override only
    # takes effect once the table is rebuilt — in the same transaction as the edit.
    from .services import rebuild_calendar

    rebuild_calendar()

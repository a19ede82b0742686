"""Template filters of the kpis pages."""
import datetime as dt

from django import template

register = template.Library()


@register.filter
def last_day(iso_end: str) -> str:
    """The last day inside a half-open window [start, end) whose end is given as ISO text.

    The tracing evidence keeps the window as computed (``end`` exclusive, midnight of
    the next day); a reader of "2024-06-02 — 2024-07-31" expects the last day it covers.
    """
    try:
        end = dt.datetime.fromisoformat(iso_end)
    except (TypeError, ValueError):
        return iso_end or ""
    day = end.date() - dt.timedelta(days=1) if end.time() == dt.time(0) else end.date()
    return day.isoformat()

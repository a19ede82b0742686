"""Template filters of the kpis pages."""
import datetime as dt

from django import template

from scorecard.core.roles import can_trace
from scorecard.kpis import risk_reasons
from scorecard.kpis.selectors import month_cycle

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


@register.filter
def risk_reasons_text(reasons) -> str:
    """A risk list's or a warning order's reasons in the viewer's language, in one line."""
    return risk_reasons.joined(reasons)


@register.inclusion_tag("kpis/_month_status.html", takes_context=True)
def month_status(context, month):
    """The month's place in the monthly cycle and whether it was traced: outside the cached
    page bodies, since the appeal window closes by the clock and the button is per user."""
    user = context["request"].user
    return {"cycle": month_cycle(month), "can_trace": can_trace(user),
            "csrf_token": context.get("csrf_token"), "request": context["request"]}

from django import template

from scorecard.core.numbers import RATE, display

register = template.Library()


@register.filter
def movement(change) -> str:
    """Rank movement against the previous month: ↑2, ↓1, — (same), 新 (no previous rank)."""
    if change is None:
        return "新"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


@register.filter
def pct(value) -> str:
    return display(value, RATE, unit="%")

from django import template

from scorecard.accounts import audit

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    """An audit action in words (accounts.audit.ACTION_LABELS), never the code."""
    return audit.action_label(code)

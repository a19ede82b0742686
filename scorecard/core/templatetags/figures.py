"""Template filters that print figures the one way (scorecard.core.numbers.display).

Loaded as a builtin (settings.TEMPLATES): every template prints ``{{ x|count }}``,
``{{ x|rate }}`` (``{{ x|rate:"%" }}`` with the sign), ``{{ x|score }}``, ``{{ x|per10k }}``,
``{{ x|hours }}``, ``{{ x|change }}`` (signed) or ``{{ x|figure:code }}`` by a KPI code.
"""
from django import template

from scorecard.core import numbers
from scorecard.core.tables import header_html

register = template.Library()


@register.filter
def count(value) -> str:
    return numbers.display(value, numbers.COUNT)


@register.filter
def rate(value, unit: str = "") -> str:
    return numbers.display(value, numbers.RATE, unit=unit)


@register.filter
def score(value) -> str:
    return numbers.display(value, numbers.SCORE)


@register.filter
def per10k(value) -> str:
    return numbers.display(value, numbers.PER_10K)


@register.filter
def hours(value) -> str:
    return numbers.display(value, numbers.HOURS)


@register.filter
def change(value, unit: str = "%") -> str:
    return numbers.display(value, numbers.CHANGE, unit=unit, signed=True)


@register.filter
def figure(value, code: str) -> str:
    """A scorecard figure by its code (``{{ value|figure:"on_time_rate" }}``)."""
    return numbers.display(value, numbers.kind_of(code))


@register.filter
def header_breaks(value) -> str:
    """A table header with its word-boundary break points (core.tables.header_html)."""
    return header_html(value)


@register.filter
def fraction_pct(value) -> str:
    """A fraction (0–1: a probability, precision@K) as a percentage: ``0.4567`` → ``45.67%``."""
    return numbers.display(None if value is None else value * 100, numbers.RATE, unit="%")

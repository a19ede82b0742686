"""Rates and rounding as the product prints them (the one home: issue #12).

Every rounded figure is rounded half-up with ``Decimal``: ``round()`` on a binary float is
half-even and sees 2.675 as 2.67499…, so it would print 2.67 where a reader (and domain.md)
expects 2.68. A float is read by its shortest repr (``str(2.675) == "2.675"``), the number it
prints as. A rate without a denominator is ``None`` (``null`` in JSON, "—" on a page), never 0.

``percent`` and ``half_up`` give ``Decimal`` (the profile, the notices); ``rate`` and ``rounded``
give the same digits as ``float`` for the JSON read-outs (a float of a 2- or 4-decimal
``Decimal`` prints back the same digits).
"""
from decimal import ROUND_HALF_UP, Decimal


def half_up(value, places: int = 2) -> Decimal | None:
    """``value`` rounded half-up to ``places`` decimals; ``None`` stays ``None``."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rounded(value, places: int = 2) -> float | None:
    """:func:`half_up` as a float (JSON read-outs)."""
    return to_float(half_up(value, places))


def percent(part, whole) -> Decimal | None:
    """part / whole × 100 rounded half-up to 2 decimals; ``None`` without a denominator (0 or None)."""
    if not whole:
        return None
    return half_up(Decimal(part) * 100 / Decimal(whole))


def rate(part, whole) -> float | None:
    """:func:`percent` as a float: the KPI rates of the scorecard read-out."""
    return to_float(percent(part, whole))


def share(part, whole) -> Decimal:
    """A share of a month's complaints: 0.00 for an empty month rather than ``None``."""
    return percent(part, whole) or Decimal("0.00")


def change_percent(current, previous) -> Decimal | None:
    """The change from ``previous`` to ``current`` in percent of ``previous`` (环比, 同比); ``None`` from 0."""
    return percent(current - previous, previous)


# --- How a figure prints (issue #14: one format per kind of figure) --------------------------------
# Pages (the template filters in core/templatetags/figures.py), exports' text cells, the CLI
# tables and the notice PDF all print through :func:`display`; JSON keeps numbers as numbers,
# rounded to the same places (rates, scores, hours and per-10k 2 decimals).

COUNT, RATE, SCORE, PER_10K, HOURS, CHANGE = "count", "rate", "score", "per_10k", "hours", "change"
VOLTAGE = "voltage"  # a 台区's voltage reading in V (the seasonal list): meters report tenths of a volt
# A 台区's load rate (or its step, in points) as a risk reason quotes it (kpis.risk_reasons): whole percent.
LOAD = "load"
PLACES = {COUNT: 0, RATE: 2, SCORE: 2, PER_10K: 2, HOURS: 2, CHANGE: 2, VOLTAGE: 1, LOAD: 0}
MISSING = "—"  # a figure without a value (no denominator, nothing to rate): never 0

# The kind of each scorecard figure (KPI codes and the read-out's other fields).
KPI_KINDS = {
    "complaints": COUNT, "customers": COUNT, "repeat_complaints": COUNT, "closed": COUNT, "on_time": COUNT,
    "rectification_items": COUNT, "rank": COUNT,
    "per_10k": PER_10K,
    "repeat_rate": RATE, "on_time_rate": RATE, "satisfaction_rate": RATE, "ack_rate": RATE,
    "rectification_on_time_rate": RATE, "share": RATE,
    "avg_resolution_hours": HOURS, "median_resolution_hours": HOURS,
    "score": SCORE, "kpi_score": SCORE, "deduction_points": SCORE, "points": SCORE,
}


def kind_of(code: str) -> str:
    """The kind of a figure by its code; an unknown ``*_rate`` is a rate, ``*_hours`` hours."""
    if code in KPI_KINDS:
        return KPI_KINDS[code]
    if code.endswith("_rate") or code.endswith("_pct"):
        return RATE
    if code.endswith("_hours"):
        return HOURS
    return SCORE


def display(value, kind: str = SCORE, *, unit: str = "", signed: bool = False) -> str:
    """``value`` as the product prints a figure of ``kind``: counts with thousands separators
    (12,345), every other kind half-up to :data:`PLACES` decimals (12.35; 1,234.50). ``None``
    (or an empty string) prints :data:`MISSING` with no unit; ``unit`` follows the number
    ("%", "件"); ``signed`` puts a "+" before a positive number (changes)."""
    if value is None or value == "":
        return MISSING
    places = PLACES[kind]
    number = half_up(value, places)
    text = f"{number:,.{places}f}"
    if signed and number > 0:
        text = "+" + text
    return text + unit


def count(value) -> str:
    return display(value, COUNT)


def rate_text(value, *, unit: str = "") -> str:
    return display(value, RATE, unit=unit)


def score_text(value) -> str:
    return display(value, SCORE)


def per_10k_text(value) -> str:
    return display(value, PER_10K)

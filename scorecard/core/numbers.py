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

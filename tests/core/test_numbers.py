"""scorecard.core.numbers: rates and rounding as the figures print them (issue #12)."""
from decimal import Decimal

import pytest
from django.template import Context, Template

from scorecard.core.numbers import (
    COUNT,
    HOURS,
    PER_10K,
    RATE,
    SCORE,
    change_percent,
    display,
    half_up,
    kind_of,
    percent,
    rate,
    rounded,
    share,
    to_float,
)


@pytest.mark.parametrize("value, places, expected", [
    (Decimal("2.675"), 2, Decimal("2.68")),   # half-up, where round() on the float gives 2.67
    (2.675, 2, Decimal("2.68")),              # a float is read as it prints
    (Decimal("2.665"), 2, Decimal("2.67")),   # half-even would give 2.66
    (Decimal("2.6649"), 2, Decimal("2.66")),
    (Decimal("-2.675"), 2, Decimal("-2.68")),  # away from zero
    (0.5, 0, Decimal("1")),
    (1.5, 0, Decimal("2")),
    (2.5, 0, Decimal("3")),                   # round(2.5) == 2
    (Decimal("0.00005"), 4, Decimal("0.0001")),
    (7, 2, Decimal("7.00")),
])
def test_it_rounds_half_up_at_the_half(value, places, expected):
    result = half_up(value, places)
    assert result == expected and result.as_tuple().exponent == -places


def test_it_keeps_none():
    assert half_up(None) is None and rounded(None) is None and to_float(None) is None


def test_it_rounds_to_floats_that_print_the_same_digits():
    assert rounded(2.675) == 2.68 and repr(rounded(2.675)) == "2.68"
    assert rounded(Decimal(1) * 10000 / 3, 4) == 3333.3333
    assert rounded(Decimal(1000) / 3600) == 0.28  # hours of 1,000 seconds


@pytest.mark.parametrize("part, whole, expected", [
    (1, 8, Decimal("12.50")),
    (1, 3, Decimal("33.33")),
    (2, 3, Decimal("66.67")),
    (1, 16, Decimal("6.25")),
    (1, 160, Decimal("0.63")),    # 0.625: half-up
    (1, 800, Decimal("0.13")),    # 0.125: half-up (half-even would give 0.12)
    (1, 1600, Decimal("0.06")),   # 0.0625
    (3, 3, Decimal("100.00")),
    (0, 5, Decimal("0.00")),
])
def test_it_takes_a_percent_half_up_to_two_decimals(part, whole, expected):
    assert percent(part, whole) == expected
    assert rate(part, whole) == float(expected)


@pytest.mark.parametrize("whole", [0, None])
def test_it_has_no_rate_without_a_denominator(whole):
    assert percent(3, whole) is None and rate(3, whole) is None


def test_it_gives_an_empty_month_a_share_of_zero():
    assert share(0, 0) == Decimal("0.00") and share(1, 0) == Decimal("0.00")
    assert share(1, 8) == Decimal("12.50")


def test_it_takes_the_change_against_the_earlier_figure():
    assert change_percent(110, 100) == Decimal("10.00")
    assert change_percent(90, 100) == Decimal("-10.00")
    assert change_percent(1, 3) == Decimal("-66.67")
    assert change_percent(5, 0) is None  # nothing to compare with


# --- How figures print (issue #14: one format per kind) -------------------------------------------

@pytest.mark.parametrize("value, kind, expected", [
    (1234567, COUNT, "1,234,567"),
    (0, COUNT, "0"),
    (11.6528, PER_10K, "11.65"),      # the page showed 4 decimals
    (100.0, RATE, "100.00"),          # 100.0 on one page, 100.00 on another
    (Decimal("100"), RATE, "100.00"),
    (40, SCORE, "40.00"),             # 40.0 / 40.00
    (2.675, SCORE, "2.68"),           # half-up as everywhere
    (1234.5, HOURS, "1,234.50"),
    (None, RATE, "—"),                # no denominator: a dash, never 0
    (None, COUNT, "—"),
])
def test_it_prints_each_kind_one_way(value, kind, expected):
    assert display(value, kind) == expected


def test_it_signs_changes_and_adds_units_only_to_numbers():
    assert display(12.3456, "change", unit="%", signed=True) == "+12.35%"
    assert display(-3, "change", unit="%", signed=True) == "-3.00%"
    assert display(0, "change", unit="%", signed=True) == "0.00%"
    assert display(None, RATE, unit="%") == "—"


@pytest.mark.parametrize("code, kind", [
    ("complaints", COUNT), ("per_10k", PER_10K), ("satisfaction_rate", RATE), ("ack_rate", RATE),
    ("median_resolution_hours", HOURS), ("score", SCORE), ("some_new_rate", RATE),
])
def test_it_knows_the_kind_of_each_scorecard_figure(code, kind):
    assert kind_of(code) == kind


def test_the_template_filters_are_builtins_that_print_the_same():
    out = Template("{{ n|count }}|{{ r|rate }}|{{ r|rate:'%' }}|{{ s|score }}|{{ p|per10k }}|{{ h|hours }}"
                   "|{{ c|change }}|{{ p|figure:'per_10k' }}|{{ none|rate }}").render(Context(
                       {"n": 12345, "r": 100.0, "s": 40.0, "p": 11.6528, "h": 3.5, "c": -1.234, "none": None}))
    assert out == "12,345|100.00|100.00%|40.00|11.65|3.50|-1.23%|11.65|—"

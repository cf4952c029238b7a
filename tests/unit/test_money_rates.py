"""The private rate helpers: ``scale`` against Decimal, and the details of refusals.

``scale`` is the integer shortcut every money rule takes for ``amount * rate``
rounded once; it must agree with :meth:`Decimal.quantize` in every mode, on both
signs and on the exact half-way points where the modes differ.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest

from booking_core._validation import DECIMAL_MAX_EXPONENT
from booking_core.errors import InvalidValueError
from booking_core.money._rates import ROUNDINGS, as_rate, check_rounding, scale

_RATES = [
    Fraction(1, 2),
    Fraction(3, 2),
    Fraction(1, 3),
    Fraction(2, 3),
    Fraction(1, 4),
    Fraction(3, 4),
    Fraction(5, 2),
    Fraction(7, 10),
    Fraction(1),
]


@pytest.mark.parametrize("rounding", sorted(ROUNDINGS))
def test_scale_equals_decimal_quantize_in_every_mode(rounding: str) -> None:
    for rate in _RATES:
        for amount in range(-7, 8):
            expected = (Decimal(amount) * rate.numerator / rate.denominator).quantize(
                Decimal(1), rounding=rounding
            )
            assert scale(amount, rate, rounding) == int(expected), (amount, rate)


def test_scale_on_the_half_way_points() -> None:
    half = Fraction(1, 2)
    # 2.5, 3.5, -2.5, -3.5: the three half modes and the even neighbours differ.
    cases = {
        decimal.ROUND_HALF_UP: (3, 4, -3, -4),
        decimal.ROUND_HALF_DOWN: (2, 3, -2, -3),
        decimal.ROUND_HALF_EVEN: (2, 4, -2, -4),
    }
    for rounding, expected in cases.items():
        got = tuple(scale(amount, half, rounding) for amount in (5, 7, -5, -7))
        assert got == expected, rounding


def test_check_rounding_names_the_field_and_the_modes() -> None:
    assert check_rounding(decimal.ROUND_HALF_EVEN, "rounding") == "ROUND_HALF_EVEN"
    with pytest.raises(InvalidValueError) as caught:
        check_rounding("HALF", "fee_rounding")
    assert caught.value.details == {
        "field": "fee_rounding",
        "reason": "must be a decimal rounding mode such as 'ROUND_HALF_UP'",
        "value": "HALF",
    }


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0.5, "must be a Decimal, int or Fraction (never a float)"),
        (True, "must be a Decimal, int or Fraction (never a float)"),
        (Decimal("NaN"), "must be finite"),
        (Decimal("Infinity"), "must be finite"),
    ],
)
def test_as_rate_refusals_keep_field_reason_and_value(
    value: object, reason: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        as_rate(value, "percent")
    assert caught.value.details["field"] == "percent"
    assert caught.value.details["reason"] == reason
    assert str(caught.value.details["value"]) == str(value)


def test_as_rate_bounds_decimals_and_fractions() -> None:
    # a Decimal too precise for the bounded check, refused before Fraction()
    with pytest.raises(InvalidValueError) as caught:
        as_rate(Decimal(f"1E-{DECIMAL_MAX_EXPONENT + 1}"), "tax_rate")
    assert caught.value.details["field"] == "tax_rate"
    assert "digits" in caught.value.details["reason"]

    limit = 10**DECIMAL_MAX_EXPONENT
    assert as_rate(Fraction(1, limit), "r") == Fraction(1, limit)
    assert as_rate(Fraction(limit, 1), "r") == limit
    assert as_rate(-limit, "r") == -limit
    for too_big in (Fraction(1, limit + 1), Fraction(limit + 1, 3), -(limit + 1)):
        with pytest.raises(InvalidValueError) as caught:
            as_rate(too_big, "rate")
        assert caught.value.details == {
            "field": "rate",
            "reason": "a rate's numerator and denominator are at most "
            f"10**{DECIMAL_MAX_EXPONENT}",
            "value": "<too long>",  # short(): a 133-bit number is not shown
        }

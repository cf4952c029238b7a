"""Private: exact rates and explicit rounding on integer minor units.

Rates are ``Decimal`` (or ``int``) at the API; internally they become an exact
``(numerator, denominator)`` pair so that applying a rate to an amount is integer
arithmetic with one explicit rounding step, equal to ``Decimal`` quantization
with the same rounding mode but much faster.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from booking_core._validation import DECIMAL_MAX_EXPONENT, bounded_decimal, short
from booking_core.errors import InvalidValueError

__all__ = [
    "ROUNDINGS",
    "Ratio",
    "allocate_minor",
    "as_rate",
    "check_rounding",
    "integer_ratios",
    "scale",
]

_RATE_LIMIT = 10**DECIMAL_MAX_EXPONENT

#: The rounding modes accepted, named as in :mod:`decimal`.
ROUNDINGS = frozenset(
    {
        decimal.ROUND_HALF_UP,
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_UP,
        decimal.ROUND_DOWN,
        decimal.ROUND_CEILING,
        decimal.ROUND_FLOOR,
    }
)


def check_rounding(value: Any, field: str) -> str:
    """Return ``value`` when it is a supported :mod:`decimal` rounding mode."""
    if value not in ROUNDINGS:
        raise InvalidValueError(
            field=field,
            reason="must be a decimal rounding mode such as 'ROUND_HALF_UP'",
            value=value,
        )
    return str(value)


def as_rate(value: object, field: str) -> Fraction:
    """The exact fraction of a ``Decimal``, ``int`` or ``Fraction``; no floats."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, Fraction)):
        raise InvalidValueError(
            field=field,
            reason="must be a Decimal, int or Fraction (never a float)",
            value=value,
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidValueError(field=field, reason="must be finite", value=value)
    if isinstance(value, Decimal):
        bounded_decimal(value, field)
    exact = Fraction(value)
    if max(abs(exact.numerator), exact.denominator) > _RATE_LIMIT:
        raise InvalidValueError(
            field=field,
            reason=f"a rate's numerator and denominator are at most "
            f"10**{DECIMAL_MAX_EXPONENT}",
            value=short(value),
        )
    return exact


def scale(amount: int, rate: Fraction, rounding: str) -> int:  # noqa: PLR0911 -- one exit per mode
    """``amount * rate`` rounded to a whole number of minor units with ``rounding``.

    Equal to ``(Decimal(amount) * rate).quantize(Decimal(1), rounding)`` for every
    mode in :data:`ROUNDINGS`.
    """
    numerator = amount * rate.numerator
    denominator = rate.denominator
    quotient, remainder = divmod(numerator, denominator)  # floor division
    if remainder == 0:
        return quotient
    negative = numerator < 0
    if rounding == decimal.ROUND_FLOOR:
        return quotient
    if rounding == decimal.ROUND_CEILING:
        return quotient + 1
    if rounding == decimal.ROUND_DOWN:
        return quotient + 1 if negative else quotient
    if rounding == decimal.ROUND_UP:
        return quotient if negative else quotient + 1
    twice = 2 * remainder
    if twice != denominator:
        return quotient + 1 if twice > denominator else quotient
    # exactly half-way between quotient and quotient + 1
    if rounding == decimal.ROUND_HALF_UP:
        return quotient if negative else quotient + 1
    if rounding == decimal.ROUND_HALF_DOWN:
        return quotient + 1 if negative else quotient
    return quotient + (quotient % 2)  # ROUND_HALF_EVEN


Ratio = int | Decimal | Fraction


def integer_ratios(ratios: Sequence[Ratio]) -> list[int]:
    """Whole-number weights proportional to ``ratios`` (validated)."""
    if isinstance(ratios, (str, bytes)) or not isinstance(ratios, Sequence):
        raise InvalidValueError(
            field="ratios", reason="must be a sequence of numbers", value=ratios
        )
    if not ratios:
        raise InvalidValueError(
            field="ratios", reason="must name at least one part", value=ratios
        )
    if all(isinstance(r, int) and not isinstance(r, bool) for r in ratios):
        whole = list(ratios)
    else:
        exact = [as_rate(r, "ratios") for r in ratios]
        common = math.lcm(*(f.denominator for f in exact))
        whole = [int(f * common) for f in exact]
    if any(r < 0 for r in whole):
        raise InvalidValueError(
            field="ratios", reason="must all be zero or more", value=ratios
        )
    if not any(whole):
        raise InvalidValueError(
            field="ratios", reason="must not all be zero", value=ratios
        )
    return whole  # type: ignore[return-value]


def allocate_minor(amount: int, ratios: list[int]) -> tuple[int, ...]:
    """``amount`` minor units split by whole ``ratios``, largest remainder first."""
    if amount < 0:
        return tuple(-part for part in allocate_minor(-amount, ratios))
    total = sum(ratios)
    parts = []
    remainders = []
    for ratio in ratios:
        share, remainder = divmod(amount * ratio, total)
        parts.append(share)
        remainders.append(remainder)
    leftover = amount - sum(parts)
    if leftover:
        order = sorted(
            range(len(ratios)), key=lambda i: (-remainders[i], -ratios[i], i)
        )
        for index in order[:leftover]:
            parts[index] += 1
    return tuple(parts)

"""Private validators shared by the attrs classes of the package."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Final

import attrs

from booking_core.errors import InvalidValueError, NaiveDatetimeError

__all__ = [
    "DECIMAL_MAX_DIGITS",
    "DECIMAL_MAX_EXPONENT",
    "bounded_decimal",
    "non_empty_str",
    "non_negative_int",
    "positive_int",
    "utc_instant",
]

DECIMAL_MAX_DIGITS: Final = 40
"""The most significant digits a decimal input (a rate, a stored amount) may have."""

DECIMAL_MAX_EXPONENT: Final = 40
"""The largest power of ten, either way, a decimal input may have (``1E-40``)."""


def non_empty_str(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate that ``value`` is a string with something besides white space."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(
            field=attribute.name, reason="must be a non-empty string", value=value
        )


def positive_int(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate that ``value`` is an ``int`` (not a bool) greater than zero."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValueError(
            field=attribute.name, reason="must be a whole number above 0", value=value
        )


def non_negative_int(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate that ``value`` is an ``int`` (not a bool) of at least zero."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValueError(
            field=attribute.name,
            reason="must be a whole number of at least 0",
            value=value,
        )


def utc_instant(value: datetime, field: str) -> datetime:
    """Return the aware ``value`` as a UTC datetime; refuse naive ones.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` when ``value`` has no offset.
        InvalidValueError: ``input.invalid_value`` when ``value`` is no datetime.
    """
    if not isinstance(value, datetime):
        raise InvalidValueError(field=field, reason="must be a datetime", value=value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(field=field, value=value)
    return value.astimezone(timezone.utc)


def bounded_decimal(value: Decimal, field: str) -> Decimal:
    """Return ``value`` if it is a finite decimal of bounded size; refuse it otherwise.

    Arithmetic on a decimal such as ``1E-400000000`` runs for minutes; every decimal
    that enters the library (rates, stored amounts) passes here first.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field`` and the limit.
    """
    given: object = value
    if not isinstance(given, Decimal) or not given.is_finite():
        raise InvalidValueError(
            field=field, reason="must be a finite decimal number", value=value
        )
    sign, digits, exponent = value.as_tuple()
    del sign
    assert isinstance(exponent, int)  # noqa: S101 -- finite decimals have int exponents
    if (
        len(digits) > DECIMAL_MAX_DIGITS
        or abs(exponent) > DECIMAL_MAX_EXPONENT
        or abs(value.adjusted()) > DECIMAL_MAX_EXPONENT
    ):
        raise InvalidValueError(
            field=field,
            reason=f"must have at most {DECIMAL_MAX_DIGITS} digits and a power of "
            f"ten within +/-{DECIMAL_MAX_EXPONENT}",
            value=value if len(digits) <= DECIMAL_MAX_DIGITS else "<too long>",
        )
    return value

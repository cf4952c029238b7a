"""Private validators shared by the attrs classes of the package."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import attrs

from booking_core.errors import InvalidValueError, NaiveDatetimeError

__all__ = ["non_empty_str", "non_negative_int", "positive_int", "utc_instant"]


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

"""Private validators shared by the attrs classes of the package."""

from __future__ import annotations

import string
from datetime import datetime, timezone
from typing import Any

import attrs

from booking_core.errors import InvalidValueError, NaiveDatetimeError

__all__ = [
    "ID_CHARACTERS",
    "check_id",
    "identifier",
    "non_empty_str",
    "non_negative_int",
    "positive_int",
    "utc_instant",
]

ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~")
"""The characters an id may use: RFC 3986 *unreserved*, safe unescaped in any URL."""


def non_empty_str(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate that ``value`` is a string with something besides white space."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(
            field=attribute.name, reason="must be a non-empty string", value=value
        )


def check_id(value: object, field: str) -> str:
    """Return ``value`` if it is a valid id; the one id rule of the package.

    An id is a non-empty string of ASCII letters, digits, ``-``, ``.``, ``_`` and
    ``~`` (RFC 3986's unreserved characters, so it needs no escaping in a URL path
    or query), and not ``.`` or ``..`` (which URL resolution removes). Every id the
    library generates follows the same rule.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field`` otherwise.
    """
    if not isinstance(value, str) or not value:
        raise InvalidValueError(
            field=field, reason="must be a non-empty string", value=value
        )
    if not ID_CHARACTERS.issuperset(value) or value in {".", ".."}:
        raise InvalidValueError(
            field=field,
            reason=(
                "must be an id: ASCII letters, digits, '-', '.', '_' and '~' "
                "only (URL-safe), and not '.' or '..'"
            ),
            value=value,
        )
    return value


def identifier(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate ``value`` as an id (:func:`check_id`); an attrs validator."""
    check_id(value, attribute.name)


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

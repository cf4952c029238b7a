"""Private validators shared by the attrs classes of the package.

Every bound the library puts on input lives here, once, and is documented in
``docs/limits.md`` (which a test checks against these constants).
"""

from __future__ import annotations

import enum
import functools
import re
import string
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar

import attrs

from booking_core.errors import (
    DatetimeOutOfRangeError,
    InvalidValueError,
    NaiveDatetimeError,
)

__all__ = [
    "BATCH_MAX_ITEMS",
    "DECIMAL_MAX_DIGITS",
    "DECIMAL_MAX_EXPONENT",
    "ID_CHARACTERS",
    "ID_MAX_CHARS",
    "MONEY_MAX_MAJOR_DIGITS",
    "RECURRENCE_MAX_COUNT",
    "RECURRENCE_MAX_INTERVAL",
    "SLOT_QUERY_MAX_DAYS",
    "SPAN_END",
    "SPAN_START",
    "bounded_batch",
    "bounded_decimal",
    "check_date",
    "check_id",
    "check_key",
    "identifier",
    "member",
    "members",
    "non_empty_str",
    "non_negative_int",
    "out_of_range",
    "positive_int",
    "shifted",
    "short",
    "utc_instant",
    "valid_key",
]

SPAN_START: Final = datetime(1800, 1, 1, tzinfo=timezone.utc)
"""The earliest instant the library accepts (inclusive)."""

SPAN_END: Final = datetime(2400, 1, 1, tzinfo=timezone.utc)
"""The last instant the library accepts (inclusive): the span is years 1800-2399 UTC."""

_SPAN_TEXT: Final = "years 1800 to 2399 UTC"

ID_MAX_CHARS: Final = 200
"""The longest id (of an aggregate, a user, a course) or key (idempotency, ledger)."""

ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~")
"""The characters an id may use: RFC 3986 *unreserved*, safe unescaped in any URL."""

MONEY_MAX_MAJOR_DIGITS: Final = 15
"""The most digits of an amount in major units (999 999 999 999 999.99 INR)."""

RECURRENCE_MAX_COUNT: Final = 10_000
"""The largest ``COUNT`` of a recurrence rule (27 years of a daily class)."""

RECURRENCE_MAX_INTERVAL: Final = 1_000
"""The largest ``INTERVAL`` of a recurrence rule."""

SLOT_QUERY_MAX_DAYS: Final = 366
"""The widest range one free-slot query covers (a longer range: several calls)."""

BATCH_MAX_ITEMS: Final = 10_000
"""The most items one call takes in a batch (ids to load, records to reconcile)."""

# Patterns as text, compiled on first use (not at import) and kept: a search
# through ``re.search`` looks its cache up in Python on every call.
_BAD_ID_CHAR = r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]"
_SURROGATE = r"[\ud800-\udfff]"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


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
    if _compiled(_SURROGATE).search(value):
        raise InvalidValueError(
            field=attribute.name,
            reason="must be valid Unicode (no lone surrogates)",
            value=value[:ID_MAX_CHARS],
        )


def check_key(value: object, field: str) -> str:
    """Return ``value`` if it is a valid key: an opaque string of a host or the ledger.

    Keys (idempotency keys, ledger transfer keys and account ids such as
    ``escrow:t-1``, stored keys) are 1 to :data:`ID_MAX_CHARS` characters, not
    blank, valid Unicode (no lone surrogates) and free of control characters, so
    every adapter stores and finds them alike. Ids of aggregates and users follow
    the stricter :func:`check_id`.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field`` and the rule.
    """
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > ID_MAX_CHARS
        or _compiled(_BAD_ID_CHAR).search(value)
    ):
        shown = value[:ID_MAX_CHARS] if isinstance(value, str) else value
        raise InvalidValueError(
            field=field,
            reason=f"an id is 1 to {ID_MAX_CHARS} characters, not blank, valid "
            "Unicode, without control characters",
            value=shown,
        )
    return value


def valid_key(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate a key field with :func:`check_key`; an attrs validator."""
    check_key(value, attribute.name)


def check_id(value: object, field: str) -> str:
    """Return ``value`` if it is a valid id; the one id rule of the package.

    An id is a string of 1 to :data:`ID_MAX_CHARS` ASCII letters, digits, ``-``,
    ``.``, ``_`` and ``~`` (RFC 3986's unreserved characters, so it needs no
    escaping in a URL path or query, and is valid Unicode with no control
    characters on every adapter), and not ``.`` or ``..`` (which URL resolution
    removes). Every id the library generates follows the same rule.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field`` otherwise.
    """
    if (
        not isinstance(value, str)
        or not value
        or len(value) > ID_MAX_CHARS
        or not ID_CHARACTERS.issuperset(value)
        or value in {".", ".."}
    ):
        raise InvalidValueError(
            field=field,
            reason=(
                f"must be an id: 1 to {ID_MAX_CHARS} ASCII letters, digits, '-', "
                "'.', '_' and '~' (URL-safe), and not '.' or '..'"
            ),
            value=value[:ID_MAX_CHARS] if isinstance(value, str) else value,
        )
    return value


def identifier(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Validate ``value`` as an id (:func:`check_id`); an attrs validator."""
    check_id(value, attribute.name)


E = TypeVar("E", bound=enum.Enum)


def member(kind: type[E], value: object, field: str) -> E:
    """``value`` as a member of the enum ``kind``, by member or by value.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field`` and the
            allowed values.

    Example:
        >>> from booking_core.actors import Role
        >>> member(Role, "teacher", "by")
        <Role.TEACHER: 'teacher'>
    """
    if type(value) is kind:  # a member already: no lookup
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        raise InvalidValueError(
            field=field, reason=f"must be one of {_allowed(kind)}", value=value
        ) from None


def members(kind: type[E], value: object, field: str) -> frozenset[E]:
    """``value`` (one member or an iterable of them) as a set of ``kind``.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field`` and the
            allowed values.

    Example:
        >>> from booking_core.actors import Role
        >>> members(Role, ["teacher", Role.TEACHER], "roles")
        frozenset({<Role.TEACHER: 'teacher'>})
    """
    items = [value] if isinstance(value, (str, enum.Enum)) else value
    try:
        return frozenset(kind(item) for item in items)  # type: ignore[attr-defined]
    except (ValueError, TypeError):
        raise InvalidValueError(
            field=field, reason=f"must be some of {_allowed(kind)}", value=value
        ) from None


def _allowed(kind: type[enum.Enum]) -> str:
    return ", ".join(repr(m.value) for m in kind)


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
    try:
        instant = value.astimezone(timezone.utc)
    except OverflowError as exc:
        raise out_of_range(field, value) from exc
    if not SPAN_START <= instant <= SPAN_END:
        raise out_of_range(field, value)
    return instant


def out_of_range(field: str, value: object) -> DatetimeOutOfRangeError:
    """The ``time.out_of_range`` error for ``field``, naming the supported span."""
    return DatetimeOutOfRangeError(field=field, value=value, span=_SPAN_TEXT)


def shifted(instant: datetime, delta: timedelta, field: str) -> datetime:
    """Return ``instant + delta`` as a UTC instant inside the supported span.

    Raises:
        DatetimeOutOfRangeError: ``time.out_of_range`` when the sum leaves the span.
    """
    try:
        moved = instant + delta
    except OverflowError as exc:
        raise out_of_range(field, f"{instant.isoformat()} + {delta}") from exc
    return utc_instant(moved, field)


def check_date(value: date, field: str) -> date:
    """Return the date ``value`` if its year lies in the supported span.

    Raises:
        DatetimeOutOfRangeError: ``time.out_of_range`` outside the span.
    """
    if not SPAN_START.year <= value.year < SPAN_END.year:
        raise out_of_range(field, value)
    return value


def bounded_batch(count: int, field: str) -> None:
    """Refuse a batch of more than :data:`BATCH_MAX_ITEMS` items.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field`` and the limit.
    """
    if count > BATCH_MAX_ITEMS:
        raise InvalidValueError(
            field=field,
            reason=f"at most {BATCH_MAX_ITEMS} items per call",
            value=f"{count} items",
        )


def short(value: object) -> object:
    """``value`` itself for an error message, or ``"<too long>"`` if it is huge.

    Safe on any value: a 5000-digit int cannot even be turned into text.
    """
    if isinstance(value, Fraction):
        value = max(abs(value.numerator), value.denominator)
    if isinstance(value, int) and value.bit_length() > 128:
        return "<too long>"
    if isinstance(value, (str, Decimal)) and len(str(value)) > 80:
        return "<too long>"
    return value


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
            value=short(value),
        )
    return value

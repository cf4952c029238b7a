"""Time zones and the one way to turn a local wall time into an instant.

Zone names are IANA names validated against the zone database (the ``tzdata``
package ships it, so slim containers and Windows work). Instants are aware
datetimes, compared in UTC; wall times are naive datetimes read in a named zone.

A wall time can be missing (spring-forward gap) or happen twice (fall-back fold).
:func:`to_instant` never guesses silently; ``disambiguate`` says what to do, with
the vocabulary of the *whenever* library:

=============  ==================================  ===================================
disambiguate   in a gap (02:30 New York,           in a fold (01:30 New York,
               2026-03-08, does not exist)         2026-11-01, happens twice)
=============  ==================================  ===================================
compatible     shifted forward by the gap: 03:30   the earlier: 01:30 EDT
               EDT (RFC 5545, the default)
earlier        shifted back by the gap: 01:30 EST  the earlier: 01:30 EDT
later          shifted forward: 03:30 EDT          the later: 01:30 EST
raise          ``SkippedTimeError``                ``RepeatedTimeError``
=============  ==================================  ===================================

Example:
    >>> from datetime import datetime
    >>> from booking_core.zones import to_instant, to_local
    >>> to_instant(datetime(2026, 3, 8, 2, 30), "America/New_York")
    datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.timezone.utc)
    >>> to_local(_, "America/New_York").isoformat()
    '2026-03-08T03:30:00-04:00'
    >>> fall_back = datetime(2026, 11, 1, 1, 30)
    >>> to_instant(fall_back, "America/New_York", disambiguate="later")
    datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.timezone.utc)
    >>> to_instant(fall_back, "America/New_York", disambiguate="raise")
    Traceback (most recent call last):
    ...
    booking_core.errors.RepeatedTimeError: 2026-11-01 01:30:00 happens twice in ...
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from typing import Literal, TypeAlias, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from booking_core._validation import utc_instant
from booking_core.errors import (
    InvalidDisambiguationError,
    InvalidValueError,
    RepeatedTimeError,
    SkippedTimeError,
    UnknownZoneError,
)

__all__ = [
    "Disambiguate",
    "ZoneLike",
    "get_zone",
    "local_time_kind",
    "require_aware",
    "to_instant",
    "to_local",
]

Disambiguate: TypeAlias = Literal["compatible", "earlier", "later", "raise"]
"""How :func:`to_instant` resolves a wall time in a DST gap or fold."""

ZoneLike: TypeAlias = "str | ZoneInfo"
"""An IANA zone name or a :class:`zoneinfo.ZoneInfo`."""

_DISAMBIGUATE: frozenset[str] = frozenset(get_args(Disambiguate))


@functools.lru_cache(maxsize=1024)
def _zone_by_name(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:
        raise UnknownZoneError(zone=name) from exc


def get_zone(zone: ZoneLike) -> ZoneInfo:
    """Return the :class:`~zoneinfo.ZoneInfo` for an IANA name (or pass one through).

    Args:
        zone: ``"Europe/London"`` or a ``ZoneInfo``.

    Raises:
        UnknownZoneError: ``time.unknown_zone`` when the name is not an IANA zone.

    Example:
        >>> get_zone("Asia/Kolkata")
        zoneinfo.ZoneInfo(key='Asia/Kolkata')
        >>> get_zone("Mars/Olympus_Mons")
        Traceback (most recent call last):
        ...
        booking_core.errors.UnknownZoneError: unknown time zone 'Mars/Olympus_Mons'; ...
    """
    if isinstance(zone, ZoneInfo):
        return zone
    name: object = zone
    if not isinstance(name, str) or not name or name != name.strip():
        raise UnknownZoneError(zone=zone)
    return _zone_by_name(zone)


def require_aware(value: datetime, *, field: str = "value") -> datetime:
    """Return ``value`` converted to UTC, refusing naive datetimes.

    Args:
        value: An aware datetime in any zone.
        field: The name to use in the error message.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` when ``value`` is naive.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> require_aware(datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Asia/Kolkata")))
        datetime.datetime(2026, 6, 1, 3, 30, tzinfo=datetime.timezone.utc)
    """
    return utc_instant(value, field)


def _check_wall(wall: datetime) -> None:
    if not isinstance(wall, datetime):
        raise InvalidValueError(field="wall", reason="must be a datetime", value=wall)
    if wall.tzinfo is not None:
        raise InvalidValueError(
            field="wall",
            reason="a wall time is naive (no tzinfo); pass the zone separately",
            value=wall,
        )


def _candidates(
    wall: datetime, tz: tzinfo, zone: ZoneLike
) -> tuple[datetime, datetime]:
    """The UTC instants of ``wall`` read with fold=0 and with fold=1."""
    field = f"wall time in {zone}"
    first = utc_instant(wall.replace(tzinfo=tz, fold=0), field)
    second = utc_instant(wall.replace(tzinfo=tz, fold=1), field)
    return first, second


def local_time_kind(wall: datetime, zone: ZoneLike) -> Literal["normal", "gap", "fold"]:
    """Say whether a wall time is normal, skipped (``"gap"``) or repeated (``"fold"``).

    Example:
        >>> from datetime import datetime
        >>> local_time_kind(datetime(2026, 3, 29, 1, 30), "Europe/London")
        'gap'
        >>> local_time_kind(datetime(2026, 10, 25, 1, 30), "Europe/London")
        'fold'
        >>> local_time_kind(datetime(2026, 10, 25, 1, 30), "Asia/Kolkata")
        'normal'
    """
    _check_wall(wall)
    tz = get_zone(zone)
    first, second = _candidates(wall, tz, zone)
    if first == second:
        return "normal"
    # In a fold both readings map back to the wall time; in a gap neither
    # does (each lands on the other side of the gap).
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return "fold"
    return "gap"


def to_instant(
    wall: datetime, zone: ZoneLike, *, disambiguate: Disambiguate = "compatible"
) -> datetime:
    """Turn a local wall time in ``zone`` into an aware instant in UTC.

    Args:
        wall: A naive datetime: the time on the clocks in ``zone``.
        zone: An IANA zone name or ``ZoneInfo``.
        disambiguate: What to do in a DST gap or fold (see the module table).

    Returns:
        An aware datetime in UTC.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an aware or non-datetime wall.
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.
        InvalidDisambiguationError: ``time.invalid_disambiguate`` for a bad mode.
        SkippedTimeError: ``time.skipped_local_time`` in a gap with ``"raise"``.
        RepeatedTimeError: ``time.repeated_local_time`` in a fold with ``"raise"``.
        DatetimeOutOfRangeError: ``time.out_of_range`` outside years 1800-2399 UTC.
    """
    if disambiguate not in _DISAMBIGUATE:
        raise InvalidDisambiguationError(value=disambiguate)
    _check_wall(wall)
    tz = get_zone(zone)
    first, second = _candidates(wall, tz, zone)
    if first == second:
        return first
    # PEP 495: fold=0 reads the wall time with the offset in force before the
    # transition. In a fold that is the earlier instant; in a gap it lands after
    # the gap, shifted forward by its size: exactly RFC 5545's rule, "compatible".
    if disambiguate == "compatible":
        return first
    earlier, later = min(first, second), max(first, second)
    if disambiguate == "earlier":
        return earlier
    if disambiguate == "later":
        return later
    name = str(zone)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        raise RepeatedTimeError(
            wall=wall, zone=name, earlier=earlier.isoformat(), later=later.isoformat()
        )
    raise SkippedTimeError(
        wall=wall,
        zone=name,
        gap=later - earlier,
        earlier=earlier.astimezone(tz).replace(tzinfo=None),
        later=later.astimezone(tz).replace(tzinfo=None),
    )


def to_local(instant: datetime, zone: ZoneLike) -> datetime:
    """Return the aware ``instant`` as an aware datetime in ``zone``.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` when ``instant`` is naive.
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.
        DatetimeOutOfRangeError: ``time.out_of_range`` outside years 1800-2399 UTC.
    """
    return utc_instant(instant, "instant").astimezone(get_zone(zone))

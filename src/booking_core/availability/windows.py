"""A teacher's availability, the free slots it leaves, and commitment conflicts.

Availability is made of :class:`WeeklyAvailability` (a wall-clock window on one
weekday, in the teacher's zone, between two inclusive local dates),
:class:`OneTimeAvailability` (one window between two instants) and
:class:`Blackout` (a window, or whole local dates, when the teacher is away).
:func:`free_slots` subtracts the teacher's :class:`Commitment` s (1:1 bookings,
pending requests, group sessions they teach) and applies a :class:`SlotRequest`
(duration, step, buffers, notice, horizon, per-day cap, course). All the set
arithmetic is :class:`booking_core.intervals.IntervalSet`. :class:`Commitment`,
:func:`find_conflicts` and :func:`ensure_no_conflict` live in
:mod:`booking_core.availability.commitments` and are re-exported here.

**Weekly windows are plain date arithmetic, not a second recurrence engine.** A
weekly window is "this wall-clock window on every <weekday>", so it is expanded
by stepping seven days at a time over the local dates the request asks about
(never over the whole validity period) and reading each date's wall times in the
window's zone. Recurrence rules in general (``RRULE``) live in
``booking_core.recurrence``.

**DST policy.** A window's wall times are read on each date with
:func:`booking_core.zones.to_instant`: the start with
``disambiguate="compatible"`` and the end with ``disambiguate="later"``.

===================  =============================  ============================
local time is        start of the window            end of the window
===================  =============================  ============================
in a gap (skipped)   shifted forward by the gap     shifted forward by the gap
in a fold (twice)    the earlier reading            the later reading
===================  =============================  ============================

So a window never loses time a teacher can see on the clock: in a fold it covers
both readings of the repeated hour, and in a gap the part that does not exist is
skipped (01:00-03:00 on the spring-forward day in London is one real hour,
02:00-03:00 BST). A window that lies wholly in a gap keeps its length and moves
forward by the gap (RFC 5545); one whose resolved end is not after its resolved
start that day is empty that day.

Example:
    >>> from datetime import date, datetime, time, timedelta, timezone
    >>> from booking_core.availability import SlotRequest, free_slots, slots_in_zone
    >>> monday = WeeklyAvailability(
    ...     weekday=0, start=time(9), end=time(11), zone="Europe/London"
    ... )
    >>> request = SlotRequest(
    ...     first_date=date(2026, 6, 1),
    ...     last_date=date(2026, 6, 1),
    ...     zone="Europe/London",
    ...     duration=timedelta(minutes=45),
    ...     step=timedelta(minutes=30),
    ... )
    >>> now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    >>> slots = free_slots([monday], [], request, now=now)
    >>> [start.strftime("%H:%M") for start, _ in slots_in_zone(slots, "Europe/London")]
    ['09:00', '09:30', '10:00']
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal, TypeAlias, final
from zoneinfo import ZoneInfo

import attrs

from booking_core._repr import fields_repr
from booking_core.availability.commitments import (
    _optional_text,
    _window,
)
from booking_core.errors import InvalidValueError
from booking_core.intervals import (
    _MICROSECOND,
    IntervalSet,
    TimeWindow,
    _from_us,
    _to_us,
    _window_us,
)
from booking_core.zones import ZoneLike, get_zone, to_instant

__all__ = [
    "AvailabilityItem",
    "Blackout",
    "OneTimeAvailability",
    "WeeklyAvailability",
    "available_windows",
]


_US_PER_SECOND = 1_000_000


_DAY_US = 86_400 * _US_PER_SECOND
_WEEK_US = 7 * _DAY_US


_DAY = timedelta(days=1)


_ZERO = timedelta(0)


_MIDNIGHT = time(0)


_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 -- wall clocks are naive


_EPOCH_DATE = date(1970, 1, 1)


_YEAR_EDGES = frozenset({(1, 1), (1, 2), (12, 30), (12, 31)})


def _us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def _zone_name(value: ZoneLike) -> str:
    return get_zone(value).key


def _weekday(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise InvalidValueError(
            field=attribute.name,
            reason="must be 0 (Monday) to 6 (Sunday), as date.weekday()",
            value=value,
        )


def _wall_time(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if not isinstance(value, time) or value.tzinfo is not None:
        raise InvalidValueError(
            field=attribute.name,
            reason="must be a naive datetime.time (a wall time; the zone is separate)",
            value=value,
        )


def _optional_date(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None and (
        not isinstance(value, date) or isinstance(value, datetime)
    ):
        raise InvalidValueError(
            field=attribute.name, reason="must be a datetime.date or None", value=value
        )


_FIRST_DAY, _LAST_DAY = date(2, 1, 1), date(9997, 12, 31)


def _check_date(field: str, value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValueError(
            field=field, reason="must be a datetime.date", value=value
        )
    if not _FIRST_DAY <= value <= _LAST_DAY:
        raise InvalidValueError(
            field=field,
            reason="must be in the years 2 to 9997 (the days around it must exist)",
            value=value,
        )


def _date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_date(attribute.name, value)


def _str(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidValueError(
            field=attribute.name, reason="must be a string", value=value
        )


def _duration(
    *, positive: bool
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    allowed = "above zero" if positive else "zero or more"

    def check(
        _instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        if (
            not isinstance(value, timedelta)
            or value < _ZERO
            or (positive and value == _ZERO)
        ):
            raise InvalidValueError(
                field=attribute.name,
                reason=f"must be a timedelta {allowed}",
                value=value,
            )

    return check


def _wall_us(wall: datetime, tz: ZoneInfo, mode: Literal["compatible", "later"]) -> int:
    """The instant (epoch microseconds) of a wall time, under the DST policy.

    A wall time that exists once is read with the zone's cached offset pieces
    (a bisection, no datetime arithmetic); a gap or a fold is resolved by
    :func:`~booking_core.zones.to_instant` with ``mode``.
    """
    if (wall.month, wall.day) in _YEAR_EDGES:
        # Near New Year the reading may fall in the neighbouring UTC year.
        return _to_us(to_instant(wall, tz, disambiguate=mode))
    local = (wall - _NAIVE_EPOCH) // _MICROSECOND
    starts, offsets = _year_offsets(tz, wall.year)
    last = len(starts) - 1
    piece = bisect_right(starts, local) - 1
    found: list[int] = []
    # Offsets are under a day and pieces longer, so the reading is in a
    # neighbouring piece: one hit is a normal time, two a fold, none a gap.
    for index in range(max(piece - 1, 0), min(piece + 1, last) + 1):
        instant = local - offsets[index]
        if starts[index] <= instant and (index == last or instant < starts[index + 1]):
            found.append(instant)
    if len(found) == 1:
        return found[0]
    return _to_us(to_instant(wall, tz, disambiguate=mode))


def _time_us(wall: time) -> int:
    """Microseconds from midnight to the wall time ``wall``."""
    return (
        (wall.hour * 60 + wall.minute) * 60 + wall.second
    ) * _US_PER_SECOND + wall.microsecond


def _wall_instants(
    walls: list[int], tz: ZoneInfo, mode: Literal["compatible", "later"]
) -> list[int]:
    """The instants of ascending wall times (at least one), as :func:`_wall_us`.

    ``walls`` are local microseconds since 1970-01-01 on ``tz``'s clocks. The
    zone's constant-offset pieces around them are read once; a wall time a day
    or more from both ends of its piece exists once, at ``wall - offset``
    (offsets are under a day). Only the few wall times near an offset change
    take :func:`_wall_us`'s path.
    """
    starts, offsets = _merged_segments(walls[0] - _DAY_US, walls[-1] + _DAY_US, tz)
    last = len(starts) - 1
    found: list[int] = []
    piece, safe_low, safe_high, offset = -1, 0, 0, 0
    for wall in walls:
        if not safe_low <= wall < safe_high:
            piece = bisect_right(starts, wall) - 1
            offset = offsets[piece]
            safe_low = starts[piece] + _DAY_US
            safe_high = starts[piece + 1] - _DAY_US if piece < last else wall + 1
            if not safe_low <= wall < safe_high:
                naive = _NAIVE_EPOCH + _MICROSECOND * wall
                found.append(_wall_us(naive, tz, mode))
                safe_low = safe_high = 0
                continue
        found.append(wall - offset)
    return found


def _merged_segments(low: int, high: int, tz: ZoneInfo) -> tuple[list[int], list[int]]:
    """:func:`_offset_segments` with neighbours of equal offset joined."""
    starts: list[int] = []
    offsets: list[int] = []
    for start, offset in zip(*_offset_segments(low, high, tz), strict=True):
        if not offsets or offsets[-1] != offset:
            starts.append(start)
            offsets.append(offset)
    return starts, offsets


def _local_date(instant_us: int, tz: ZoneInfo) -> date:
    return _from_us(instant_us).astimezone(tz).date()


@final
@attrs.frozen(kw_only=True, repr=False)
class WeeklyAvailability:
    """A wall-clock window on one weekday, every week, in the teacher's zone.

    The window starts at ``start`` on each local date whose weekday is
    ``weekday`` between ``valid_from`` and ``valid_until`` (both inclusive; the
    date is that of the start) and ends at ``end``, on the same date, or on the
    next one when ``end`` is not after ``start`` (a window crossing midnight).
    Wall times are read in ``zone`` under the module's DST policy.

    Attributes:
        weekday: 0 (Monday) to 6 (Sunday), as :meth:`datetime.date.weekday`.
        start: The local wall time the window opens.
        end: The local wall time it closes; ``end <= start`` crosses midnight.
        zone: The IANA zone the wall times are read in (stored as its name).
        valid_from: The first local date the window applies, ``None`` for always.
        valid_until: The last local date (inclusive), ``None`` for open-ended.
        course: Only slots for this course, ``None`` for any course.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a bad field, equal start
            and end, or ``valid_until`` before ``valid_from``.
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.

    Example:
        >>> from datetime import date, time
        >>> late = WeeklyAvailability(
        ...     weekday=4, start=time(22), end=time(1), zone="Asia/Kolkata"
        ... )
        >>> late.crosses_midnight
        True
        >>> [str(w.end) for w in late.windows(date(2026, 6, 1), date(2026, 6, 7))]
        ['2026-06-05 19:30:00+00:00']
    """

    __repr__ = fields_repr

    weekday: int = attrs.field(validator=_weekday)
    start: time = attrs.field(validator=_wall_time)
    end: time = attrs.field(validator=_wall_time)
    zone: str = attrs.field(converter=_zone_name)
    valid_from: date | None = attrs.field(default=None, validator=_optional_date)
    valid_until: date | None = attrs.field(default=None, validator=_optional_date)
    course: str | None = attrs.field(default=None, validator=_optional_text)

    def __attrs_post_init__(self) -> None:
        if self.start == self.end:
            raise InvalidValueError(
                field="end",
                reason="must differ from start (an end before the start crosses "
                "midnight; use a OneTimeAvailability for a whole day)",
                value=self.end,
            )
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise InvalidValueError(
                field="valid_until",
                reason=f"must be on or after valid_from {self.valid_from}",
                value=self.valid_until,
            )

    @property
    def crosses_midnight(self) -> bool:
        """True when the window ends on the local date after it starts."""
        return self.end <= self.start

    def _pairs(self, first: date, last: date) -> list[tuple[int, int]]:
        """The windows starting on local dates ``first..last``, as microseconds."""
        if self.valid_from is not None:
            first = max(first, self.valid_from)
        if self.valid_until is not None:
            last = min(last, self.valid_until)
        pairs: list[tuple[int, int]] = []
        if first > last:
            return pairs
        tz = ZoneInfo(self.zone)  # validated on construction; ZoneInfo caches it
        day = first + timedelta(days=(self.weekday - first.weekday()) % 7)
        if day > last:
            return pairs
        # Wall clocks as local microseconds since 1970-01-01, a week apart.
        opens = _time_us(self.start)
        closes = _time_us(self.end) + (_DAY_US if self.crosses_midnight else 0)
        first_day = (day - _EPOCH_DATE).days * _DAY_US
        days = range(first_day, (last - _EPOCH_DATE).days * _DAY_US + 1, _WEEK_US)
        starts = _wall_instants([d + opens for d in days], tz, "compatible")
        ends = _wall_instants([d + closes for d in days], tz, "later")
        pairs.extend(
            pair for pair in zip(starts, ends, strict=True) if pair[0] < pair[1]
        )
        return pairs

    def windows(self, first: date, last: date) -> tuple[TimeWindow, ...]:
        """The windows that start on the local dates ``first`` to ``last``.

        Only those dates are visited (seven days at a time), whatever the
        validity period.

        Args:
            first: The first local date (inclusive).
            last: The last local date (inclusive).
        """
        return tuple(_window_us(s, e) for s, e in self._pairs(first, last))


@final
@attrs.frozen(kw_only=True, repr=False)
class OneTimeAvailability:
    """One window of availability between two instants.

    Attributes:
        window: When the teacher is available.
        course: Only slots for this course, ``None`` for any course.
    """

    __repr__ = fields_repr

    window: TimeWindow = attrs.field(validator=_window)
    course: str | None = attrs.field(default=None, validator=_optional_text)


@final
@attrs.frozen(kw_only=True, repr=False)
class Blackout:
    """A time the teacher is away: it removes availability of every course.

    Attributes:
        window: The instants removed.
        reason: Free text for the host (holiday, sick leave ...).

    Example:
        >>> from datetime import date
        >>> away = Blackout.whole_days(
        ...     date(2026, 8, 3), date(2026, 8, 7), "Asia/Kolkata", reason="holiday"
        ... )
        >>> away.window.start.isoformat(), away.window.end.isoformat()
        ('2026-08-02T18:30:00+00:00', '2026-08-07T18:30:00+00:00')
    """

    __repr__ = fields_repr

    window: TimeWindow = attrs.field(validator=_window)
    reason: str = attrs.field(default="", validator=_str)

    @classmethod
    def whole_days(
        cls, first: date, last: date, zone: ZoneLike, *, reason: str = ""
    ) -> Blackout:
        """A blackout from local midnight of ``first`` to the end of ``last``.

        Midnights are read with ``disambiguate="compatible"`` (a zone whose
        clocks skip midnight starts the day when the gap ends).

        Raises:
            InvalidValueError: ``input.invalid_value`` when ``last`` is before
                ``first`` or either is no date.
            UnknownZoneError: ``time.unknown_zone`` for an unknown zone.
        """
        _check_date("first", first)
        _check_date("last", last)
        if last < first:
            raise InvalidValueError(
                field="last", reason=f"must be on or after first {first}", value=last
            )
        name = _zone_name(zone)
        start = to_instant(datetime.combine(first, _MIDNIGHT), name)
        end = to_instant(datetime.combine(last + _DAY, _MIDNIGHT), name)
        return cls(window=TimeWindow(start=start, end=end), reason=reason)


AvailabilityItem: TypeAlias = "WeeklyAvailability | OneTimeAvailability | Blackout"
"""One element of a teacher's availability, as :func:`free_slots` takes it."""


def _course_matches(item_course: str | None, wanted: str | None) -> bool:
    return wanted is None or item_course is None or item_course == wanted


def _available_pairs(
    availability: Iterable[AvailabilityItem],
    low: int,
    high: int,
    course: str | None,
) -> IntervalSet:
    """Availability minus blackouts, clipped to ``[low, high)`` (microseconds)."""
    pairs: list[tuple[int, int]] = []
    away: list[tuple[int, int]] = []
    dates: dict[str, tuple[date, date]] = {}
    for item in availability:
        if isinstance(item, WeeklyAvailability):
            if not _course_matches(item.course, course):
                continue
            if item.zone not in dates:
                tz = ZoneInfo(item.zone)  # validated on construction
                # A window starting the local day before `low` may cross midnight.
                dates[item.zone] = (
                    _local_date(low, tz) - _DAY,
                    _local_date(high - 1, tz),
                )
            pairs.extend(item._pairs(*dates[item.zone]))  # noqa: SLF001
        elif isinstance(item, OneTimeAvailability):
            if _course_matches(item.course, course):
                pairs.append((_to_us(item.window.start), _to_us(item.window.end)))
        elif isinstance(item, Blackout):
            away.append((_to_us(item.window.start), _to_us(item.window.end)))
        else:
            raise InvalidValueError(
                field="availability",
                reason="items must be WeeklyAvailability, OneTimeAvailability or "
                "Blackout",
                value=item,
            )
    # Clipped to [low, high) pair by pair; what falls outside becomes empty.
    available = IntervalSet._from_pairs(  # noqa: SLF001
        (max(start, low), min(end, high)) for start, end in pairs
    )
    if away:
        available -= IntervalSet._from_pairs(away)  # noqa: SLF001
    return available


def available_windows(
    availability: Iterable[AvailabilityItem],
    *,
    first_date: date,
    last_date: date,
    zone: ZoneLike,
    course: str | None = None,
) -> IntervalSet:
    """The instants a teacher is available on local dates ``first..last``.

    Weekly and one-time windows (those of ``course`` and those for any course)
    minus every blackout, clipped to the local days in ``zone``.

    Args:
        availability: Weekly and one-time windows and blackouts, any order.
        first_date: The first local date (inclusive).
        last_date: The last local date (inclusive).
        zone: The zone the dates are read in (the teacher's).
        course: Keep windows of this course and course-less ones; ``None``
            keeps every window.

    Raises:
        InvalidValueError: ``input.invalid_value`` for an unknown item or bad dates.
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.

    Example:
        >>> from datetime import date, time
        >>> weekly = WeeklyAvailability(
        ...     weekday=2, start=time(9), end=time(12), zone="Asia/Kolkata"
        ... )
        >>> found = available_windows(
        ...     [weekly], first_date=date(2026, 6, 1), last_date=date(2026, 6, 14),
        ...     zone="Asia/Kolkata",
        ... )
        >>> [w.start.isoformat() for w in found]
        ['2026-06-03T03:30:00+00:00', '2026-06-10T03:30:00+00:00']
    """
    low, high = _day_bounds(first_date, last_date, get_zone(zone))
    return _available_pairs(availability, low, high, course)


def _day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[int, int]:
    _check_date("first_date", first)
    _check_date("last_date", last)
    if last < first:
        raise InvalidValueError(
            field="last_date", reason=f"must be on or after {first}", value=last
        )
    low = _wall_us(datetime.combine(first, _MIDNIGHT), tz, "compatible")
    high = _wall_us(datetime.combine(last + _DAY, _MIDNIGHT), tz, "compatible")
    return low, high


def _offset_us(instant: int, tz: ZoneInfo) -> int:
    return _us(_from_us(instant).astimezone(tz).utcoffset() or _ZERO)


def _bisect_offsets(low: int, high: int, tz: ZoneInfo) -> tuple[list[int], list[int]]:
    """Where ``tz``'s UTC offset changes in ``[low, high)``, found by bisection.

    Returns the starts of the constant-offset pieces and their offsets. The
    offset is sampled at least once a week and every change is bisected to the
    microsecond, so the only assumption is that a zone never changes its offset
    and changes it back within one week (none of tzdata does, 1900 to 2039; the
    shortest such pair is two weeks, parts of Brazil in October 2000).
    """
    starts = [low]
    offsets = [_offset_us(low, tz)]
    stack = [(low, offsets[0], high - 1, _offset_us(high - 1, tz))]
    while stack:
        lo, lo_offset, hi, hi_offset = stack.pop()
        if lo_offset == hi_offset and hi - lo <= _WEEK_US:
            continue
        if hi - lo == 1:
            starts.append(hi)
            offsets.append(hi_offset)
            continue
        middle = (lo + hi) // 2
        middle_offset = _offset_us(middle, tz)
        # Right half first: the stack pops the left half next, keeping order.
        stack.append((middle, middle_offset, hi, hi_offset))
        stack.append((lo, lo_offset, middle, middle_offset))
    return starts, offsets


@functools.lru_cache(maxsize=256)
def _year_offsets(tz: ZoneInfo, year: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """:func:`_bisect_offsets` over one UTC year, cached: zone rules never change."""
    low = _to_us(datetime(year, 1, 1, tzinfo=timezone.utc))
    high = _to_us(datetime(year + 1, 1, 1, tzinfo=timezone.utc))
    starts, offsets = _bisect_offsets(low, high, tz)
    return tuple(starts), tuple(offsets)


def _offset_segments(low: int, high: int, tz: ZoneInfo) -> tuple[list[int], list[int]]:
    """Constant-offset pieces of ``tz`` covering ``[low, high)`` (and maybe more).

    The first piece starts at or before ``low``.
    """
    starts: list[int] = []
    offsets: list[int] = []
    for year in range(_from_us(low).year, _from_us(high - 1).year + 1):
        year_starts, year_offsets = _year_offsets(tz, year)
        starts.extend(year_starts)
        offsets.extend(year_offsets)
    return starts, offsets

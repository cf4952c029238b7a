"""Bookable slots: a teacher's windows minus what is busy, cut into aligned slots.

:func:`free_slots` answers a :class:`SlotRequest` (days, zone, length, step,
notice, horizon, per-day cap) from availability items and commitments, DST-correct
to the minute; :func:`slots_in_zone` shows them on another clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import repeat
from operator import add, attrgetter, countOf, floordiv, mul, sub
from typing import Any, cast, final
from zoneinfo import ZoneInfo

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import SLOT_QUERY_MAX_DAYS, positive_int, utc_instant
from booking_core.availability.commitments import (
    Commitment,
    _bool,
    _optional_text,
)
from booking_core.availability.windows import (
    _DAY,
    _DAY_US,
    _ZERO,
    AvailabilityItem,
    _available_pairs,
    _date,
    _day_bounds,
    _duration,
    _offset_segments,
    _offset_us,
    _us,
    _zone_name,
)
from booking_core.errors import InvalidValueError
from booking_core.intervals import (
    _EPOCH,
    _MICROSECOND,
    IntervalSet,
    TimeWindow,
    _from_us,
    _merge,
    _to_us,
)
from booking_core.zones import ZoneLike, get_zone

__all__ = [
    "SlotRequest",
    "free_slots",
    "slots_in_zone",
]


# The slot descriptors of TimeWindow (an attrs slotted class): setting through
# them skips the frozen __setattr__, as object.__setattr__ does.
_SET_START = TimeWindow.__dict__["start"].__set__
_SET_END = TimeWindow.__dict__["end"].__set__
_START, _END = attrgetter("start"), attrgetter("end")


def _step(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _duration(positive=True)(_instance, attribute, value)
    if _DAY % value:  # type: ignore[operator]  # a timedelta, checked above
        raise InvalidValueError(
            field=attribute.name,
            reason="must divide one day evenly (5, 10, 15, 20, 30, 60 minutes ...), "
            "so slots start at the same wall-clock times every day",
            value=value,
        )


def _optional_positive(
    _instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None:
        positive_int(_instance, attribute, value)


def _optional_horizon(
    _instance: object,
    attribute: attrs.Attribute[timedelta | None],
    value: timedelta | None,
) -> None:
    if value is not None:
        _duration(positive=True)(_instance, attribute, value)


@final
@attrs.frozen(kw_only=True, repr=False)
class SlotRequest:
    """What a student (or host) asks :func:`free_slots` for.

    Attributes:
        first_date: The first local date (in ``zone``) a slot may start on.
        last_date: The last local date (inclusive) a slot may start on.
        zone: The teacher's zone: dates, step alignment and the per-day cap are
            read in it.
        duration: The length of every slot.
        step: Slots start on wall-clock times that are whole multiples of
            ``step`` after local midnight (default 30 minutes); it must divide
            one day evenly.
        buffer_before: Free time kept before every commitment (default none).
        buffer_after: Free time kept after every commitment (default none).
        minimum_notice: A slot starts at least this long after ``now``
            (default none).
        horizon: A slot ends at most this long after ``now``; ``None`` for no
            limit (the default).
        max_per_day: A local day that already holds this many commitments
            offers no slot; ``None`` for no cap (the default).
        course: Use the windows of this course and course-less ones;
            ``None`` (the default) uses every window.
        non_overlapping: Return slots that do not overlap each other, taking
            the earliest first (default ``False``: every aligned start).

    Raises:
        InvalidValueError: ``input.invalid_value`` for a bad field, a step that
            does not divide a day, or ``last_date`` before ``first_date``.
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.
    """

    __repr__ = fields_repr

    first_date: date = attrs.field(validator=_date)
    last_date: date = attrs.field(validator=_date)
    zone: str = attrs.field(converter=_zone_name)
    duration: timedelta = attrs.field(validator=_duration(positive=True))
    step: timedelta = attrs.field(default=timedelta(minutes=30), validator=_step)
    buffer_before: timedelta = attrs.field(
        default=_ZERO, validator=_duration(positive=False)
    )
    buffer_after: timedelta = attrs.field(
        default=_ZERO, validator=_duration(positive=False)
    )
    minimum_notice: timedelta = attrs.field(
        default=_ZERO, validator=_duration(positive=False)
    )
    horizon: timedelta | None = attrs.field(default=None, validator=_optional_horizon)
    max_per_day: int | None = attrs.field(default=None, validator=_optional_positive)
    course: str | None = attrs.field(default=None, validator=_optional_text)
    non_overlapping: bool = attrs.field(default=False, validator=_bool)

    def __attrs_post_init__(self) -> None:
        if self.last_date < self.first_date:
            raise InvalidValueError(
                field="last_date",
                reason=f"must be on or after first_date {self.first_date}",
                value=self.last_date,
            )
        if (self.last_date - self.first_date).days >= SLOT_QUERY_MAX_DAYS:
            raise InvalidValueError(
                field="last_date",
                reason=f"one query covers at most {SLOT_QUERY_MAX_DAYS} days; "
                "ask for longer ranges in several calls",
                value=self.last_date,
            )


def free_slots(
    availability: Iterable[AvailabilityItem],
    commitments: Iterable[Commitment],
    request: SlotRequest,
    *,
    now: datetime,
) -> tuple[TimeWindow, ...]:
    """The bookable slots: availability minus commitments, shaped by the request.

    A returned slot lies inside one window of availability (of the request's
    course or of any course) and outside every blackout; it stays clear of every
    commitment widened by ``buffer_before`` / ``buffer_after``; it starts on a
    local date of the request, at least ``minimum_notice`` after ``now``, and
    ends within ``horizon`` of ``now``; it lasts exactly ``duration`` and starts
    on a wall-clock multiple of ``step``; its local day holds fewer than
    ``max_per_day`` commitments. With ``non_overlapping`` the earliest slot is
    taken first and the next one starts at or after its end.

    Only the requested dates are expanded, so a 30-day request costs a twelfth
    of a year's. Every commitment given blocks time: pass the teacher's
    confirmed and pending 1:1 bookings and the group sessions they teach.

    Args:
        availability: Weekly and one-time windows and blackouts, any order.
        commitments: The teacher's commitments, any order.
        request: Dates, duration, step and the rest.
        now: The current instant (aware), for notice and horizon.

    Returns:
        The slots in UTC, sorted by start. :func:`slots_in_zone` presents them
        in any zone.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` when ``now`` is naive.
        InvalidValueError: ``input.invalid_value`` for an item that is not an
            availability item or a commitment.
    """
    tz = get_zone(request.zone)
    now_us = _to_us(utc_instant(now, "now"))
    duration = _us(request.duration)
    step = _us(request.step)
    day_low, day_high = _day_bounds(request.first_date, request.last_date, tz)
    low = max(day_low, now_us + _us(request.minimum_notice))
    high = day_high + duration  # a slot starting before day_high ends before this
    if request.horizon is not None:
        high = min(high, now_us + _us(request.horizon))
    if low >= high:
        return ()
    free = _available_pairs(availability, low, high, request.course)
    cap = request.max_per_day
    # Only commitments near [low, high) matter; with a cap, whole local days do.
    margin = 2 * _DAY_US if cap is not None else 0
    before, after = request.buffer_before, request.buffer_after
    near = _near(
        commitments, low=low - _us(after) - margin, high=high + _us(before) + margin
    )
    free -= _busy(near, before=before, after=after)
    if not free:
        return ()
    per_day: dict[int, int] = {}
    if cap is not None:
        for window in near:
            start = _to_us(window.start)
            # Local day number: days since 1970-01-01 on the zone's clocks.
            day = (start + _offset_us(start, tz)) // _DAY_US
            per_day[day] = per_day.get(day, 0) + 1
    return _aligned_slots(
        free,
        tz=tz,
        duration=request.duration,
        step=step,
        advance=duration if request.non_overlapping else step,
        start_before=day_high,
        per_day=per_day,
        cap=cap,
    )


def _near(
    commitments: Iterable[Commitment], *, low: int, high: int
) -> list[TimeWindow]:
    """The windows of the commitments overlapping ``[low, high)``.

    Comparing datetimes keeps a short request from converting every
    commitment of the year.
    """
    low_dt, high_dt = _from_us(low), _from_us(high)
    items: list[object] = list(commitments)
    if countOf(map(type, items), Commitment) != len(items):
        bad = next(item for item in items if not isinstance(item, Commitment))
        raise InvalidValueError(
            field="commitments", reason="items must be Commitment", value=bad
        )
    return [
        window
        for item in cast("list[Commitment]", items)
        if (window := item.window).start < high_dt and window.end > low_dt
    ]


def _busy(
    windows: list[TimeWindow], *, before: timedelta, after: timedelta
) -> IntervalSet:
    """The windows widened by the buffers, as a set.

    Merged as datetimes (all in UTC, so compared in C), then only the merged
    bounds are converted to microseconds; every pass is a C loop (``map``).
    """
    starts: Iterable[datetime] = map(_START, windows)
    ends: Iterable[datetime] = map(_END, windows)
    if before:
        starts = map(sub, starts, repeat(before))
    if after:
        ends = map(add, ends, repeat(after))
    opens, closes = _merge(starts, ends)
    return IntervalSet._from_sorted(_micros(opens), _micros(closes))  # noqa: SLF001


def _micros(instants: Iterable[datetime]) -> tuple[int, ...]:
    """:func:`~booking_core.intervals._to_us` of each instant, in a C loop."""
    since = map(sub, instants, repeat(_EPOCH))
    return tuple(map(floordiv, since, repeat(_MICROSECOND)))


def _aligned_slots(
    free: IntervalSet,
    *,
    tz: ZoneInfo,
    duration: timedelta,
    step: int,
    advance: int,
    start_before: int,
    per_day: dict[int, int],
    cap: int | None,
) -> tuple[TimeWindow, ...]:
    """Walk the free windows, emitting slots on wall-clock multiples of ``step``.

    A start ``t`` is aligned when ``t + offset`` (the wall clock, in
    microseconds since 1970-01-01 local) is a multiple of ``step``; ``step``
    divides a day, so that is "a multiple of step after local midnight". Within
    a piece of constant UTC offset the next aligned start is one modulo away.
    """
    free_starts = free._starts  # noqa: SLF001
    free_ends = free._ends  # noqa: SLF001
    seg_starts, seg_offsets = _offset_segments(free_starts[0], free_ends[-1], tz)
    length = _us(duration)
    n_segments = len(seg_starts)
    segment = 0
    found: list[int] = []  # slot starts, epoch microseconds
    for free_start, free_end in zip(free_starts, free_ends, strict=True):
        cursor = free_start
        while True:
            while segment + 1 < n_segments and seg_starts[segment + 1] <= cursor:
                segment += 1
            offset = seg_offsets[segment]
            slot_start = cursor + (-(cursor + offset)) % step
            following = seg_starts[segment + 1] if segment + 1 < n_segments else None
            if following is not None and slot_start >= following:
                cursor = following  # re-align after the offset change
                continue
            if slot_start >= start_before or slot_start + length > free_end:
                break
            if cap is None and advance == step:
                # Every step to the end of the piece, the window or the dates.
                stop = min(start_before, free_end - length + 1)
                if following is not None and following < stop:
                    stop = following
                found.extend(range(slot_start, stop, step))
                if stop != following:
                    break
                cursor = following
                continue
            if (
                cap is not None
                and per_day.get((slot_start + offset) // _DAY_US, 0) >= cap
            ):
                cursor = slot_start + step
                continue
            found.append(slot_start)
            cursor = slot_start + advance
    # The windows, built in C loops (map): this is the hot path of a year's
    # slots. Trusted bounds, so the converters and validators are skipped.
    starts = list(map(add, repeat(_EPOCH), map(mul, repeat(_MICROSECOND), found)))
    slots = list(map(object.__new__, repeat(TimeWindow, len(found))))
    deque(map(_SET_START, slots, starts), maxlen=0)
    deque(map(_SET_END, slots, map(add, starts, repeat(duration))), maxlen=0)
    return tuple(slots)


def slots_in_zone(
    slots: Iterable[TimeWindow], zone: ZoneLike
) -> tuple[tuple[datetime, datetime], ...]:
    """Present slots as ``(start, end)`` aware datetimes in ``zone``.

    The instants do not change, only the clocks they are read on: a teacher in
    Asia/Kolkata and a student in America/Los_Angeles see the same slots.

    Raises:
        UnknownZoneError: ``time.unknown_zone`` for an unknown zone.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> slot = TimeWindow.of(
        ...     datetime(2026, 6, 1, 4, 30, tzinfo=timezone.utc), timedelta(hours=1)
        ... )
        >>> [s.isoformat() for s in slots_in_zone([slot], "Asia/Kolkata")[0]]
        ['2026-06-01T10:00:00+05:30', '2026-06-01T11:00:00+05:30']
        >>> [s.isoformat() for s in slots_in_zone([slot], "America/Los_Angeles")[0]]
        ['2026-05-31T21:30:00-07:00', '2026-05-31T22:30:00-07:00']
    """
    tz = get_zone(zone)
    return tuple((slot.start.astimezone(tz), slot.end.astimezone(tz)) for slot in slots)

"""Half-open time windows ``[start, end)`` and the interval algebra over them.

:class:`TimeWindow` is one window; :class:`IntervalSet` is an immutable, sorted
set of non-overlapping, non-touching windows with union, intersection,
subtraction, overlap queries and gaps. It is the one interval algebra of the
library: availability, free slots and conflict checks are built on it.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> from booking_core.intervals import TimeWindow
    >>> nine = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
    >>> a = TimeWindow(start=nine, end=nine + timedelta(hours=1))
    >>> b = TimeWindow.of(nine + timedelta(hours=1), timedelta(minutes=30))
    >>> a.overlaps(b)  # touching windows do not overlap
    False
    >>> a.duration
    datetime.timedelta(seconds=3600)
    >>> busy = IntervalSet.of([a, b])  # touching windows merge
    >>> busy.windows == (TimeWindow(start=nine, end=nine + timedelta(minutes=90)),)
    True
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from itertools import compress
from operator import itemgetter, lt
from typing import Any, Protocol, TypeVar, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import shifted, utc_instant
from booking_core.errors import InvalidValueError, InvalidWindowError
from booking_core.zones import ZoneLike, get_zone

__all__ = ["IntervalSet", "TimeWindow"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def _start(value: datetime) -> datetime:
    return utc_instant(value, "start")


def _end(value: datetime) -> datetime:
    return utc_instant(value, "end")


@final
@attrs.frozen(kw_only=True, order=True, repr=False)
class TimeWindow:
    """A half-open window ``[start, end)`` between two aware instants.

    Both ends are stored in UTC; windows order by ``(start, end)``.

    Attributes:
        start: The first instant inside the window.
        end: The first instant after it; strictly after ``start``.

    Raises:
        NaiveDatetimeError: ``time.naive_datetime`` when an end is naive.
        InvalidWindowError: ``time.invalid_window`` unless ``start < end``.
    """

    __repr__ = fields_repr

    start: datetime = attrs.field(converter=_start)
    end: datetime = attrs.field(converter=_end)

    @end.validator
    def _check_order(
        self, _attribute: attrs.Attribute[datetime], value: datetime
    ) -> None:
        if not self.start < value:
            raise InvalidWindowError(
                start=self.start.isoformat(), end=value.isoformat()
            )

    @classmethod
    def of(cls, start: datetime, duration: timedelta) -> TimeWindow:
        """Build the window starting at ``start`` and lasting ``duration``.

        Raises:
            DatetimeOutOfRangeError: ``time.out_of_range`` when the window leaves
                the supported span (``docs/limits.md``).
        """
        if not isinstance(duration, timedelta):
            raise InvalidValueError(
                field="duration", reason="must be a timedelta", value=duration
            )
        return cls(
            start=start, end=shifted(utc_instant(start, "start"), duration, "end")
        )

    @property
    def duration(self) -> timedelta:
        """The length of the window."""
        return self.end - self.start

    def overlaps(self, other: TimeWindow) -> bool:
        """True when the windows share an instant (touching ones do not)."""
        return self.start < other.end and other.start < self.end

    def contains(self, instant: datetime) -> bool:
        """True when ``start <= instant < end``.

        Raises:
            NaiveDatetimeError: ``time.naive_datetime`` when ``instant`` is naive.
        """
        return self.start <= utc_instant(instant, "instant") < self.end

    def encloses(self, other: TimeWindow) -> bool:
        """True when ``other`` lies entirely inside this window."""
        return self.start <= other.start and other.end <= self.end

    def intersection(self, other: TimeWindow) -> TimeWindow | None:
        """The shared part of both windows, or ``None`` when they do not overlap."""
        if not self.overlaps(other):
            return None
        return TimeWindow(
            start=max(self.start, other.start), end=min(self.end, other.end)
        )

    def shift(self, delta: timedelta) -> TimeWindow:
        """The same window moved by ``delta`` (an absolute, not a wall-clock, shift)."""
        return TimeWindow(start=self.start + delta, end=self.end + delta)

    def widen(self, before: timedelta, after: timedelta) -> TimeWindow:
        """The window grown by ``before`` at the start and ``after`` at the end."""
        return TimeWindow(start=self.start - before, end=self.end + after)

    def in_zone(self, zone: ZoneLike) -> tuple[datetime, datetime]:
        """The start and end as aware datetimes in ``zone``, for display.

        Raises:
            UnknownZoneError: ``time.unknown_zone`` for an unknown zone.
        """
        tz = get_zone(zone)
        return self.start.astimezone(tz), self.end.astimezone(tz)


# -- integer instants ------------------------------------------------------------
# The algebra works on integer microseconds since the Unix epoch: exact (a
# datetime has microsecond resolution), fast to compare and to sort. Windows are
# only built when a caller asks for them.


def _to_us(instant: datetime) -> int:
    """Microseconds since the epoch of an aware UTC datetime (exact)."""
    return (instant - _EPOCH) // _MICROSECOND


def _from_us(value: int) -> datetime:
    """The aware UTC datetime ``value`` microseconds after the epoch."""
    return _EPOCH + _MICROSECOND * value


def _window_us(start: int, end: int) -> TimeWindow:
    """A :class:`TimeWindow` from trusted integer bounds (``start < end``).

    Skips the converters and validators: the bounds come from windows that
    were validated already, so this is safe and several times faster.
    """
    window = object.__new__(TimeWindow)
    object.__setattr__(window, "start", _from_us(start))
    object.__setattr__(window, "end", _from_us(end))
    return window


def _normalize(pairs: list[tuple[int, int]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Merge ``(start, end)`` pairs (each ``start < end``), overlapping or touching."""
    return _merge(map(itemgetter(0), pairs), map(itemgetter(1), pairs))


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


_Instant = TypeVar("_Instant", bound=_Ordered)


def _merge(
    starts: Iterable[_Instant], ends: Iterable[_Instant]
) -> tuple[tuple[_Instant, ...], tuple[_Instant, ...]]:
    """The merged windows of the windows with these starts and ends, any order.

    Window ``k`` is ``[starts[k], ends[k])`` with ``starts[k] < ends[k]``. Starts
    and ends are sorted apart: the ``i``-th smallest end closes a merged window
    exactly when it comes before the ``i + 1``-th smallest start (up to that
    end, as many windows have ended as begun), so touching windows merge.
    Every pass runs in C (``sorted``, ``map``, ``compress``). Timsort is linear
    on input made of a few sorted runs (such as two concatenated interval
    sets), so unions cost O(n + m) in practice and O((n + m) log(n + m)) at
    worst.
    """
    opens: list[_Instant] = sorted(starts)
    if not opens:
        return (), ()
    closes: list[_Instant] = sorted(ends)
    later: list[_Instant] = opens[1:]
    breaks: tuple[bool, ...] = tuple(map(lt, closes, later))
    merged_starts: tuple[_Instant, ...] = (opens[0], *compress(later, breaks))
    merged_ends: tuple[_Instant, ...] = (*compress(closes, breaks), closes[-1])
    return merged_starts, merged_ends


@final
@attrs.frozen(init=False, repr=False)
class IntervalSet:
    """An immutable set of instants made of sorted, merged half-open windows.

    Windows that overlap or touch are merged, so two sets with the same instants
    are equal and hash alike. Operations return new sets: ``|`` (union), ``&``
    (intersection) and ``-`` (subtraction) walk both sets once, in O(n + m);
    building a set from unsorted windows sorts them, in O(n log n); overlap and
    membership queries bisect, in O(log n).

    Build one with :meth:`of` (or :meth:`empty`).

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> def at(hour):
        ...     return datetime(2026, 6, 1, hour, tzinfo=timezone.utc)
        >>> day = IntervalSet.of([TimeWindow(start=at(9), end=at(17))])
        >>> lunch = IntervalSet.of([TimeWindow(start=at(12), end=at(13))])
        >>> free = day - lunch
        >>> [(w.start.hour, w.end.hour) for w in free]
        [(9, 12), (13, 17)]
        >>> free.total_duration
        datetime.timedelta(seconds=25200)
        >>> [(w.start.hour, w.end.hour) for w in free.gaps()]
        [(12, 13)]
    """

    _starts: tuple[int, ...]
    _ends: tuple[int, ...]

    @classmethod
    def _from_sorted(
        cls, starts: tuple[int, ...], ends: tuple[int, ...]
    ) -> IntervalSet:
        instance = object.__new__(cls)
        object.__setattr__(instance, "_starts", starts)
        object.__setattr__(instance, "_ends", ends)
        return instance

    @classmethod
    def _from_pairs(cls, pairs: Iterable[tuple[int, int]]) -> IntervalSet:
        return cls._from_sorted(*_normalize([p for p in pairs if p[0] < p[1]]))

    @classmethod
    def of(cls, windows: Iterable[TimeWindow]) -> IntervalSet:
        """The set of every instant inside any of ``windows`` (any order).

        Args:
            windows: Time windows; they may overlap, touch or repeat.

        Raises:
            InvalidValueError: ``input.invalid_value`` when an item is no window.
        """
        pairs: list[tuple[int, int]] = []
        for window in windows:
            if not isinstance(window, TimeWindow):
                raise InvalidValueError(
                    field="windows", reason="items must be TimeWindow", value=window
                )
            pairs.append((_to_us(window.start), _to_us(window.end)))
        return cls._from_sorted(*_normalize(pairs))

    @classmethod
    def empty(cls) -> IntervalSet:
        """The set with no instants."""
        return cls._from_sorted((), ())

    @property
    def windows(self) -> tuple[TimeWindow, ...]:
        """The merged windows, sorted by start."""
        return tuple(map(_window_us, self._starts, self._ends))

    def __iter__(self) -> Iterator[TimeWindow]:
        return map(_window_us, self._starts, self._ends)

    def __len__(self) -> int:
        return len(self._starts)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{_from_us(s).isoformat()}/{_from_us(e).isoformat()}"
            for s, e in zip(self._starts, self._ends, strict=True)
        )
        return f"IntervalSet([{inner}])"

    @property
    def total_duration(self) -> timedelta:
        """The summed length of the windows."""
        return timedelta(microseconds=sum(self._ends) - sum(self._starts))

    @property
    def span(self) -> TimeWindow | None:
        """The window from the first start to the last end, ``None`` when empty."""
        if not self._starts:
            return None
        return _window_us(self._starts[0], self._ends[-1])

    def union(self, other: IntervalSet) -> IntervalSet:
        """Every instant in either set (``self | other``)."""
        pairs = list(zip(self._starts, self._ends, strict=True))
        pairs.extend(zip(other._starts, other._ends, strict=True))
        return IntervalSet._from_sorted(*_normalize(pairs))

    def intersection(self, other: IntervalSet) -> IntervalSet:
        """Every instant in both sets (``self & other``), in one linear walk."""
        a_starts, a_ends = self._starts, self._ends
        b_starts, b_ends = other._starts, other._ends
        starts: list[int] = []
        ends: list[int] = []
        i = j = 0
        while i < len(a_starts) and j < len(b_starts):
            start = max(a_starts[i], b_starts[j])
            a_end, b_end = a_ends[i], b_ends[j]
            end = min(a_end, b_end)
            if start < end:
                starts.append(start)
                ends.append(end)
            if a_end < b_end:
                i += 1
            else:
                j += 1
        return IntervalSet._from_sorted(tuple(starts), tuple(ends))

    def difference(self, other: IntervalSet) -> IntervalSet:
        """Every instant in this set and not in ``other`` (``self - other``).

        One linear walk over both sets.
        """
        b_starts, b_ends = other._starts, other._ends
        n = len(b_starts)
        starts: list[int] = []
        ends: list[int] = []
        j = 0
        for start, end in zip(self._starts, self._ends, strict=True):
            cursor = start
            while j < n and b_ends[j] <= cursor:
                j += 1
            k = j
            while k < n and b_starts[k] < end:
                if b_starts[k] > cursor:
                    starts.append(cursor)
                    ends.append(b_starts[k])
                cursor = b_ends[k]  # merged: each end is past the cursor
                if cursor >= end:
                    break
                k += 1
            if cursor < end:
                starts.append(cursor)
                ends.append(end)
        return IntervalSet._from_sorted(tuple(starts), tuple(ends))

    def __or__(self, other: IntervalSet) -> IntervalSet:
        return self.union(other)

    def __and__(self, other: IntervalSet) -> IntervalSet:
        return self.intersection(other)

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        return self.difference(other)

    def clip(self, window: TimeWindow) -> IntervalSet:
        """The part of this set inside ``window``, in O(log n + k)."""
        low, high = _to_us(window.start), _to_us(window.end)
        first = bisect_right(self._ends, low)
        last = bisect_left(self._starts, high)
        starts = list(self._starts[first:last])
        ends = list(self._ends[first:last])
        if starts:
            starts[0] = max(starts[0], low)
            ends[-1] = min(ends[-1], high)
        return IntervalSet._from_sorted(tuple(starts), tuple(ends))

    def overlaps(self, window: TimeWindow) -> bool:
        """True when ``window`` shares an instant with the set, in O(log n)."""
        low, high = _to_us(window.start), _to_us(window.end)
        index = bisect_right(self._ends, low)
        return index < len(self._starts) and self._starts[index] < high

    def overlapping(self, window: TimeWindow) -> tuple[TimeWindow, ...]:
        """The member windows (whole, not clipped) that overlap ``window``."""
        low, high = _to_us(window.start), _to_us(window.end)
        first = bisect_right(self._ends, low)
        last = bisect_left(self._starts, high)
        return tuple(map(_window_us, self._starts[first:last], self._ends[first:last]))

    def encloses(self, window: TimeWindow) -> bool:
        """True when ``window`` lies entirely inside one member window."""
        low, high = _to_us(window.start), _to_us(window.end)
        index = bisect_right(self._starts, low) - 1
        return index >= 0 and high <= self._ends[index]

    def __contains__(self, instant: object) -> bool:
        if not isinstance(instant, datetime):
            return False
        value = _to_us(utc_instant(instant, "instant"))
        index = bisect_right(self._starts, value) - 1
        return index >= 0 and value < self._ends[index]

    def gaps(self, within: TimeWindow | None = None) -> IntervalSet:
        """The instants not in the set, inside ``within``.

        Args:
            within: The window to look in; by default :attr:`span`, so the
                result is the holes between the member windows.

        Example:
            >>> from datetime import datetime, timezone
            >>> def at(hour):
            ...     return datetime(2026, 6, 1, hour, tzinfo=timezone.utc)
            >>> busy = IntervalSet.of([TimeWindow(start=at(10), end=at(11))])
            >>> day = TimeWindow(start=at(9), end=at(17))
            >>> [(w.start.hour, w.end.hour) for w in busy.gaps(day)]
            [(9, 10), (11, 17)]
        """
        bounds = within if within is not None else self.span
        if bounds is None:
            return IntervalSet.empty()
        return IntervalSet.of([bounds]).difference(self)

"""Half-open time windows ``[start, end)`` of aware instants.

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
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import final

import attrs

from booking_core._validation import utc_instant
from booking_core.errors import InvalidWindowError
from booking_core.zones import ZoneLike, get_zone

__all__ = ["TimeWindow"]


def _start(value: datetime) -> datetime:
    return utc_instant(value, "start")


def _end(value: datetime) -> datetime:
    return utc_instant(value, "end")


@final
@attrs.frozen(kw_only=True, order=True)
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
        """Build the window starting at ``start`` and lasting ``duration``."""
        return cls(start=start, end=utc_instant(start, "start") + duration)

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

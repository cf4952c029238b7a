"""Private engine of :mod:`booking_core.recurrence`: calendar periods and DST gaps.

Dates are proleptic Gregorian ordinals (``date.toordinal()``). A rule walks
*periods* (a day, a week from the week start, a month or a year, stepped by the
interval); the dates a period produces depend only on the period's *shape* (for
a month: its number, length and first weekday), so each shape is expanded once
and cached as offsets from the period's first day. Counting the dates before a
far-away period therefore needs no datetimes at all, and for rules whose shape
never changes (daily without filters, weekly without BYMONTH) it is arithmetic.

Wall time -> instant: outside a spring-forward gap ``datetime.combine(day,
time(tzinfo=zone))`` is already right (PEP 495 ``fold=0`` is the earlier reading
in a fold, our policy), so only the days whose wall time falls in a gap need
work. :func:`gap_days` finds them per zone, wall time and year, once.
"""

from __future__ import annotations

import calendar
import functools
import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal, TypeAlias
from zoneinfo import ZoneInfo

from booking_core._validation import SPAN_END

__all__ = ["LAST_ORDINAL", "Expander", "gap_days", "weekday_of"]

Freq: TypeAlias = Literal["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]

_LAST_YEAR = SPAN_END.year - 1
LAST_ORDINAL = date(_LAST_YEAR, 12, 30).toordinal()
"""Expansion stops a day before the supported span ends (``docs/limits.md``)."""

_FIRST_ORDINAL = 3
_DAY = timedelta(days=1)
_UTC = timezone.utc

# Periods per 400-year Gregorian cycle, after which every calendar repeats.
_CYCLE_UNITS: dict[str, int] = {
    "DAILY": 146097,
    "WEEKLY": 20871,
    "MONTHLY": 4800,
    "YEARLY": 400,
}


def weekday_of(ordinal: int) -> int:
    """Monday 0 ... Sunday 6 of a date ordinal (0001-01-01 was a Monday)."""
    return (ordinal - 1) % 7


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


class Expander:
    """The dates a rule produces, period by period, for one anchor date.

    ``anchor`` is the start's local date; period 0 is the one containing it.
    Filters are the rule's BY parts with the RFC 5545 defaults already applied.
    """

    def __init__(
        self,
        *,
        freq: Freq,
        interval: int,
        anchor: int,
        months: frozenset[int],
        month_days: frozenset[int],
        weekdays: frozenset[int],
        nth_weekdays: frozenset[tuple[int, int]],
        set_pos: tuple[int, ...],
        week_start: int,
    ) -> None:
        self.freq = freq
        self.interval = interval
        self.anchor = anchor
        self._months = months
        self._month_days = month_days
        self._weekdays = weekdays
        self._nth = nth_weekdays
        self._set_pos = set_pos
        self._year_frame = freq == "YEARLY" and not months
        self._cache: dict[object, tuple[int, ...]] = {}
        units = _CYCLE_UNITS[freq]
        self.cycle = units // math.gcd(units, interval)
        """Periods after which the pattern repeats: a rule idle that long is empty."""
        day = date.fromordinal(anchor)
        self._week0 = anchor - (weekday_of(anchor) - week_start) % 7
        self._month0 = day.year * 12 + day.month - 1
        self._year0 = day.year
        self.constant = (
            freq in {"DAILY", "WEEKLY"}
            and not months
            and (freq == "WEEKLY" or not (month_days or weekdays or nth_weekdays))
        )
        """True when every period has the same shape (counting is arithmetic)."""
        self._weekday_only = freq == "DAILY" and not (months or month_days) and weekdays
        # A daily rule filtered by weekday alone repeats every 7 periods.
        self._period = {
            "DAILY": self._daily,
            "WEEKLY": self._weekly,
            "MONTHLY": self._monthly,
            "YEARLY": self._yearly,
        }[freq]

    # -- periods -------------------------------------------------------------

    def period(self, k: int) -> tuple[int, tuple[int, ...]] | None:
        """``(first ordinal, offsets of the dates)`` of period ``k``, or ``None``.

        ``None`` once the period would reach past :data:`LAST_ORDINAL`.
        """
        return self._period(k)

    def _daily(self, k: int) -> tuple[int, tuple[int, ...]] | None:
        first = self.anchor + k * self.interval
        if first > LAST_ORDINAL:
            return None
        key: object = None
        if not self.constant:
            day = date.fromordinal(first)
            size = _days_in_month(day.year, day.month)
            key = (day.month, day.day, size, weekday_of(first))
        return first, self._offsets(key, first, 1)

    def _weekly(self, k: int) -> tuple[int, tuple[int, ...]] | None:
        first = self._week0 + 7 * k * self.interval
        if first + 6 > LAST_ORDINAL:
            return None
        key: object = None
        if not self.constant:
            day = date.fromordinal(first)
            key = (day.month, day.day, _days_in_month(day.year, day.month))
        return first, self._offsets(key, first, 7)

    def _monthly(self, k: int) -> tuple[int, tuple[int, ...]] | None:
        year, month0 = divmod(self._month0 + k * self.interval, 12)
        if year >= _LAST_YEAR:
            return None
        first = date(year, month0 + 1, 1).toordinal()
        length = _days_in_month(year, month0 + 1)
        key = (month0 + 1, length, weekday_of(first))
        return first, self._offsets(key, first, length)

    def _yearly(self, k: int) -> tuple[int, tuple[int, ...]] | None:
        year = self._year0 + k * self.interval
        if year >= _LAST_YEAR:
            return None
        first = date(year, 1, 1).toordinal()
        length = 366 if calendar.isleap(year) else 365
        return first, self._offsets((length, weekday_of(first)), first, length)

    def period_of(self, ordinal: int) -> int:
        """Index of the last period starting on or before ``ordinal`` (may be < 0)."""
        freq = self.freq
        if freq == "DAILY":
            return (ordinal - self.anchor) // self.interval
        if freq == "WEEKLY":
            return (ordinal - self._week0) // (7 * self.interval)
        day = date.fromordinal(ordinal)
        if freq == "MONTHLY":
            return (day.year * 12 + day.month - 1 - self._month0) // self.interval
        return (day.year - self._year0) // self.interval

    def is_date(self, ordinal: int) -> bool:
        """True when the rule's calendar produces ``ordinal`` (after the anchor)."""
        found = self.period(self.period_of(ordinal))
        return found is not None and (ordinal - found[0]) in found[1]

    def count_dates(self, end: int) -> int:
        """How many dates after the anchor periods ``[0, end)`` produce; ``end > 0``."""
        found = self.period(0)
        assert found is not None  # noqa: S101 -- the anchor is a valid date
        first, offsets = found
        total = sum(1 for offset in offsets if first + offset > self.anchor)
        if self.constant:
            return total + (end - 1) * len(offsets)
        if self._weekday_only and end > 8:
            week = [self.period(k) for k in range(1, 8)]
            sizes = [len(found[1]) for found in week if found is not None]
            full, part = divmod(end - 1, 7)
            return total + full * sum(sizes) + sum(sizes[:part])
        for k in range(1, end):
            later = self.period(k)
            if later is None:
                break
            total += len(later[1])
        return total

    # -- shapes --------------------------------------------------------------

    def _offsets(self, key: object, first: int, length: int) -> tuple[int, ...]:
        cached = self._cache.get(key)
        if cached is None:
            cached = self._expand(first, length)
            self._cache[key] = cached
        return cached

    def _matches_weekday(self, day: date, ordinal: int) -> bool:
        weekday = weekday_of(ordinal)
        if weekday in self._weekdays:
            return True
        if self.freq not in {"MONTHLY", "YEARLY"}:
            return False
        if self._year_frame:
            position = day.timetuple().tm_yday
            size = 366 if calendar.isleap(day.year) else 365
        else:
            position, size = day.day, _days_in_month(day.year, day.month)
        forward = (position - 1) // 7 + 1
        backward = -((size - position) // 7 + 1)
        return (forward, weekday) in self._nth or (backward, weekday) in self._nth

    def _expand(self, first: int, length: int) -> tuple[int, ...]:
        chosen: list[int] = []
        has_weekday_filter = bool(self._weekdays or self._nth)
        for offset in range(length):
            ordinal = first + offset
            day = date.fromordinal(ordinal)
            if self._months and day.month not in self._months:
                continue
            if self._month_days:
                size = _days_in_month(day.year, day.month)
                if (
                    day.day not in self._month_days
                    and day.day - size - 1 not in self._month_days
                ):
                    continue
            if has_weekday_filter and not self._matches_weekday(day, ordinal):
                continue
            chosen.append(offset)
        if self._set_pos:
            size = len(chosen)
            picked = {
                chosen[pos - 1 if pos > 0 else size + pos]
                for pos in self._set_pos
                if -size <= pos <= size
            }
            chosen = sorted(picked)
        return tuple(chosen)


# -- DST gaps -------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _offset_changes(zone: ZoneInfo, year: int) -> tuple[int, ...]:
    """Ordinals in and around ``year`` whose noon offset differs from the day before."""
    first = max(date(year, 1, 1).toordinal() - 1, _FIRST_ORDINAL)
    last = min(date(year, 12, 31).toordinal() + 2, LAST_ORDINAL)
    day = date.fromordinal(first)
    cursor = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
    previous = cursor.utcoffset()
    changes: list[int] = []
    for ordinal in range(first + 1, last + 1):
        cursor += _DAY
        offset = cursor.utcoffset()
        if offset != previous:
            changes.append(ordinal)
            previous = offset
    return tuple(changes)


@functools.lru_cache(maxsize=8192)
def gap_days(zone: ZoneInfo, wall: time, year: int) -> Mapping[int, datetime | None]:
    """The days of ``year`` on which the wall time ``wall`` falls in a DST gap.

    Maps each such date ordinal to the occurrence shifted forward by the gap
    (RFC 5545: 02:30 New York on spring-forward day is 03:30 EDT), or to
    ``None`` when the shift leaves the date: the zone skipped the rest of that
    day (Pacific/Apia skipped 2011-12-30), so there is no occurrence.
    """
    found: dict[int, datetime | None] = {}
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    for change in _offset_changes(zone, year):
        for ordinal in range(change - 2, change + 2):
            if not first <= ordinal <= last or ordinal in found:
                continue
            local = datetime.combine(date.fromordinal(ordinal), wall, tzinfo=zone)
            earlier, later = local.utcoffset(), local.replace(fold=1).utcoffset()
            assert earlier is not None  # noqa: S101 -- ZoneInfo always answers
            assert later is not None  # noqa: S101
            if earlier >= later:
                continue
            shifted = local.astimezone(_UTC).astimezone(zone)
            found[ordinal] = shifted if shifted.toordinal() == ordinal else None
    return found

"""Hypothesis strategies for ``booking_core``'s types, and DST-transition helpers.

The DST helpers find a zone's offset transitions by scanning the zone database
itself, so tests can aim at gaps and folds instead of hoping to hit them.

Example:
    >>> from booking_core.testing.strategies import transitions
    >>> [str(t) for t in transitions("Europe/London", 2026)]
    ['2026-03-29T01:00:00+00:00 +0:00:00 -> +1:00:00 (gap)', \
'2026-10-25T01:00:00+00:00 +1:00:00 -> +0:00:00 (fold)']
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Literal, final

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from booking_core.zones import get_zone

__all__ = [
    "DST_ZONES",
    "ZONE_NAMES",
    "Transition",
    "aware_datetimes",
    "fold_wall_times",
    "gap_wall_times",
    "transitions",
    "wall_times",
    "zone_names",
]

ZONE_NAMES: tuple[str, ...] = tuple(sorted(zoneinfo.available_timezones()))
"""Every IANA zone name the zone database knows."""

_HOUR = timedelta(hours=1)
_SECOND = timedelta(seconds=1)


@final
@attrs.frozen(kw_only=True)
class Transition:
    """A change of a zone's UTC offset.

    Attributes:
        at: The instant (UTC) from which ``after`` applies.
        before: The offset in force just before ``at``.
        after: The offset from ``at`` on.
    """

    at: datetime
    before: timedelta
    after: timedelta

    @property
    def kind(self) -> Literal["gap", "fold"]:
        """``"gap"`` when clocks jump forward (skipping wall times), else ``"fold"``."""
        return "gap" if self.after > self.before else "fold"

    @property
    def size(self) -> timedelta:
        """How long the gap or fold is."""
        return abs(self.after - self.before)

    @property
    def first_wall(self) -> datetime:
        """The first naive wall time inside the gap or fold."""
        return (self.at + min(self.before, self.after)).replace(tzinfo=None)

    def __str__(self) -> str:
        def fmt(offset: timedelta) -> str:
            sign = "-" if offset < timedelta(0) else "+"
            return f"{sign}{abs(offset)}"

        shift = f"{fmt(self.before)} -> {fmt(self.after)}"
        return f"{self.at.isoformat()} {shift} ({self.kind})"


def _offset(tz: zoneinfo.ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


@functools.lru_cache(maxsize=4096)
def transitions(zone: str, year: int) -> tuple[Transition, ...]:
    """Every offset transition of ``zone`` whose wall times touch ``year``.

    Scans hour by hour from the last day of the previous year to the first day of
    the next and bisects each change to the second.
    """
    tz = get_zone(zone)
    start = datetime(year - 1, 12, 30, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 3, tzinfo=timezone.utc)
    found: list[Transition] = []
    previous, previous_offset = start, _offset(tz, start)
    cursor = start + _HOUR
    while cursor <= end:
        offset = _offset(tz, cursor)
        if offset != previous_offset:
            low, high = previous, cursor
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _offset(tz, middle) == previous_offset:
                    low = middle
                else:
                    high = middle
            found.append(Transition(at=high, before=previous_offset, after=offset))
        previous, previous_offset = cursor, offset
        cursor += _HOUR
    return tuple(found)


def _has_dst(name: str) -> bool:
    tz = zoneinfo.ZoneInfo(name)
    january = datetime(2025, 1, 15, tzinfo=timezone.utc)
    july = datetime(2025, 7, 15, tzinfo=timezone.utc)
    return _offset(tz, january) != _offset(tz, july)


DST_ZONES: tuple[str, ...] = tuple(name for name in ZONE_NAMES if _has_dst(name))
"""The zones that observed daylight saving time in 2025."""


def zone_names(*, dst_only: bool = False) -> st.SearchStrategy[str]:
    """IANA zone names; with ``dst_only`` only those observing DST nowadays."""
    return st.sampled_from(DST_ZONES if dst_only else ZONE_NAMES)


def wall_times(
    min_year: int = 1900, max_year: int = 2100
) -> st.SearchStrategy[datetime]:
    """Naive wall times, to the minute, between two years."""
    return st.datetimes(
        min_value=datetime(min_year, 1, 1),  # noqa: DTZ001 -- wall times are naive
        max_value=datetime(max_year, 12, 31, 23, 59),  # noqa: DTZ001
    ).map(lambda value: value.replace(second=0, microsecond=0))


def aware_datetimes(
    min_year: int = 1970, max_year: int = 2100
) -> st.SearchStrategy[datetime]:
    """Aware datetimes in real zones (including DST edges), to the second."""
    return st.builds(
        lambda wall, zone: wall.replace(tzinfo=get_zone(zone)),
        wall_times(min_year, max_year),
        zone_names(),
    )


def _inside(
    kind: Literal["gap", "fold"],
) -> Callable[[st.DrawFn], tuple[datetime, str, Transition]]:
    def draw_one(draw: st.DrawFn) -> tuple[datetime, str, Transition]:
        zone = draw(zone_names(dst_only=True))
        year = draw(st.integers(2000, 2037))
        candidates = [t for t in transitions(zone, year) if t.kind == kind]
        if not candidates:  # pragma: no cover -- a zone that changed its rules
            reject()
        transition = draw(st.sampled_from(candidates))
        minutes = int(transition.size / timedelta(minutes=1))
        offset = draw(st.integers(0, minutes - 1))
        return transition.first_wall + timedelta(minutes=offset), zone, transition

    return draw_one


@st.composite
def gap_wall_times(draw: st.DrawFn) -> tuple[datetime, str, Transition]:
    """``(wall, zone, transition)`` with ``wall`` skipped by a spring-forward gap."""
    return _inside("gap")(draw)


@st.composite
def fold_wall_times(draw: st.DrawFn) -> tuple[datetime, str, Transition]:
    """``(wall, zone, transition)`` with ``wall`` repeated by a fall-back fold."""
    return _inside("fold")(draw)

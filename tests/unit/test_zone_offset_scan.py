"""The offset scans sample a zone weekly and bisect; a day-by-day scan agrees."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta, timezone

import pytest

from booking_core import _recurrence_engine as engine
from booking_core.availability import windows

# Years with the shortest change-and-change-back pairs of tzdata (two weeks:
# parts of Brazil in October 2000; Cairo's Ramadan suspension in 2010) and today.
YEARS = (1939, 2000, 2010, 2026)


def _daily_changes(zone: zoneinfo.ZoneInfo, year: int) -> tuple[int, ...]:
    first = date(year, 1, 1).toordinal() - 1
    last = date(year, 12, 31).toordinal() + 2
    changes = []
    previous = zone.utcoffset(datetime.fromordinal(first) + timedelta(hours=12))
    for ordinal in range(first + 1, last + 1):
        offset = zone.utcoffset(datetime.fromordinal(ordinal) + timedelta(hours=12))
        if offset != previous:
            changes.append(ordinal)
            previous = offset
    return tuple(changes)


@pytest.mark.parametrize("year", YEARS)
def test_weekly_samples_find_every_change_a_daily_scan_finds(year: int) -> None:
    for name in sorted(zoneinfo.available_timezones()):
        zone = zoneinfo.ZoneInfo(name)
        assert engine._offset_changes(zone, year) == _daily_changes(zone, year), name


@pytest.mark.parametrize(
    ("name", "year"),
    [("America/Noronha", 2000), ("Africa/Cairo", 2010), ("Europe/London", 2026)],
)
def test_year_offsets_find_the_two_week_pairs(name: str, year: int) -> None:
    zone = zoneinfo.ZoneInfo(name)
    starts, offsets = windows._year_offsets(zone, year)
    hour = timedelta(hours=1)
    instant = datetime(year, 1, 1, tzinfo=timezone.utc)
    expected = [instant.astimezone(zone).utcoffset()]
    while instant < datetime(year + 1, 1, 1, tzinfo=timezone.utc):
        offset = instant.astimezone(zone).utcoffset()
        if offset != expected[-1]:
            expected.append(offset)
        instant += hour
    assert [timedelta(microseconds=o) for o in offsets] == expected
    assert len(starts) == len(offsets)

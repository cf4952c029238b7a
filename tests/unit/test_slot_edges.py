"""Edges of free_slots: the horizon, buffers reaching across the query's ends,
alignment on a step the zone's offset is not a multiple of, and the fast path
that reads a wall time without datetime arithmetic.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core import (
    Commitment,
    OneTimeAvailability,
    SlotRequest,
    TimeWindow,
    WeeklyAvailability,
    free_slots,
)
from booking_core.availability import slots_in_zone
from booking_core.availability import windows as windows_module
from booking_core.intervals import _to_us
from booking_core.zones import to_instant

UTC = timezone.utc
NOW = datetime(2026, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
LONDON = "Europe/London"
MONDAY = date(2026, 6, 1)


def _local(slots: tuple[TimeWindow, ...], zone: str = LONDON) -> list[str]:
    return [s.strftime("%d %H:%M") for s, _ in slots_in_zone(slots, ZoneInfo(zone))]


def _all_day(zone: str = LONDON) -> list[OneTimeAvailability]:
    start = to_instant(datetime(2026, 5, 31, 0, 0), zone)
    return [OneTimeAvailability(window=TimeWindow.of(start, timedelta(days=3)))]


def _busy(start: datetime, length: timedelta = HOUR) -> Commitment:
    return Commitment(
        window=TimeWindow.of(start, length),
        teacher_id="t-1",
        student_id="s-1",
        kind="one_on_one",
        ref_id=f"b-{start:%d%H%M}",
    )


def test_the_horizon_cuts_the_range() -> None:
    request = SlotRequest(
        first_date=MONDAY,
        last_date=MONDAY,
        zone=LONDON,
        duration=HOUR,
        step=HOUR,
        horizon=timedelta(days=31, hours=2),  # NOW + horizon = Monday 03:00 BST
    )
    assert _local(free_slots(_all_day(), [], request, now=NOW)) == [
        "01 00:00",
        "01 01:00",
        "01 02:00",
    ]


def test_a_buffer_after_a_commitment_before_the_range_blocks_its_start() -> None:
    # Sunday 23:00-23:30 BST with 45 minutes after it: free again at 00:15, so
    # Monday's first hourly slot is 01:00, not 00:00.
    busy = _busy(
        to_instant(datetime(2026, 5, 31, 23, 0), LONDON), timedelta(minutes=30)
    )
    request = SlotRequest(
        first_date=MONDAY,
        last_date=MONDAY,
        zone=LONDON,
        duration=HOUR,
        step=HOUR,
        buffer_after=timedelta(minutes=45),
    )
    first = _local(free_slots(_all_day(), [busy], request, now=NOW))[0]
    assert first == "01 01:00"


def test_a_buffer_before_a_commitment_after_the_range_blocks_its_end() -> None:
    # Tuesday 00:30 BST with 45 minutes before it: busy from Monday 23:45, so the
    # 23:00 slot (ending at midnight, inside the range) is gone.
    busy = _busy(to_instant(datetime(2026, 6, 2, 0, 30), LONDON))
    request = SlotRequest(
        first_date=MONDAY,
        last_date=MONDAY,
        zone=LONDON,
        duration=HOUR,
        step=HOUR,
        buffer_before=timedelta(minutes=45),
    )
    last = _local(free_slots(_all_day(), [busy], request, now=NOW))[-1]
    assert last == "01 22:00"


def test_slots_align_to_local_midnight_when_the_offset_is_not_a_multiple_of_step() -> (
    None
):
    # London is UTC+1 in June; 90-minute steps start at 00:00, 01:30, 03:00 ...
    # local, which are 23:00, 00:30, 02:00 ... UTC.
    request = SlotRequest(
        first_date=MONDAY,
        last_date=MONDAY,
        zone=LONDON,
        duration=HOUR,
        step=timedelta(minutes=90),
    )
    assert _local(free_slots(_all_day(), [], request, now=NOW))[:4] == [
        "01 00:00",
        "01 01:30",
        "01 03:00",
        "01 04:30",
    ]


@pytest.mark.parametrize(
    "wall",
    [
        datetime(2026, 6, 1, 9, 30),
        datetime(2026, 3, 29, 3, 0),  # first wall time after the spring gap
        datetime(2026, 10, 25, 2, 0),  # first wall time after the autumn fold
        datetime(2026, 10, 24, 23, 59),
    ],
)
def test_a_wall_time_that_exists_once_is_read_on_the_fast_path(
    wall: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = ZoneInfo(LONDON)
    expected = _to_us(to_instant(wall, zone))

    def refuse(*_args: object, **_kwargs: object) -> datetime:
        raise AssertionError("the fast path fell back to to_instant")

    monkeypatch.setattr(windows_module, "to_instant", refuse)
    assert windows_module._wall_us(wall, zone, "compatible") == expected


@pytest.mark.parametrize(
    "wall",
    [
        datetime(2026, 3, 29, 1, 30),  # in the gap
        datetime(2026, 10, 25, 1, 30),  # in the fold
        datetime(2026, 12, 31, 23, 0),  # next to New Year
    ],
)
def test_gaps_folds_and_year_edges_are_read_exactly(wall: datetime) -> None:
    zone = ZoneInfo(LONDON)
    for mode in ("compatible", "later"):
        expected = _to_us(to_instant(wall, zone, disambiguate=mode))
        assert windows_module._wall_us(wall, zone, mode) == expected


def test_weekly_windows_on_a_zone_without_changes_read_every_day() -> None:
    kolkata = "Asia/Kolkata"
    window = WeeklyAvailability(weekday=0, start=time(9), end=time(10), zone=kolkata)
    request = SlotRequest(
        first_date=MONDAY, last_date=MONDAY, zone=kolkata, duration=HOUR, step=HOUR
    )
    assert _local(free_slots([window], [], request, now=NOW), kolkata) == ["01 09:00"]

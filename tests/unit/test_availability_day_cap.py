"""The per-day cap of free_slots counts local days, split exactly at local midnight.

Asia/Kolkata (UTC+05:30, no DST) puts local midnight at 18:30 UTC, so a UTC
day boundary would count the commitments on the wrong day; Europe/London in
June (UTC+01:00) checks the same with a DST offset.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core import (
    Commitment,
    SlotRequest,
    TimeWindow,
    WeeklyAvailability,
    free_slots,
)
from booking_core.availability import slots_in_zone

UTC = timezone.utc
NOW = datetime(2026, 5, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
# 2026-06-01 is a Monday


def _windows(zone: str) -> list[WeeklyAvailability]:
    # Monday and Tuesday 09:00-11:00, and Monday 22:00 to Tuesday 02:00
    return [
        WeeklyAvailability(weekday=0, start=time(9), end=time(11), zone=zone),
        WeeklyAvailability(weekday=1, start=time(9), end=time(11), zone=zone),
        WeeklyAvailability(weekday=0, start=time(22), end=time(2), zone=zone),
    ]


def _commitment(start: datetime, length: timedelta = HOUR) -> Commitment:
    return Commitment(
        window=TimeWindow.of(start, length),
        teacher_id="t-1",
        student_id="s-1",
        kind="one_on_one",
        ref_id=f"b-{start.isoformat()}",
    )


def _slots(zone: str, busy: list[Commitment], cap: int | None) -> list[str]:
    request = SlotRequest(
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 2),
        zone=zone,
        duration=HOUR,
        step=HOUR,
        max_per_day=cap,
    )
    slots = free_slots(_windows(zone), busy, request, now=NOW)
    return [s.strftime("%d %H:%M") for s, _ in slots_in_zone(slots, ZoneInfo(zone))]


ALL = ["01 09:00", "01 10:00", "01 22:00", "01 23:00", "02 00:00", "02 01:00"]
TUESDAY_MORNING = ["02 09:00", "02 10:00"]
MONDAY = ["01 09:00", "01 10:00", "01 22:00", "01 23:00"]
TUESDAY = ["02 00:00", "02 01:00", "02 09:00", "02 10:00"]


@pytest.mark.parametrize(
    ("zone", "midnight"),
    [
        ("Asia/Kolkata", datetime(2026, 6, 1, 18, 30, tzinfo=UTC)),
        ("Europe/London", datetime(2026, 6, 1, 23, 0, tzinfo=UTC)),
    ],
)
class TestLocalMidnight:
    def test_without_a_cap_every_slot_is_offered(
        self, zone: str, midnight: datetime
    ) -> None:
        assert _slots(zone, [], None) == ALL + TUESDAY_MORNING

    def test_a_commitment_after_local_midnight_counts_for_the_new_day(
        self, zone: str, midnight: datetime
    ) -> None:
        busy = [_commitment(midnight + 3 * HOUR)]  # 03:00 Tuesday, outside windows
        assert _slots(zone, busy, 1) == MONDAY
        assert _slots(zone, busy, 2) == ALL + TUESDAY_MORNING

    def test_a_commitment_ending_at_local_midnight_counts_for_the_old_day(
        self, zone: str, midnight: datetime
    ) -> None:
        busy = [_commitment(midnight - 2 * HOUR, timedelta(minutes=30))]  # 22:00 Mon
        # Monday is full: only Tuesday from local midnight on
        assert _slots(zone, busy, 1) == TUESDAY

    def test_one_microsecond_before_midnight_is_still_the_old_day(
        self, zone: str, midnight: datetime
    ) -> None:
        tick = timedelta(microseconds=1)
        busy = [_commitment(midnight - tick, tick)]
        assert _slots(zone, busy, 1) == TUESDAY

    def test_exactly_at_midnight_is_the_new_day(
        self, zone: str, midnight: datetime
    ) -> None:
        tick = timedelta(microseconds=1)
        busy = [_commitment(midnight, tick)]
        # the commitment itself blocks the 00:00 slot; Tuesday is full anyway
        assert _slots(zone, busy, 1) == MONDAY


def test_commitments_on_days_around_the_request_do_not_count() -> None:
    monday_night = datetime(2026, 5, 31, 18, 29, tzinfo=UTC)  # Sun 23:59 Kolkata
    wednesday = datetime(2026, 6, 2, 18, 30, tzinfo=UTC)  # Wed 00:00 Kolkata
    busy = [_commitment(monday_night, timedelta(minutes=1)), _commitment(wednesday)]
    assert _slots("Asia/Kolkata", busy, 1) == ALL + TUESDAY_MORNING


def test_the_cap_counts_the_whole_25_hour_day() -> None:
    # Europe/London falls back on Sunday 2026-10-25: the day lasts 25 hours. A
    # commitment at 00:00 local (23:00 UTC the day before) is 24.5 hours before
    # the first slot the notice allows, and still on the same local day.
    window = WeeklyAvailability(
        weekday=6, start=time(23), end=time(0), zone="Europe/London"
    )
    request = SlotRequest(
        first_date=date(2026, 10, 25),
        last_date=date(2026, 10, 25),
        zone="Europe/London",
        duration=timedelta(minutes=15),
        step=timedelta(minutes=15),
        max_per_day=1,
    )
    early = _commitment(datetime(2026, 10, 24, 23, tzinfo=UTC), timedelta(minutes=30))
    now = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)
    assert free_slots([window], [early], request, now=now) == ()
    free = free_slots([window], [], request, now=now)
    assert [s.start for s in free] == [now, now + timedelta(minutes=15)]


def test_slots_of_the_last_day_may_end_after_its_midnight() -> None:
    request = SlotRequest(
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 1),
        zone="Asia/Kolkata",
        duration=HOUR,
        step=HOUR,
    )
    slots = free_slots(_windows("Asia/Kolkata"), [], request, now=NOW)
    local = [s.strftime("%d %H:%M") for s, _ in slots_in_zone(slots, "Asia/Kolkata")]
    assert local == ["01 09:00", "01 10:00", "01 22:00", "01 23:00"]

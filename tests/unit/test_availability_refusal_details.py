"""Availability values refuse bad fields with the details a form would show."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from booking_core.availability.slots import SlotRequest, free_slots
from booking_core.availability.windows import (
    Blackout,
    WeeklyAvailability,
    available_windows,
)
from booking_core.errors import InvalidValueError
from booking_core.intervals import TimeWindow

MONDAY = date(2026, 6, 1)


def _weekly(**changes: Any) -> WeeklyAvailability:
    fields: dict[str, Any] = {
        "weekday": 0,
        "start": time(9),
        "end": time(12),
        "zone": "Asia/Kolkata",
    }
    fields.update(changes)
    return WeeklyAvailability(**fields)


def _request(**changes: Any) -> SlotRequest:
    fields: dict[str, Any] = {
        "first_date": MONDAY,
        "last_date": MONDAY,
        "zone": "Asia/Kolkata",
        "duration": timedelta(hours=1),
    }
    fields.update(changes)
    return SlotRequest(**fields)


def _details(call: Any, **changes: Any) -> dict[str, Any]:
    with pytest.raises(InvalidValueError) as caught:
        call(**changes)
    return caught.value.details


@pytest.mark.parametrize("weekday", [-1, 7, True, "0"])
def test_weekday(weekday: object) -> None:
    assert _details(_weekly, weekday=weekday) == {
        "field": "weekday",
        "reason": "must be 0 (Monday) to 6 (Sunday), as date.weekday()",
        "value": weekday,
    }


def test_weekday_bounds_are_accepted() -> None:
    assert _weekly(weekday=0).weekday == 0
    assert _weekly(weekday=6).weekday == 6


@pytest.mark.parametrize("value", ["09:00", time(9, tzinfo=timezone.utc)])
def test_wall_times(value: object) -> None:
    assert _details(_weekly, start=value) == {
        "field": "start",
        "reason": "must be a naive datetime.time (a wall time; the zone is separate)",
        "value": value,
    }


def test_equal_ends_and_validity_order() -> None:
    assert _details(_weekly, end=time(9)) == {
        "field": "end",
        "reason": "must differ from start (an end before the start crosses "
        "midnight; use a OneTimeAvailability for a whole day)",
        "value": time(9),
    }
    assert _details(
        _weekly, valid_from=date(2026, 6, 2), valid_until=date(2026, 6, 1)
    ) == {
        "field": "valid_until",
        "reason": "must be on or after valid_from 2026-06-02",
        "value": date(2026, 6, 1),
    }
    same_day = _weekly(valid_from=MONDAY, valid_until=MONDAY)
    assert same_day.valid_until == MONDAY
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    assert _details(_weekly, valid_from=now) == {
        "field": "valid_from",
        "reason": "must be a datetime.date or None",
        "value": now,
    }


def test_request_dates() -> None:
    assert _details(_request, first_date="2026-06-01") == {
        "field": "first_date",
        "reason": "must be a datetime.date",
        "value": "2026-06-01",
    }
    assert _details(_request, last_date=date(9998, 1, 1)) == {
        "field": "last_date",
        "reason": "must be in the years 2 to 9997 (the days around it must exist)",
        "value": date(9998, 1, 1),
    }
    early = _request(first_date=date(2, 1, 1), last_date=date(2, 1, 2))
    assert early.first_date == date(2, 1, 1)
    late = _request(first_date=date(9997, 12, 30), last_date=date(9997, 12, 31))
    assert late.last_date == date(9997, 12, 31)
    assert _request(last_date=date(2027, 6, 1)).last_date == date(2027, 6, 1)
    assert _details(_request, last_date=date(2027, 6, 2)) == {
        "field": "last_date",
        "reason": "one query covers at most 366 days; "
        "ask for longer ranges in several calls",
        "value": date(2027, 6, 2),
    }
    assert _details(_request, last_date=date(2026, 5, 31)) == {
        "field": "last_date",
        "reason": "must be on or after first_date 2026-06-01",
        "value": date(2026, 5, 31),
    }


def test_request_durations() -> None:
    assert _details(_request, duration=timedelta(0)) == {
        "field": "duration",
        "reason": "must be a timedelta above zero",
        "value": timedelta(0),
    }
    assert _details(_request, buffer_before=timedelta(seconds=-1)) == {
        "field": "buffer_before",
        "reason": "must be a timedelta zero or more",
        "value": timedelta(seconds=-1),
    }
    assert _request(buffer_after=timedelta(0)).buffer_after == timedelta(0)
    assert _details(_request, step=timedelta(minutes=7)) == {
        "field": "step",
        "reason": "must divide one day evenly (5, 10, 15, 20, 30, 60 minutes ...), "
        "so slots start at the same wall-clock times every day",
        "value": timedelta(minutes=7),
    }


def test_blackout_days_and_items() -> None:
    assert _details(
        Blackout.whole_days, first=MONDAY, last=date(2026, 5, 31), zone="Asia/Kolkata"
    ) == {
        "field": "last",
        "reason": "must be on or after first 2026-06-01",
        "value": date(2026, 5, 31),
    }
    assert _details(
        available_windows,
        availability=["9-12"],
        first_date=MONDAY,
        last_date=MONDAY,
        zone="Asia/Kolkata",
    ) == {
        "field": "availability",
        "reason": "items must be WeeklyAvailability, OneTimeAvailability or Blackout",
        "value": "9-12",
    }
    assert _details(
        available_windows,
        availability=[],
        first_date=MONDAY,
        last_date=date(2026, 5, 31),
        zone="Asia/Kolkata",
    ) == {
        "field": "last_date",
        "reason": "must be on or after 2026-06-01",
        "value": date(2026, 5, 31),
    }


def test_free_slots_refuses_foreign_commitments() -> None:
    now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    assert _details(
        free_slots,
        availability=[_weekly()],
        commitments=["busy"],
        request=_request(),
        now=now,
    ) == {"field": "commitments", "reason": "items must be Commitment", "value": "busy"}


def test_weekly_windows_on_dst_days() -> None:
    london = "Europe/London"
    # fall back: a start in the fold is the earlier reading, an end the later
    ending = WeeklyAvailability(weekday=6, start=time(0), end=time(1, 30), zone=london)
    starting = WeeklyAvailability(
        weekday=6, start=time(1, 30), end=time(3), zone=london
    )
    fold_day = date(2026, 10, 25)
    (first,) = ending.windows(fold_day, fold_day)
    (second,) = starting.windows(fold_day, fold_day)
    utc = timezone.utc
    assert (first.start, first.end) == (
        datetime(2026, 10, 24, 23, tzinfo=utc),
        datetime(2026, 10, 25, 1, 30, tzinfo=utc),
    )
    assert (second.start, second.end) == (
        datetime(2026, 10, 25, 0, 30, tzinfo=utc),
        datetime(2026, 10, 25, 3, tzinfo=utc),
    )
    # an end exactly where the fold starts is its later reading, 01:00 GMT
    (at_fold,) = WeeklyAvailability(
        weekday=6, start=time(0), end=time(1), zone=london
    ).windows(fold_day, fold_day)
    assert at_fold.end == datetime(2026, 10, 25, 1, tzinfo=utc)
    # spring forward: 01:00-02:00 never happens on 2026-03-29, so no window
    swallowed = WeeklyAvailability(weekday=6, start=time(1), end=time(2), zone=london)
    assert swallowed.windows(date(2026, 3, 29), date(2026, 3, 29)) == ()


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "expected"),
    [
        # east of UTC, fold in April: a start at 02:30 is the earlier (+11) reading
        (
            "Australia/Sydney",
            date(2026, 4, 5),
            time(2, 30),
            time(4),
            ((2026, 4, 4, 15, 30), (2026, 4, 4, 18, 0)),
        ),
        # west of UTC, fold in November: an end at 01:30 is the later (-05) reading
        (
            "America/New_York",
            date(2026, 11, 1),
            time(0),
            time(1, 30),
            ((2026, 11, 1, 4, 0), (2026, 11, 1, 6, 30)),
        ),
    ],
)
def test_fold_readings_east_and_west_of_utc(
    zone: str,
    day: date,
    start: time,
    end: time,
    expected: tuple[tuple[int, int, int, int, int], tuple[int, int, int, int, int]],
) -> None:
    weekly = WeeklyAvailability(weekday=6, start=start, end=end, zone=zone)
    (window,) = weekly.windows(day, day)
    (y1, m1, d1, h1, n1), (y2, m2, d2, h2, n2) = expected
    assert window.start == datetime(y1, m1, d1, h1, n1, tzinfo=timezone.utc)
    assert window.end == datetime(y2, m2, d2, h2, n2, tzinfo=timezone.utc)


def test_available_windows_checks_both_dates() -> None:
    assert _details(
        available_windows,
        availability=[],
        first_date=MONDAY,
        last_date="2026-06-02",
        zone="Asia/Kolkata",
    ) == {
        "field": "last_date",
        "reason": "must be a datetime.date",
        "value": "2026-06-02",
    }


def test_a_blackout_reason_must_be_text() -> None:
    window = TimeWindow.of(datetime(2026, 6, 1, tzinfo=timezone.utc), timedelta(days=1))
    assert Blackout(window=window, reason="holiday").reason == "holiday"
    with pytest.raises(InvalidValueError) as caught:
        Blackout(window=window, reason=5)  # type: ignore[arg-type]
    assert caught.value.details == {
        "field": "reason",
        "reason": "must be a string",
        "value": 5,
    }

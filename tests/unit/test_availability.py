from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import attrs
import pytest

from booking_core.availability import (
    Blackout,
    Commitment,
    OneTimeAvailability,
    SlotRequest,
    WeeklyAvailability,
    available_windows,
    free_slots,
    slots_in_zone,
)
from booking_core.errors import (
    InvalidValueError,
    NaiveDatetimeError,
    UnknownZoneError,
)
from booking_core.intervals import IntervalSet, TimeWindow

UTC = timezone.utc
HOUR = timedelta(hours=1)
MIN30 = timedelta(minutes=30)
NOW = datetime(2026, 5, 1, tzinfo=UTC)
LONDON = "Europe/London"
KOLKATA = "Asia/Kolkata"


def weekly(**overrides: Any) -> WeeklyAvailability:
    fields: dict[str, Any] = {
        "weekday": 0,
        "start": time(9),
        "end": time(12),
        "zone": LONDON,
    }
    fields.update(overrides)
    return WeeklyAvailability(**fields)


def request(**overrides: Any) -> SlotRequest:
    fields: dict[str, Any] = {
        "first_date": date(2026, 6, 1),
        "last_date": date(2026, 6, 1),
        "zone": LONDON,
        "duration": HOUR,
        "step": MIN30,
    }
    fields.update(overrides)
    return SlotRequest(**fields)


def booking(start: datetime, length: timedelta = HOUR, **overrides: Any) -> Commitment:
    fields: dict[str, Any] = {
        "window": TimeWindow.of(start, length),
        "teacher_id": "t-1",
        "student_id": "s-1",
        "kind": "one_on_one",
        "ref_id": f"b-{start.isoformat()}",
    }
    fields.update(overrides)
    return Commitment(**fields)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in June 2026 (London is UTC+1 then)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def local_starts(slots: tuple[TimeWindow, ...], zone: str = LONDON) -> list[str]:
    return [s.strftime("%d %H:%M") for s, _ in slots_in_zone(slots, zone)]


class TestWeeklyAvailability:
    def test_zone_is_stored_by_name_and_validated(self) -> None:
        from zoneinfo import ZoneInfo

        assert weekly(zone=ZoneInfo(KOLKATA)).zone == KOLKATA
        with pytest.raises(UnknownZoneError):
            weekly(zone="Mars/Base")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("weekday", 7),
            ("weekday", -1),
            ("weekday", True),
            ("weekday", "0"),
            ("start", "09:00"),
            ("start", time(9, tzinfo=UTC)),
            ("end", None),
            ("valid_from", datetime(2026, 1, 1)),
            ("valid_until", "2026-01-01"),
            ("course", ""),
            ("course", 3),
        ],
    )
    def test_refuses_bad_fields(self, field: str, value: object) -> None:
        with pytest.raises(InvalidValueError) as info:
            weekly(**{field: value})
        assert info.value.details["field"] == field

    def test_refuses_equal_start_and_end_and_inverted_validity(self) -> None:
        with pytest.raises(InvalidValueError, match="crosses midnight"):
            weekly(start=time(9), end=time(9))
        with pytest.raises(InvalidValueError, match="on or after valid_from"):
            weekly(valid_from=date(2026, 6, 2), valid_until=date(2026, 6, 1))
        same_day = weekly(valid_from=date(2026, 6, 1), valid_until=date(2026, 6, 1))
        assert same_day.valid_until == same_day.valid_from

    def test_windows_visit_only_the_asked_dates_and_the_validity(self) -> None:
        w = weekly(valid_from=date(2026, 6, 8), valid_until=date(2026, 6, 22))
        assert [
            x.start.date() for x in w.windows(date(2026, 1, 1), date(2026, 12, 31))
        ] == [
            date(2026, 6, 8),
            date(2026, 6, 15),
            date(2026, 6, 22),
        ]
        assert w.windows(date(2026, 7, 1), date(2026, 7, 31)) == ()
        assert w.windows(date(2026, 6, 9), date(2026, 6, 14)) == ()

    def test_crossing_midnight_ends_next_day(self) -> None:
        w = weekly(start=time(23), end=time(1))
        assert w.crosses_midnight
        assert not weekly().crosses_midnight
        (only,) = w.windows(date(2026, 6, 1), date(2026, 6, 1))
        assert only == TimeWindow(start=at(1, 22), end=at(2, 0))

    def test_window_wholly_in_gap_moves_forward_and_inverted_one_is_empty(self) -> None:
        in_gap = weekly(weekday=6, start=time(1, 10), end=time(1, 40))
        (moved,) = in_gap.windows(date(2026, 3, 29), date(2026, 3, 29))
        assert moved.start == datetime(2026, 3, 29, 1, 10, tzinfo=UTC)  # 02:10 BST
        assert moved.duration == MIN30
        # 01:30 (in the gap) shifts to 02:30 BST, after the 02:15 end: empty.
        inverted = weekly(weekday=6, start=time(1, 30), end=time(2, 15))
        assert inverted.windows(date(2026, 3, 29), date(2026, 3, 29)) == ()

    def test_new_year_edges_are_read_directly(self) -> None:
        w = weekly(weekday=3, start=time(23), end=time(2), zone=KOLKATA)
        (nye,) = w.windows(date(2026, 12, 31), date(2026, 12, 31))
        assert nye.start == datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
        assert nye.end == datetime(2026, 12, 31, 20, 30, tzinfo=UTC)
        fold_new_year = weekly(
            weekday=3, start=time(0), end=time(1), zone="Europe/London"
        )
        assert len(fold_new_year.windows(date(2026, 1, 1), date(2026, 1, 1))) == 1


def test_one_time_and_blackout_validation() -> None:
    window = TimeWindow(start=at(1, 8), end=at(1, 9))
    assert OneTimeAvailability(window=window).course is None
    with pytest.raises(InvalidValueError):
        OneTimeAvailability(window=(at(1, 8), at(1, 9)))  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        Blackout(window=window, reason=None)  # type: ignore[arg-type]
    away = Blackout.whole_days(date(2026, 6, 1), date(2026, 6, 1), LONDON)
    assert away.window == TimeWindow(start=at(1, 0) - HOUR, end=at(2, 0) - HOUR)
    with pytest.raises(InvalidValueError, match="on or after first"):
        Blackout.whole_days(date(2026, 6, 2), date(2026, 6, 1), LONDON)
    with pytest.raises(InvalidValueError):
        Blackout.whole_days("2026-06-01", date(2026, 6, 1), LONDON)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="9997"):
        Blackout.whole_days(date(2026, 6, 1), date.max, LONDON)


class TestSlotRequest:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("duration", timedelta(0)),
            ("duration", 30),
            ("step", timedelta(minutes=25)),
            ("step", timedelta(0)),
            ("buffer_before", -MIN30),
            ("buffer_after", "5m"),
            ("minimum_notice", -HOUR),
            ("horizon", timedelta(0)),
            ("max_per_day", 0),
            ("course", ""),
            ("non_overlapping", 1),
            ("first_date", "2026-06-01"),
            ("last_date", date(2026, 5, 31)),
            ("last_date", date.max),
            ("first_date", date.min),
        ],
    )
    def test_refuses_bad_fields(self, field: str, value: object) -> None:
        with pytest.raises(InvalidValueError) as info:
            request(**{field: value})
        assert info.value.details["field"] == field

    def test_defaults(self) -> None:
        r = SlotRequest(
            first_date=date(2026, 6, 1),
            last_date=date(2026, 6, 1),
            zone=KOLKATA,
            duration=HOUR,
        )
        assert r.step == MIN30
        assert r.buffer_before == r.buffer_after == r.minimum_notice == timedelta(0)
        assert r.horizon is None
        assert r.max_per_day is None
        assert r.course is None
        assert r.non_overlapping is False


class TestFreeSlots:
    def test_steps_and_duration(self) -> None:
        slots = free_slots([weekly()], [], request(), now=NOW)
        assert local_starts(slots) == [
            "01 09:00",
            "01 09:30",
            "01 10:00",
            "01 10:30",
            "01 11:00",
        ]
        assert all(s.duration == HOUR for s in slots)

    def test_non_overlapping_takes_the_earliest(self) -> None:
        slots = free_slots([weekly()], [], request(non_overlapping=True), now=NOW)
        assert local_starts(slots) == ["01 09:00", "01 10:00", "01 11:00"]

    def test_commitments_and_buffers(self) -> None:
        busy = booking(at(1, 9))  # 10:00-11:00 London
        slots = free_slots([weekly()], [busy], request(duration=MIN30), now=NOW)
        assert local_starts(slots) == ["01 09:00", "01 09:30", "01 11:00", "01 11:30"]
        buffered = request(
            duration=MIN30, buffer_before=timedelta(minutes=15), buffer_after=MIN30
        )
        slots = free_slots([weekly()], [busy], buffered, now=NOW)
        assert local_starts(slots) == ["01 09:00", "01 11:30"]

    def test_notice_and_horizon(self) -> None:
        now = at(1, 8, 10)  # 09:10 London
        slots = free_slots([weekly()], [], request(minimum_notice=HOUR), now=now)
        assert local_starts(slots) == ["01 10:30", "01 11:00"]
        slots = free_slots([weekly()], [], request(horizon=timedelta(hours=3)), now=now)
        assert local_starts(slots) == ["01 09:30", "01 10:00", "01 10:30", "01 11:00"]
        assert free_slots([weekly()], [], request(), now=at(2, 0)) == ()
        with pytest.raises(NaiveDatetimeError):
            free_slots([weekly()], [], request(), now=datetime(2026, 6, 1))

    def test_max_per_day_counts_local_days(self) -> None:
        # A commitment at 00:30 London on 2 June is 23:30 UTC on 1 June.
        late = booking(datetime(2026, 6, 1, 23, 30, tzinfo=UTC), MIN30)
        two_days = request(last_date=date(2026, 6, 2), max_per_day=1)
        both = [weekly(), weekly(weekday=1)]
        slots = free_slots(both, [late], two_days, now=NOW)
        assert {s[:2] for s in local_starts(slots)} == {"01"}
        assert (
            len(
                free_slots(both, [late], attrs.evolve(two_days, max_per_day=2), now=NOW)
            )
            == 10
        )

    def test_course_filter(self) -> None:
        items = [
            weekly(course="c-1"),
            weekly(start=time(14), end=time(15), course="c-2"),
            weekly(start=time(17), end=time(18)),
        ]
        by_course = {
            course: local_starts(free_slots(items, [], request(course=course), now=NOW))
            for course in (None, "c-1", "c-2")
        }
        assert len(by_course[None]) == 5 + 1 + 1
        assert by_course["c-1"] == [
            "01 09:00",
            "01 09:30",
            "01 10:00",
            "01 10:30",
            "01 11:00",
            "01 17:00",
        ]
        assert by_course["c-2"] == ["01 14:00", "01 17:00"]

    def test_one_time_windows_and_blackouts(self) -> None:
        one_time = OneTimeAvailability(
            window=TimeWindow(start=at(1, 13), end=at(1, 15))
        )
        away = Blackout(window=TimeWindow(start=at(1, 8), end=at(1, 10)))
        slots = free_slots([weekly(), one_time, away], [], request(), now=NOW)
        assert local_starts(slots) == ["01 11:00", "01 14:00", "01 14:30", "01 15:00"]
        day_off = Blackout.whole_days(date(2026, 6, 1), date(2026, 6, 1), LONDON)
        assert free_slots([weekly(), one_time, day_off], [], request(), now=NOW) == ()

    def test_kolkata_alignment_is_on_the_local_clock(self) -> None:
        w = weekly(zone=KOLKATA)
        slots = free_slots([w], [], request(zone=KOLKATA, step=HOUR), now=NOW)
        assert local_starts(slots, KOLKATA) == ["01 09:00", "01 10:00", "01 11:00"]
        assert slots[0].start == at(1, 3, 30)

    def test_refuses_wrong_items(self) -> None:
        with pytest.raises(InvalidValueError, match="availability"):
            free_slots([TimeWindow.of(at(1, 9), HOUR)], [], request(), now=NOW)  # type: ignore[list-item]
        with pytest.raises(InvalidValueError, match="commitments"):
            free_slots([weekly()], [weekly()], request(), now=NOW)  # type: ignore[list-item]

    def test_nothing_free(self) -> None:
        assert free_slots([], [], request(), now=NOW) == ()
        busy = booking(at(1, 7), timedelta(hours=6))
        assert free_slots([weekly()], [busy], request(), now=NOW) == ()

    def test_offset_change_inside_a_free_window_realigns(self) -> None:
        # Lord Howe moves by 30 minutes; with a 60-minute step the wall clock,
        # not the UTC clock, decides where slots start on both sides.
        zone = "Australia/Lord_Howe"
        one_time = OneTimeAvailability(
            window=TimeWindow(
                start=datetime(2026, 4, 4, 12, tzinfo=UTC),
                end=datetime(2026, 4, 5, 0, tzinfo=UTC),
            )
        )
        r = request(
            first_date=date(2026, 4, 4),
            last_date=date(2026, 4, 5),
            zone=zone,
            step=HOUR,
            duration=HOUR,
            non_overlapping=True,
        )
        slots = free_slots([one_time], [], r, now=datetime(2026, 1, 1, tzinfo=UTC))
        for start, _ in slots_in_zone(slots, zone):
            assert (start.minute, start.second) == (0, 0)
        assert len(slots) == 11
        # Free from 01:50 LHDT: 02:00 LHDT never comes (at 02:00 the clocks
        # go back to 01:30 LHST), so the first slot is 02:00 LHST, 15:30 UTC.
        late = OneTimeAvailability(
            window=TimeWindow(
                start=datetime(2026, 4, 4, 14, 50, tzinfo=UTC),
                end=datetime(2026, 4, 4, 17, tzinfo=UTC),
            )
        )
        slots = free_slots([late], [], r, now=datetime(2026, 1, 1, tzinfo=UTC))
        assert [s.start.strftime("%H:%M") for s in slots] == ["15:30"]


def test_available_windows_and_bad_dates() -> None:
    found = available_windows(
        [weekly(), weekly(weekday=1)],
        first_date=date(2026, 6, 1),
        last_date=date(2026, 6, 7),
        zone=LONDON,
    )
    assert isinstance(found, IntervalSet)
    assert len(found) == 2
    with pytest.raises(InvalidValueError):
        available_windows(
            [], first_date=date(2026, 6, 2), last_date=date(2026, 6, 1), zone=LONDON
        )
    with pytest.raises(InvalidValueError):
        available_windows([], first_date="x", last_date=date(2026, 6, 1), zone=LONDON)  # type: ignore[arg-type]


def test_slots_in_zone_keeps_instants() -> None:
    slot = TimeWindow.of(at(1, 9), HOUR)
    ((start, end),) = slots_in_zone([slot], "America/Los_Angeles")
    assert (start, end) == (slot.start, slot.end)
    assert start.utcoffset() == timedelta(hours=-7)

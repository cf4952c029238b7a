"""The teacher schedule value and its pure command."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking_core.actors import Actor
from booking_core.adapters.codec import dumps, loads
from booking_core.availability import Blackout, WeeklyAvailability, free_slots
from booking_core.availability.schedule import (
    TeacherSchedule,
    TeacherScheduleSet,
    set_schedule,
)
from booking_core.errors import (
    InvalidValueError,
    NotScheduleOwnerError,
    UnknownZoneError,
)
from booking_core.zones import get_zone

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)  # London's spring-forward night
LONDON = "Europe/London"
MONDAYS = (WeeklyAvailability(weekday=0, start=time(14), end=time(15), zone=LONDON),)


def test_defaults_and_round_trip() -> None:
    schedule = TeacherSchedule(id="t-1", availability=list(MONDAYS))
    assert (schedule.zone, schedule.step, schedule.version) == (
        "UTC",
        timedelta(minutes=30),
        0,
    )
    assert schedule.availability == MONDAYS
    assert loads(dumps(schedule)) == schedule


@pytest.mark.parametrize(
    "fields",
    [
        {"id": ""},
        {"availability": "monday"},
        {"availability": 3},
        {"availability": [object()]},
        {"step": timedelta(minutes=7)},
        {"buffer_before": timedelta(minutes=-1)},
        {"max_per_day": 0},
        {"horizon": timedelta(0)},
    ],
)
def test_bad_fields_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidValueError):
        TeacherSchedule(**{"id": "t-1", **fields})  # type: ignore[arg-type]


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(UnknownZoneError):
        TeacherSchedule(id="t-1", zone="Mars/Olympus")


@pytest.mark.parametrize("zone", [LONDON, "Asia/Kolkata"])
def test_slot_request_carries_every_rule(zone: str) -> None:
    schedule = TeacherSchedule(
        id="t-1",
        zone=zone,
        step=timedelta(minutes=15),
        buffer_before=timedelta(minutes=5),
        buffer_after=timedelta(minutes=10),
        minimum_notice=timedelta(hours=2),
        horizon=timedelta(days=30),
        max_per_day=3,
    )
    request = schedule.slot_request(
        date(2026, 3, 29), date(2026, 3, 30), timedelta(hours=1), course="math"
    )
    assert (request.zone, request.step, request.max_per_day, request.course) == (
        zone,
        timedelta(minutes=15),
        3,
        "math",
    )
    assert (request.buffer_before, request.buffer_after) == (
        timedelta(minutes=5),
        timedelta(minutes=10),
    )
    assert (request.minimum_notice, request.horizon) == (
        timedelta(hours=2),
        timedelta(days=30),
    )


@given(st.sampled_from([LONDON, "Asia/Kolkata"]), st.integers(0, 6))
def test_listing_with_the_schedules_request_finds_the_weekly_window(
    zone: str, weekday: int
) -> None:
    window = WeeklyAvailability(weekday=weekday, start=time(9), end=time(10), zone=zone)
    schedule = TeacherSchedule(id="t-1", zone=zone, availability=[window])
    first = date(2026, 3, 23)  # the week London springs forward
    request = schedule.slot_request(
        first, first + timedelta(days=6), timedelta(hours=1)
    )
    slots = free_slots(schedule.availability, [], request, now=NOW - timedelta(days=7))
    assert len(slots) == 1
    assert slots[0].start.astimezone(get_zone(zone)).hour == 9


def test_set_schedule_by_the_teacher_and_by_an_admin() -> None:
    new = TeacherSchedule(id="t-1", zone=LONDON, availability=MONDAYS)
    first = set_schedule(None, new, actor=Actor.teacher("t-1"), now=NOW)
    assert first.state.updated_at == NOW
    assert first.state.updated_by == Actor.teacher("t-1")
    (event,) = first.events
    assert isinstance(event, TeacherScheduleSet)
    assert event.schedule == first.state
    stored = TeacherSchedule(id="t-1", version=4)
    away = Blackout.whole_days(date(2026, 4, 6), date(2026, 4, 10), LONDON)
    second = set_schedule(
        stored,
        TeacherSchedule(id="t-1", availability=(*MONDAYS, away)),
        actor=Actor.admin("ops"),
        now=NOW,
    )
    assert second.state.version == 4
    assert second.state.availability[-1] == away


def test_set_schedule_refusals() -> None:
    new = TeacherSchedule(id="t-1")
    for actor in (Actor.teacher("t-2"), Actor.student("t-1"), Actor.system()):
        with pytest.raises(NotScheduleOwnerError) as caught:
            set_schedule(None, new, actor=actor, now=NOW)
        assert caught.value.code == "one_on_one.not_schedule_owner"
    with pytest.raises(InvalidValueError):
        set_schedule(TeacherSchedule(id="t-2"), new, actor=Actor.admin("a"), now=NOW)
    with pytest.raises(InvalidValueError):
        set_schedule(None, "t-1", actor=Actor.admin("a"), now=NOW)  # type: ignore[arg-type]

"""Reactions across aggregates, one by one, through the composition root."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.availability import WeeklyAvailability
from booking_core.availability.schedule import TeacherSchedule
from booking_core.clock import ManualClock
from booking_core.errors import NotFoundError
from booking_core.recurrence import RecurrenceRule
from booking_core.services.app import BookingCore

UTC = timezone.utc
HOUR = timedelta(hours=1)
NOW = datetime(2026, 6, 1, 8, tzinfo=UTC)  # a Monday
LONDON = "Europe/London"
TEACHER = Actor.teacher("t-1")


def _core() -> tuple[BookingCore, InMemoryStore]:
    store = InMemoryStore()
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(store), clock=ManualClock(NOW)
    )
    core.one_on_one.set_schedule(
        TeacherSchedule(
            id="t-1",
            zone=LONDON,
            availability=[
                WeeklyAvailability(
                    weekday=day, start=time(8), end=time(20), zone=LONDON
                )
                for day in range(7)
            ],
        ),
        actor=TEACHER,
    )
    return core, store


def test_a_rescheduled_series_occurrence_moves_its_series_item() -> None:
    core, store = _core()
    created = core.one_on_one.create_series(
        teacher_id="t-1",
        student_id="s-1",
        course_id="chess",
        rule=RecurrenceRule.parse("FREQ=WEEKLY;COUNT=2"),
        start=datetime(2026, 6, 3, 10),
        zone=LONDON,
        duration=HOUR,
        until=datetime(2026, 6, 30, tzinfo=UTC),
        actor=Actor.student("s-1"),
        series_id="ser",
    )
    first, second = created.state.items
    core.sessions.request_reschedule(
        first.booking_id,  # the occurrence's session has its booking's id
        reason="a clash with an exam",
        new_start=first.window.start + 2 * HOUR,
        actor=Actor.student("s-1"),
    )
    moved = core.sessions.approve_reschedule(first.booking_id, actor=TEACHER)
    with InMemoryUnitOfWork(store) as uow:
        series = uow.series.get("ser")
        booking = uow.bookings.get(first.booking_id)
    assert series.items[0].window == moved.state.window == booking.window
    assert series.items[0].moved
    assert series.items[1] == second  # the other occurrence stays


def test_a_tilde_in_a_plain_booking_id_is_not_a_series() -> None:
    core, store = _core()
    day = datetime(2026, 6, 3, tzinfo=UTC).date()
    requested = core.one_on_one.request(
        teacher_id="t-1",
        student_id="s-1",
        course_id="chess",
        slot=core.one_on_one.slots("t-1", day, day, HOUR)[0],
        actor=Actor.student("s-1"),
        booking_id="host~1",
    )
    session_id = requested.state.session_id
    core.sessions.request_reschedule(
        session_id,
        reason="a clash with an exam",
        new_start=requested.state.window.start + 3 * HOUR,
        actor=Actor.student("s-1"),
    )
    moved = core.sessions.approve_reschedule(session_id, actor=TEACHER)
    with InMemoryUnitOfWork(store) as uow:
        assert uow.bookings.get("host~1").window == moved.state.window
        with pytest.raises(NotFoundError):
            uow.series.get("host")

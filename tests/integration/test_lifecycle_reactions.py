"""Reactions across aggregates, one by one, through the composition root."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

import pytest

from booking_core import bootstrap
from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.availability import WeeklyAvailability
from booking_core.availability.approval import ApprovalPolicy
from booking_core.availability.commitments import ConflictPolicy
from booking_core.availability.schedule import TeacherSchedule
from booking_core.bookings.model import BookingStatus
from booking_core.bookings.one_on_one import OneOnOnePolicy
from booking_core.clock import ManualClock
from booking_core.errors import (
    NotFoundError,
    SlotNotAvailableError,
    StudentDoubleBookedError,
)
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.recurrence import RecurrenceRule
from booking_core.services.app import BookingCore
from booking_core.sessions.policies import ReschedulePolicy

UTC = timezone.utc
HOUR = timedelta(hours=1)
NOW = datetime(2026, 6, 1, 8, tzinfo=UTC)  # a Monday
LONDON = "Europe/London"
TEACHER = Actor.teacher("t-1")


def _core(**policies: Any) -> tuple[BookingCore, InMemoryStore]:
    store = InMemoryStore()
    bundle: dict[str, Any] = {
        "one_on_one": OneOnOnePolicy(approval=ApprovalPolicy(courses={"math": True})),
        **policies,
    }
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(store),
        clock=ManualClock(NOW),
        policies=Policies(**bundle),
    )
    for teacher in ("t-1", "t-2"):
        core.one_on_one.set_schedule(
            TeacherSchedule(
                id=teacher,
                zone=LONDON,
                availability=[
                    WeeklyAvailability(
                        weekday=day, start=time(8), end=time(20), zone=LONDON
                    )
                    for day in range(7)
                ],
            ),
            actor=Actor.teacher(teacher),
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


# -- the commitment check on every path ------------------------------------------------


def _group(core: BookingCore, session_id: str, teacher: str, start: datetime) -> None:
    core.sessions.schedule(
        session_id=session_id,
        kind="group",
        teacher_id=teacher,
        course_id="art",
        window=TimeWindow.of(start, HOUR),
        zone=LONDON,
        capacity=3,
        actor=Actor.teacher(teacher),
    )


CLASS_TIME = datetime(2026, 6, 3, 9, tzinfo=UTC)  # 10:00 in London


def test_a_group_seat_blocks_the_student_in_another_teachers_class() -> None:
    core, store = _core()
    _group(core, "g-1", "t-1", CLASS_TIME)
    _group(core, "g-2", "t-2", CLASS_TIME + HOUR / 2)
    core.bookings.book("g-1", "s-1", actor=Actor.student("s-1"))
    before = dict(store.collections["bookings"])
    with pytest.raises(StudentDoubleBookedError) as caught:
        core.bookings.book("g-2", "s-1", actor=Actor.student("s-1"))
    assert caught.value.details["ref_id"] == "g-1"
    assert caught.value.details["kind"] == "group_session"
    assert store.collections["bookings"] == before  # the refusal changed nothing


def test_a_pending_request_without_its_session_yet_blocks_a_group_seat() -> None:
    core, _store = _core()
    requested = core.one_on_one.request(
        teacher_id="t-1",
        student_id="s-1",
        course_id="math",  # approval required: pending, no session yet
        slot=TimeWindow.of(CLASS_TIME, HOUR),
        actor=Actor.student("s-1"),
        booking_id="o-1",
    )
    assert requested.state.status is BookingStatus.PENDING
    _group(core, "g-2", "t-2", CLASS_TIME)
    with pytest.raises(StudentDoubleBookedError) as caught:
        core.bookings.book("g-2", "s-1", actor=Actor.student("s-1"))
    assert caught.value.details["kind"] == "pending_request"


def test_students_are_not_checked_when_the_policy_says_so() -> None:
    core, _store = _core(
        one_on_one=OneOnOnePolicy(conflicts=ConflictPolicy(check_students=False))
    )
    _group(core, "g-1", "t-1", CLASS_TIME)
    _group(core, "g-2", "t-2", CLASS_TIME)
    core.bookings.book("g-1", "s-1", actor=Actor.student("s-1"))
    booked = core.bookings.book("g-2", "s-1", actor=Actor.student("s-1"))
    assert booked.state.status is BookingStatus.CONFIRMED


def test_a_reschedule_stays_inside_the_teachers_availability_by_default() -> None:
    core, _store = _core()
    _group(core, "g-1", "t-1", CLASS_TIME)
    night = datetime(2026, 6, 4, 2, tzinfo=UTC)  # 03:00 in London
    with pytest.raises(SlotNotAvailableError):
        core.sessions.request_reschedule(
            "g-1", reason="the teacher travels", new_start=night, actor=TEACHER
        )
    relaxed, _ = _core(
        reschedule=ReschedulePolicy(reschedule_within_availability=False)
    )
    _group(relaxed, "g-1", "t-1", CLASS_TIME)
    asked = relaxed.sessions.request_reschedule(
        "g-1", reason="the teacher travels", new_start=night, actor=TEACHER
    )
    assert asked.state.pending_reschedule is not None


def test_an_automatic_approval_onto_a_taken_hour_lapses() -> None:
    core, store = _core()
    _group(core, "g-1", "t-1", CLASS_TIME)
    core.bookings.book("g-1", "s-1", actor=Actor.student("s-1"))
    later = CLASS_TIME + 3 * HOUR
    core.sessions.request_reschedule(
        "g-1", reason="the teacher travels", new_start=later, actor=TEACHER
    )
    # meanwhile the student takes a 1:1 at the proposed hour
    core.one_on_one.request(
        teacher_id="t-2",
        student_id="s-1",
        course_id="chess",
        slot=TimeWindow.of(later, HOUR),
        actor=Actor.student("s-1"),
    )
    clock = core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=1, hours=1))  # past the response window
    lapsed = core.sessions.expire_reschedule("g-1", actor=Actor.system())
    assert lapsed.state.window == TimeWindow.of(CLASS_TIME, HOUR)
    assert lapsed.state.pending_reschedule is None
    with InMemoryUnitOfWork(store) as uow:
        assert uow.bookings.of_session("g-1")[0].window.start == CLASS_TIME

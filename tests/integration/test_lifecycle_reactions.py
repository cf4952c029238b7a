"""Reactions across aggregates, one by one, through the composition root."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any, cast

import attrs
import pytest

from booking_core import bootstrap
from booking_core.actors import Actor, Role
from booking_core.adapters.fake_gateway import FakePaymentGateway
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
from booking_core.events import DomainEvent
from booking_core.intervals import TimeWindow
from booking_core.money import Money
from booking_core.policies import Policies
from booking_core.ports import UnitOfWork
from booking_core.recurrence import RecurrenceRule
from booking_core.services.app import BookingCore
from booking_core.services.reactions import ReactionContext, react
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


# -- reactions that find their work done ----------------------------------------------


def test_a_student_enrolled_by_hand_is_kept_when_the_booking_enrols_them() -> None:
    core, store = _core()
    _group(core, "g-1", "t-1", CLASS_TIME)
    by_hand = core.attendance.enrol("g-1", "s-1", Role.STUDENT)
    core.bookings.book("g-1", "s-1", actor=Actor.student("s-1"))
    with InMemoryUnitOfWork(store) as uow:
        assert uow.attendees.get(by_hand.id).version == 1  # untouched


def test_a_session_the_host_scheduled_first_is_kept_and_a_pending_one_closes() -> None:
    core, store = _core()
    slot = TimeWindow.of(CLASS_TIME, HOUR)
    for booking_id in ("o-1", "o-2"):
        core.one_on_one.request(
            teacher_id="t-1",
            student_id=f"s-{booking_id}",
            course_id="math",  # pending
            slot=TimeWindow.of(
                slot.start + (3 * HOUR if booking_id == "o-2" else timedelta()),
                HOUR,
            ),
            actor=Actor.student(f"s-{booking_id}"),
            booking_id=booking_id,
        )
        # the host schedules the 1:1's session before it is confirmed
        core.sessions.schedule(
            session_id=booking_id,
            kind="one_on_one",
            teacher_id="t-1",
            course_id="math",
            window=TimeWindow.of(
                slot.start + (3 * HOUR if booking_id == "o-2" else timedelta()),
                HOUR,
            ),
            zone=LONDON,
            actor=TEACHER,
        )
    core.one_on_one.confirm("o-1", actor=TEACHER)  # its session exists: kept
    clock = core.clock
    assert isinstance(clock, ManualClock)
    clock.set(CLASS_TIME + 4 * HOUR)
    core.sessions.complete("o-2", actor=TEACHER)  # o-2 never confirmed
    with InMemoryUnitOfWork(store) as uow:
        assert uow.sessions.get("o-1").version == 1
        closed = uow.bookings.get("o-2")
    assert closed.status is BookingStatus.CANCELLED
    assert closed.cancellation is not None
    assert closed.cancellation.reason == "the session ended before a seat was free"


@attrs.frozen(kw_only=True)
class _Ping(DomainEvent):
    """An event whose (test) reaction collects it again: a cycle."""


def test_reactions_that_keep_producing_events_stop_with_an_error() -> None:
    queue: list[DomainEvent] = [
        _Ping(occurred_at=NOW, actor=TEACHER, aggregate_id="s-1")
    ]

    def again(seen: DomainEvent, _context: ReactionContext) -> None:
        queue.append(seen)

    context = ReactionContext(
        uow=cast("UnitOfWork", None), now=NOW, policies=Policies()
    )
    with pytest.raises(RuntimeError, match="did not settle"):
        react(queue, context, {_Ping: (again,)})
    assert len(queue) > 10_000


def test_moving_a_series_leaves_a_cancelled_occurrences_session_alone() -> None:
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
    core.sessions.cancel(first.booking_id, reason="teacher unwell", actor=TEACHER)
    core.one_on_one.move_occurrences(
        "ser",
        first.occurrence_index,
        new_start=first.window.start + 2 * HOUR,
        scope="all",
        reason="a later hour suits both",
        actor=Actor.student("s-1"),
    )
    with InMemoryUnitOfWork(store) as uow:
        cancelled = uow.sessions.get(first.booking_id)
        moved = uow.sessions.get(second.booking_id)
    assert cancelled.window == first.window  # closed: not moved
    assert moved.window.start == second.window.start + 2 * HOUR


def test_a_cancelled_booking_with_an_unpaid_order_waits_for_the_capture() -> None:
    store = InMemoryStore()
    clock = ManualClock(NOW)
    gateway = FakePaymentGateway(secret=b"lifecycle-secret-0123", clock=clock.now)
    core = bootstrap(
        uow_factory=lambda: InMemoryUnitOfWork(store), clock=clock, gateway=gateway
    )
    _group(core, "g-1", "t-1", CLASS_TIME)
    seat = core.bookings.book("g-1", "s-1", actor=Actor.student("s-1")).state
    record = core.payments.open_order(
        booking_id=seat.id,
        teacher_id="t-1",
        amount=Money.of("500.00", "INR"),
        starts_at=CLASS_TIME,
    )
    core.bookings.cancel(seat.id, actor=Actor.student("s-1"))
    assert core.monitor.tick().total == 0  # ordered, not paid: the due waits
    assert record.order_id is not None
    gateway.pay(record.order_id)
    for body, signature in gateway.take_webhooks():
        core.payments.handle_webhook(body, signature)
    assert core.monitor.tick().payments_refunded == (seat.id,)
    assert core.payments.booking(seat.id).closed

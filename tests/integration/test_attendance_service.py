"""The attendance service on the in-memory store and on SQLite, end to end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from booking_core.actors import Actor
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.adapters.sqlite import SqliteDatabase, SqliteUnitOfWork
from booking_core.attendance.billing import PaymentStatus
from booking_core.attendance.model import AttendanceMark, ParticipationEvent
from booking_core.attendance.outcome import SessionOutcome
from booking_core.clock import ManualClock
from booking_core.errors import (
    IllegalPaymentTransitionError,
    NotFoundError,
)
from booking_core.intervals import TimeWindow
from booking_core.policies import Policies
from booking_core.ports import UnitOfWork
from booking_core.services.attendance import AttendanceService
from booking_core.sessions import Session, SessionPolicy, SessionStatus, cancel

START = datetime(2026, 3, 29, 9, tzinfo=timezone.utc)  # London's DST day
MIN = timedelta(minutes=1)
SYSTEM = Actor.system()


def memory() -> Callable[[], UnitOfWork]:
    store = InMemoryStore()
    return lambda: InMemoryUnitOfWork(store)


def sqlite() -> Callable[[], UnitOfWork]:
    database = SqliteDatabase(":memory:")
    return lambda: SqliteUnitOfWork(database)


@pytest.fixture(params=[memory, sqlite], ids=["memory", "sqlite"])
def setup(
    request: pytest.FixtureRequest,
) -> tuple[AttendanceService, Callable[[], UnitOfWork], ManualClock]:
    factory: Callable[[], UnitOfWork] = request.param()
    with factory() as uow:
        uow.sessions.add(
            Session(
                id="s-1",
                kind="group",
                capacity=3,
                teacher_id="t-1",
                course_id="c-1",
                window=TimeWindow.of(START, timedelta(hours=1)),
                zone="Europe/London",
            )
        )
        uow.commit()
    clock = ManualClock(START - timedelta(days=2))
    service = AttendanceService(
        uow_factory=factory,
        clock=clock,
        policies=Policies(session=SessionPolicy()),
    )
    return service, factory, clock


def test_lifecycle_to_billing(setup: Any) -> None:
    service, factory, clock = setup
    service.enrol("s-1", "t-1", "teacher")
    for name in ("ann", "bob", "cid"):
        service.enrol("s-1", name, "student")
    service.enrol("s-1", "dan", "student", payment_status=PaymentStatus.PAID)
    # enrolling again (a booking's reaction may have done it) returns the stored one
    again = service.enrol("s-1", "dan", "student")
    assert (again.version, again.payment_status) == (1, PaymentStatus.PAID)
    with pytest.raises(NotFoundError):
        service.enrol("s-9", "ann", "student")
    service.set_intent("s-1", "cid", "not_going", actor=Actor.student("cid"))  # in time
    clock.set(START + 2 * MIN)
    for who, role, minute in (
        ("t-1", "teacher", 0),
        ("ann", "student", 1),
        ("bob", "student", 2),
    ):
        service.record(
            "s-1",
            who,
            role,
            ParticipationEvent.joined(START + minute * MIN),
            actor=SYSTEM,
        )
    clock.set(START + 20 * MIN)
    service.record(
        "s-1",
        "bob",
        "student",
        ParticipationEvent.joined(START + 2 * MIN),
        actor=SYSTEM,
    )
    clock.set(START + 61 * MIN)
    marked = service.mark_session("s-1", actor=SYSTEM)
    assert {a.participant_id: a.attendance for a in marked.state} == {
        "t-1": AttendanceMark.PRESENT,
        "ann": AttendanceMark.PRESENT,
        "bob": AttendanceMark.PRESENT,
        "cid": AttendanceMark.EXCUSED,
        "dan": AttendanceMark.ABSENT,
    }
    assert service.outcome("s-1").outcome is SessionOutcome.HELD
    requested = service.request_payment(request_id="req-1", actor=Actor.admin("ops"))
    assert [a.participant_id for a in requested.state] == ["ann", "bob"]
    with pytest.raises(IllegalPaymentTransitionError):
        service.change_payment_status(
            "s-1~student~cid", "refunded", reason="x", actor=SYSTEM
        )
    paid = service.change_payment_status(
        "s-1~student~ann", "paid", reason="gateway", actor=SYSTEM
    )
    assert paid.state.payment_status is PaymentStatus.PAID
    with factory() as uow:
        repo = uow.attendees
        assert [
            a.participant_id for a in repo.with_payment_status(PaymentStatus.PAID)
        ] == [
            "ann",
            "dan",
        ]
        assert [a.session_id for a in repo.of_participant("bob")] == ["s-1"]
        assert repo.get("s-1~student~cid").payment_status is PaymentStatus.NOT_BILLABLE


def test_cancellation_cascade_through_the_service(setup: Any) -> None:
    service, factory, clock = setup
    service.enrol("s-1", "ann", "student")
    service.enrol("s-1", "dan", "student", payment_status=PaymentStatus.PAID)
    with factory() as uow:
        repo = uow.sessions
        decision = cancel(
            repo.get("s-1"),
            reason="teacher is ill",
            actor=Actor.teacher("t-1"),
            now=clock.now(),
            policy=SessionPolicy(),
        )
        repo.save(decision.state)
        uow.commit()
        assert decision.state.status is SessionStatus.CANCELLED
    result = service.cancel_session("s-1", actor=Actor.teacher("t-1"))
    by_name = {a.participant_id: a for a in result.state}
    assert by_name["ann"].payment_status is PaymentStatus.NOT_BILLABLE
    assert by_name["dan"].refund_pending
    assert [e.name for e in result.events] == ["attendee.excused", "attendee.excused"]
    with factory() as uow:
        stored = uow.attendees.of_session("s-1")
    assert all(a.attendance is AttendanceMark.EXCUSED for a in stored)

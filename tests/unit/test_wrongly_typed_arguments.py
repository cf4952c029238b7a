"""Wrongly typed arguments found by tests/fuzz: coded refusals naming the field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from booking_core.actors import Actor, Role, check_actor, require_role
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from booking_core.attendance.billing import change_payment_status
from booking_core.attendance.commands import record_participation
from booking_core.attendance.model import Attendee, ParticipationPolicy, attendee_id
from booking_core.bookings.capacity import cancel, change_capacity
from booking_core.bookings.model import Booking
from booking_core.bookings.one_on_one import decline_booking
from booking_core.errors import BookingCoreError
from booking_core.intervals import TimeWindow
from booking_core.sessions import Session, SessionPolicy
from booking_core.sessions.commands import require_participant

START = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
WINDOW = TimeWindow.of(START, timedelta(hours=1))
SESSION = Session(
    id="s-1",
    kind="group",
    capacity=3,
    teacher_id="t-1",
    course_id="c-1",
    window=WINDOW,
    zone="UTC",
)
BOOKING = Booking(
    id="b-1",
    type="one_on_one",
    session_id="s-1",
    student_id="alice",
    teacher_id="t-1",
    course_id="c-1",
    window=WINDOW,
    status="pending",
    created_at=START - timedelta(days=1),
)
NOTHING: Any = []
ZERO: Any = 0
ALICE = Attendee.create(session_id="s-1", participant_id="alice", role="student")


def refused(field: str, call: Any) -> None:
    with pytest.raises(BookingCoreError) as error:
        call()
    assert error.value.code == "input.invalid_value"
    assert error.value.details["field"] == field


@pytest.mark.parametrize("actor", [0, [], "admin", None])
def test_an_actor_that_is_no_actor_is_refused_everywhere(actor: Any) -> None:
    refused("actor", lambda: check_actor(actor))
    refused("actor", lambda: require_role(actor, {Role.ADMIN}, action="x"))
    refused(
        "actor",
        lambda: require_participant(SESSION, actor, roles={Role.ADMIN}, action="x"),
    )
    refused("actor", lambda: cancel(SESSION, BOOKING, actor=actor, now=START))
    refused(
        "actor",
        lambda: change_capacity(SESSION, 4, actor=actor, now=START),
    )
    refused(
        "actor",
        lambda: decline_booking(BOOKING, actor=actor, reason="r" * 12, now=START),
    )
    refused(
        "actor",
        lambda: record_participation(
            ALICE,
            SESSION,
            NOTHING,
            actor=actor,
            now=START,
            session_policy=SessionPolicy(),
            policy=ParticipationPolicy(),
        ),
    )


def test_enums_and_values_of_the_wrong_type_are_refused() -> None:
    refused("role", lambda: attendee_id("s-1", "alice", NOTHING))
    refused(
        "payment_status",
        lambda: Attendee.create(
            session_id="s-1",
            participant_id="a",
            role="student",
            payment_status=NOTHING,
        ),
    )
    refused(
        "target",
        lambda: change_payment_status(
            ALICE,
            NOTHING,
            reason="r",
            actor=Actor.admin("ops"),
            now=START,
        ),
    )
    refused(
        "entry",
        lambda: record_participation(
            ALICE,
            SESSION,
            NOTHING,
            actor=Actor.system(),
            now=START,
            session_policy=SessionPolicy(),
            policy=ParticipationPolicy(),
        ),
    )
    refused(
        "window",
        lambda: Session(
            id="s-2",
            kind="group",
            teacher_id="t-1",
            course_id="c-1",
            window=NOTHING,
            zone="UTC",
        ),
    )


def test_range_queries_refuse_what_is_no_instant() -> None:
    store = InMemoryStore()
    with InMemoryUnitOfWork(store) as unit:
        refused(
            "starting_before",
            lambda: unit.sessions.scheduled_sessions(starting_before=ZERO),
        )
    gateway = FakePaymentGateway(secret=b"s" * 24, clock=lambda: START)
    refused("start", lambda: gateway.transactions(start=NOTHING, end=START))
